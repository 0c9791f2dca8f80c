/**
 * The places where the bot relies on a library's internals, with no public API to use instead
 * (issue 19, item 6). Each library is pinned to one exact version in package.json; each test
 * here fails loudly when an upgrade changes the shape we rely on, before anything subtler breaks.
 * - the query compiler of each generated Prisma client, loaded from a .wasm file
 *   (scripts/db-generate.mjs, src/db/query-compiler.ts);
 * - the schema engine's wasm-bindgen glue, which the migrator instantiates itself
 *   (src/db/migrator.ts: `__wbg_set_wasm`, `__wbindgen_start`, imports from `./schema_engine_bg.js`);
 * - the V8 flag set at run time (src/db/wasm.ts: `--liftoff-only`).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'vitest';
import { base64Loader, fileLoader, PROVIDERS, useWasmFile } from '../../../scripts/db-generate.mjs';
import { ROOT } from '../../../src/app.ts';
import { queryCompilerModule, queryCompilerPath } from '../../../src/db/query-compiler.ts';

const require = createRequire(join(ROOT, 'package.json'));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const installed = (name: string) =>
  (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

test('the libraries whose internals we rely on are pinned to the exact version installed', () => {
  for (const name of ['@prisma/client', 'prisma', '@prisma/schema-engine-wasm']) {
    const spec = pkg.dependencies[name] ?? pkg.devDependencies[name];
    assert.match(String(spec), /^\d+\.\d+\.\d+(-[\w.]+)?$/, `${name} is pinned exactly (not ${spec})`);
    assert.equal(installed(name), spec, `${name}: installed is the pinned version`);
  }
});

test('each generated client loads its query compiler from the .wasm file db-generate wrote', async () => {
  for (const provider of PROVIDERS) {
    const cls = readFileSync(join(ROOT, 'src', 'db', 'generated', provider, 'internal', 'class.ts'), 'utf8');
    assert.ok(cls.includes(fileLoader(provider)), `${provider}: the client loads the .wasm file`);
    assert.ok(!cls.includes('.wasm-base64.'), `${provider}: no base64 module left`);
    const { wasm } = require(`@prisma/client/runtime/query_compiler_fast_bg.${provider}.wasm-base64.js`) as {
      wasm: string;
    };
    assert.ok(
      readFileSync(queryCompilerPath(provider as 'sqlite')).equals(Buffer.from(wasm, 'base64')),
      `${provider}: the file holds the installed client's query compiler, byte for byte`,
    );
    // and what the runtime needs from it: the module compiles and imports what its glue exports
    const mod = await queryCompilerModule(provider as 'sqlite');
    const glue = await import(`@prisma/client/runtime/query_compiler_fast_bg.${provider}.mjs`);
    for (const i of WebAssembly.Module.imports(mod)) {
      assert.equal(i.module, './query_compiler_fast_bg.js', `${provider}: import module name`);
      assert.equal(typeof glue[i.name], 'function', `${provider}: the glue exports ${i.name}`);
    }
  }
});

test('db-generate refuses a generated client whose loader is not the one it knows', () => {
  const dir = mkdtempSync(join(tmpdir(), 'csirt-seam-'));
  try {
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    const cls = join(dir, 'src', 'db', 'generated', 'sqlite', 'internal', 'class.ts');
    mkdirSync(dirname(cls), { recursive: true });
    // what Prisma 7.10 generates: replaced once
    writeFileSync(cls, `config.compilerWasm = {\n${base64Loader('sqlite')}\n}\n`);
    useWasmFile('sqlite', dir);
    assert.ok(readFileSync(cls, 'utf8').includes(fileLoader('sqlite')));
    // anything else (a changed generator): a loud failure, nothing half-done
    writeFileSync(cls, 'config.compilerWasm = { getQueryCompilerWasmModule: async () => other() }\n');
    assert.throws(() => useWasmFile('sqlite', dir), /not the one this script replaces/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the schema engine's glue has what the migrator calls, and its wasm imports only from it", async () => {
  const bg = (await import('@prisma/schema-engine-wasm/schema_engine_bg')) as Record<string, unknown>;
  assert.equal(typeof bg.__wbg_set_wasm, 'function', '__wbg_set_wasm');
  assert.equal(typeof (bg.SchemaEngine as { new?: unknown })?.new, 'function', 'SchemaEngine.new');
  const file = join(dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')), 'schema_engine_bg.wasm');
  const mod = new WebAssembly.Module(readFileSync(file));
  assert.ok(
    WebAssembly.Module.exports(mod).some((e) => e.name === '__wbindgen_start'),
    'the module exports __wbindgen_start',
  );
  for (const i of WebAssembly.Module.imports(mod)) {
    assert.equal(i.module, './schema_engine_bg.js', 'every import comes from the glue module');
    assert.equal(typeof bg[i.name], 'function', `the glue exports ${i.name}`);
  }
});

test('the V8 flag the bot sets at run time exists in this Node', () => {
  const r = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
  assert.match(r.stdout, /^\s+--liftoff-only\b/m, '--liftoff-only (src/db/wasm.ts) is a V8 option of this Node');
});
