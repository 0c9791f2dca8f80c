/**
 * A Mattermost request's reply goes exactly one way: in the HTTP answer, or after it (`late`),
 * never both and never neither; with `directReplyMs` 0, always after. The flake of
 * mattermost-limits "an unreachable response_url … direct messages" (CI s13a, w3; 10 of 40 in a
 * loop under load, session 15) was the 0 case: a command that ended before the 0 ms timer fired
 * was answered in the body, and the direct message the test waited for was never sent.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { test } from 'vitest';
import { within } from '../../../../src/adapters/mattermost/within.ts';

/** how the work ends: already, after microtasks, after a loop turn, after a timer */
type Schedule = { kind: 'now' } | { kind: 'micro'; n: number } | { kind: 'immediate' } | { kind: 'timer'; ms: number };

const schedule: fc.Arbitrary<Schedule> = fc.oneof(
  fc.constant({ kind: 'now' as const }),
  fc.record({ kind: fc.constant('micro' as const), n: fc.integer({ min: 1, max: 20 }) }),
  fc.constant({ kind: 'immediate' as const }),
  fc.record({ kind: fc.constant('timer' as const), ms: fc.integer({ min: 0, max: 4 }) }),
);

async function ends(s: Schedule): Promise<void> {
  if (s.kind === 'micro') for (let i = 0; i < s.n; i++) await Promise.resolve();
  else if (s.kind === 'immediate') await new Promise((r) => setImmediate(r));
  else if (s.kind === 'timer') await new Promise((r) => setTimeout(r, s.ms));
}

function work<T>(s: Schedule, value: T): Promise<T> {
  return s.kind === 'now' ? Promise.resolve(value) : ends(s).then(() => value);
}

/** where the reply went: the answer, `late`, or both / neither (each a bug) */
async function route(s: Schedule, ms: number): Promise<{ answered: boolean; late: number }> {
  let late = 0;
  const tracked: Promise<unknown>[] = [];
  const done = await within(
    work(s, 'reply'),
    ms,
    async (v) => {
      assert.equal(v, 'reply');
      late++;
    },
    (p) => tracked.push(p),
  );
  if (done) assert.equal(done.value, 'reply');
  await Promise.all(tracked);
  return { answered: done !== null, late };
}

test('directReplyMs 0: never in the answer, always after — even for work that has already ended', async () => {
  // the deterministic case of the flake: the work is over before any timer can fire
  assert.deepEqual(await route({ kind: 'now' }, 0), { answered: false, late: 1 });
  await fc.assert(
    fc.asyncProperty(schedule, async (s) => {
      assert.deepEqual(await route(s, 0), { answered: false, late: 1 });
    }),
    { numRuns: 60 },
  );
});

test('any directReplyMs: the reply goes exactly one way, and work that has ended goes in the answer', async () => {
  await fc.assert(
    fc.asyncProperty(schedule, fc.integer({ min: 0, max: 5 }), async (s, ms) => {
      const r = await route(s, ms);
      assert.equal(Number(r.answered) + r.late, 1, `one way only: ${JSON.stringify({ s, ms, r })}`);
      if (ms > 0 && (s.kind === 'now' || s.kind === 'micro'))
        assert.ok(r.answered, 'ended within microtasks: in the answer');
    }),
    { numRuns: 80 },
  );
});

test('work that fails after the answer is reported through track; with 0 it never fails the request', async () => {
  for (const ms of [0, 1]) {
    const tracked: Promise<unknown>[] = [];
    let late = 0;
    const failing = new Promise<string>((_, reject) => setTimeout(() => reject(new Error('boom')), 5));
    const done = await within(
      failing,
      ms,
      async () => {
        late++;
      },
      (p) => tracked.push(p),
    );
    assert.equal(done, null);
    assert.equal(tracked.length, 1);
    await assert.rejects(tracked[0] as Promise<unknown>, /boom/);
    assert.equal(late, 0);
  }
  // with 0, a failure already there is the tracked promise's, not the request's
  const tracked: Promise<unknown>[] = [];
  const done = await within(
    Promise.reject(new Error('early')),
    0,
    async () => {},
    (p) => tracked.push(p),
  );
  assert.equal(done, null);
  await assert.rejects(tracked[0] as Promise<unknown>, /early/);
});
