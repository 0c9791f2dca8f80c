#!/usr/bin/env node
// npm run package [-- --out <dir>]: one archive for a closed network (issue 22 item 6;
// docs/operations.md "Closed-network package"). It holds what the bot needs to start on a machine
// with Node and nothing else — no registry, no compiler, no TypeScript loader:
//   dist/              the bot and the operator scripts compiled by esbuild (scripts/build.mjs's
//                      options): dist/main.js, dist/scripts/{db-migrate,audit-verify,backup,
//                      restore,retention,erase}.js, and dist/.build-stamp (version and commit)
//   node_modules/      the production dependencies exactly as installed here, native builds
//                      included (better-sqlite3, @napi-rs/canvas's platform package): the packages
//                      package-lock.json does not mark dev or devOptional (the Prisma CLI and its
//                      tools are devOptional, optional peers of @prisma/client)
//   src/db/generated/<provider>/query_compiler_bg.wasm   Prisma's query compiler (src/db/query-compiler.ts)
//   prisma/<provider>/ the schema and migrations of both providers; data/ the shipped tables (no databases)
//   package.json       the same name, version and dependencies; scripts that run dist/
// Native code ties the archive to this platform, CPU and Node ABI: its name says which
// (csirt-poc-bot-<version>-linux-x64-node115.tar.gz); build it on the same platform and Node major
// as the target. A .sha256 file is written beside it.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { esbuildOptions, startCommand } from './build.mjs';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
/** The operator scripts shipped compiled, each as `npm run <name>` in the package. */
const SCRIPTS = ['db-migrate', 'audit-verify', 'backup', 'restore', 'retention', 'erase'];

function args(argv) {
  let out = join(ROOT, 'release');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && argv[i + 1]) out = resolve(argv[++i]);
    else {
      console.error(`package: unknown argument ${argv[i]} (usage: npm run package [-- --out <dir>])`);
      process.exit(2);
    }
  }
  return { out };
}

/** The installed production packages (node_modules/… paths) per package-lock.json. */
function productionPackages() {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
  return Object.entries(lock.packages)
    .filter(([path, p]) => path.startsWith('node_modules/') && !p.dev && !p.devOptional)
    .map(([path]) => path)
    .filter((path) => existsSync(join(ROOT, path)));
}

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'unknown';
  }
}

const { out } = args(process.argv.slice(2));
const started = Date.now();
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const name = `${pkg.name}-${pkg.version}-${process.platform}-${process.arch}-node${process.versions.modules}`;
const stage = mkdtempSync(join(tmpdir(), 'csirt-package-'));
const dir = join(stage, name);
try {
  mkdirSync(dir);
  // 1. compiled code: the bot and the operator scripts, one esbuild run (shared chunks)
  const { build } = await import('esbuild');
  const entryPoints = {
    main: 'src/main.ts',
    ...Object.fromEntries(SCRIPTS.map((s) => [`scripts/${s}`, `scripts/${s}.ts`])),
  };
  await build(esbuildOptions(ROOT, entryPoints, join(dir, 'dist')));
  writeFileSync(join(dir, 'dist', '.build-stamp'), `${new Date(started).toISOString()}\n${gitCommit()}\n`);
  // 2. what the compiled code reads from the package root at run time
  for (const p of ['sqlite', 'postgresql']) {
    // the migrations and the schema the migrator's engine reads (src/db/migrator.ts)
    cpSync(join(ROOT, 'prisma', p), join(dir, 'prisma', p), { recursive: true });
    const wasm = join('src', 'db', 'generated', p, 'query_compiler_bg.wasm');
    if (!existsSync(join(ROOT, wasm))) throw new Error(`${wasm} is missing: run npm ci (or npm run db:generate) first`);
    cpSync(join(ROOT, wasm), join(dir, wasm));
  }
  cpSync(join(ROOT, 'data'), join(dir, 'data'), {
    recursive: true,
    // the tables only: no database, export or anchor file of this machine
    filter: (p) => !/[/\\]data[/\\](out|[^/\\]*\.db[^/\\]*|[^/\\]*\.log)$/.test(p),
  });
  for (const f of ['README.md', '.env.example']) cpSync(join(ROOT, f), join(dir, f));
  cpSync(join(ROOT, 'docs', 'operations.md'), join(dir, 'docs', 'operations.md'));
  cpSync(join(ROOT, 'deploy'), join(dir, 'deploy'), { recursive: true });
  // 3. production dependencies as installed here (native builds included); a nested
  //    node_modules is copied only for the packages the lock lists there as production
  const packages = productionPackages();
  for (const path of packages) {
    cpSync(join(ROOT, path), join(dir, path), {
      recursive: true,
      dereference: true,
      filter: (src) => !(src !== join(ROOT, path) && basename(src) === 'node_modules' && statSync(src).isDirectory()),
    });
  }
  // 4. package.json: the same identity and dependencies, scripts that run the compiled code
  const run = (s) => `node dist/scripts/${s}.js`;
  const shipped = {
    name: pkg.name,
    version: pkg.version,
    private: true,
    description: pkg.description,
    type: 'module',
    license: pkg.license,
    engines: pkg.engines,
    scripts: {
      start: startCommand(),
      'db:migrate': run('db-migrate'),
      'audit:verify': run('audit-verify'),
      backup: run('backup'),
      restore: run('restore'),
      retention: run('retention'),
      erase: run('erase'),
    },
    dependencies: pkg.dependencies,
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(shipped, null, 2)}\n`);
  // 5. one archive and its checksum
  mkdirSync(out, { recursive: true });
  const archive = join(out, `${name}.tar.gz`);
  rmSync(archive, { force: true });
  execFileSync('tar', ['-czf', archive, '-C', stage, name], { stdio: 'inherit' });
  const sha = createHash('sha256').update(readFileSync(archive)).digest('hex');
  writeFileSync(`${archive}.sha256`, `${sha}  ${name}.tar.gz\n`);
  const mb = (statSync(archive).size / 1e6).toFixed(1);
  console.log(
    `package written: ${archive} (${mb} MB, ${packages.length} production packages, ${((Date.now() - started) / 1000).toFixed(1)} s)\nsha256 ${sha}`,
  );
} finally {
  rmSync(stage, { recursive: true, force: true });
}
