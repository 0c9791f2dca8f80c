/**
 * A real bot process for the crash test (advisory-crash.ts): createApp on a shared database with
 * the real seam of the platform its environment configures — Slack (SLACK_BOT_TOKEN,
 * SLACK_API_URL: createSlack, its WebClient) or Mattermost (MATTERMOST_URL, MATTERMOST_TOKEN:
 * createMattermost, its REST client) — talking to the fake server of the parent test.
 * MODE=broadcast drafts, submits and approves a TLP:CLEAR advisory to every organisation, then
 * delivers; MODE=resume only delivers ADV_ID until the advisory is `sent`. KILL_AFTER_POST=k
 * makes the process SIGKILL itself right after its k-th post was answered (the post is stored,
 * its outcome never recorded). CLOCK_OFFSET_MS moves this process's clock forward: a restart
 * after the dead process's claims (120 s) have expired.
 */
import pino from 'pino';
import { consoleRefs } from '../../src/adapters/console/refs.ts';
import { createMattermost } from '../../src/adapters/mattermost/index.ts';
import { createSlack } from '../../src/adapters/slack/index.ts';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { PlatformName, PlatformSeam } from '../../src/core/platform.ts';
import { replyToText } from '../../src/core/reply.ts';

const env = process.env;
const killAfter = Number(env.KILL_AFTER_POST ?? 0);
const offset = Number(env.CLOCK_OFFSET_MS ?? 0);
const log = pino({ level: 'silent' });
const config = loadConfig({
  AUDIT_ANCHOR_AT: 'off',
  ESCALATION_CHAIN: 'off',
  REPORT_ESCALATION_CHAIN: 'off',
  ...env,
  LOG_LEVEL: 'silent',
  BOT_ADMINS: 'console:admin',
});
const platform: PlatformName = config.platforms.mattermost ? 'mattermost' : 'slack';
const bot = platform === 'mattermost' ? createMattermost(config, log) : createSlack(config, log);
const seam: PlatformSeam = bot.seam;
// one post in flight at a time (a workspace-wide cap), so that kills land between posts
let posted = 0;
let queue: Promise<unknown> = Promise.resolve();
const post = seam.post.bind(seam);
seam.post = (...args) => {
  const next = queue.then(async () => {
    const r = await post(...args);
    if (killAfter && ++posted >= killAfter) process.kill(process.pid, 'SIGKILL');
    return r;
  });
  queue = next.catch(() => {});
  return next;
};
const app = await createApp(config, {
  seams: new Map([[platform, seam]]),
  log,
  workerId: `crash-${process.pid}`,
  perChannelIntervalMs: 0,
  clock: { now: () => new Date(Date.now() + offset) },
});
await bot.mount(app);
const run = async (identity: string, text: string) => {
  const o = await app.router.handle({ platform, identity, text, channelId: null, refs: consoleRefs });
  if (o.status !== 'ok') throw new Error(`${text}: ${replyToText(o.reply)}`);
  return replyToText(o.reply);
};
let id = env.ADV_ID ?? '';
if (env.MODE === 'broadcast') {
  const d = await run(
    'console:nisc-coord',
    'advisory draft title="全組織向け" body="クラッシュ試験" severity=low tlp=clear audience=all',
  );
  id = /ADV-\d{4}-\d{4}/.exec(d)?.[0] as string;
  await run('console:nisc-coord', `advisory submit ${id}`);
  process.stdout.write(`ADV ${id}\n`);
  await run('console:nisc-duty', `advisory approve ${id}`);
}
app.dispatcher.start();
for (;;) {
  const a = await app.db.prisma.advisory.findUnique({ where: { id } });
  if (a?.status === 'sent') break;
  await new Promise((r) => setTimeout(r, 50));
}
process.stdout.write(`DONE ${id}\n`);
await app.close();
process.exit(0);
