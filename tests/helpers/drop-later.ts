/**
 * Databases a test file made for later (tests/helpers/console.ts freshDbUrl), dropped when the
 * file ends. The hook is registered by the setup file tests/helpers/file-hooks.ts, which vitest
 * runs before every test file: with `isolate: false` (vitest.config.ts) a helper module is
 * evaluated once per worker, so a hook registered at its top level would run for the first file
 * only, and the others' PostgreSQL databases would stay on the server.
 */
const pending: (() => Promise<void>)[] = [];

export function dropLater(drop: () => Promise<void>): void {
  pending.push(drop);
}

export async function dropPending(): Promise<void> {
  for (const drop of pending.splice(0)) await drop().catch(() => {});
}
