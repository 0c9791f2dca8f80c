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

/** The file db-generate writes for `provider`'s client. */
export const QUERY_COMPILER_FILE = 'query_compiler_bg.wasm';

export function queryCompilerPath(provider: Provider, root = PACKAGE_ROOT): string {
  return join(root, 'src', 'db', 'generated', provider, QUERY_COMPILER_FILE);
}

/** The compiled module the generated client instantiates (called by the client, once). */
export async function queryCompilerModule(provider: Provider): Promise<WebAssembly.Module> {
  return new WebAssembly.Module(await readFile(queryCompilerPath(provider)));
}
