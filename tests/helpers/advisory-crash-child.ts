/**
 * A real bot process for the crash test: createApp on a shared database with the file platform.
 * MODE=broadcast drafts, submits and approves a TLP:CLEAR advisory to every organisation, then
 * delivers; MODE=resume only delivers (ADV_ID) until the advisory is `sent`. KILL_AFTER_POST=k
 * makes the process SIGKILL itself right after the k-th post is durable (the answer is lost).
 * CLOCK_OFFSET_MS moves this process's clock forward (a restart after the claims expired).
 */
import pino from 'pino';
import { consoleRefs } from '../../src/adapters/console/refs.ts';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { replyToText } from '../../src/core/reply.ts';
import { FilePlatform } from '../fakes/file-platform.ts';

const env = process.env;
const killAfter = Number(env.KILL_AFTER_POST ?? 0);
const offset = Number(env.CLOCK_OFFSET_MS ?? 0);
const platform = new FilePlatform('console', env.POSTS_FILE as string, {
  delayMs: Number(env.POST_DELAY_MS ?? 10),
  afterWrite: (n) => {
    if (killAfter && n >= killAfter) process.kill(process.pid, 'SIGKILL');
  },
});
const app = await createApp(
  loadConfig({ DATABASE_URL: env.DATABASE_URL as string, LOG_LEVEL: 'silent', BOT_ADMINS: 'console:admin' }),
  {
    seams: new Map([['console', platform]]),
    log: pino({ level: 'silent' }),
    workerId: `crash-${process.pid}`,
    perChannelIntervalMs: 0,
    clock: { now: () => new Date(Date.now() + offset) },
  },
);
const run = async (identity: string, text: string) => {
  const o = await app.router.handle({ platform: 'console', identity, text, channelId: null, refs: consoleRefs });
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
