/**
 * The restore drill (issue 22 item 2): reports and an advisory, a backup, more reports and
 * posts, the backup restored into an empty database, the bot started on it — no id issued
 * twice, no post made twice, the audit chain verifying with the head anchored at the backup.
 * Reminders that fired between the backup and the restore (a meeting's, an advisory's
 * acknowledgement reminder) fire again at the first start: their deliveries get the ids of the
 * posts made before (derived from the dedupe key), which are found in the channels, so each
 * channel still has exactly one of each.
 * Attacks: a restore over a non-empty database, a truncated and a foreign backup file, a start
 * refused before reconciliation (and by the real process), the platform's history unreadable
 * at the start, two processes starting at once on the restored database.
 *
 * SQLite: npm run backup / npm run restore. PostgreSQL (no pg_dump in the test environment):
 * the backup is a copy of the database (CREATE DATABASE … TEMPLATE, the bot stopped for it),
 * restored with `npm run restore -- --mark-restored` as after a pg_restore by hand; the empty
 * check and a missing pg_restore are tested through `npm run restore -- <file>`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, test } from 'vitest';
import { ROOT } from '../../src/app.ts';
import { PlatformError, type PlatformName, type PlatformSeam } from '../../src/core/platform.ts';
import { replyToText } from '../../src/core/reply.ts';
import { enqueue } from '../../src/outbox/outbox.ts';
import { RESTORE_MARKER, RestorePendingError } from '../../src/services/restore.ts';
import { MemoryPlatform } from '../fakes/memory-platform.ts';
import { P, registerAdvisoryPeople, reportIncident } from '../helpers/advisory-fixtures.ts';
import { PROVIDER, type TestApp, testApp, testDb } from '../helpers/app.ts';
import { BOT_ARGS, BOT_ENV } from '../helpers/bot-entry.ts';
import { type OperatorScript, scriptArgv } from '../helpers/scripts.ts';

const exec = promisify(execFile);
const ID = /\b(?:INC|ADV)-\d{4}-\d{4}\b/g;

async function script(name: OperatorScript, args: string[], url: string, env: Record<string, string> = {}) {
  return exec(process.execPath, await scriptArgv(name, args), {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'silent', ...env, DATABASE_URL: url },
  }).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );
}

const platform = new MemoryPlatform();
const seams = new Map<PlatformName, PlatformSeam>([['console', platform]]);
const dir = mkdtempSync(join(tmpdir(), 'restore-drill-'));
const drops: (() => Promise<void>)[] = [];
let live: { url: string };
/** what the restored database is, and the audit head at the backup */
let restored: { url: string; head: { seq: number; hash: string } };
/** every id the platform has seen posted before the restore */
let postedBefore: Set<string>;
let lostTimelineRow = '';
/** the texts of the reminders posted between the backup and the restore */
let remindersBefore: Set<string>;
let now = '2026-11-25T01:00:00Z';

async function start(url: string, env: Record<string, string> = {}): Promise<TestApp> {
  const t = await testApp({ url, seams, now, env });
  return t;
}

function idsPosted(): Set<string> {
  return new Set(platform.posts.flatMap((p) => p.text.match(ID) ?? []));
}

function postsTwice(): string[] {
  const seen = new Map<string, number>();
  for (const p of platform.posts) if (p.kind !== 'update') seen.set(p.deliveryId, (seen.get(p.deliveryId) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
}

async function advisory(t: TestApp, inc: string, title: string): Promise<string> {
  const d = await t.run(
    P.coordinator,
    `advisory draft title="${title}" body="添付ファイルに注意してください。" severity=high tlp=amber audience=mof,mlit sources=${inc}`,
  );
  const id = /ADV-\d{4}-\d{4}/.exec(replyToText(d.reply))?.[0] as string;
  for (const [who, cmd] of [
    [P.coordinator, `advisory submit ${id}`],
    [P.poc, `advisory consent ${id} yes`],
    [P.approver, `advisory approve ${id}`],
  ] as const) {
    const o = await t.run(who, cmd);
    assert.equal(o.status, 'ok', `${cmd}: ${replyToText(o.reply)}`);
  }
  return id;
}

async function pgAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: process.env.TEST_PG_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  const db1 = await testDb();
  drops.push(db1.drop);
  live = { url: db1.url };
  let t = await start(db1.url);
  await registerAdvisoryPeople(t);
  const inc1 = await reportIncident(t, P.poc, 'attributed', 'before the backup 1');
  await reportIncident(t, P.otherPoc, 'none', 'before the backup 2');
  await advisory(t, inc1, '復元前の注意喚起');
  // a meeting whose reminder (a day before it) comes due after the backup; the advisory's
  // acknowledgement reminder comes due 24 hours after it was sent
  const m = await t.run(
    P.coordinator,
    'meeting schedule title=復元訓練の連絡会議 start="2026-11-26 12:00" invite=mof,mlit reminders=1d',
  );
  assert.equal(m.status, 'ok', replyToText(m.reply));
  // a post not yet tried when the backup is taken (due in five minutes), sent after it
  lostTimelineRow = await t.app.db.tx((tx) =>
    enqueue(
      tx,
      {
        platform: 'console',
        kind: 'post',
        target: 'nisc',
        message: { blocks: [{ kind: 'text', text: 'scheduled before the backup' }] },
        dedupeKey: 'drill:scheduled',
        notBefore: new Date(t.clock.now().getTime() + 300_000),
      },
      t.clock.now(),
    ),
  );
  // the backup
  if (PROVIDER === 'sqlite') {
    const file = join(dir, 'backup.db');
    const b = await script('backup', [file], db1.url);
    assert.equal(b.code, 0, b.err);
    const meta = JSON.parse(readFileSync(`${file}.meta.json`, 'utf8')) as { auditHead: { seq: number; hash: string } };
    const db2 = await testDb({ empty: true });
    drops.push(db2.drop);
    restored = { url: db2.url, head: meta.auditHead };
  } else {
    const head = await t.app.db.prisma.auditHead.findUniqueOrThrow({ where: { id: 1 } });
    await t.app.close();
    const name = `${db1.url.slice(db1.url.lastIndexOf('/') + 1)}_bk`;
    await pgAdmin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${db1.url.slice(db1.url.lastIndexOf('/') + 1)}`));
    drops.push(() => pgAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}));
    restored = { url: db1.url.replace(/\/[^/]*$/, `/${name}`), head: { seq: head.seq, hash: head.hash } };
    t = await start(db1.url);
  }
  // after the backup: more reports, an advisory, the scheduled post sent, a day later the reminders
  const inc3 = await reportIncident(t, P.poc, 'attributed', 'after the backup 1');
  await reportIncident(t, P.mlit, 'attributed', 'after the backup 2');
  await advisory(t, inc3, '復元後に失われる注意喚起');
  t.clock.advance(25 * 3_600_000);
  now = t.clock.now().toISOString();
  assert.ok((await t.app.scheduler.runDue()) >= 2);
  await t.app.dispatcher.drain();
  assert.equal(platform.posts.filter((p) => p.deliveryId === lostTimelineRow).length, 1);
  const reminders = await t.app.db.prisma.delivery.findMany({
    where: {
      OR: [
        { dedupeKey: { startsWith: 'meeting:MTG-2026-0001:reminder:' } },
        { dedupeKey: { startsWith: 'advisory:ADV-2026-0001:ack-reminder:' } },
      ],
    },
  });
  const sent = platform.posts.filter((p) => reminders.some((r) => r.id === p.deliveryId));
  assert.deepEqual(sent.map((p) => p.channel).sort(), ['mlit', 'mlit', 'mof', 'mof'], 'two reminders in each channel');
  remindersBefore = new Set(sent.map((p) => p.text));
  postedBefore = idsPosted();
  assert.ok(postedBefore.has('INC-2026-0004') && postedBefore.has('ADV-2026-0002'), [...postedBefore].join(' '));
  await t.app.close();
  if (PROVIDER === 'sqlite') {
    const r = await script('restore', [join(dir, 'backup.db')], restored.url);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /restored .* \(audit head \d+:[0-9a-f]{64}\)/);
  } else {
    const r = await script('restore', ['--mark-restored'], restored.url);
    assert.equal(r.code, 0, r.err);
  }
}, 240_000);

afterAll(async () => {
  for (const d of drops.reverse()) await d().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

/** the Counter rows and whether the marker is there, read without starting a bot */
async function pgOrSqliteRead(url: string): Promise<{ counters: Record<string, number>; marker: boolean }> {
  const rows: { name: string; value: number }[] = [];
  let marker = false;
  if (PROVIDER === 'sqlite') {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(url.replace(/^file:/, ''), { readonly: true });
    rows.push(...(db.prepare('SELECT name, value FROM "Counter"').all() as typeof rows));
    marker = db.prepare('SELECT 1 FROM "Setting" WHERE key = ?').get(RESTORE_MARKER) !== undefined;
    db.close();
  } else {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    rows.push(...(await c.query('SELECT name, value FROM "Counter"')).rows);
    marker = (await c.query('SELECT 1 FROM "Setting" WHERE key = $1', [RESTORE_MARKER])).rowCount === 1;
    await c.end();
  }
  return { counters: Object.fromEntries(rows.map((r) => [r.name, Number(r.value)])), marker };
}

test.skipIf(PROVIDER !== 'sqlite')('a restore over a non-empty database is refused, nothing changed', async () => {
  const file = live.url.replace(/^file:/, '');
  const before = statSync(file).mtimeMs;
  const r = await script('restore', [join(dir, 'backup.db')], live.url);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /restore refused: the database .* is not empty \(.*Incident \d+.*\).*Nothing was changed/s);
  assert.equal(statSync(file).mtimeMs, before);
});

test.skipIf(PROVIDER !== 'sqlite')(
  'a truncated or foreign backup file is refused; the target stays empty',
  async () => {
    const db3 = await testDb({ empty: true });
    drops.push(db3.drop);
    const target = db3.url.replace(/^file:/, '');
    const whole = readFileSync(join(dir, 'backup.db'));
    writeFileSync(join(dir, 'truncated.db'), whole.subarray(0, Math.floor(whole.length / 2)));
    const cut = await script('restore', [join(dir, 'truncated.db')], db3.url);
    assert.equal(cut.code, 1, cut.err);
    assert.match(cut.err, /restore refused: .*truncated\.db is damaged/);
    writeFileSync(join(dir, 'foreign.db'), 'id,name\n1,not a database\n');
    const foreign = await script('restore', [join(dir, 'foreign.db')], db3.url);
    assert.equal(foreign.code, 1);
    assert.match(foreign.err, /is not a SQLite backup/);
    // a damaged page in the middle (the header intact)
    const bad = Buffer.from(whole);
    bad.fill(0x41, 4096 * 3, 4096 * 5);
    writeFileSync(join(dir, 'damaged.db'), bad);
    const damaged = await script('restore', [join(dir, 'damaged.db')], db3.url);
    assert.equal(damaged.code, 1, damaged.out);
    assert.match(damaged.err, /damaged/);
    assert.equal(existsSync(target), false, 'nothing written');
    assert.equal(existsSync(`${target}.restoring-${process.pid}`), false);
  },
);

test.skipIf(PROVIDER !== 'postgresql')(
  'PostgreSQL: a non-empty database is refused; no pg_restore is said plainly',
  async () => {
    const r = await script('restore', [join(dir, 'any.dump')], live.url);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /restore refused: the database .* is not empty .*Nothing was changed/s);
    const empty = await testDb({ empty: true });
    drops.push(empty.drop);
    writeFileSync(join(dir, 'x.dump'), 'PGDMP');
    const none = await script('restore', [join(dir, 'x.dump')], empty.url, {
      PG_RESTORE: '/nonexistent/pg_restore',
    });
    assert.equal(none.code, 1);
    assert.match(none.err, /\/nonexistent\/pg_restore was not found: .*nothing was restored/);
  },
);

test('before reconciliation no bot starts on the restored database: refused with a reason, nothing changed', async () => {
  const before = await pgOrSqliteRead(restored.url);
  assert.equal(before.marker, true);
  await assert.rejects(start(restored.url, { RESTORE_RECONCILE_ON_START: 'false' }), (e) => {
    assert.ok(e instanceof RestorePendingError);
    assert.match((e as Error).message, /restored from a backup and is not reconciled yet/);
    return true;
  });
  // the platform's history unreadable (down): refused too, the marker kept for the next try
  const down = new MemoryPlatform();
  down.botPostsSince = async () => {
    throw new PlatformError('transient', 'ECONNREFUSED');
  };
  await assert.rejects(
    testApp({ url: restored.url, seams: new Map([['console', down]]), now }),
    /history of console channel .* could not be read \(ECONNREFUSED\)/,
  );
  assert.deepEqual(await pgOrSqliteRead(restored.url), before);
  // the real process (as npm start runs it) says so and exits 2
  const r = await exec(process.execPath, [...BOT_ARGS], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...BOT_ENV,
      DATABASE_URL: restored.url,
      RESTORE_RECONCILE_ON_START: 'false',
      LOG_LEVEL: 'silent',
      AUDIT_ANCHOR_AT: 'off',
    },
    timeout: 60_000,
  }).then(
    () => ({ code: 0, err: '' }),
    (e: { code: number; stderr: string }) => ({ code: e.code, err: e.stderr }),
  );
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /not started: the database was restored from a backup and is not reconciled yet/);
  assert.match(r.err, /npm run restore -- --reconcile/);
  assert.deepEqual(await pgOrSqliteRead(restored.url), before);
}, 120_000);

test('two processes start at once on the restored database: one reconciles, no id issued twice, no post twice, the chain verifies', async () => {
  const posts = platform.posts.length;
  const [a, b] = await Promise.all([start(restored.url), start(restored.url)]);
  try {
    const p = a.app.db.prisma;
    const records = await p.auditRecord.findMany({ where: { action: 'restore.reconciled' } });
    assert.equal(records.length, 1, 'reconciled once');
    const data = JSON.parse(records[0]?.data ?? '{}') as {
      counters: Record<string, { from: number; to: number }>;
      deliveriesToCheck: number;
    };
    assert.deepEqual(data.counters['INC-2026'], { from: 2, to: 4 });
    assert.deepEqual(data.counters['ADV-2026'], { from: 1, to: 2 });
    assert.ok(data.deliveriesToCheck >= 1);
    assert.equal((await pgOrSqliteRead(restored.url)).marker, false);
    // the post scheduled before the backup and sent after it: found in the channel, not sent
    // again; the reminders that fired after the backup fire again, and are found too
    const fired = await Promise.all([a.app.scheduler.runDue(), b.app.scheduler.runDue()]);
    assert.ok(fired[0] + fired[1] >= 2, `jobs fired again: ${fired}`);
    await a.app.dispatcher.drain();
    await b.app.dispatcher.drain();
    const again = await p.delivery.findMany({ where: { dedupeKey: { contains: 'reminder:' } } });
    assert.equal(again.length, 4, 'the reminders are made again');
    assert.ok(
      again.every((d) => d.status === 'sent'),
      JSON.stringify(again.map((d) => [d.dedupeKey, d.status])),
    );
    for (const channel of ['mof', 'mlit'])
      assert.equal(
        platform.posts.filter((x) => x.channel === channel && remindersBefore.has(x.text)).length,
        2,
        `one meeting reminder and one acknowledgement reminder in ${channel}`,
      );
    assert.equal((await p.delivery.findUniqueOrThrow({ where: { id: lostTimelineRow } })).status, 'sent');
    assert.deepEqual(postsTwice(), [], 'no post twice');
    assert.equal(platform.posts.length, posts, 'nothing posted again at the start');
    // new ids continue after every id posted, from either process
    const inc5 = await reportIncident(a, P.poc, 'attributed', 'after the restore 1');
    const inc6 = await reportIncident(b, P.otherPoc, 'none', 'after the restore 2');
    assert.deepEqual([inc5, inc6], ['INC-2026-0005', 'INC-2026-0006']);
    const adv = await advisory(a, inc5, '復元後の注意喚起');
    assert.equal(adv, 'ADV-2026-0003');
    for (const id of [inc5, inc6, adv]) assert.ok(!postedBefore.has(id), `${id} was issued before`);
    assert.deepEqual(postsTwice(), [], 'no post twice');
    // a second start finds nothing to reconcile
    const c = await start(restored.url);
    assert.equal(await c.app.db.prisma.auditRecord.count({ where: { action: 'restore.reconciled' } }), 1);
    await c.app.close();
  } finally {
    await a.app.close();
    await b.app.close();
  }
  const v = await script('audit-verify', ['--expect', `${restored.head.seq}:${restored.head.hash}`], restored.url);
  assert.equal(v.code, 0, v.err + v.out);
}, 120_000);

test('npm run restore -- --reconcile with nothing to reconcile says so', async () => {
  const r = await script('restore', ['--reconcile'], restored.url);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /nothing to reconcile/);
});
