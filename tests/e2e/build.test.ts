/**
 * The build (issue 19 §3): a newcomer's `npm start` compiles the bot to dist/ and runs the
 * compiled JavaScript with no TypeScript loader, and the compiled bot finds data/, the prisma
 * migrations and node_modules from the package root exactly as the sources do.
 *
 * It works on a copy of the package in a temporary directory (node_modules linked), so it never
 * touches the repository's own dist/: `npm start` there runs the real prestart (the staleness
 * check, then the build), then `node dist/main.js` with `/csirt help` on a pipe; while that process
 * is alive its command line is read from /proc, which is what `ps` shows.
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { ENTRY, START_ENV, START_FLAGS, staleReason, startCommand } from '../../scripts/build.mjs';
import { ROOT } from '../../src/app.ts';

const HELP = 'ご利用いただけるコマンド';

/** The package as an install has it: sources, data, migrations, the build script; node_modules linked. */
function copyPackage(): string {
  const pkg = mkdtempSync(join(tmpdir(), 'csirt-build-'));
  for (const f of ['package.json', 'tsconfig.json']) cpSync(join(ROOT, f), join(pkg, f));
  for (const d of ['src', 'commands', 'data', 'prisma']) {
    cpSync(join(ROOT, d), join(pkg, d), {
      recursive: true,
      // a developer's SQLite files and exports are not part of the package
      filter: (p) => !/[/\\]data[/\\](out|[^/\\]*\.db[^/\\]*)$/.test(p),
    });
  }
  mkdirSync(join(pkg, 'scripts'));
  cpSync(join(ROOT, 'scripts', 'build.mjs'), join(pkg, 'scripts', 'build.mjs'));
  symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'), 'dir');
  return pkg;
}

/** Every descendant process of `pid` (Linux /proc), with its argv and environment. */
function descendants(pid: number): { pid: number; argv: string[]; env: string[] }[] {
  const out: { pid: number; argv: string[]; env: string[] }[] = [];
  const walk = (p: number) => {
    let kids: number[] = [];
    try {
      for (const t of readdirSync(`/proc/${p}/task`)) {
        kids.push(...readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
      }
    } catch {
      kids = [];
    }
    for (const k of kids) {
      try {
        const argv = readFileSync(`/proc/${k}/cmdline`, 'utf8').split('\0').filter(Boolean);
        const env = readFileSync(`/proc/${k}/environ`, 'utf8').split('\0').filter(Boolean);
        out.push({ pid: k, argv, env });
      } catch {}
      walk(k);
    }
  };
  walk(pid);
  return out;
}

interface Started {
  stdout: string;
  stderr: string;
  code: number;
  /** the bot process as the process list showed it while it answered */
  bot: { argv: string[]; env: string[] } | undefined;
  /** every process under `npm start` at that moment */
  tree: { argv: string[] }[];
}

/**
 * `npm start` in `pkg` with `script` on a pipe: the pipe stays open until the help answer is
 * out, the process tree is read, then it closes and the bot exits at the end of its input.
 */
function npmStart(pkg: string, script: string, timeoutMs: number): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['start', '--silent'], {
      cwd: pkg,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: pkg,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        DATABASE_URL: `file:${join(pkg, 'run', 'bot.db')}`,
        npm_config_update_notifier: 'false',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let seen: Pick<Started, 'bot' | 'tree'> | null = null;
    child.stdout.on('data', (d) => {
      stdout += d;
      if (!seen && stdout.includes(HELP) && child.pid) {
        const tree = descendants(child.pid);
        seen = {
          tree,
          bot: tree.find((p) => /(^|\/)node$/.test(p.argv[0] ?? '') && p.argv.some((a) => a.endsWith('main.js'))),
        };
        child.stdin.end();
      }
    });
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`npm start did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code: code ?? -1, bot: seen?.bot, tree: seen?.tree ?? [] });
    });
    child.stdin.write(script);
  });
}

describe('npm start runs the compiled bot', () => {
  let pkg: string;
  let first: Started;
  beforeAll(async () => {
    pkg = copyPackage();
    first = await npmStart(pkg, '/csirt help\n/csirt org list\n', 240_000);
  }, 300_000);
  afterAll(() => {
    if (pkg) rmSync(pkg, { recursive: true, force: true });
  });

  test('a fresh package builds dist/ first, then answers from a pipe', () => {
    assert.equal(first.code, 0, `${first.stdout}\n${first.stderr}`);
    assert.match(first.stderr, /building dist\/ \(dist\/ has not been built\)/);
    assert.ok(first.stdout.includes(HELP), first.stdout);
    // the default directory (data/directory.json) seeded the database the migrations created
    assert.ok(first.stdout.includes('農林水産省'), first.stdout);
    assert.ok(existsSync(join(pkg, ENTRY)));
  });

  test('the bot process is plain node on dist/main.js: no TypeScript loader anywhere', () => {
    assert.ok(first.bot, `no main.js process under npm start: ${JSON.stringify(first.tree)}`);
    const [, ...args] = first.bot.argv;
    // no --import/--loader/--require/--experimental-* before the script: execArgv is only the
    // memory settings every start uses
    assert.deepEqual(args, [...START_FLAGS, ENTRY]);
    const nodeOptions = first.bot.env.find((e) => e.startsWith('NODE_OPTIONS='));
    assert.ok(!nodeOptions || !/tsx|loader|import|require/.test(nodeOptions), nodeOptions);
    for (const p of first.tree) assert.ok(!p.argv.some((a) => /tsx|ts-node|\.ts$/.test(a)), p.argv.join(' '));
  });

  test('npm start, the systemd unit and the bench start the bot alike: node options and environment', () => {
    // issue 19: what the bench measures at idle is the bot as it is deployed
    assert.ok(first.bot);
    for (const [k, v] of Object.entries(START_ENV)) assert.ok(first.bot.env.includes(`${k}=${v}`), `${k}=${v}`);
    const pkgJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
    assert.equal(pkgJson.scripts.start, startCommand());
    const unit = readFileSync(join(ROOT, 'deploy', 'csirt-poc-bot.service'), 'utf8');
    assert.deepEqual(unit.match(/^ExecStart=.*$/gm), [`ExecStart=/usr/bin/node ${[...START_FLAGS, ENTRY].join(' ')}`]);
    for (const [k, v] of Object.entries(START_ENV)) assert.match(unit, new RegExp(`^Environment=${k}=${v}$`, 'm'));
    const bench = readFileSync(join(ROOT, 'tests', 'bench', 'commands.ts'), 'utf8');
    assert.match(bench, /execArgv: \[\.\.\.START_FLAGS, \.\.\.execArgv\], env: START_ENV/);
  });

  test('dist/ holds compiled code only: data/ and prisma/ are read from the package root', () => {
    const files = readdirSync(join(pkg, 'dist'), { recursive: true, encoding: 'utf8' });
    const code = files.filter((f) => f.endsWith('.js'));
    assert.ok(code.length > 1, files.join(' '));
    assert.deepEqual(
      files.filter((f) => !/\.js(\.map)?$|^chunks$|^\.build-stamp$/.test(f)),
      [],
      'nothing but compiled code and its maps',
    );
    for (const f of code) {
      const js = readFileSync(join(pkg, 'dist', f), 'utf8');
      // not a single TypeScript file left to load at run time, no path into the sources
      assert.ok(!/["'][^"'\n]*\.ts["']/.test(js.replace(/\/\/.*$/gm, '')), `${f} names a .ts file`);
      // issue 19: ASCII, so that V8 keeps its source at one byte a character (scripts/build.mjs asciiOnly)
      assert.ok(/^[\x00-\x7f]*$/.test(js), `${f} has a non-ASCII character: ${/[^\x00-\x7f].{0,40}/.exec(js)?.[0]}`);
    }
  });

  test('what only a configured deployment needs is not loaded at start: platform clients, nodemailer', () => {
    // the modules dist/main.js imports statically, followed through its chunks; a dynamic
    // import() (a platform adapter, the e-mail seam) is where loading waits for the configuration
    const seen = new Set<string>();
    const packages = new Set<string>();
    const follow = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const js = readFileSync(file, 'utf8');
      for (const m of js.matchAll(
        /^\s*(?:import|export)\s[^;'"]*?from\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']/gm,
      )) {
        const spec = (m[1] ?? m[2]) as string;
        if (spec.startsWith('.')) follow(join(dirname(file), spec));
        else packages.add(spec);
      }
    };
    follow(join(pkg, 'dist', 'main.js'));
    assert.ok(seen.size > 1 && packages.size > 3, `followed ${seen.size} files, ${[...packages].join(' ')}`);
    const eager = [...packages].filter((p) => /^(nodemailer|@slack\/|@mattermost\/)/.test(p));
    assert.deepEqual(eager, [], 'loaded at every start although only a deployment that uses them needs them');
    // issue 19: zod is compiled in (scripts/build.mjs BUNDLED), only the parts the bot uses —
    // from node_modules its 95 modules (every locale, the JSON-schema importer) were parsed at each start
    assert.ok(!packages.has('zod'), 'dist/ imports zod from node_modules');
    const zodParts = readdirSync(join(pkg, 'dist'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.js'))
      .flatMap((f) => [...readFileSync(join(pkg, 'dist', f), 'utf8').matchAll(/^\/\/ \S*node_modules\/zod\/(\S+)$/gm)])
      .map((m) => m[1] as string);
    assert.ok(zodParts.includes('v4/classic/schemas.js'), zodParts.join(' '));
    assert.deepEqual(
      zodParts.filter((f) => /locales\/(?!en\.js)|from-json-schema|compile\.js/.test(f)),
      [],
      'parts of zod the bot does not use',
    );
  });

  test('the console bot answering /csirt help loads no platform adapter, client library, e-mail, picture code or holiday table', async () => {
    // every module the running process loads, as Node's module hooks see them: ESM files and
    // the CommonJS packages they import (the static check above cannot see a dynamic import())
    const log = join(pkg, 'run', 'loaded.txt');
    const hooks = join(pkg, 'run', 'hooks.mjs');
    writeFileSync(
      hooks,
      `import { appendFileSync } from 'node:fs';\n` +
        `export async function load(url, context, next) { appendFileSync(${JSON.stringify(log)}, url + '\\n'); return next(url, context); }\n`,
    );
    const register = join(pkg, 'run', 'register.mjs');
    // and, at exit, every CommonJS module in require's cache (those loaded by createRequire too)
    writeFileSync(
      register,
      `import { appendFileSync } from 'node:fs';\nimport { createRequire, register } from 'node:module';\n` +
        `register(${JSON.stringify(`file://${hooks}`)});\nconst require = createRequire(import.meta.url);\n` +
        `process.on('exit', () => appendFileSync(${JSON.stringify(log)}, Object.keys(require.cache).join('\\n') + '\\n'));\n`,
    );
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const p = spawn(process.execPath, [...START_FLAGS, '--import', register, ENTRY], {
        cwd: pkg,
        env: {
          PATH: process.env.PATH ?? '',
          ...START_ENV,
          PORT: '0',
          HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
          DATABASE_URL: `file:${join(pkg, 'run', 'bot.db')}`,
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d) => (stdout += d));
      p.stderr.on('data', (d) => (stderr += d));
      p.on('close', (code) => resolve({ code, stdout, stderr }));
      p.stdin.end('/csirt help\n');
    });
    assert.equal(out.code, 0, out.stderr);
    assert.ok(out.stdout.includes(HELP), out.stdout);
    const loaded = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    assert.ok(
      loaded.some((u) => u.endsWith('/dist/main.js')) &&
        loaded.some((u) => /\/dist\/chunks\/console-/.test(u)) &&
        loaded.some((u) => u.endsWith('/node_modules/better-sqlite3/lib/index.js')),
      loaded.join('\n'),
    );
    const unwanted =
      /\/node_modules\/(@slack|@mattermost|nodemailer|@napi-rs|@fontsource|zod|@holiday-jp)\/|\/dist\/chunks\/(slack|mattermost|mail)-/;
    assert.deepEqual(
      loaded.filter((u) => unwanted.test(u)),
      [],
      'loaded by a console bot answering /csirt help',
    );
    // Prisma's runtime (208 kB of CommonJS) is required, not imported: an import made Node compile
    // it to detect its format and lex it for its export names first (scripts/build.mjs REQUIRED)
    const runtime = '/node_modules/@prisma/client/runtime/client.js';
    assert.ok(
      loaded.some((u) => !u.startsWith('file:') && u.endsWith(runtime)),
      'Prisma runtime not in the require cache',
    );
    assert.deepEqual(
      loaded.filter((u) => u.startsWith('file:') && u.endsWith(runtime)),
      [],
      'Prisma runtime imported',
    );
  }, 120_000);

  test('a second start with dist/ fresh does not build again', async () => {
    assert.equal(staleReason(pkg), null);
    const again = await npmStart(pkg, '/csirt help\n', 120_000);
    assert.equal(again.code, 0, again.stderr);
    assert.ok(again.stdout.includes(HELP));
    assert.ok(!again.stderr.includes('building dist/'), again.stderr);
  });

  test('dist/ is stale after any source, table or setting changes, and not after the bot writes data/', () => {
    const at = (path: string, ms: number) => utimesSync(path, new Date(ms), new Date(ms));
    const stamp = join(pkg, 'dist', '.build-stamp');
    // every input made old, so that each case below starts from a fresh build
    const age = (path: string) => {
      for (const e of readdirSync(path, { withFileTypes: true })) {
        if (e.isDirectory()) age(join(path, e.name));
        else at(join(path, e.name), 0);
      }
      at(path, 0);
    };
    const ageAll = () => {
      for (const d of ['src', 'commands', 'data']) age(join(pkg, d));
      for (const f of ['package.json', 'tsconfig.json', 'scripts/build.mjs']) at(join(pkg, f), 0);
    };
    ageAll();
    assert.equal(staleReason(pkg), null);

    // what the bot itself writes into data/ (its database, exports) is not a source
    mkdirSync(join(pkg, 'data', 'out'), { recursive: true });
    writeFileSync(join(pkg, 'data', 'out', 'export.json'), '{}');
    writeFileSync(join(pkg, 'data', 'csirt-poc-bot.db'), '');
    writeFileSync(join(pkg, 'data', 'csirt-poc-bot.db-wal'), '');
    assert.equal(staleReason(pkg), null);

    const cases: [string, (t: number) => void, RegExp][] = [
      ['a source edited', (t) => at(join(pkg, 'src', 'main.ts'), t), /^src /],
      ['a command edited', (t) => at(join(pkg, 'commands', 'help.ts'), t), /^commands /],
      ['a source deleted', () => rmSync(join(pkg, 'src', 'domain', 'text.ts')), /^src /],
      ['a command added', () => writeFileSync(join(pkg, 'commands', 'new.ts'), ''), /^commands /],
      ['a table imported by the domain edited', (t) => at(join(pkg, 'data', 'catalog', 'v2.json'), t), /^data /],
      ['the Prisma client generated again', (t) => at(join(pkg, 'src/db/generated/sqlite/client.ts'), t), /^src /],
      ['the build itself changed', (t) => at(join(pkg, 'scripts', 'build.mjs'), t), /^scripts\/build\.mjs /],
      ['the compiler settings changed', (t) => at(join(pkg, 'tsconfig.json'), t), /^tsconfig\.json /],
    ];
    const built = Date.now() - 60_000;
    for (const [what, change, reason] of cases) {
      // a build after every input's last change (the earlier cases' changes undone)
      ageAll();
      at(stamp, built);
      assert.equal(staleReason(pkg), null, what);
      change(built + 5_000);
      assert.match(staleReason(pkg) ?? 'fresh', reason, what);
    }
    rmSync(stamp);
    assert.equal(staleReason(pkg), 'dist/ has not been built');
  });
});
