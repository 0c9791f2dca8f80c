/**
 * The console adapter (the embedded default). On a terminal: a prompt with history. With
 * stdin not a terminal: each line is a command; replies and channel posts are printed in
 * order (the outbox is drained after each line); at end of input it exits, non-zero when a
 * line failed.
 */

import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { App } from '../../app.ts';
import { MAIL } from '../../core/platform.ts';
import { translator } from '../../i18n/index.ts';
import { consoleRefs } from './refs.ts';
import { renderConsole } from './render.ts';

export interface ConsoleIo {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  write(text: string): void;
  /** aborted: no further line is read (the line in progress finishes), as at end of input */
  signal?: AbortSignal;
  /** where attachments (calendar files, pictures, CSV) are written; ./data/out by default */
  outDir?: string;
}

export async function runConsole(app: App, io: ConsoleIo): Promise<number> {
  const identity = `console:${app.config.CONSOLE_USER}`;
  const outDir = io.outDir ?? join(process.cwd(), 'data', 'out');
  let failed = 0;
  const tty = !!io.input.isTTY;
  const rl = createInterface({
    input: io.input,
    terminal: tty,
    historySize: 500,
    prompt: 'csirt> ',
    ...(io.signal ? { signal: io.signal } : {}),
  });
  const runLine = async (line: string) => {
    const text = line.trim();
    if (!text || text.startsWith('#')) return;
    const o = await app.router.handle({
      platform: 'console',
      identity,
      text,
      channelId: null,
      refs: consoleRefs,
      unlimited: true,
    });
    // the reply is in the person's language; so is the hint added to its buttons
    io.write(renderConsole(o.reply, translator(o.locale), outDir));
    if (o.reply.error) failed++;
    await app.dispatcher.drain();
  };
  if (tty) {
    io.write(translator(app.config.BOT_LOCALE)('console.welcome').replace('{user}', identity));
    rl.prompt();
  }
  for await (const line of rl) {
    try {
      await runLine(line);
    } catch (e) {
      app.log.error({ err: e }, 'console line failed');
      failed++;
    }
    if (tty) rl.prompt();
  }
  // Before exiting, everything due is sent and printed: the scheduler's pass in progress (jobs
  // that came due while the bot was down) finishes, then the outbox is settled for the console,
  // including rows due within a short while (a retry, an update waiting for its post).
  await app.scheduler.runDue();
  let left = await app.dispatcher.settle('console', SETTLE_MS);
  // and the e-mail the console's posts fell back to (docs/email.md)
  if (app.config.SMTP_URL) left += await app.dispatcher.settle(MAIL, SETTLE_MS);
  if (left > 0) io.write(translator(app.config.BOT_LOCALE)('console.left_pending', { count: left }));
  return failed > 0 ? 1 : 0;
}

/** How long the console waits at the end of its input for posts due shortly (retries). */
const SETTLE_MS = 30_000;
