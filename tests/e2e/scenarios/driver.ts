/**
 * A platform driver: what the shared scenarios need from a platform, so that each scenario is
 * written once and runs on the console, Slack and Mattermost through the real adapters.
 */
import type { App } from '../../../src/app.ts';
import { tableCounts } from '../../helpers/counts.ts';
import { notMetInTime } from '../../helpers/not-met.ts';

/** The people of the scenarios: an admin, a person with no role, a Japanese-speaking newcomer. */
export type Person = 'admin' | 'stranger' | 'taro';

export interface Driver {
  readonly name: string;
  readonly app: App;
  /** the platform identity of a person (`slack:U…`, `mattermost:…`, `console:…`) */
  identity(who: Person): string;
  /** runs `/csirt <text>` as `who`; the reply as the person reads it (plain text) */
  run(who: Person, text: string): Promise<string>;
  /** the labels of the buttons of the last reply */
  buttons(): string[];
  /** `who` clicks the button labelled `label` of the last reply; the answer as they read it */
  click(who: Person, label: string): Promise<string>;
  /** how a person writes another person in a command on this platform (a mention) */
  userRef(who: Person): string;
  /** how a person writes the channel `name` in a command on this platform */
  channelRef(name: string): string;
  /** what was posted to the channel `name` (plain text), after the outbox has run */
  channelPosts(name: string): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Row counts of every table but the replay store (chat platforms remember request keys there)
 * and the command journal (an entry leaves just after a refused command's reply).
 */
export async function domainCounts(app: App): Promise<Record<string, number>> {
  const { SeenRequest: _seen, PendingCommand: _held, ...rest } = await tableCounts(app);
  return rest;
}

/** Runs the outbox until `cond` holds (deliveries are asynchronous on chat platforms). */
export async function until(app: App, cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    await app.dispatcher.drain();
    if (await cond()) return;
    if (Date.now() > end) throw notMetInTime(cond, ms);
    await new Promise((r) => setTimeout(r, 20));
  }
}
