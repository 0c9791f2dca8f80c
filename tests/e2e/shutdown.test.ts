/**
 * Graceful shutdown and crashes with real bot processes in Slack HTTP mode (SQLite file, or
 * PostgreSQL when TEST_PROVIDER=postgresql). The fake Slack answers chat.postMessage slowly
 * (the post is stored first), so the dispatcher is mid-delivery when the signal comes.
 * - SIGTERM: /healthz turns 503 (draining), new commands get 503, every command acknowledged
 *   before it is committed (none lost), unstarted claims are released, exit code 0.
 * - SIGKILL: its claims are not held forever: another process takes them over when they
 *   expire (DELIVERY_CLAIM_TTL_MS), and no post is doubled (a post stored whose answer was
 *   lost is found in the channel's history by its delivery id).
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import type { FakeSlack } from '../fakes/slack-server.ts';
import { PROVIDER, testDb } from '../helpers/app.ts';
import { postsByDelivery, prepareMulti } from '../helpers/multi-setup.ts';
import { freePort, type Sent, SlackProcess, sendCommand } from '../helpers/slack-process.ts';

const TRY_AGAIN = /もう一度お試しください/;

let db: { url: string; drop(): Promise<void> };
let fake: FakeSlack;
let reporter = '';
const bots: SlackProcess[] = [];
let env: Record<string, string> = {};

beforeAll(async () => {
  db = await testDb();
  const s = await prepareMulti(db.url, { orgs: 0, reporterOrgs: ['maff'], perOrg: 1 });
  fake = s.fake;
  reporter = (s.reporters[0] as { user: string }).user;
  fake.setDelay('chat.postMessage', 300);
  env = {
    DATABASE_URL: db.url,
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_API_URL: fake.apiUrl,
    ACTION_SECRET: 'shutdown-test-action-secret-0123456789',
    DELIVERY_CHANNEL_INTERVAL_MS: '0',
    DELIVERY_CLAIM_TTL_MS: '5000',
    LOG_LEVEL: 'error',
  };
});
afterAll(async () => {
  await Promise.all(bots.map((b) => b.kill()));
  await fake?.close();
  await db?.drop();
});

const report = (p: SlackProcess, i: number): Promise<Sent> =>
  sendCommand([p], 0, reporter, `report category=phishing summary="shutdown-${i}"`, {
    responseUrl: fake.responseUrl(),
    triggerId: fake.newTriggerId(),
    nowMs: Date.now,
  });

async function rows() {
  const d = await openDatabase(db.url);
  try {
    const incidents = await d.prisma.incident.findMany({ select: { summary: true } });
    const deliveries = await d.prisma.delivery.findMany();
    return { incidents: incidents.map((x) => x.summary), deliveries };
  } finally {
    await d.close();
  }
}

test(`SIGTERM: /healthz 503 while draining, new commands refused, acknowledged ones committed, claims released, exit 0 (${PROVIDER})`, {
  timeout: 180_000,
}, async () => {
  const a = await SlackProcess.start('A', await freePort(), env, bots);
  const first = await Promise.all(Array.from({ length: 12 }, (_, i) => report(a, i)));
  assert.ok(
    first.every((s) => s.by === 'A'),
    JSON.stringify(first),
  );
  // wait until the dispatcher is mid-delivery (slow posts), then SIGTERM with commands arriving
  const until = Date.now() + 60_000;
  while (fake.posts().length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  const health: number[] = [];
  const polling = (async () => {
    while (a.alive) {
      health.push(await a.health());
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const sentAt = Date.now();
  const exit = a.term();
  const late = await Promise.all(Array.from({ length: 8 }, (_, i) => report(a, 100 + i)));
  const { code } = await exit;
  await polling;
  const ms = Date.now() - sentAt;
  assert.equal(code, 0, a.stderr);
  assert.ok(health.includes(503), `healthz while draining: ${health.join(',')}`);
  assert.ok(health.indexOf(503) > -1 && !health.slice(health.indexOf(503)).includes(200), 'never 200 after 503');
  const r = await rows();
  // acknowledged: answered by A, and not with "please try again" (a request A could not record
  // within Slack's deadline on a loaded machine: nothing of it was written)
  const acked = [...first, ...late]
    .map((s, i) => ({ s, i: i < 12 ? i : 100 + i - 12 }))
    .filter((x) => x.s.by && !TRY_AGAIN.test(x.s.body ?? ''));
  for (const { i } of acked) assert.ok(r.incidents.includes(`shutdown-${i}`), `acknowledged shutdown-${i} committed`);
  assert.equal(r.incidents.length, acked.length, 'nothing refused was run');
  const sending = r.deliveries.filter((d) => d.status === 'sending');
  assert.deepEqual(sending, [], 'no claim left behind by a graceful stop');
  const pending = r.deliveries.filter((d) => d.status === 'pending').length;
  const refused = late.filter((s) => !s.by).length;
  console.log(
    `# SIGTERM (${PROVIDER}): stopped in ${ms} ms, exit ${code}; healthz seen ${[...new Set(health)].join('→')}; ${acked.length} commands acknowledged = ${r.incidents.length} incidents; ${refused} refused while draining, ${[...first, ...late].filter((x) => TRY_AGAIN.test(x.body ?? '')).length} answered "please try again"; deliveries sent ${r.deliveries.filter((d) => d.status === 'sent').length}, released back to pending ${pending}, sending 0`,
  );
});

test(`SIGKILL: the killed process's claims expire and are taken over; every delivery posted exactly once (${PROVIDER})`, {
  timeout: 180_000,
}, async () => {
  const b = await SlackProcess.start('B', await freePort(), env, bots);
  // B resumes what A released; kill it while it holds claims
  const until = Date.now() + 60_000;
  let claimed = 0;
  while (Date.now() < until) {
    claimed = (await rows()).deliveries.filter((d) => d.status === 'sending').length;
    if (claimed > 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  await b.kill();
  const held = (await rows()).deliveries.filter((d) => d.status === 'sending');
  assert.ok(held.length > 0, 'B held claims when it was killed');
  for (const d of held) assert.ok(d.claimExpires && d.claimExpires.getTime() <= Date.now() + 5000, 'claims expire');
  const killedAt = Date.now();
  const c = await SlackProcess.start('C', await freePort(), env, bots);
  for (;;) {
    const r = await rows();
    if (r.deliveries.every((d) => d.status === 'sent' || d.status === 'failed')) break;
    assert.ok(Date.now() - killedAt < 90_000, 'deliveries finish after the claims expire');
    await new Promise((r) => setTimeout(r, 200));
  }
  const tookOver = Date.now() - killedAt;
  await c.term();
  const r = await rows();
  const posts = postsByDelivery(fake);
  assert.equal(posts.withoutId, 0);
  for (const d of r.deliveries) {
    assert.equal(d.status, 'sent', `${d.id} ${d.error}`);
    assert.equal(posts.byId.get(d.id), 1, `delivery ${d.id}: exactly one post`);
  }
  assert.equal(posts.byId.size, r.deliveries.length, 'no post without a row');
  assert.deepEqual(fake.violations, []);
  console.log(
    `# SIGKILL (${PROVIDER}): ${held.length} claims held by the killed process, all deliveries done ${tookOver} ms after the kill (claim TTL 5000 ms); ${r.deliveries.length} deliveries, ${posts.total} posts, each exactly once`,
  );
});
