/** The Mattermost driver: the bot's HTTP server and the fake Mattermost server (helpers/mattermost.ts). */
import type { FakeMmChannel, FakeMmUser } from '../../fakes/mattermost-server.ts';
import { mmid, shownText, startMattermostBot } from '../../helpers/mattermost.ts';
import type { Driver, Person } from './driver.ts';

type Answer = { text?: string; ephemeral_text?: string; attachments?: { actions?: { id: string; name: string }[] }[] };

export async function mattermostDriver(): Promise<Driver> {
  const bot = await startMattermostBot();
  const users: Record<Person, FakeMmUser> = {
    admin: bot.admin,
    stranger: bot.fake.addUser({ id: mmid('stranger'), username: 'stranger', locale: 'en' }),
    taro: bot.fake.addUser({ id: mmid('taro'), username: 'taro', locale: 'ja' }),
  };
  const channels = new Map<string, FakeMmChannel>();
  channels.set(
    'maff-csirt',
    bot.fake.addChannel({ name: 'maff-csirt', team: bot.fake.team.id, members: [bot.fake.bot.id] }),
  );
  let last: Answer['attachments'] = [];
  const violations = () => {
    if (bot.fake.violations.length) throw new Error(`spec violations: ${JSON.stringify(bot.fake.violations)}`);
  };
  return {
    name: 'mattermost',
    app: bot.app,
    identity: (who) => `mattermost:${users[who].id}`,
    async run(who, text) {
      const r = await bot.command(users[who], text);
      if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
      let a = r.json as Answer;
      if (!a.text) {
        // answered later through the response_url (slow work)
        await bot.until(() => bot.responses(r.responseUrl).length > 0).catch(() => {});
        a = (bot.responses(r.responseUrl)[0] as Answer | undefined) ?? a;
      }
      violations();
      last = a.attachments ?? [];
      return shownText(a.text ?? '');
    },
    buttons: () => (last ?? []).flatMap((x) => x.actions ?? []).map((b) => b.name),
    async click(who, label) {
      const action = (last ?? []).flatMap((x) => x.actions ?? []).find((b) => b.name === label);
      if (!action) throw new Error(`no button ${label}`);
      const r = await bot.click(users[who], last, action.id);
      violations();
      return shownText((r.json as Answer | undefined)?.ephemeral_text ?? '');
    },
    userRef: (who) => `@${users[who].username}`,
    channelRef: (name) => `~${name}`,
    async channelPosts(name) {
      await bot.app.dispatcher.drain();
      const ch = channels.get(name);
      violations();
      return ch ? bot.fake.posts(ch.id).map((p) => shownText(p.message)) : [];
    },
    close: () => bot.close(),
  };
}
