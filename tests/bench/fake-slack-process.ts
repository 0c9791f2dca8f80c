/**
 * The fake Slack Web API in its own process for the command load: the bot's replies (to
 * response_url) and channel posts land here. response_urls are issued up front, numbered, so
 * that the load generator can put a valid one in every request without asking.
 */
import { startFakeSlack } from '../fakes/slack-server.ts';
import { serveChild } from './child.ts';

/** (types only: importing this file runs the child) */
export interface FakeInput {
  channels: string[];
  users: string[];
  /** how many response_urls to issue (R000001 …) */
  responseUrls: number;
}

export interface FakeReady {
  url: string;
  apiUrl: string;
  botToken: string;
}

serveChild<FakeInput>(async (input) => {
  const fake = await startFakeSlack({
    unknownChannels: 'create',
    channels: Object.fromEntries(input.channels.map((c) => [c, {}])),
    users: Object.fromEntries(input.users.map((u) => [u, { name: u.toLowerCase(), locale: 'ja-JP' }])),
  });
  for (let i = 0; i < input.responseUrls; i++) fake.responseUrl();
  // keep the fake's memory flat under a long load: the recorded calls are not needed here
  const trim = setInterval(() => {
    if (fake.calls.length > 10_000) fake.calls.splice(0, fake.calls.length - 1000);
  }, 1000);
  return {
    ready: { url: fake.url, apiUrl: fake.apiUrl, botToken: fake.botToken } satisfies FakeReady,
    handlers: {
      counts: () => ({
        responses: fake.responses().length,
        posts: fake.posts().length,
        violations: fake.violations.length,
        firstViolations: fake.violations.slice(0, 3).map((v) => `${v.method} ${v.kind}: ${v.detail}`),
      }),
    },
    async stop() {
      clearInterval(trim);
      await fake.close();
    },
  };
});
