/**
 * The scheduler's clock: after the start-up pass node-cron (`* * * * * *`) wakes it at every
 * whole second of the real clock, and after stop() it wakes no more. (node-cron is one of the
 * packages the product was specified with; it formats the time with Intl at each tick, which
 * keeps ICU's date data resident — a few MB of the idle RSS, accepted.)
 */
import assert from 'node:assert/strict';
import pino from 'pino';
import { afterEach, beforeEach, test, vi } from 'vitest';
import type { Database } from '../../../src/db/client.ts';
import { Scheduler } from '../../../src/scheduler/scheduler.ts';

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-12-03T07:00:00.250Z') });
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

function counting(): { s: Scheduler; passes: number[] } {
  const s = new Scheduler({} as Database, { now: () => new Date() }, pino({ level: 'silent' }));
  const passes: number[] = [];
  vi.spyOn(s, 'runDue').mockImplementation(async () => {
    passes.push(Date.now());
    return 0;
  });
  return { s, passes };
}

test('a pass at start, then one at every whole second; none after stop()', async () => {
  const { s, passes } = counting();
  s.start();
  assert.deepEqual(passes, [Date.parse('2026-12-03T07:00:00.250Z')]);
  await vi.advanceTimersByTimeAsync(3_900);
  assert.deepEqual(
    passes.slice(1).map((t) => new Date(t).toISOString()),
    ['2026-12-03T07:00:01.000Z', '2026-12-03T07:00:02.000Z', '2026-12-03T07:00:03.000Z', '2026-12-03T07:00:04.000Z'],
  );
  await s.stop();
  await vi.advanceTimersByTimeAsync(5_000);
  assert.equal(passes.length, 5, 'ticked after stop()');
});

test('start() twice keeps one task; start() after stop() ticks again', async () => {
  const { s, passes } = counting();
  s.start();
  s.start();
  await vi.advanceTimersByTimeAsync(2_000);
  // two start-up passes, then one pass per second (not two)
  assert.equal(passes.length, 2 + 2);
  await s.stop();
  s.start();
  await vi.advanceTimersByTimeAsync(1_000);
  assert.equal(passes.length, 4 + 1 + 1);
  await s.stop();
});
