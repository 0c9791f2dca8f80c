/**
 * The console adapter (the embedded default). On a terminal: a prompt with history. With
 * stdin not a terminal: each line is a command; replies and channel posts are printed in
 * order (the outbox is drained after each line); at end of input it exits, non-zero when a
 * line failed.
 */

import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { App } from '../../app.ts';
import { translator } from '../../i18n/index.ts';
import { consoleRefs } from './refs.ts';
import { renderConsole } from './render.ts';

export interface ConsoleIo {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  write(text: string): void;
  /** aborted: no further line is read (the line in progress finishes), as at end of input */
  signal?: AbortSignal;
}

export async function runConsole(app: App, io: ConsoleIo): Promise<number> {
  const identity = `console:${app.config.CONSOLE_USER}`;
  const outDir = join(process.cwd(), 'data', 'out');
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
    const t = translator(o.reply.error ? app.config.BOT_LOCALE : app.config.BOT_LOCALE);
    io.write(renderConsole(o.reply, t, outDir));
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
  await app.dispatcher.drain();
  return failed > 0 ? 1 : 0;
}
