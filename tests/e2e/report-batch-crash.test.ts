/**
 * Reports written in batches (src/db/group-commit.ts) by two bot processes at once, one of them
 * killed (SIGKILL) while its batches are being written: after the survivor has run what the dead
 * one left in the journal, every acknowledged report is there exactly once, the ids are 1…n
 * without a gap, the audit chain verifies, and no report is answered twice.
 *
 * The fake Slack holds `users.info` (each process's language lookup after the ack) for a moment,
 * so that the acknowledged commands pile up and start together: batches of several reports.
 */
import assert from 'node:assert/strict';
import { afterAll, test } from 'vitest';
import { verifyChain } from '../../src/audit/chain.ts';
import { openDatabase } from '../../src/db/client.ts';
import { PROVIDER, testDb } from '../helpers/app.ts';
import { prepareMulti } from '../helpers/multi-setup.ts';
import { freePort, SlackProcess, sendCommand } from '../helpers/slack-process.ts';

const TTL_MS = 5000;
const PER_PROCESS = 16;
const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => {});
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    assert.ok(Date.now() < end, `timed out waiting for ${what}`);
    await sleep(50);
  }
}

test(`two processes reporting in batches, one SIGKILLed mid-burst: every acknowledged report once, ids gap-free, the chain verifies (${PROVIDER})`, {
  timeout: 180_000,
}, async () => {
  const db = await testDb();
  cleanup.push(() => db.drop());
  const multi = await prepareMulti(db.url, { orgs: 2, reporterOrgs: ['maff'], perOrg: 2 });
  const fake = multi.fake;
  cleanup.push(() => fake.close());
  const check = await openDatabase(db.url);
  cleanup.push(() => check.close());
  const env = {
    DATABASE_URL: db.url,
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_API_URL: fake.apiUrl,
    COMMAND_CLAIM_TTL_MS: String(TTL_MS),
    DELIVERY_CHANNEL_INTERVAL_MS: '0',
  };
  const procs: SlackProcess[] = [];
  cleanup.push(async () => void (await Promise.all(procs.map((p) => p.kill()))));
  const [a, b] = await Promise.all([
    SlackProcess.start('A', await freePort(), env, procs),
    SlackProcess.start('B', await freePort(), env, procs),
  ]);
  const reporter = (multi.reporters[0] as { user: string }).user;
  fake.setDelay('users.info', 400, 'before');

  const urls = new Map<string, string>();
  const send = (to: SlackProcess, summary: string) => {
    const responseUrl = fake.responseUrl();
    urls.set(summary, responseUrl);
    return sendCommand([to], 0, reporter, `report category=malware summary="${summary}"`, {
      responseUrl,
      triggerId: fake.newTriggerId(),
      nowMs: Date.now,
    });
  };
  const sends = [
    ...Array.from({ length: PER_PROCESS }, (_, i) => send(a, `A-${i}`).then((s) => [`A-${i}`, s] as const)),
    ...Array.from({ length: PER_PROCESS }, (_, i) => send(b, `B-${i}`).then((s) => [`B-${i}`, s] as const)),
  ];
  // kill A once its first reports have committed: the rest are being written or waiting
  const committedBefore = await until('A to commit its first reports', async () => {
    const n = await check.prisma.incident.count({ where: { summary: { startsWith: 'A-' } } });
    return n >= 2 && n;
  });
  await a.kill();
  const acked = (await Promise.all(sends)).filter(([, s]) => s.status === 200).map(([summary]) => summary);
  assert.ok(acked.filter((s) => s.startsWith('A-')).length >= committedBefore);
  const killedWithA = PER_PROCESS - (await check.prisma.incident.count({ where: { summary: { startsWith: 'A-' } } }));

  // B runs what A left in the journal once A's claims expire
  await until('every acknowledged report to be written', async () => {
    const n = await check.prisma.incident.count({ where: { summary: { in: acked } } });
    return n >= acked.length && (await check.prisma.pendingCommand.count()) === 0;
  });
  await sleep(1500); // anything doubled would show now
  const incidents = await check.prisma.incident.findMany({ orderBy: { id: 'asc' } });
  const bySummary = new Map<string, number>();
  for (const i of incidents) bySummary.set(i.summary, (bySummary.get(i.summary) ?? 0) + 1);
  for (const s of acked) assert.equal(bySummary.get(s), 1, `${s}: exactly once`);
  assert.deepEqual(
    incidents.map((i) => i.id),
    Array.from({ length: incidents.length }, (_, i) => `INC-2026-${String(i + 1).padStart(4, '0')}`),
    'ids 1…n without a gap',
  );
  const chain = await verifyChain(check.prisma);
  assert.ok(chain.ok, JSON.stringify(chain));
  assert.equal(
    await check.prisma.auditRecord.count({ where: { action: 'incident.report' } }),
    incidents.length,
    'one audit record per report',
  );
  // at most one answer each; B answers what it ran (its own and what A left)
  const replies = (s: string) => fake.responses(urls.get(s)).length;
  for (const s of acked) assert.ok(replies(s) <= 1, `${s}: ${replies(s)} replies`);
  for (const s of acked.filter((x) => x.startsWith('B-'))) assert.equal(replies(s), 1, `${s} answered`);
  console.log(
    `# SIGKILL mid-burst (${PROVIDER}): ${acked.length} acknowledged, A had committed ${PER_PROCESS - killedWithA} of its ${PER_PROCESS} when killed; ${incidents.length} incidents, chain ${chain.count} records; B replayed: ${/running an acknowledged command left by a stopped process/.test(b.stderr)}`,
  );
});
