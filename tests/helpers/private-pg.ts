/**
 * A PostgreSQL server of a test's own (its own data directory and port, from Debian's
 * `postgresql` package as scripts/pg-test-server.sh uses), for a test that stops and starts the
 * server: the shared test server must never be stopped under the other tests.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

function binDir(): string | null {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(a) - Number(b));
  const v = versions.at(-1);
  return v ? join(base, v, 'bin') : null;
}

export interface PrivatePg {
  url(database?: string): string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** stops the server and deletes its data */
  destroy(): Promise<void>;
}

/** null when PostgreSQL is not installed here. */
export async function startPrivatePg(port: number): Promise<PrivatePg | null> {
  const bin = binDir();
  if (!bin) return null;
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'csirt-private-pg-'));
  const data = join(dir, 'data');
  const asPg = (cmd: string, args: string[]) =>
    root ? run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]) : run(join(bin, cmd), args);
  if (root) await run('chown', ['postgres:postgres', dir]);
  await asPg('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  const opts = `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=${data} -c fsync=off -c max_connections=100`;
  const pg: PrivatePg = {
    url: (database = 'postgres') => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    async start() {
      await asPg('pg_ctl', ['-D', data, '-l', join(data, 'server.log'), '-w', '-t', '60', '-o', opts, 'start']);
    },
    async stop() {
      await asPg('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
    },
    async destroy() {
      await pg.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await pg.start();
  return pg;
}
