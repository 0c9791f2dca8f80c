/** A test's wait that runs out says what it waited for and how long (CI flakes said only "condition not met in time"). */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { notMetInTime } from '../helpers/not-met.ts';

test('a wait that ran out names its condition, its time and what the helper adds', () => {
  const before = 3;
  const dms: unknown[] = [];
  const e = notMetInTime(() => dms.length === before + 1, 15_000, 'last log lines: x');
  assert.match(e.message, /^condition not met in 15000 ms: \(\) => dms\.length === before \+ 1\nlast log lines: x$/);
  assert.doesNotMatch(notMetInTime(() => false, 10).message, /\n/);
});
