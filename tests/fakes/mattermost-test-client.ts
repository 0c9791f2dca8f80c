/**
 * The fake Mattermost's own tests talk to it through the real @mattermost/client: a fake started
 * for one test with a client logged in as its bot, and the client's error of a call that fails.
 */
import assert from 'node:assert/strict';
import mattermostClient, { type ClientError as ClientErrorT } from '@mattermost/client';
import type { Command } from '@mattermost/types/integrations';
import { type FakeMattermost, type FakeMattermostOptions, startFakeMattermost } from './mattermost-server.ts';

// @mattermost/client is CommonJS with getter exports: Node's ESM loader sees only the default export.
const { Client4, ClientError } = mattermostClient;

/** Client4 with its protected doFetch opened, for routes it has no method for (dialogs/open). */
class TestClient extends Client4 {
  raw<T>(path: string, method: 'get' | 'post', body?: unknown): Promise<T> {
    return this.doFetch<T>(`${this.getBaseRoute()}${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }
}

/** Runs `fn` against a fake started with `opts` and a client with its bot's token; closes the fake. */
export async function withFake(
  opts: FakeMattermostOptions,
  fn: (fake: FakeMattermost, client: TestClient) => Promise<void>,
): Promise<void> {
  const fake = await startFakeMattermost(opts);
  const client = new TestClient();
  client.setUrl(fake.url);
  client.setToken(fake.botToken);
  try {
    await fn(fake, client);
  } finally {
    await fake.close();
  }
}

/** The ClientError the call `p` fails with (fails the test if it succeeds or fails otherwise). */
export async function rejection(p: Promise<unknown>): Promise<ClientErrorT> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ClientError, `expected ClientError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the call to fail');
}

/** A slash command to register on team `teamId`. */
export const newCommand = (teamId: string, trigger: string) =>
  ({ team_id: teamId, trigger, method: 'P', url: 'https://bot.example/mm/command', auto_complete: true }) as Command;
