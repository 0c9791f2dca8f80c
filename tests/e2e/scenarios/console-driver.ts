/** The console driver: the router as the console adapter calls it; buttons are their commands. */
import pino from 'pino';
import { consoleRefs } from '../../../src/adapters/console/refs.ts';
import { createApp } from '../../../src/app.ts';
import { loadConfig } from '../../../src/config.ts';
import type { Action } from '../../../src/core/reply.ts';
import { replyToText } from '../../../src/core/reply.ts';
import { MemoryPlatform } from '../../fakes/memory-platform.ts';
import { testDb } from '../../helpers/app.ts';
import { testGroups } from '../../helpers/test-commands.ts';
import type { Driver, Person } from './driver.ts';

export async function consoleDriver(): Promise<Driver> {
  const db = await testDb();
  const config = loadConfig({ DATABASE_URL: db.url, BOT_ADMINS: 'console:admin', LOG_LEVEL: 'silent' });
  const platform = new MemoryPlatform('console');
  const app = await createApp(config, {
    seams: new Map([['console', platform]]),
    log: pino({ level: 'silent' }),
    workerId: 'test',
    perChannelIntervalMs: 0,
    groups: testGroups,
  });
  let last: Action[] = [];
  const identity = (who: Person) => `console:${who}`;
  const run = async (who: Person, text: string, keepButtons = false) => {
    const o = await app.router.handle({
      platform: 'console',
      identity: identity(who),
      text,
      channelId: null,
      refs: consoleRefs,
      unlimited: true,
    });
    await app.dispatcher.drain();
    if (!keepButtons) last = o.reply.actions ?? [];
    return replyToText(o.reply);
  };
  return {
    name: 'console',
    app,
    identity,
    run: (who, text) => run(who, text),
    buttons: () => last.map((a) => a.label),
    async click(who, label) {
      const a = last.find((x) => x.label === label);
      if (!a) throw new Error(`no button ${label}`);
      // on the console a button is shown as the command that does the same thing
      return run(who, a.command, true);
    },
    userRef: (who) => identity(who),
    channelRef: (name) => `#${name}`,
    async channelPosts(name) {
      await app.dispatcher.drain();
      return platform.in(name);
    },
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
