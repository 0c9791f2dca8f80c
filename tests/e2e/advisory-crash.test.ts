/**
 * Crash test: a real bot process delivering a 50-channel TLP:CLEAR broadcast is killed with
 * SIGKILL in the middle, then a new process is started on the same database: every channel has
 * exactly one post. The "platform" is a file the posts are appended to (fsync'd), which survives
 * the kill as a chat server would (tests/fakes/file-platform.ts). Ten kill points: five from
 * outside at an observed post count, five from inside right after the k-th post became durable
 * (the post landed, its answer never recorded — the case that doubles posts if handled badly).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../../src/app.ts';
import { type FilePost, readPosts } from '../fakes/file-platform.ts';
import { testApp, testDb } from '../helpers/app.ts';
import { registerPersonas } from '../helpers/personas.ts';

let db: { url: string; drop(): Promise<void> };
const postsFile = join(mkdtempSync(join(tmpdir(), 'csirt-crash-')), 'posts.jsonl');
const tsx = pathToFileURL(createRequire(join(ROOT, 'package.json')).resolve('tsx')).href;

before(async () => {
  db = await testDb();
  const t = await testApp({ url: db.url });
  await registerPersonas(t);
  // 24 seeded ministries and agencies (NISC is the sender) + 26 test organisations = 50 channels
  for (let i = 1; i <= 26; i++) {
    const o = await t.run(
      'console:admin',
      `org add test${String(i).padStart(2, '0')} ja="試験組織${i}" en="Test ${i}"`,
    );
    assert.equal(o.status, 'ok');
  }
  await t.close();
});
after(() => db.drop());

interface Child {
  id: Promise<string>;
  done: Promise<{ code: number | null; signal: string | null; out: string; err: string }>;
  kill(): void;
}

function child(env: Record<string, string>): Child {
  const p = spawn(process.execPath, ['--import', tsx, join(ROOT, 'tests', 'helpers', 'advisory-crash-child.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.url, POSTS_FILE: postsFile, POST_DELAY_MS: '8', ...env },
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

const copies = (id: string): FilePost[] =>
  readPosts(postsFile).filter((p) => p.kind === 'post' && p.text.startsWith(`■ TLP:CLEAR 注意喚起 ${id}「`));

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

const tally = (posts: FilePost[]) => {
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
    if (k.how === 'inside') env.KILL_AFTER_POST = String(k.at - before + (i === 0 ? 1 : 0));
    const started = performance.now();
    const c = child(env);
    if (i === 0) id = await c.id;
    if (k.how === 'outside') {
      while (copies(id).length < k.at) await new Promise((r) => setTimeout(r, 2));
      c.kill();
    }
    const r = await c.done;
    assert.equal(r.signal, 'SIGKILL', `${k.how} ${k.at}: ${r.err}`);
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
  console.log(
    `\ncrash test (file platform, ${process.env.TEST_PROVIDER ?? 'sqlite'}); per kill: how, copies at kill point, copies in the file, rows left 'sending', ms\n${rows.join('\n')}\nfinal: 50 channels × 1 post; ${retaken} rows taken over after a crash (attempts > 1)\n`,
  );
});
