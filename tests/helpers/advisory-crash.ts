/**
 * The crash test of a 50-channel advisory broadcast (issue #7), on Slack or Mattermost. A real
 * bot process (advisory-crash-child.ts: createApp with the platform's real seam) delivers a
 * TLP:CLEAR advisory to every organisation through the platform's fake server, which stores a
 * post at once and answers it 15 ms later. The process is killed with SIGKILL at each kill point
 * and restarted, then left to finish. A kill from `outside` comes from the test at an observed
 * number of copies (often while a stored post's answer is on its way); one from `inside` comes
 * from the process itself right after the platform answered a post — stored, its outcome never
 * recorded: the case that doubles posts if handled badly, since the restarted process must find
 * the post by the delivery id it carries (Slack metadata, Mattermost props).
 *
 * After every kill no channel has two copies; at the end each of the 50 channels has exactly
 * one, and posts and the advisory's delivery rows match one to one: every post carries the id
 * of a row whose messageRef is that very post.
 */
import assert from 'node:assert/strict';
import { ROOT } from '../../src/app.ts';
import type { PlatformName } from '../../src/core/platform.ts';
import { openDatabase } from '../../src/db/client.ts';
import { startFakeMattermost } from '../fakes/mattermost-server.ts';
import { startFakeSlack } from '../fakes/slack-server.ts';
import { PROVIDER, testApp, testDb } from './app.ts';
import { mmid } from './mattermost.ts';
import { registerPersonas } from './personas.ts';
import { tsxChild } from './tsx-child.ts';

export type CrashPlatform = Exclude<PlatformName, 'console'>;

/** Where a kill lands: the total number of copies posted by then, and who kills. */
export interface Kill {
  at: number;
  how: 'outside' | 'inside';
}

/** A bot post as the fake stored it; ref is what the dispatcher records (Slack ts, Mattermost post id). */
interface Post {
  channel: string;
  ref: string;
  deliveryId: unknown;
}

/** What the test needs of a platform's fake server. */
interface CrashFake {
  /** an organisation's channel id */
  channel(code: string): string;
  /** the bot process's environment for this platform */
  env: Record<string, string>;
  botPosts(): Post[];
  violations: readonly unknown[];
  /** searches of a channel's recent posts (before a second attempt) */
  lookups(): number;
  /** calls the fake answered 429 (app-level limits injected at random) */
  limited(): number;
  close(): Promise<void>;
}

const fakes: Record<CrashPlatform, (codes: string[]) => Promise<CrashFake>> = {
  async slack(codes) {
    const channel = (code: string) => `C${code.toUpperCase().replace(/[^A-Z0-9]/g, '')}`;
    const fake = await startFakeSlack({ channels: Object.fromEntries(codes.map((c) => [channel(c), { name: c }])) });
    fake.setDelay('chat.postMessage', 15);
    fake.rateLimitAtRandom(RANDOM_429, 1, 23);
    return {
      channel,
      env: {
        SLACK_BOT_TOKEN: fake.botToken,
        SLACK_API_URL: fake.apiUrl,
        SLACK_SIGNING_SECRET: 'crash-test-signing-secret',
      },
      botPosts: () =>
        fake
          .posts()
          .filter((p) => p.byBot)
          .map((p) => ({ channel: p.channel, ref: p.ts, deliveryId: p.metadata?.event_payload.delivery_id })),
      violations: fake.violations,
      lookups: () => fake.callsTo('conversations.history').filter((c) => c.status === 200).length,
      limited: () => fake.calls.filter((c) => c.status === 429).length,
      close: () => fake.close(),
    };
  },
  async mattermost(codes) {
    const fake = await startFakeMattermost({ channels: codes.map((c) => ({ id: mmid(c), name: c })) });
    fake.setDelay(15, 'POST /api/v4/posts');
    fake.rateLimitAtRandom(RANDOM_429, 1, 23);
    return {
      channel: mmid,
      env: {
        MATTERMOST_URL: fake.url,
        MATTERMOST_TOKEN: fake.botToken,
        MATTERMOST_COMMAND_TOKEN: 'crash-test-command-token',
      },
      botPosts: () =>
        fake
          .posts()
          .filter((p) => p.user_id === fake.bot.id)
          .map((p) => ({ channel: p.channel_id, ref: p.id, deliveryId: p.props.delivery_id })),
      violations: fake.violations,
      lookups: () =>
        fake.calls.filter(
          (c) => c.method === 'GET' && c.template === '/api/v4/channels/{channel_id}/posts' && c.status === 200,
        ).length,
      limited: () => fake.calls.filter((c) => c.status === 429).length,
      close: () => fake.close(),
    };
  },
};

/**
 * Share of the fake's API calls answered 429 at random (Retry-After 1 s): the platforms' app-level
 * limits, which hold the whole platform queue back without spending attempts (issue #23).
 */
const RANDOM_429 = 0.08;

/** The seeded ministries and agencies (the coordinating office is the sender) and test organisations: 50 channels on the fake. */
async function prepare(platform: CrashPlatform): Promise<{ url: string; fake: CrashFake; drop(): Promise<void> }> {
  const db = await testDb();
  const t = await testApp({ url: db.url });
  try {
    await registerPersonas(t);
    const seeded = await t.app.db.prisma.organization.count();
    for (let i = 1; i <= 51 - seeded; i++) {
      const code = `test${String(i).padStart(2, '0')}`;
      assert.equal((await t.run('console:admin', `org add ${code} ja="試験組織${i}" en="Test ${i}"`)).status, 'ok');
    }
    const codes = (await t.app.db.prisma.organization.findMany()).map((o) => o.code);
    const fake = await fakes[platform](codes);
    for (const code of codes) {
      await t.app.services.directory.setChannel('console:admin', code, platform, {
        id: fake.channel(code),
        name: code,
      });
    }
    return { url: db.url, fake, drop: () => db.drop() };
  } finally {
    await t.close();
  }
}

interface Child {
  id: Promise<string>;
  done: Promise<{ code: number | null; signal: string | null; out: string; err: string }>;
  exited: boolean;
  kill(): void;
}

function child(env: Record<string, string>): Child {
  const p = tsxChild('tests/helpers/advisory-crash-child.ts', [], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
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
  // a process that hangs (a copy never settles) fails the test instead of stalling it
  const limit = setTimeout(() => p.kill('SIGKILL'), 120_000);
  const c: Child = {
    id,
    done: new Promise((resolve) =>
      p.on('close', (code, signal) => {
        clearTimeout(limit);
        c.exited = true;
        resolve({ code, signal, out, err });
      }),
    ),
    exited: false,
    kill: () => p.kill('SIGKILL'),
  };
  return c;
}

const tally = (posts: Post[]) => {
  const perChannel = new Map<string, number>();
  for (const p of posts) perChannel.set(p.channel, (perChannel.get(p.channel) ?? 0) + 1);
  return perChannel;
};

/** Runs the crash test (asserting as it goes); returns a report of what happened at each kill. */
export async function crashTest(platform: CrashPlatform, kills: readonly Kill[]): Promise<string> {
  const { url, fake, drop } = await prepare(platform);
  const db = await openDatabase(url);
  try {
    const base = { DATABASE_URL: url, ...fake.env };
    // the broadcast's copies: the bot's posts outside the sender's channel (the approval prompt)
    const copies = () => fake.botPosts().filter((p) => p.channel !== fake.channel('nisc'));
    const advisoryRows = (id: string) => db.prisma.delivery.findMany({ where: { refType: 'advisory', refId: id } });
    const rows: string[] = [];
    let id = '';
    for (const [i, k] of kills.entries()) {
      const before = copies().length;
      // a restart's clock is past the dead process's claims (claim TTL 120 s)
      const env: Record<string, string> = {
        ...base,
        ...(i === 0 ? { MODE: 'broadcast' } : { MODE: 'resume', ADV_ID: id }),
        CLOCK_OFFSET_MS: String(i * 130_000),
      };
      // the first process's first post is the approval prompt to NISC's channel
      if (k.how === 'inside') env.KILL_AFTER_POST = String(Math.max(1, k.at - before) + (i === 0 ? 1 : 0));
      const started = performance.now();
      const c = child(env);
      if (i === 0)
        id = await Promise.race([c.id, c.done.then((e) => Promise.reject(new Error(`no advisory: ${e.err}`)))]);
      if (k.how === 'outside') {
        while (!c.exited && copies().length < k.at) await new Promise((r) => setTimeout(r, 2));
        c.kill();
      }
      const r = await c.done;
      assert.equal(r.signal, 'SIGKILL', `${k.how} ${k.at} (copies before: ${before}): ${r.out} ${r.err}`);
      // requests the dead process had already sent may still land in the fake: let them
      await new Promise((res) => setTimeout(res, 300));
      const posts = copies();
      const doubled = [...tally(posts).values()].filter((n) => n > 1);
      assert.deepEqual(doubled, [], `after the kill at ${k.at}: no channel has two copies`);
      const sending = (await advisoryRows(id)).filter((d) => d.status === 'sending').length;
      rows.push(
        `${k.how.padEnd(7)}  ${String(k.at).padStart(2)}  ${String(posts.length).padStart(2)}  ${String(sending).padStart(2)}  ${Math.round(performance.now() - started)}`,
      );
    }
    const last = child({ ...base, MODE: 'resume', ADV_ID: id, CLOCK_OFFSET_MS: String(kills.length * 130_000) });
    const r = await last.done;
    assert.equal(r.code, 0, `the last process: ${r.signal ?? ''} ${r.err}`);
    const posts = copies();
    const perChannel = tally(posts);
    assert.equal(perChannel.size, 50, 'channels reached');
    assert.deepEqual([...new Set(perChannel.values())], [1], 'exactly one post per channel');
    const deliveries = await advisoryRows(id);
    assert.equal(deliveries.length, 50);
    assert.deepEqual([...new Set(deliveries.map((d) => d.status))], ['sent']);
    // one to one: each post carries a row's delivery id, and that row records this very post
    // (messageRef is `channel|ref` when posted, the bare ref when found after a crash)
    assert.deepEqual(
      posts.map((p) => `${String(p.deliveryId)} ${p.channel} ${p.ref}`).sort(),
      deliveries.map((d) => `${d.id} ${d.target} ${d.messageRef?.split('|').pop()}`).sort(),
      'posts and delivery rows match one to one',
    );
    const advisory = await db.prisma.advisory.findUniqueOrThrow({ where: { id } });
    assert.equal(advisory.status, 'sent');
    assert.deepEqual(fake.violations, []);
    assert.ok(fake.limited() > 0, 'the fake answered some calls 429 (app-level limits injected at random)');
    const retaken = deliveries.filter((d) => d.attempts > 1).length;
    return `\ncrash test (${platform}, fake server, ${PROVIDER}); per kill: how, copies at kill point, copies posted, rows left 'sending', ms\n${rows.join('\n')}\nfinal: 50 channels × 1 post, each matching its delivery row; ${retaken} rows taken over after a crash (attempts > 1), ${fake.lookups()} look-ups of a channel's recent posts, ${fake.limited()} calls answered 429 at random\n`;
  } finally {
    await db.close();
    await fake.close();
    await drop();
  }
}
