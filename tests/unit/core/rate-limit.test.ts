import assert from 'node:assert/strict';
import { test } from 'vitest';
import { RateLimiter } from '../../../src/core/rate-limit.ts';
import { testApp } from '../../helpers/app.ts';

test('rate limiter: a burst up to the limit passes, the next waits, tokens refill', () => {
  let now = 0;
  const r = new RateLimiter(6, () => now);
  for (let i = 0; i < 6; i++) assert.equal(r.take('a'), 0);
  assert.equal(r.take('a'), 10);
  assert.equal(r.take('b'), 0, 'another person is not affected');
  now += 10_000;
  assert.equal(r.take('a'), 0);
});

test('a flood from one person is slowed with a clear message; others are not', async () => {
  const t = await testApp({ env: { RATE_LIMIT_PER_MINUTE: '5' } });
  try {
    const outcomes = [];
    for (let i = 0; i < 7; i++) outcomes.push(await t.run('console:admin', 'org list'));
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['ok', 'ok', 'ok', 'ok', 'ok', 'limited', 'limited'],
    );
    assert.match(await t.say('console:admin', 'help'), /受付を一時的に制限しています。\d+ 秒ほど後に/);
    assert.equal((await t.run('console:other', 'help')).status, 'ok');
  } finally {
    await t.close();
  }
});
