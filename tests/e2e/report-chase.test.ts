/**
 * Overdue report deadlines chased with the escalation engine (issue 20 item 2, second half),
 * through the real commands with the clock moved: the first 続報 of a report is not sent; at the
 * deadline the clock tells the CISO and the office (issue 17, unchanged); then the primary
 * contact, the deputy and the duty officer are asked one at a time (REPORT_ESCALATION_CHAIN),
 * each once, until the 続報 arrives; a 続報 between the job and its message wins.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'vitest';
import { PlatformError } from '../../src/core/platform.ts';
import { deadlineAt } from '../../src/domain/report-clocks.ts';
import { loadReportPolicy } from '../../src/services/report-policy.ts';
import { P } from '../helpers/advisory-fixtures.ts';
import type { TestApp } from '../helpers/app.ts';
import { escalationApp, okIn, runAt } from '../helpers/escalation.ts';

const H = 3_600_000;
const CHASE = /段階のうち/;

let t: TestApp;
let id: string;
let due: number;

const ok = (who: string, cmd: string) => okIn(t, who, cmd);

beforeEach(async () => {
  t = await escalationApp('2027-01-04T00:00:00Z', { REPORT_ESCALATION_CHAIN: 'primary:1h,deputy:2h,duty:2h' });
  id = /INC-\d{4}-\d{4}/.exec(
    await ok(P.poc, 'report category=malware summary="不審な通信を検知" severity=high'),
  )?.[0] as string;
  const inc = await t.app.db.prisma.incident.findUniqueOrThrow({ where: { id } });
  const update = loadReportPolicy(undefined).deadlines.find((d) => d.stage === 'update');
  assert.ok(update);
  due = deadlineAt(inc.awareAt ?? inc.detectedAt, update.due).getTime();
});
afterEach(() => t.close());

const at = (ms: number) => runAt(t, ms);

const chased = () => t.platform.posts.filter((p) => p.kind === 'dm' && CHASE.test(p.text)).map((p) => p.channel);

async function chaseAudit(): Promise<string[]> {
  const rows = await t.app.db.prisma.auditRecord.findMany({
    where: { action: 'incident.chase', subject: id },
    orderBy: { seq: 'asc' },
  });
  return rows.map((r) => {
    const d = JSON.parse(r.data) as { stage: string; step: number; role: string; to?: string[]; skipped?: string };
    return `${d.stage}:${d.step}:${d.role}:${d.skipped ?? d.to?.join('+')}`;
  });
}

test('nobody sends the 続報: the CISO and the office at the deadline, then primary, deputy, duty officer, each once', async () => {
  await at(due + 60_000);
  // the clock's own escalation, as before: the CISO by direct message, the office's channel
  assert.equal(t.platform.posts.filter((p) => p.channel === '@maff-ciso' && /【報告期限超過】/.test(p.text)).length, 1);
  assert.deepEqual(chased(), []);
  await at(due + 60_000 + H - 1_000);
  assert.deepEqual(chased(), [], 'the first step waits an hour');
  await at(due + 60_000 + H);
  assert.deepEqual(chased(), ['@maff-poc']);
  await at(due + 60_000 + 3 * H);
  assert.deepEqual(chased(), ['@maff-poc', '@maff-deputy']);
  await at(due + 60_000 + 5 * H);
  assert.deepEqual(chased(), ['@maff-poc', '@maff-deputy', '@nisc-duty']);
  await at(due + 10 * 24 * H);
  assert.equal(chased().length, 3, 'the chain ends');
  assert.deepEqual(await chaseAudit(), [
    'update:1:primary:console:maff-poc',
    'update:2:deputy:console:maff-deputy',
    'update:3:duty:console:nisc-duty',
  ]);
  const msgs = t.platform.posts.filter((p) => p.kind === 'dm' && CHASE.test(p.text));
  assert.match(msgs[0]?.text ?? '', new RegExp(`【報告期限超過】${id}（農林水産省）の最初の続報が期限`));
  assert.match(
    msgs[0]?.text ?? '',
    /窓口担当（正）として、\/csirt incident update INC-\d{4}-\d{4} で報告をお願いいたします/,
  );
  assert.match(msgs[0]?.text ?? '', /3 段階のうち 1 段階目/);
  assert.match(msgs[2]?.text ?? '', /当番者として、農林水産省へのご連絡をお願いいたします/);
  assert.doesNotMatch(msgs.map((m) => m.text).join('\n'), /不審な通信を検知/, 'never the report itself');
});

test('the 続報 arrives after the primary was asked: nobody else; one arriving between the job and its message wins', async () => {
  await at(due + 60_000);
  await at(due + 60_000 + H);
  assert.deepEqual(chased(), ['@maff-poc']);
  // the deputy's message is written, held by the platform, and the 続報 arrives before it is sent
  for (let k = 0; k < 10; k++) t.platform.failures.push(new PlatformError('rate_limited', 'slow down', 1_000));
  t.clock.set(new Date(due + 60_000 + 3 * H).toISOString());
  await t.app.scheduler.runDue();
  await ok(P.poc, `incident update ${id} note="続報: 影響範囲を調査中"`);
  t.clock.set(new Date(due + 60_000 + 3 * H + 120_000).toISOString());
  await t.app.dispatcher.drain();
  t.platform.failures.length = 0;
  for (const h of [5, 7, 48]) await at(due + 60_000 + h * H);
  assert.deepEqual(chased(), ['@maff-poc']);
  const row = await t.app.db.prisma.delivery.findFirstOrThrow({
    where: { refType: 'incident-chase', target: 'maff-deputy' },
  });
  assert.equal(`${row.status}:${row.error}`, 'failed:refused: reported meanwhile');
  const jobs = await t.app.db.prisma.job.findMany({ where: { kind: 'incident.chase' }, orderBy: { id: 'asc' } });
  assert.deepEqual(
    jobs.map((j) => `${j.id.slice(-1)}=${j.status}`),
    ['0=done', '1=done', '2=skipped'],
  );
});
