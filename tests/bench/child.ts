/**
 * Child processes of the benchmark (the bot under load, the bare bolt floor, the fake Slack),
 * each its own Node process so that the load generator's work is not measured with theirs.
 * A tiny RPC over the IPC channel: the parent calls `rpc(name, arg)`, the child answers.
 */
import { type ChildProcess, fork } from 'node:child_process';
export interface Child<Ready> {
  proc: ChildProcess;
  ready: Ready;
  rpc<T = unknown>(name: string, arg?: unknown): Promise<T>;
  /** asks the child to stop, then waits for it to exit (killed after `ms`) */
  stop(ms?: number): Promise<void>;
}

type Msg = { id?: number; ready?: unknown; result?: unknown; error?: string };

export async function startChild<Ready>(
  entry: string,
  input: unknown,
  /** compiled: `entry` is JavaScript (compile.ts), run without the TypeScript loader */
  opts: { execArgv?: string[]; env?: Record<string, string>; compiled?: boolean } = {},
): Promise<Child<Ready>> {
  const proc = fork(entry, [], {
    execArgv: [...(opts.compiled ? [] : ['--import', 'tsx']), ...(opts.execArgv ?? [])],
    env: { ...process.env, ...opts.env, BENCH_CHILD_INPUT: JSON.stringify(input) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 1;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const ready = await new Promise<Ready>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${entry} exited (${code}) before it was ready`));
    proc.once('exit', onExit);
    proc.on('message', (m: Msg) => {
      if ('ready' in m) {
        proc.off('exit', onExit);
        resolve(m.ready as Ready);
        return;
      }
      const p = m.id === undefined ? undefined : pending.get(m.id);
      if (!p) return;
      pending.delete(m.id as number);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.result);
    });
  });
  proc.once('exit', () => {
    for (const p of pending.values()) p.reject(new Error(`${entry} exited`));
    pending.clear();
  });
  return {
    proc,
    ready,
    rpc<T>(name: string, arg?: unknown) {
      const id = next++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        proc.send({ id, name, arg });
      });
    },
    async stop(ms = 15_000) {
      if (proc.exitCode !== null) return;
      proc.send({ id: 0, name: 'stop' });
      const t = setTimeout(() => proc.kill('SIGKILL'), ms);
      await exited;
      clearTimeout(t);
    },
  };
}

/** In a child: reads the input, announces readiness, serves the RPCs; `stop` ends the process. */
export interface Served {
  ready: unknown;
  handlers: Record<string, (arg: unknown) => unknown>;
  stop(): Promise<void>;
}

export function serveChild<Input>(start: (input: Input) => Promise<Served>): void {
  const input = JSON.parse(process.env.BENCH_CHILD_INPUT ?? '{}') as Input;
  start(input).then(
    ({ ready, handlers, stop }) => {
      process.on('message', (m: { id: number; name: string; arg?: unknown }) => {
        if (m.name === 'stop') {
          void stop().finally(() => process.exit(0));
          return;
        }
        const h = handlers[m.name];
        Promise.resolve()
          .then(() => (h ? h(m.arg) : Promise.reject(new Error(`no handler ${m.name}`))))
          .then(
            (result) => process.send?.({ id: m.id, result }),
            (e: unknown) => process.send?.({ id: m.id, error: String((e as Error)?.stack ?? e) }),
          );
      });
      process.on('disconnect', () => void stop().finally(() => process.exit(0)));
      process.send?.({ ready });
    },
    (e: unknown) => {
      process.stderr.write(`bench child failed to start: ${(e as Error)?.stack ?? e}\n`);
      process.exit(1);
    },
  );
}
