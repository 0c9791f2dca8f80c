#!/usr/bin/env node
// npm run build: compiles the bot — src/main.ts and everything it imports: src/, commands/, the
// Prisma clients generated into src/db/generated/, the JSON tables of data/ — to JavaScript in
// dist/ with esbuild (one bundle, split where main.ts imports a platform adapter lazily, so a
// platform's code still loads only when configured), from a clean dist/. node_modules stay
// outside (imported at run time), and data/, prisma/ are read from the package root at run time
// (src/package-root.ts): dist/ holds compiled code only.
// Why esbuild, not tsc: tsc's emit needs the type checker (import elision) and took 58 s at
// load 11 (19 s of CPU) here; esbuild takes about a second. Types are checked by `npm run check`.
//   node scripts/build.mjs --if-stale   builds only when dist/ is missing or older than its
//                                        sources (npm start runs this first: a few ms when fresh)
// dist/.build-stamp marks a finished build; its time is the build's START, so a source saved
// while it ran is seen as newer and the next start builds again.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const STAMP = join('dist', '.build-stamp');
/**
 * What the build reads: a change to any of these makes dist/ stale. In src/ and commands/ a
 * directory's own time counts too (a file deleted or renamed); data/ is the bot's working
 * directory as well (its SQLite file, data/out/), so there only the .json tables count.
 */
const INPUTS = [
  ['src', { dirs: true }],
  ['commands', { dirs: true }],
  ['data', { dirs: false, skip: ['out'] }],
  ['tsconfig.json', {}],
  ['scripts/build.mjs', {}],
  ['package.json', {}],
];

/** The newest modification time (ms) under `path`: its .ts and .json files (and directories). */
function newest(path, opts) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let max = opts.dirs ? st.mtimeMs : 0;
  for (const e of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, e.name);
    if (e.isDirectory()) {
      if (!opts.skip?.includes(e.name)) max = Math.max(max, newest(p, opts));
    } else if (/\.(ts|mts|json)$/.test(e.name)) max = Math.max(max, statSync(p).mtimeMs);
  }
  return max;
}

/** Why root's dist/ must be built again, or null when it is up to date. */
export function staleReason(root = ROOT) {
  const stamp = join(root, STAMP);
  if (!existsSync(stamp)) return 'dist/ has not been built';
  const built = statSync(stamp).mtimeMs;
  for (const [input, opts] of INPUTS) {
    if (newest(join(root, input), opts) > built) return `${input} changed since the last build`;
  }
  return null;
}

/** The compiled entry point `npm start` runs. */
export const ENTRY = 'dist/main.js';

/**
 * How the bot process is started: `npm start` (package.json), the shipped package's start
 * (scripts/package.mjs), the systemd unit (deploy/csirt-poc-bot.service) and the bench's bot
 * processes (tests/bench) all start it so; tests/e2e/build.test.ts holds them to these.
 * Both settings are for the resident memory of a process that mostly waits (issue 19, measured
 * with tests/bench "RSS of the bot at idle", 50 organisations seeded, Slack mode, SQLite):
 * - `--max-semi-space-size=4` (MB): V8's young generation grows to 2 × 16 MB under the
 *   allocations of the start and stays that size while the process idles; at 4 MB the same
 *   start left ~22 MB less resident.
 * - `MALLOC_ARENA_MAX=2`: V8's background compiler threads each got a malloc arena of their
 *   own, and what they freed stayed resident in it (~11 MB at idle); two arenas are shared.
 */
export const START_FLAGS = ['--max-semi-space-size=4'];
export const START_ENV = { MALLOC_ARENA_MAX: '2' };

/** The start command as a shell (npm's scripts) runs it. */
export function startCommand() {
  const env = Object.entries(START_ENV).map(([k, v]) => `${k}=${v}`);
  return [...env, 'node', ...START_FLAGS, ENTRY].join(' ');
}

/** The checked-out commit, or 'unknown' (no git, or not a repository). */
function gitCommit(root) {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'unknown';
  }
}

/**
 * The esbuild options of the build (tests/bench compiles its bot processes with the same ones, so
 * that the bench measures the bot as `npm start` runs it).
 */
export function esbuildOptions(root = ROOT, entryPoints = ['src/main.ts'], outdir = 'dist') {
  return {
    absWorkingDir: root,
    entryPoints,
    outdir,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.10',
    // node_modules stay outside, but for the packages of BUNDLED (bundleOnly)
    plugins: [requiredCjs, bundleOnly, asciiOutput],
    // class and function names as written (errors and logs name them)
    keepNames: true,
    // dist/*.js.map: `node --enable-source-maps dist/main.js` shows the sources' lines
    sourcemap: 'linked',
    // the outputs' list, for asciiOutput
    metafile: true,
    logLevel: 'warning',
  };
}

/**
 * Writes each compiled file as ASCII. esbuild escapes the characters of strings and templates
 * but leaves those of regular expressions (the Japanese date and list patterns), of a tagged
 * template's text and of comments as written, and a single non-ASCII character makes V8 keep a
 * file's whole source as two bytes a character for the life of the process: dist/main.js
 * ~1.4 MB instead of ~0.7 (issue 19, the idle RSS). `\uXXXX` is the same character in a regular
 * expression (an astral one as its two halves, with or without the u flag), in a tagged
 * template's cooked text (html`` reads that one) and in a comment. After a backslash it would
 * not be: the build stops instead. (The source maps' columns after an escape on its line are
 * off by its length.)
 */
export function asciiOnly(code, file = 'the code') {
  const escaped = /\\[^\x00-\x7f]/.exec(code);
  if (escaped) throw new Error(`${file}: an escaped non-ASCII character (${escaped[0]}) cannot be written as \\uXXXX`);
  return code.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The packages compiled into dist/ instead of imported from node_modules at run time.
 * - zod: `import { z } from 'zod'` loads 95 ESM modules (854 kB: every locale, the JSON-schema
 *   converters) that Node parses and links at each start; compiled in, only what the bot uses.
 */
export const BUNDLED = ['zod'];

/** esbuild plugin: every other package (a bare import) stays external, as `packages: 'external'`. */
const bundleOnly = {
  name: 'bundle-only',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { external: true };
      const name = args.path
        .split('/')
        .slice(0, args.path.startsWith('@') ? 2 : 1)
        .join('/');
      return BUNDLED.includes(name) ? undefined : { path: args.path, external: true };
    });
  },
};

/**
 * CommonJS modules the compiled code loads with require() where the sources import them:
 * - @prisma/client/runtime/client (208 kB; each generated client imports it). Imported, Node
 *   first compiled it to learn its format (@prisma/client's package.json says no "type"), ran
 *   cjs-module-lexer over it for its export names, then compiled it as CommonJS; required, only
 *   the last (issue 19: ~10 % of the CPU of a `/csirt help`, ~4 MB of its peak RSS, at load 8).
 * The importers get the same names (module.exports' own keys, read here at build time) and the
 * same objects: one instance, in require's cache.
 */
export const REQUIRED = ['@prisma/client/runtime/client'];

/** esbuild plugin: REQUIRED modules as small ES modules that require() them. */
const requiredCjs = {
  name: 'required-cjs',
  setup(b) {
    const root = b.initialOptions.absWorkingDir ?? process.cwd();
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      REQUIRED.includes(args.path) ? { path: args.path, namespace: 'required-cjs' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'required-cjs' }, (args) => {
      const names = Object.keys(createRequire(join(root, 'package.json'))(args.path)).filter(
        (k) => k !== 'default' && /^[A-Za-z_$][\w$]*$/.test(k),
      );
      const contents = [
        "import { createRequire } from 'node:module';",
        `const m = createRequire(import.meta.url)(${JSON.stringify(args.path)});`,
        `export const { ${names.join(', ')} } = m;`,
        'export default m;',
      ].join('\n');
      return { contents, loader: 'js', resolveDir: root };
    });
  },
};

/** esbuild plugin: every .js file the build wrote, made ASCII (asciiOnly) once written. */
const asciiOutput = {
  name: 'ascii-output',
  setup(b) {
    b.onEnd((result) => {
      if (result.errors.length > 0 || !result.metafile) return;
      for (const out of Object.keys(result.metafile.outputs)) {
        if (!out.endsWith('.js')) continue;
        const file = resolve(b.initialOptions.absWorkingDir ?? process.cwd(), out);
        const code = readFileSync(file, 'utf8');
        const ascii = asciiOnly(code, file);
        if (ascii !== code) writeFileSync(file, ascii);
      }
    });
  },
};

export async function build(root = ROOT) {
  const started = new Date();
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  const { build: esbuild } = await import('esbuild');
  await esbuild(esbuildOptions(root));
  const stamp = join(root, STAMP);
  // line 2: the commit built, for the version shown in logs, /healthz and /metrics (src/version.ts)
  writeFileSync(stamp, `${started.toISOString()}\n${gitCommit(root)}\n`);
  utimesSync(stamp, started, started);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const ifStale = process.argv.includes('--if-stale');
  const reason = ifStale ? staleReason() : 'npm run build';
  if (reason) {
    const t = Date.now();
    process.stderr.write(`csirt-poc-bot: building dist/ (${reason})…\n`);
    try {
      await build();
    } catch {
      process.stderr.write('csirt-poc-bot: the build failed (see above)\n');
      process.exit(1);
    }
    process.stderr.write(`csirt-poc-bot: built dist/ in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
  }
}
