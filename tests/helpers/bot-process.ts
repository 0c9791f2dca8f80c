/**
 * A real bot process (`npm start`'s entry, console mode) kept running: stdin stays open, so it
 * works until stop() (end of input) or kill() (SIGKILL, as a crash). Several may share one
 * database; what they post to channels is read from their stdout (`[#channel] …`).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BOT_ARGS, BOT_ENV, TEST_BOT_SETTINGS } from './bot-entry.ts';

export class BotProcess {
  stdout = '';
  stderr = '';
  private readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (d) => (this.stdout += d));
    child.stderr.on('data', (d) => (this.stderr += d));
    this.exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  }

  /**
   * Starts a bot and waits until it answers a command (migrated, bootstrapped, ticking). It is
   * added to `all` before waiting, so that a caller's cleanup kills it even when start fails.
   */
  static async start(env: Record<string, string>, all: BotProcess[], timeoutMs = 60_000): Promise<BotProcess> {
    const child = spawn(process.execPath, [...BOT_ARGS], {
      cwd: mkdtempSync(join(tmpdir(), 'csirt-bot-')),
      env: {
        ...BOT_ENV,
        PATH: process.env.PATH ?? '',
        ...TEST_BOT_SETTINGS,
        ...env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const bot = new BotProcess(child);
    all.push(bot);
    bot.send('/csirt lang ja');
    await bot.waitFor(/言語|language/i, timeoutMs);
    return bot;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  async waitFor(re: RegExp, timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!re.test(this.stdout)) {
      if (Date.now() > until)
        throw new Error(`timed out waiting for ${re}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      if (this.child.exitCode !== null)
        throw new Error(`bot exited (${this.child.exitCode}) waiting for ${re}\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** A crash: SIGKILL, no shutdown. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** End of input: the bot drains and exits. */
  async stop(): Promise<number | null> {
    this.child.stdin.end();
    return this.exited;
  }
}

/** Lines the bots posted to `#channel` whose first line matches `re`. */
export function channelLines(bots: readonly BotProcess[], channel: string, re: RegExp): string[] {
  return bots.flatMap((b) => b.stdout.split('\n')).filter((l) => l.startsWith(`[#${channel}] `) && re.test(l));
}
