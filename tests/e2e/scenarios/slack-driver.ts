/** The Slack driver: the bot's HTTP server with signed requests and the fake Slack (helpers/slack.ts). */
import { ADMIN, startSlackBot } from '../../helpers/slack.ts';
import type { Driver, Person } from './driver.ts';

const IDS: Record<Person, string> = { admin: ADMIN, stranger: 'U0STRANGER', taro: 'U0TARO' };
const CHANNELS: Record<string, string> = { 'maff-csirt': 'C0MAFF' };

type Block = Record<string, unknown> & { type?: string; elements?: Record<string, unknown>[] };

const unescapeSlack = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The text a person reads in Block Kit blocks (or the fallback text). */
function blocksText(body: { blocks?: unknown; text?: unknown }): string {
  const blocks = Array.isArray(body.blocks) ? (body.blocks as Block[]) : [];
  if (blocks.length === 0) return unescapeSlack(String(body.text ?? ''));
  const out: string[] = [];
  const textOf = (x: unknown) => (x && typeof x === 'object' ? String((x as { text?: unknown }).text ?? '') : '');
  for (const b of blocks) {
    if (b.type === 'section' || b.type === 'header') {
      out.push(textOf(b.text));
      for (const f of (b.fields as unknown[] | undefined) ?? []) out.push(textOf(f));
    } else if (b.type === 'context') out.push(...(b.elements ?? []).map(textOf));
  }
  return unescapeSlack(out.join('\n').replace(/```/g, ''));
}

export async function slackDriver(): Promise<Driver> {
  const bot = await startSlackBot({ fake: { channels: { C0MAFF: { name: 'maff-csirt' } } } });
  bot.fake.setUser('U0TARO', { name: 'taro', locale: 'ja-JP' });
  bot.fake.setUser('U0STRANGER', { name: 'stranger', locale: 'en-US' });
  let last: Record<string, unknown>[] = [];
  const violations = () => {
    if (bot.fake.violations.length) throw new Error(`spec violations: ${JSON.stringify(bot.fake.violations)}`);
  };
  const answer = async (responseUrl: string) => {
    await bot.until(() => bot.fake.responses(responseUrl).length > 0, 10_000);
    violations();
    return bot.fake.responses(responseUrl)[0]!.body as { blocks?: unknown; text?: unknown };
  };
  return {
    name: 'slack',
    app: bot.app,
    identity: (who) => `slack:${IDS[who]}`,
    async run(who, text) {
      const { res, responseUrl } = await bot.command(IDS[who], text);
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      const body = await answer(responseUrl);
      const blocks = Array.isArray(body.blocks) ? (body.blocks as Block[]) : [];
      last = blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);
      return blocksText(body);
    },
    buttons: () => last.map((b) => String((b.text as { text?: unknown } | undefined)?.text ?? '')),
    async click(who, label) {
      const b = last.find((x) => (x.text as { text?: unknown } | undefined)?.text === label);
      if (!b) throw new Error(`no button ${label}`);
      const { responseUrl } = await bot.click({
        actionId: String(b.action_id),
        value: String(b.value),
        user: { id: IDS[who] },
      });
      return blocksText(await answer(responseUrl));
    },
    userRef: (who) => `<@${IDS[who]}|${who}>`,
    channelRef: (name) => `<#${CHANNELS[name]}|${name}>`,
    async channelPosts(name) {
      await bot.app.dispatcher.drain();
      violations();
      return bot.fake.posts(CHANNELS[name]).map((p) => blocksText(p as { blocks?: unknown; text?: unknown }));
    },
    close: () => bot.close(),
  };
}
