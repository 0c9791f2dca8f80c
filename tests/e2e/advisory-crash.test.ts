/**
 * Crash test on Slack: a real bot process (createApp + the real Slack seam and WebClient)
 * delivering a 50-channel TLP:CLEAR broadcast to the fake Slack server (which answers
 * chat.postMessage slowly) is killed with SIGKILL, restarted, killed again … at 10 points, then
 * left to finish: every channel has exactly one post. Five kills come from outside at an
 * observed post count; five from inside right after Slack answered the k-th post (the post is
 * stored, its outcome never recorded — the case that doubles posts if handled badly; the
 * restarted process finds it in conversations.history by its delivery id metadata).
 * The driver, shared with Mattermost: tests/helpers/advisory-crash.ts.
 */
import { test } from 'vitest';
import { crashTest, type Kill } from '../helpers/advisory-crash.ts';

/** total copies posted when each kill lands; alternately from outside and from inside */
const KILLS: Kill[] = [
  { at: 1, how: 'outside' },
  { at: 4, how: 'inside' },
  { at: 9, how: 'outside' },
  { at: 13, how: 'inside' },
  { at: 19, how: 'outside' },
  { at: 25, how: 'inside' },
  { at: 31, how: 'outside' },
  { at: 38, how: 'inside' },
  { at: 44, how: 'outside' },
  { at: 50, how: 'inside' },
];

test('SIGKILL mid-broadcast at 10 points, restarting each time: each of 50 channels has exactly one post', async () => {
  console.log(await crashTest('slack', KILLS));
});
