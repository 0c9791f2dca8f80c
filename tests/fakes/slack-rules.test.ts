/**
 * The real platform's rules the fake Slack learned for issue #23, one test each, through the real
 * @slack/web-api WebClient: the cumulative block text limit (`msg_blocks_too_long`), response_url
 * uses and lifetime, and app-level 429s (workspace-wide and at random on any method). Sources are
 * in the fake's code comments (slack-chat.ts, slack-response-url.ts, slack-rate-limit.ts).
 */
import assert from 'node:assert/strict';
import { ErrorCode, LogLevel, WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, test } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { MAX_BLOCK_TEXT } from './slack-chat.ts';
import { type FakeSlack, startFakeSlack } from './slack-server.ts';

const clock = new ManualClock(new Date('2025-04-01T00:00:00Z'));
let fake: FakeSlack;
beforeAll(async () => {
  fake = await startFakeSlack({
    clock,
    channels: { C0ONE: { name: 'one' }, C0TWO: { name: 'two' } },
    users: { U0ALICE: { name: 'alice' } },
  });
});
afterAll(async () => {
  await fake.close();
});
afterEach(() => {
  fake.reset();
});

const client = () =>
  new WebClient(fake.botToken, {
    slackApiUrl: fake.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logLevel: LogLevel.ERROR,
  });

async function rejection(fn: () => Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await fn();
  } catch (e) {
    return e as Record<string, unknown>;
  }
  assert.fail('expected the call to throw');
}

/** Sections of at most 3,000 characters each, `total` characters together. */
function sections(total: number): Record<string, unknown>[] {
  const out = [];
  for (let left = total; left > 0; left -= 3000) {
    out.push({ type: 'section', text: { type: 'mrkdwn', text: 'あ'.repeat(Math.min(3000, left)) } });
  }
  return out;
}

test('msg_blocks_too_long: every block within its own limit, the blocks together over the cumulative limit', async () => {
  const c = client();
  const ok = await c.chat.postMessage({ channel: 'C0ONE', text: 'fits', blocks: sections(MAX_BLOCK_TEXT) as never });
  const e = await rejection(() =>
    c.chat.postMessage({ channel: 'C0ONE', text: 'over', blocks: sections(MAX_BLOCK_TEXT + 1) as never }),
  );
  assert.equal(e.code, ErrorCode.PlatformError);
  assert.equal((e.data as { error: string }).error, 'msg_blocks_too_long');
  assert.equal(fake.posts('C0ONE').length, 1, 'nothing stored');
  // text in fields and context elements counts too; so does an update
  const fields = [{ type: 'section', fields: [{ type: 'mrkdwn', text: 'x'.repeat(2000) }] }];
  const context = [{ type: 'context', elements: [{ type: 'mrkdwn', text: 'y'.repeat(2000) }] }];
  const u = await rejection(() =>
    c.chat.update({
      channel: 'C0ONE',
      ts: String(ok.ts),
      text: 'upd',
      blocks: [...sections(MAX_BLOCK_TEXT - 3000), ...fields, ...context] as never,
    }),
  );
  assert.equal((u.data as { error: string }).error, 'msg_blocks_too_long');
  assert.deepEqual(fake.violations, []);
});

test('response_url: 5 uses within 30 minutes; a 6th is used_url, a late one expired_url', async () => {
  const post = (url: string) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"x"}' });
  const url = fake.responseUrl();
  for (let i = 0; i < 5; i++) assert.equal((await post(url)).status, 200);
  const sixth = await post(url);
  assert.equal(sixth.status, 404);
  assert.equal(await sixth.text(), 'used_url');
  const late = fake.responseUrl();
  clock.advance(30 * 60_000 + 1);
  const expired = await post(late);
  assert.equal(expired.status, 404);
  assert.equal(await expired.text(), 'expired_url');
  assert.equal(fake.responses(late).length, 0);
  fake.violations.length = 0; // the 6th use is recorded as a violation on purpose
});

test('app-level 429: the workspace-wide chat.postMessage limit refuses a post to a channel that never posted', async () => {
  fake.setRateLimits({ perChannel: { limit: 1, windowMs: 1000 }, workspacePerMinute: 2 });
  const c = client();
  await c.chat.postMessage({ channel: 'C0ONE', text: '1' });
  clock.advance(1000);
  await c.chat.postMessage({ channel: 'C0ONE', text: '2' });
  const e = await rejection(() => c.chat.postMessage({ channel: 'C0TWO', text: 'first in this channel' }));
  assert.equal(e.code, ErrorCode.RateLimitedError);
  assert.ok(Number(e.retryAfter) >= 1);
  assert.equal(fake.posts('C0TWO').length, 0);
  fake.setRateLimits({});
});

test('app-level 429 at random: any method, repeatable by seed', async () => {
  const c = client();
  const run = async () => {
    const out: string[] = [];
    for (let i = 0; i < 30; i++) {
      try {
        await (i % 2 ? c.users.info({ user: 'U0ALICE' }) : c.chat.postMessage({ channel: 'C0ONE', text: `m${i}` }));
        out.push('ok');
      } catch (e) {
        assert.equal((e as { code?: string }).code, ErrorCode.RateLimitedError);
        assert.equal((e as { retryAfter?: number }).retryAfter, 3);
        out.push('429');
      }
    }
    return out;
  };
  fake.rateLimitAtRandom(0.3, 3, 7);
  const first = await run();
  const limited = first.filter((x) => x === '429').length;
  assert.ok(limited > 2 && limited < 20, `${limited} of 30`);
  assert.ok(
    first.some((x, i) => x === '429' && i % 2 === 1),
    'users.info too',
  );
  fake.rateLimitAtRandom(0.3, 3, 7);
  assert.deepEqual(await run(), first);
});
