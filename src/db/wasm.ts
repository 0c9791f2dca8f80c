/**
 * Prisma's WebAssembly (the query compiler of every client, the schema engine of the migrator)
 * is compiled by V8's baseline compiler only. By default V8 also recompiles the hot functions
 * of a module with its optimising compiler in background threads: for the 3 MB query compiler
 * that cost ~50 MB of resident memory that stayed at idle (code plus compiler memory malloc
 * keeps), and CPU taken from the requests on a small machine, for no measurable gain: a
 * query's plan is compiled once per shape. Measured in tests/bench (commands), issue #11.
 */
import { setFlagsFromString } from 'node:v8';

let applied = false;

/** Call before the first WebAssembly module is compiled; later calls do nothing. */
export function baselineWasmOnly(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString('--liftoff-only');
}
