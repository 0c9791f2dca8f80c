/**
 * Crash test on Mattermost (issue #7, "once on Mattermost"): a real bot process (createApp + the
 * real Mattermost seam and REST client) delivering a 50-channel TLP:CLEAR broadcast to the fake
 * Mattermost server (which stores a post at once and answers it 15 ms later) is killed with
 * SIGKILL at 3 points, restarted each time, then left to finish: every channel has exactly one
 * post, carrying the delivery id of the row that records it. The kill from inside lands right
 * after Mattermost answered a post (stored, outcome never recorded): the restarted process finds
 * it among the channel's recent posts (GET /channels/{id}/posts?since=…) by its props.delivery_id.
 * The driver, shared with Slack: tests/helpers/advisory-crash.ts.
 */
import { test } from 'vitest';
import { crashTest, type Kill } from '../helpers/advisory-crash.ts';

/** total copies posted when each kill lands */
const KILLS: Kill[] = [
  { at: 9, how: 'outside' },
  { at: 26, how: 'inside' },
  { at: 41, how: 'outside' },
];

test('Mattermost: SIGKILL mid-broadcast at 3 points, restarting each time: each of 50 channels has exactly one post', async () => {
  console.log(await crashTest('mattermost', KILLS));
});
