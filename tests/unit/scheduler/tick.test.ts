/**
 * The scheduler's clock: after the start-up pass node-cron (`* * * * * *`) wakes it at every
 * whole second of the real clock, and after stop() it wakes no more. (node-cron is one of the
 * packages the product was specified with; it formats the time with Intl at each tick, which
 * keeps ICU's date data resident — a few MB of the idle RSS, accepted. Its task is made at the
 * first whole second, so that a process ending sooner — the console answering one command —
 * never pays for ICU's loading.)
 */
import assert from 'node:assert/strict';
import cron from 'node-cron';
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

test("node-cron's task is made at the first whole second, not before; a stop() before it makes none", async () => {
  const schedule = vi.spyOn(cron, 'schedule');
  const { s, passes } = counting();
  s.start();
  await vi.advanceTimersByTimeAsync(700);
  assert.equal(schedule.mock.calls.length, 0, 'node-cron task made before the first whole second');
  await s.stop();
  await vi.advanceTimersByTimeAsync(5_000);
  assert.equal(schedule.mock.calls.length, 0, 'node-cron task made after stop()');
  assert.equal(passes.length, 1);

  s.start();
  await vi.advanceTimersByTimeAsync(50);
  assert.equal(schedule.mock.calls.length, 1);
  assert.equal(new Date(Date.now()).toISOString(), '2026-12-03T07:00:06.000Z');
  assert.deepEqual(schedule.mock.calls[0]?.[0], '* * * * * *');
  await vi.advanceTimersByTimeAsync(2_000);
  assert.equal(schedule.mock.calls.length, 1);
  // the start-up pass, the whole second 07:00:06 (this process's timer), 07, 08 (node-cron)
  assert.deepEqual(
    passes.slice(1).map((t) => new Date(t).toISOString().slice(11)),
    ['07:00:05.950Z', '07:00:06.000Z', '07:00:07.000Z', '07:00:08.000Z'],
  );
  await s.stop();
});
