/**
 * Retention (issue 22 item 4): what has passed its retention period — counted from 1 April after
 * the fiscal year the record closed in — is removed, and its audit records are redacted, not
 * removed, so the chain and an anchor taken before still verify. Tries to break it: the day
 * before and the day of expiry, an open incident with the clock 30 years ahead, a run twice,
 * two processes at once, a redacted record tampered with afterwards, a record "redacted" without
 * a redaction record, a redaction record altered.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, test } from 'vitest';
import { ROOT } from '../../src/app.ts';
import { checkAnchor } from '../../src/audit/anchor.ts';
import { REDACT_ACTION, verifyChain } from '../../src/audit/chain.ts';
import type { RetentionKind, RetentionTable } from '../../src/domain/retention.ts';
import { runRetention } from '../../src/services/retention.ts';
import { loadRetentionTable } from '../../src/services/retention-table.ts';
import { P, registerAdvisoryPeople, reportIncident } from '../helpers/advisory-fixtures.ts';
import { type TestApp, testApp } from '../helpers/app.ts';
import { scriptArgv } from '../helpers/scripts.ts';

const exec = promisify(execFile);
let t: TestApp;
let closed: string;
let rejected: string;
let open: string;
let sourced: string;
let advisory: string;
let meeting: string;

const SHIPPED = loadRetentionTable(undefined);

async function closeIncident(id: string, x: TestApp = t, reporter: string = P.poc) {
  for (const [who, s] of [
    [reporter, 'resolved'],
    [P.coordinator, 'closed'],
  ] as const) {
    const o = await x.run(who, `incident update ${id} status=${s}`);
    assert.equal(o.status, 'ok', JSON.stringify(o.reply));
  }
}

beforeAll(async () => {
  // 2026-11-25 (FY2026): every record below closes in FY2026
  t = await testApp();
  await registerAdvisoryPeople(t);
  closed = await reportIncident(t, P.poc, 'none', 'closed report');
  await closeIncident(closed);
  rejected = await reportIncident(t, P.otherPoc, 'none', 'rejected report');
  assert.equal((await t.run(P.coordinator, `incident update ${rejected} status=rejected`)).status, 'ok');
  open = await reportIncident(t, P.poc, 'none', 'still open');
  sourced = await reportIncident(t, P.mlit, 'attributed', 'named by an advisory');
  await closeIncident(sourced, t, P.mlit);
  const d = await t.say(
    P.coordinator,
    `advisory draft title="注意" body="本文" severity=low tlp=green audience=maff sources=${sourced}`,
  );
  advisory = /ADV-\d{4}-\d{4}/.exec(d)?.[0] as string;
  assert.ok(advisory, d);
  assert.equal((await t.run(P.coordinator, `advisory withdraw ${advisory}`)).status, 'ok');
  const m = await t.say(
    P.coordinator,
    'meeting schedule title="会議" start="2026-12-10 10:00" invite=maff reminders=1d',
  );
  meeting = /MTG-\d{4}-\d{4}/.exec(m)?.[0] as string;
  assert.ok(meeting, m);
  // the meeting's reminder fires and it ends
  t.clock.set('2026-12-11T00:00:00Z');
  await t.app.scheduler.runDue();
  await t.app.dispatcher.drain();
});
afterAll(() => t.close());

const exists = async () => ({
  closed: !!(await t.app.db.prisma.incident.findUnique({ where: { id: closed } })),
  rejected: !!(await t.app.db.prisma.incident.findUnique({ where: { id: rejected } })),
  open: !!(await t.app.db.prisma.incident.findUnique({ where: { id: open } })),
  sourced: !!(await t.app.db.prisma.incident.findUnique({ where: { id: sourced } })),
  advisory: !!(await t.app.db.prisma.advisory.findUnique({ where: { id: advisory } })),
  meeting: !!(await t.app.db.prisma.meeting.findUnique({ where: { id: meeting } })),
});
const due = (r: Awaited<ReturnType<typeof runRetention>>) =>
  Object.fromEntries(r.kinds.map((k) => [k.kind, k.due])) as Record<RetentionKind, number>;
const retain = (now: string, apply: boolean, table: RetentionTable = SHIPPED) =>
  runRetention(t.app.db, { table, now: new Date(now), apply, by: 'test' });

test('the shipped table: nothing is due before the fiscal year counts have run out', async () => {
  assert.deepEqual(SHIPPED, { incidents: 5, advisories: 5, inspections: 5, meetings: 3, deliveries: 1, audit: 10 });
  const r = await retain('2026-12-11T00:00:00Z', false);
  assert.deepEqual(due(r), { advisories: 0, incidents: 0, inspections: 0, meetings: 0, deliveries: 0, audit: 0 });
});

test('deliveries (1 year) are due from 1 April 2028 JST, not a millisecond before; advisory copies stay with it', async () => {
  const before = await retain('2028-03-31T14:59:59.999Z', false);
  assert.equal(due(before).deliveries, 0);
  const at = await retain('2028-03-31T15:00:00.000Z', false);
  const terminal = await t.app.db.prisma.delivery.count({ where: { status: { in: ['sent', 'failed', 'cancelled'] } } });
  const advisoryCopies = await t.app.db.prisma.delivery.count({
    where: { refId: advisory, status: { in: ['sent', 'failed', 'cancelled'] } },
  });
  assert.ok(terminal > 5);
  assert.equal(due(at).deliveries, terminal - advisoryCopies, 'every sent copy except those of the kept advisory');
  assert.equal(due(at).incidents, 0, 'a dry run of deliveries touches no report');
  assert.equal(await t.app.db.prisma.delivery.count(), terminal + (await pendingCount()), 'a dry run removes nothing');
});

async function pendingCount() {
  return t.app.db.prisma.delivery.count({ where: { status: { notIn: ['sent', 'failed', 'cancelled'] } } });
}

test('apply on 1 April 2032: closed and rejected reports go, the open one and the one a kept advisory names stay; audit redacted, chain and anchor verify', async () => {
  const table = { ...SHIPPED, advisories: 10 };
  const before = await retain('2032-03-31T14:59:59Z', true, table);
  assert.equal(due(before).incidents, 0, 'the last second of FY2031: no report');
  assert.ok(due(before).deliveries > 0, 'the copies (1 year) are due since April 2028');
  assert.equal(due(before).meetings, 1, 'the meeting (3 years) since April 2030');
  assert.deepEqual((await exists()).closed, true);
  const anchor = await t.app.db.prisma.auditHead.findUniqueOrThrow({ where: { id: 1 } });
  const r = await retain('2032-03-31T15:00:00Z', true, table);
  assert.equal(due(r).incidents, 2);
  assert.equal(due(r).meetings, 0);
  assert.equal(due(r).advisories, 0);
  assert.deepEqual(await exists(), {
    closed: false,
    rejected: false,
    open: true,
    sourced: true,
    advisory: true,
    meeting: false,
  });
  assert.equal(await t.app.db.prisma.incidentEvent.count({ where: { incidentId: { in: [closed, rejected] } } }), 0);
  const about = await t.app.db.prisma.auditRecord.findMany({ where: { subject: { in: [closed, rejected, meeting] } } });
  assert.ok(about.length >= 5);
  for (const a of about) assert.equal(a.data, '{"redacted":"retention"}', `${a.action} ${a.subject}`);
  assert.equal(
    r.auditOfRemoved,
    about.filter((a) => a.subject !== meeting).length,
    'the meeting’s went in the run before',
  );
  const v = await verifyChain(t.app.db.prisma);
  assert.ok(v.ok, JSON.stringify(v));
  assert.ok(v.redacted >= about.length);
  assert.equal((await checkAnchor(t.app.db.prisma, { seq: anchor.seq, hash: anchor.hash })).ok, true);
  const ran = await t.app.db.prisma.auditRecord.findMany({
    where: { action: 'retention.apply' },
    orderBy: { seq: 'asc' },
  });
  assert.deepEqual(
    ran.map((x) => JSON.parse(x.data).counts.incidents),
    [0, 2],
    'one audit record per run that changed something, with its counts',
  );

  // run twice: nothing more, not one audit record more
  const n = await t.auditCount();
  const again = await retain('2032-03-31T15:00:00Z', true, table);
  assert.equal(Object.values(due(again)).reduce((a, b) => a + b, 0) + again.auditOfRemoved, 0);
  assert.equal(await t.auditCount(), n);
  assert.equal(await t.app.db.prisma.auditRecord.count({ where: { action: 'retention.apply' } }), 2);
});

test('the clock 30 years ahead: the open report is never removed; every old audit record is redacted, the chain still verifies', async () => {
  const anchor = await t.app.db.prisma.auditHead.findUniqueOrThrow({ where: { id: 1 } });
  const r = await retain('2062-12-01T00:00:00Z', true);
  assert.equal(due(r).advisories, 1);
  assert.equal(due(r).incidents, 1, 'the sourced report goes with its advisory');
  assert.ok(due(r).audit > 20);
  const left = await exists();
  assert.deepEqual(left, {
    closed: false,
    rejected: false,
    open: true,
    sourced: false,
    advisory: false,
    meeting: false,
  });
  const inc = await t.app.db.prisma.incident.findUniqueOrThrow({ where: { id: open } });
  assert.equal(inc.status, 'reported');
  const plain = await t.app.db.prisma.auditRecord.count({
    where: { at: { lt: new Date('2037-04-01T00:00:00Z') }, action: { notIn: [REDACT_ACTION, 'audit.anchor'] } },
  });
  const red = await t.app.db.prisma.auditRecord.count({
    where: { at: { lt: new Date('2037-04-01T00:00:00Z') }, data: '{"redacted":"retention"}' },
  });
  assert.equal(red, plain, 'every record older than 10 years (and not a redaction) is redacted');
  const v = await verifyChain(t.app.db.prisma);
  assert.ok(v.ok, JSON.stringify(v));
  assert.equal((await checkAnchor(t.app.db.prisma, { seq: anchor.seq, hash: anchor.hash })).ok, true);
  // the open report still works
  assert.match(await t.say(P.coordinator, `incident show ${open}`), new RegExp(open));
});

test('tampering after a redaction is caught: a redacted record changed, a record "redacted" with no redaction record, a redaction record altered', async () => {
  const prisma = t.app.db.prisma;
  const redacted = await prisma.auditRecord.findFirstOrThrow({ where: { data: '{"redacted":"retention"}' } });
  // 1. the redacted record changed again (its actor)
  await prisma.auditRecord.update({ where: { seq: redacted.seq }, data: { actor: 'console:someone-else' } });
  let v = await verifyChain(prisma);
  assert.equal(v.ok, false);
  assert.equal(!v.ok && v.kind, 'redaction-mismatch');
  assert.equal(!v.ok && v.seq, redacted.seq);
  await prisma.auditRecord.update({ where: { seq: redacted.seq }, data: { actor: redacted.actor } });
  assert.ok((await verifyChain(prisma)).ok);
  // 2. its data put back to something else
  await prisma.auditRecord.update({ where: { seq: redacted.seq }, data: { data: '{"redacted":"erasure"}' } });
  v = await verifyChain(prisma);
  assert.equal(!v.ok && v.kind, 'redaction-mismatch');
  await prisma.auditRecord.update({ where: { seq: redacted.seq }, data: { data: redacted.data } });
  // 3. a record no redaction names, blanked to look redacted
  const [newest] = await prisma.auditRecord.findMany({ orderBy: { seq: 'desc' }, take: 1 });
  const victim = await prisma.auditRecord.findFirstOrThrow({
    where: { action: { not: REDACT_ACTION }, data: { notIn: ['{"redacted":"retention"}'] }, seq: { lt: newest?.seq } },
    orderBy: { seq: 'desc' },
  });
  await prisma.auditRecord.update({ where: { seq: victim.seq }, data: { data: '{"redacted":"retention"}' } });
  v = await verifyChain(prisma);
  assert.equal(!v.ok && v.kind, 'hash-mismatch');
  assert.equal(!v.ok && v.seq, victim.seq);
  await prisma.auditRecord.update({ where: { seq: victim.seq }, data: { data: victim.data } });
  // 4. a redaction record altered (an attestation dropped)
  const rr = await prisma.auditRecord.findFirstOrThrow({ where: { action: REDACT_ACTION }, orderBy: { seq: 'asc' } });
  const body = JSON.parse(rr.data) as { records: unknown[]; count: number };
  await prisma.auditRecord.update({
    where: { seq: rr.seq },
    data: { data: JSON.stringify({ ...body, records: body.records.slice(1) }) },
  });
  v = await verifyChain(prisma);
  assert.equal(v.ok, false);
  await prisma.auditRecord.update({ where: { seq: rr.seq }, data: { data: rr.data } });
  assert.ok((await verifyChain(prisma)).ok);
});

test('npm run retention: a dry run in plain words; two processes applying at once remove each record once; audit:verify OK', async () => {
  // a database of its own: six reports closed in FY2026, applied on 2 April 2032 (FY2032)
  const t2 = await testApp({ now: '2026-11-25T01:00:00Z' });
  try {
    const ids: string[] = [];
    await registerAdvisoryPeople(t2);
    for (let i = 0; i < 6; i++) {
      const id = await reportIncident(t2, P.poc, 'none', `burst ${i}`);
      await closeIncident(id, t2);
      ids.push(id);
    }
    const offset = String(new Date('2032-04-02T00:00:00Z').getTime() - Date.now());
    const run = async (args: string[], env: Record<string, string> = {}) =>
      exec(process.execPath, await scriptArgv('retention', args), {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: t2.url, BOT_CLOCK_OFFSET_MS: offset, NODE_ENV: 'test', ...env },
      }).then(
        (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
      );
    const dry = await run([]);
    assert.equal(dry.code, 0, dry.err);
    assert.match(dry.out, /retention dry run on 2032-04-0\dT.* \(nothing changed; add --apply to remove\):/);
    assert.match(
      dry.out,
      /incident reports: 6 to remove \(kept 5 years from the April after closing, so closed in FY2026 or before are due\)/,
    );
    assert.equal(await t2.app.db.prisma.incident.count({ where: { id: { in: ids } } }), 6);
    const dir = mkdtempSync(join(tmpdir(), 'retention-'));
    writeFileSync(join(dir, 'r.json'), JSON.stringify({ ...SHIPPED, incidents: 0, audits: 1 }));
    const badTable = await run(['--apply'], { RETENTION_FILE: join(dir, 'r.json') });
    rmSync(dir, { recursive: true, force: true });
    assert.equal(badTable.code, 2);
    assert.match(badTable.err, /configuration error: RETENTION_FILE \(.*r\.json\): unknown record kind "audits"/);
    assert.match(badTable.err, /"incidents": 0 is not a whole number of years/);
    assert.equal(await t2.app.db.prisma.incident.count({ where: { id: { in: ids } } }), 6, 'nothing removed');
    const bad = await run(['--aply']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /unknown argument --aply/);
    const [a, b] = await Promise.all([run(['--apply']), run(['--apply'])]);
    assert.equal(a.code, 0, a.err);
    assert.equal(b.code, 0, b.err);
    const removed = [a, b].map((x) => Number(/incident reports: (\d+) removed/.exec(x.out)?.[1]));
    assert.deepEqual(
      removed.sort(),
      [0, 6],
      `one run removed the six, the other found nothing left\n${a.out}\n${b.out}`,
    );
    assert.equal(await t2.app.db.prisma.incident.count({ where: { id: { in: ids } } }), 0);
    assert.equal(await t2.app.db.prisma.auditRecord.count({ where: { action: 'retention.apply' } }), 1);
    const v = await exec(process.execPath, await scriptArgv('audit-verify'), {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: t2.url },
    });
    assert.match(v.stdout, /audit chain OK: \d+ records/);
    assert.match(v.stdout, /\d+ records redacted \(retention, erasure\), as attested by audit\.redact record \d+/);
  } finally {
    await t2.close();
  }
});
