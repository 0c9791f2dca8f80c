/**
 * A real bot process for the e-mail crash test (tests/e2e/email-fallback-crash.test.ts):
 * createApp on a shared database with the real Slack seam (against the parent's fake Slack) and
 * e-mail configured (SMTP_URL, MAIL_FROM: the parent's smtp-server). MODE=broadcast drafts,
 * submits and approves a TLP:GREEN advisory to maff, whose Slack channel is gone, then delivers;
 * MODE=resume only delivers ADV_ID until the advisory is `sent`. CLOCK_OFFSET_MS moves this
 * process's clock forward: a restart after the dead process's claims have expired.
 */
import pino from 'pino';
import { consoleRefs } from '../../src/adapters/console/refs.ts';
import { createSlack } from '../../src/adapters/slack/index.ts';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { replyToText } from '../../src/core/reply.ts';

const env = process.env;
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
const bot = createSlack(config, log);
const app = await createApp(config, {
  seams: new Map([['slack', bot.seam]]),
  log,
  workerId: `mail-crash-${process.pid}`,
  perChannelIntervalMs: 0,
  clock: { now: () => new Date(Date.now() + offset) },
});
await bot.mount(app);
const run = async (identity: string, text: string) => {
  const o = await app.router.handle({ platform: 'slack', identity, text, channelId: null, refs: consoleRefs });
  if (o.status !== 'ok') throw new Error(`${text}: ${replyToText(o.reply)}`);
  return replyToText(o.reply);
};
let id = env.ADV_ID ?? '';
if (env.MODE === 'broadcast') {
  const d = await run(
    'console:nisc-coord',
    'advisory draft title="メール経路試験" body="チャンネル削除時の予備経路" severity=low tlp=green audience=maff',
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
