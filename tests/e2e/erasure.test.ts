/**
 * Erasure of one person's personal data on request (issue 22 item 4), through `npm run erase`:
 * the person's name and identity, the reporter contact of their reports, every mention in
 * timelines, outbox copies and the audit chain — redacted there, so `audit:verify --expect` of
 * a head anchored before still passes. Tries to break it: look-alike identities (zero-width,
 * full-width), an identity in BOT_ADMINS, an unknown one, erasing twice, the erased identity
 * coming back with a command, retention redacting the same records afterwards.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, test } from 'vitest';
import { ROOT } from '../../src/app.ts';
import { verifyChain } from '../../src/audit/chain.ts';
import { runRetention } from '../../src/services/retention.ts';
import { loadRetentionTable } from '../../src/services/retention-table.ts';
import { PROVIDER, type TestApp, testApp } from '../helpers/app.ts';
import { PERSONAS as P, registerPersonas } from '../helpers/personas.ts';
import { scriptArgv } from '../helpers/scripts.ts';

const exec = promisify(execFile);
let t: TestApp;
let id: string;
const CONTACT = '農林水産省 情報管理課 佐藤花子 03-1234-5678';
const NAME = '佐藤 花子';

async function erase(args: string[]) {
  return exec(process.execPath, await scriptArgv('erase', args), {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: t.url, BOT_ADMINS: 'console:admin' },
  }).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );
}

/** Every stored text that could still name the person. */
async function mentions(): Promise<string[]> {
  const prisma = t.app.db.prisma;
  const needles = [P.poc, CONTACT, NAME, '03-1234-5678'];
  const found: string[] = [];
  for (const a of await prisma.auditRecord.findMany())
    for (const n of needles)
      if (a.actor.includes(n) || a.subject.includes(n) || a.data.includes(n))
        found.push(`audit ${a.seq} ${a.action}: ${n}`);
  for (const e of await prisma.incidentEvent.findMany())
    for (const n of needles) if (e.data.includes(n)) found.push(`event ${e.id}: ${n}`);
  for (const d of await prisma.delivery.findMany())
    for (const n of needles) if (d.target === n || d.message.includes(n)) found.push(`delivery ${d.id}: ${n}`);
  for (const p of await prisma.person.findMany())
    for (const n of needles) if (p.identity === n || p.displayName === n) found.push(`person ${p.id}: ${n}`);
  for (const i of await prisma.incident.findMany())
    for (const n of needles) if (i.contact?.includes(n)) found.push(`incident ${i.id}: ${n}`);
  return found;
}

beforeAll(async () => {
  t = await testApp();
  await registerPersonas(t);
  // the name the platform gave (Slack and Mattermost profiles; console has none)
  await t.app.db.prisma.person.update({ where: { identity: P.poc }, data: { displayName: NAME } });
  const r = await t.say(P.poc, `report category=malware summary="不審な通信" contact="${CONTACT}"`);
  id = /INC-\d{4}-\d{4}/.exec(r)?.[0] as string;
  assert.ok(id, r);
  assert.equal((await t.run(P.coordinator, `incident update ${id} note="${NAME}様に電話で確認済み"`)).status, 'ok');
  await t.run(P.otherPoc, 'report category=malware summary="別省の報告"');
});
afterAll(() => t.close());

test('bad identities are refused with a clear message and nothing written', async () => {
  const before = await t.auditCount();
  for (const [arg, code, re] of [
    ['console:maff\u200b-poc', 2, /invisible or space character U\+200B/],
    ['ｃｏｎｓｏｌｅ:maff-poc', 2, /not written as identities are \(NFKC: console:maff-poc\)/],
    ['console:maff\u202e-poc', 2, /U\+202E/],
    ['maff-poc', 2, /is not an identity/],
    ['console:admin', 2, /in BOT_ADMINS/],
    ['console:nobody', 1, /no person with the identity console:nobody: nothing changed/],
  ] as const) {
    // the argument checks come before any database: run them on one provider only
    if (PROVIDER === 'postgresql' && code === 2) continue;
    const r = await erase([arg, '--apply']);
    assert.equal(r.code, code, `${arg}: ${r.out}${r.err}`);
    assert.match(r.out + r.err, re);
  }
  if (PROVIDER === 'sqlite') {
    const none = await erase([]);
    assert.equal(none.code, 2);
    assert.match(none.err, /usage: npm run erase/);
  }
  assert.equal(await t.auditCount(), before);
  assert.ok((await mentions()).length > 5, 'still named everywhere');
});

test('a dry run counts and changes nothing; --apply erases everywhere, audited, and the anchored head still verifies', async () => {
  const anchor = await t.app.db.prisma.auditHead.findUniqueOrThrow({ where: { id: 1 } });
  const person = await t.app.db.prisma.person.findUniqueOrThrow({ where: { identity: P.poc } });
  const dry = await erase([P.poc]);
  assert.equal(dry.code, 0, dry.err);
  assert.match(dry.out, new RegExp(`erasure dry run for ${P.poc} .*the person would become erased:${person.id}`));
  assert.match(dry.out, /reporter contacts cleared on 1 report\n/);
  assert.match(dry.out, /roles removed: 1\n/);
  assert.equal(await t.auditCount(), anchor.seq);
  const before = await mentions();
  assert.ok(before.some((m) => m.startsWith('audit')) && before.some((m) => m.startsWith('event')), before.join('\n'));

  const r = await erase([P.poc, '--reason', '本人からの削除依頼 2026-12-02', '--apply']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, new RegExp(`erased ${P.poc}: the person is now erased:${person.id}`));
  assert.deepEqual(await mentions(), [], 'nothing names the person any more');
  const after = await t.app.db.prisma.person.findUniqueOrThrow({ where: { id: person.id } });
  assert.deepEqual(
    { identity: after.identity, displayName: after.displayName, calendarToken: after.calendarToken },
    { identity: `erased:${person.id}`, displayName: null, calendarToken: null },
  );
  const inc = await t.app.db.prisma.incident.findUniqueOrThrow({ where: { id } });
  assert.equal(inc.contact, null);
  assert.equal(inc.reporterId, person.id, 'the report still counts and links');
  assert.equal(inc.summary, '不審な通信', 'what is not personal stays');
  const audited = await t.app.db.prisma.auditRecord.findFirstOrThrow({ where: { action: 'person.erase' } });
  assert.equal(audited.subject, `erased:${person.id}`);
  assert.match(audited.data, /本人からの削除依頼/);
  const redacted = await t.app.db.prisma.auditRecord.count({ where: { data: '{"redacted":"erasure"}' } });
  assert.ok(redacted >= 3, String(redacted));

  const v = await exec(
    process.execPath,
    await scriptArgv('audit-verify', ['--expect', `${anchor.seq}:${anchor.hash}`]),
    {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: t.url },
    },
  );
  assert.match(v.stdout, /audit chain OK/);
  assert.match(v.stdout, new RegExp(`${redacted} records redacted`));
  assert.match(v.stdout, /matches 1 anchor/);

  // the old identity is a stranger now: no role, nothing of theirs shown
  const o = await t.run(P.poc, `incident show ${id}`);
  assert.notEqual(o.status, 'ok');
  // twice: the identity is gone, nothing changes
  const n = await t.auditCount();
  const again = await erase([P.poc, '--apply']);
  assert.equal(again.code, 1);
  assert.match(again.out, /no person with the identity console:maff-poc/);
  const pseudo = await erase([`erased:${person.id}`, '--apply']);
  assert.equal(pseudo.code, 2, 'a pseudonym is not an identity to erase');
  assert.equal(await t.auditCount(), n);
});

test('retention afterwards leaves the erased records as they are and the chain verifies', async () => {
  const table = loadRetentionTable(undefined);
  const r = await runRetention(t.app.db, { table, now: new Date('2060-01-01T00:00:00Z'), apply: true, by: 'test' });
  assert.ok(r.kinds.find((k) => k.kind === 'audit')?.due);
  assert.equal((await t.app.db.prisma.auditRecord.count({ where: { data: '{"redacted":"erasure"}' } })) > 0, true);
  const v = await verifyChain(t.app.db.prisma);
  assert.ok(v.ok, JSON.stringify(v));
  assert.deepEqual(await mentions(), []);
});

test('two erasures of the same person at once: one erases, the other finds nobody; one audit record', async () => {
  const [a, b] = await Promise.all([erase([P.otherPoc, '--apply']), erase([P.otherPoc, '--apply'])]);
  const outcomes = [a, b].map((r) =>
    r.code === 0 ? /erased console:mof-poc: the person is now erased:\d+/.test(r.out) : r.code,
  );
  assert.deepEqual(outcomes.sort(), [1, true].sort(), `${a.out}${a.err}\n${b.out}${b.err}`);
  assert.equal(
    await t.app.db.prisma.auditRecord.count({ where: { action: 'person.erase' } }),
    2,
    'maff-poc and mof-poc once each',
  );
  assert.ok((await verifyChain(t.app.db.prisma)).ok);
});
