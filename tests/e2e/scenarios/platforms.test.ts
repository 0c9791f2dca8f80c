/**
 * The shared scenarios (scenarios.ts) on every platform: the console (router as the console
 * adapter calls it), Slack and Mattermost (the bot's HTTP server against their fakes). Runs on
 * the TEST_PROVIDER database.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import { consoleDriver } from './console-driver.ts';
import type { Driver } from './driver.ts';
import { mattermostDriver } from './mattermost-driver.ts';
import { scenarios } from './scenarios.ts';
import { slackDriver } from './slack-driver.ts';

const platforms: [string, () => Promise<Driver>][] = [
  ['console', consoleDriver],
  ['slack', slackDriver],
  ['mattermost', mattermostDriver],
];

for (const [name, start] of platforms) {
  describe(name, () => {
    let d: Driver;
    beforeAll(async () => {
      d = await start();
    });
    afterAll(() => d.close());
    for (const s of scenarios) test(s.name, () => s.run(d));
  });
}
