/**
 * One AsyncLocalStorage for everything that follows a caller's async context: the database
 * scope (scope.ts: the transaction and the journal's guard), what a caller of `db.tx` wants of
 * its start (reserved-lane.ts) and the outbox's derived ids (src/outbox/outbox.ts). Each is a
 * slot of one store.
 *
 * Why one, not one each: on Node 20 every AsyncLocalStorage that has ever been run is called
 * when any promise is created afterwards (async_hooks' init hook: `_propagate`), and stores its
 * value on that promise as a property of its own. A report makes ~200 promises (Bolt, Prisma,
 * ours); with three storages each promise took three calls and three properties, which grew its
 * property array twice (issue 19 item 7: the init hook was the largest single allocation site of
 * a report, ~24 kB of its ~244 kB, measured with `npm run bench -- --heap-prof`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

type Slots = { readonly [slot: symbol]: unknown };

const storage = new AsyncLocalStorage<Slots>();

export interface ContextSlot<T> {
  /** the value of the current async context (undefined outside any `run` of this slot) */
  get(): T | undefined;
  /** runs `fn` with this slot set to `value` (undefined: as outside), the other slots as they are */
  run<R>(value: T | undefined, fn: () => R): R;
}

export function contextSlot<T>(name: string): ContextSlot<T> {
  const key = Symbol(name);
  return {
    get: () => storage.getStore()?.[key] as T | undefined,
    run: <R>(value: T | undefined, fn: () => R): R => storage.run({ ...storage.getStore(), [key]: value }, fn),
  };
}
