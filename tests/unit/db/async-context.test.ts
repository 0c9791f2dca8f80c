/**
 * The slots of the one AsyncLocalStorage (src/db/async-context.ts) behave as separate
 * AsyncLocalStorages would: against an oracle of nested runs, each with its own slot and value,
 * crossing awaits and timers, every slot reads the value of its innermost run, whatever the
 * other slots were set to in between, and nothing outside.
 */
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import fc from 'fast-check';
import { test } from 'vitest';
import { contextSlot } from '../../../src/db/async-context.ts';

const SLOTS = 3;

type Step = { slot: number; value: number | undefined; wait: 'none' | 'microtask' | 'timer' };

test('slots read like separate AsyncLocalStorages across nested runs, awaits and timers (property)', async () => {
  const slots = Array.from({ length: SLOTS }, (_, i) => contextSlot<number>(`test slot ${i}`));
  // the oracle: one AsyncLocalStorage per slot, as the code had before
  const separate = Array.from({ length: SLOTS }, () => new AsyncLocalStorage<number | undefined>());
  const pause = (w: Step['wait']) =>
    w === 'microtask' ? Promise.resolve() : w === 'timer' ? new Promise<void>((r) => setTimeout(r, 0)) : undefined;
  const read = () => ({
    slots: slots.map((s) => s.get()),
    oracle: separate.map((s) => s.getStore()),
  });
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({
          slot: fc.integer({ min: 0, max: SLOTS - 1 }),
          value: fc.option(fc.integer({ min: 0, max: 99 }), { nil: undefined }),
          wait: fc.constantFrom<Step['wait']>('none', 'microtask', 'timer'),
        }),
        { maxLength: 6 },
      ),
      fc.integer({ min: 1, max: 3 }),
      async (steps, branches) => {
        const seen: { slots: unknown[]; oracle: unknown[] }[] = [];
        const nest = async (i: number): Promise<void> => {
          await pause(steps[i - 1]?.wait ?? 'none');
          seen.push(read());
          const s = steps[i];
          if (!s) return;
          const slot = slots[s.slot] as (typeof slots)[number];
          const oracle = separate[s.slot] as (typeof separate)[number];
          // branches running at once, each in a run of its own: none sees another's value
          await Promise.all(
            Array.from({ length: branches }, (_, b) => {
              const v = s.value === undefined ? undefined : s.value * 10 + b;
              return slot.run(v, () => oracle.run(v, () => nest(i + 1)));
            }),
          );
          seen.push(read());
        };
        await nest(0);
        seen.push(read());
        for (const r of seen) assert.deepEqual(r.slots, r.oracle);
        assert.deepEqual(read().slots, Array(SLOTS).fill(undefined));
      },
    ),
    { numRuns: 100 },
  );
});
