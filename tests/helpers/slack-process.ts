/**
 * Real bot processes in Slack HTTP mode (`npm start`'s entry: dist/main.js, tests/helpers/bot-entry.ts), each on its own
 * port, all against one fake Slack Web API and one database — what runs behind a load
 * balancer. A "load balancer" here sends signed slash commands to them: a request refused
 * with 503 (draining) or a refused connection (stopped, killed) goes to the next process.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signSlackRequest, slashCommandBody } from '../fakes/slack-requests.ts';
import { BOT_ARGS, BOT_ENV } from './bot-entry.ts';

export const SLACK_SECRET = 'multi-process-signing-secret-0123';

/** A free TCP port on 127.0.0.1 (the process keeps it across restarts, as behind a load balancer). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export class SlackProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly child: ChildProcessWithoutNullStreams,
  ) {
    child.stdout.on('data', (d) => (this.stdout += d));
    child.stderr.on('data', (d) => (this.stderr += d));
    this.exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts a bot on `port` and waits until /healthz answers 200. Added to `all` first (cleanup). */
  static async start(
    name: string,
    port: number,
    env: Record<string, string>,
    all: SlackProcess[],
    timeoutMs = 120_000,
  ): Promise<SlackProcess> {
    const child = spawn(process.execPath, [...BOT_ARGS], {
      cwd: mkdtempSync(join(tmpdir(), 'csirt-slack-bot-')),
      env: {
        ...BOT_ENV,
        PATH: process.env.PATH ?? '',
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        // the daily audit anchor off (its own job and post), as in tests/helpers/app.ts
        AUDIT_ANCHOR_AT: 'off',
        ESCALATION_CHAIN: 'off',
        REPORT_ESCALATION_CHAIN: 'off',
        SLACK_SIGNING_SECRET: SLACK_SECRET,
        ...env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const bot = new SlackProcess(name, port, child);
    all.push(bot);
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (!bot.alive) throw new Error(`${name} exited while starting\n${bot.stderr}\n${bot.stdout}`);
      if ((await bot.health()) === 200) return bot;
      if (Date.now() > until) throw new Error(`${name} did not become healthy\n${bot.stderr}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }

  /** GET /healthz: the status, or 0 when nothing answers. */
  async health(): Promise<number> {
    try {
      const r = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(2000) });
      await r.arrayBuffer();
      return r.status;
    } catch {
      return 0;
    }
  }

  /** A crash: SIGKILL, no shutdown. */
  async kill(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** A frozen process (a VM paused, a stop-the-world stall): SIGSTOP; `resume()` sends SIGCONT. */
  pause(): void {
    if (this.alive) this.child.kill('SIGSTOP');
  }

  resume(): void {
    if (this.alive) this.child.kill('SIGCONT');
  }

  /** A graceful stop: SIGTERM; resolves with the exit. */
  term(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.alive) this.child.kill('SIGTERM');
    return this.exited;
  }
}

export interface Sent {
  /** the process that acked it, or null when none did */
  by: string | null;
  status: number;
  /** processes that refused it (503) or could not be reached first */
  refused: string[];
  /** a transport error after the request reached a process (it died with the request) */
  lost: string | null;
  /** the answer's body (an acknowledgement is empty; "please try again" carries its text) */
  body?: string;
}

/**
 * A signed slash command as Slack sends it, to processes[start] or, when that one refuses
 * (503, connection refused), the next live one — a load balancer's retry. A request whose
 * connection breaks after it was sent is not retried (Slack does not retry slash commands).
 */
export async function sendCommand(
  processes: readonly SlackProcess[],
  start: number,
  user: string,
  text: string,
  o: { responseUrl: string; triggerId: string; nowMs: () => number },
): Promise<Sent> {
  const body = slashCommandBody({ user_id: user, text, response_url: o.responseUrl, trigger_id: o.triggerId });
  const refused: string[] = [];
  for (let i = 0; i < processes.length * 2; i++) {
    const p = processes[(start + i) % processes.length] as SlackProcess;
    if (!p.alive) {
      refused.push(p.name);
      continue;
    }
    try {
      const r = await fetch(`${p.url}/slack/events`, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...signSlackRequest(SLACK_SECRET, body, Math.floor(o.nowMs() / 1000)),
        },
        signal: AbortSignal.timeout(15_000),
      });
      const text = await r.text();
      if (r.status === 503) {
        refused.push(p.name);
        continue;
      }
      return { by: r.status === 200 ? p.name : null, status: r.status, refused, lost: null, body: text };
    } catch (e) {
      const code = (e as { cause?: { code?: string } }).cause?.code;
      if (code === 'ECONNREFUSED') {
        refused.push(p.name);
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      return { by: null, status: 0, refused, lost: p.name };
    }
  }
  return { by: null, status: 0, refused, lost: null };
}
