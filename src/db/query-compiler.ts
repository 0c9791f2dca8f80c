/**
 * Prisma's query compiler (WebAssembly, ~3.3 MB) for each generated client, loaded from a plain
 * .wasm file. The generated client would import it as a 4.4 MB JavaScript module holding the
 * bytes as one base64 string: reading, parsing and decoding that module was the largest single
 * cost of a start (0.2–0.9 s of a `/csirt help` from a pipe, measured with --cpu-prof), and the
 * string stayed resident for the life of the process. `npm run db:generate`
 * (scripts/db-generate.mjs) writes the bytes once, next to the generated client, and points the
 * client's loader here. Both are pinned with @prisma/client (exact version in package.json) and
 * tested by tests/unit/db/query-compiler-seam.test.ts, which fails when Prisma changes the shape.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.ts';
import type { Provider } from './provider.ts';
import { baselineWasmOnly } from './wasm.ts';

/** The file db-generate writes for `provider`'s client. */
export const QUERY_COMPILER_FILE = 'query_compiler_bg.wasm';

export function queryCompilerPath(provider: Provider, root = PACKAGE_ROOT): string {
  return join(root, 'src', 'db', 'generated', provider, QUERY_COMPILER_FILE);
}

const compiled = new Map<Provider, Promise<WebAssembly.Module>>();

/**
 * The compiled module the generated client instantiates (called by the client, once, at its
 * first query). The first call starts compiling: asynchronously, on V8's background threads,
 * so openDatabase starts it before it loads the client and the main thread goes on loading
 * and starting the bot meanwhile (issue 19: `new WebAssembly.Module` held the main thread for
 * the whole compile of 3.3 MB at every start).
 */
export function queryCompilerModule(provider: Provider): Promise<WebAssembly.Module> {
  let m = compiled.get(provider);
  if (!m) {
    baselineWasmOnly();
    m = readFile(queryCompilerPath(provider)).then((bytes) => WebAssembly.compile(bytes));
    compiled.set(provider, m);
    // a failure is the client's to report, at its first query; not an unhandled rejection here
    m.catch(() => {});
  }
  return m;
}
