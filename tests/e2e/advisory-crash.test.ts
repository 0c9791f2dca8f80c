/**
 * Crash test on Slack: a real bot process (createApp + the real Slack seam and WebClient)
 * delivering a 50-channel TLP:CLEAR broadcast to the fake Slack server (which answers
 * chat.postMessage slowly) is killed with SIGKILL, restarted, killed again … at 10 points, then
 * left to finish: every channel has exactly one post. Five kills come from outside at an
 * observed post count; five from inside right after Slack answered the k-th post (the post is
 * stored, its outcome never recorded — the case that doubles posts if handled badly; the
 * restarted process finds it in conversations.history by its delivery id metadata).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../../src/app.ts';
import { type FakePost, type FakeSlack, startFakeSlack } from '../fakes/slack-server.ts';
import { testApp, testDb } from '../helpers/app.ts';
import { registerPersonas } from '../helpers/personas.ts';

let db: { url: string; drop(): Promise<void> };
let fake: FakeSlack;
const tsx = pathToFileURL(createRequire(join(ROOT, 'package.json')).resolve('tsx')).href;

const channelOf = (code: string) => `C${code.toUpperCase().replace(/[^A-Z0-9]/g, '')}`;

before(async () => {
  db = await testDb();
  const t = await testApp({ url: db.url });
  await registerPersonas(t);
  // 24 seeded ministries and agencies (NISC is the sender) + 26 test organisations = 50 channels
  for (let i = 1; i <= 26; i++) {
    const code = `test${String(i).padStart(2, '0')}`;
    assert.equal((await t.run('console:admin', `org add ${code} ja="試験組織${i}" en="Test ${i}"`)).status, 'ok');
  }
  const orgs = await t.app.db.prisma.organization.findMany();
  for (const o of orgs) {
    await t.app.services.directory.setChannel('console:admin', o.code, 'slack', {
      id: channelOf(o.code),
      name: o.code,
    });
  }
  await t.close();
  fake = await startFakeSlack({ channels: Object.fromEntries(orgs.map((o) => [channelOf(o.code), { name: o.code }])) });
  fake.setDelay('chat.postMessage', 15);
});
after(async () => {
  await fake.close();
  await db.drop();
});

interface Child {
  id: Promise<string>;
  done: Promise<{ code: number | null; signal: string | null; out: string; err: string }>;
  kill(): void;
}

function child(env: Record<string, string>): Child {
  const p = spawn(process.execPath, ['--import', tsx, join(ROOT, 'tests', 'helpers', 'advisory-crash-child.ts')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: db.url,
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_API_URL: fake.apiUrl,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let gotId: (id: string) => void = () => {};
  const id = new Promise<string>((r) => {
    gotId = r;
  });
  p.stdout.on('data', (d) => {
    out += d;
    const m = /ADV (ADV-\d{4}-\d{4})/.exec(out);
    if (m) gotId(m[1] as string);
  });
  p.stderr.on('data', (d) => (err += d));
  const done = new Promise<{ code: number | null; signal: string | null; out: string; err: string }>((resolve) =>
    p.on('close', (code, signal) => resolve({ code, signal, out, err })),
  );
  return { id, done, kill: () => p.kill('SIGKILL') };
}

const copies = (id: string): FakePost[] =>
  fake.posts().filter((p) => p.channel !== channelOf('nisc') && p.text.includes(`注意喚起 ${id}「`));

/** total copies posted when each kill lands; alternately from outside and from inside */
const KILLS: { at: number; how: 'outside' | 'inside' }[] = [
  { at: 1, how: 'outside' },
  { at: 4, how: 'inside' },
  { at: 9, how: 'outside' },
  { at: 13, how: 'inside' },
  { at: 19, how: 'outside' },
  { at: 25, how: 'inside' },
  { at: 31, how: 'outside' },
  { at: 38, how: 'inside' },
  { at: 44, how: 'outside' },
  { at: 50, how: 'inside' },
];

const tally = (posts: FakePost[]) => {
  const perChannel = new Map<string, number>();
  for (const p of posts) perChannel.set(p.channel, (perChannel.get(p.channel) ?? 0) + 1);
  return perChannel;
};

test('SIGKILL mid-broadcast at 10 points, restarting each time: each of 50 channels has exactly one post', async () => {
  const rows: string[] = [];
  let id = '';
  for (const [i, k] of KILLS.entries()) {
    const before = id ? copies(id).length : 0;
    // a restart's clock is past the dead process's claims (claim TTL 120 s)
    const env: Record<string, string> = i === 0 ? { MODE: 'broadcast' } : { MODE: 'resume', ADV_ID: id };
    env.CLOCK_OFFSET_MS = String(i * 130_000);
    // the first process's first post is the approval prompt to #nisc
    if (k.how === 'inside') env.KILL_AFTER_POST = String(Math.max(1, k.at - before) + (i === 0 ? 1 : 0));
    const started = performance.now();
    const c = child(env);
    if (i === 0) id = await c.id;
    if (k.how === 'outside') {
      while (copies(id).length < k.at) await new Promise((r) => setTimeout(r, 2));
      c.kill();
    }
    const r = await c.done;
    assert.equal(r.signal, 'SIGKILL', `${k.how} ${k.at} (copies before: ${before}): ${r.out} ${r.err}`);
    // requests the dead process had already sent may still land in the fake: let them
    await new Promise((res) => setTimeout(res, 300));
    const posts = copies(id);
    assert.deepEqual(
      [...tally(posts).values()].filter((n) => n > 1),
      [],
      `after the kill at ${k.at}: no channel has two copies`,
    );
    const t = await testApp({ url: db.url });
    const rowsNow = await t.app.db.prisma.delivery.findMany({ where: { refType: 'advisory', refId: id } });
    await t.close();
    const sending = rowsNow.filter((d) => d.status === 'sending').length;
    rows.push(
      `${k.how.padEnd(7)}  ${String(k.at).padStart(2)}  ${String(posts.length).padStart(2)}  ${String(sending).padStart(2)}  ${Math.round(performance.now() - started)}`,
    );
  }
  const last = child({ MODE: 'resume', ADV_ID: id, CLOCK_OFFSET_MS: String(KILLS.length * 130_000) });
  const r = await last.done;
  assert.equal(r.code, 0, r.err);
  const perChannel = tally(copies(id));
  assert.equal(perChannel.size, 50, 'channels reached');
  assert.deepEqual([...new Set(perChannel.values())], [1], 'exactly one post per channel');
  const t = await testApp({ url: db.url });
  const deliveries = await t.app.db.prisma.delivery.findMany({ where: { refType: 'advisory', refId: id } });
  const advisory = await t.app.db.prisma.advisory.findUniqueOrThrow({ where: { id } });
  await t.close();
  assert.equal(deliveries.length, 50);
  assert.deepEqual([...new Set(deliveries.map((d) => d.status))], ['sent']);
  assert.equal(advisory.status, 'sent');
  const retaken = deliveries.filter((d) => d.attempts > 1).length;
  assert.deepEqual(fake.violations, []);
  const history = fake.callsTo('conversations.history').length;
  console.log(
    `\ncrash test (Slack, fake server, ${process.env.TEST_PROVIDER ?? 'sqlite'}); per kill: how, copies at kill point, copies in Slack, rows left 'sending', ms\n${rows.join('\n')}\nfinal: 50 channels × 1 post; ${retaken} rows taken over after a crash (attempts > 1), ${history} conversations.history look-ups\n`,
  );
});
