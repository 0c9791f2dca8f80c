/**
 * The bot with Mattermost wired exactly as main.ts wires it (createMattermost → createApp →
 * mount → listen), against the fake Mattermost server; the bot registers /csirt on the fake
 * (MATTERMOST_TEAM and PUBLIC_URL set) and requests are built from that registration, as the
 * server would send them. Logs are captured so tests can check what was (not) logged.
 */
import { once } from 'node:events';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createMattermost, type MattermostMount } from '../../src/adapters/mattermost/index.ts';
import { type App, createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Clock } from '../../src/core/clock.ts';
import type { PlatformName, PlatformSeam } from '../../src/core/platform.ts';
import {
  actionClickRequest,
  dialogSubmissionFor,
  type FakeResponseUrlReceiver,
  type MmBotRequest,
  sendToBot,
  slashCommandFor,
  startResponseUrlReceiver,
} from '../fakes/mattermost-requests.ts';
import {
  type FakeMattermost,
  type FakeMattermostOptions,
  type FakeMmChannel,
  type FakeMmDialog,
  type FakeMmUser,
  startFakeMattermost,
} from '../fakes/mattermost-server.ts';
import { testDb } from './app.ts';
import { notMetInTime } from './not-met.ts';
import { testGroups } from './test-commands.ts';

/** A 26-character Mattermost id made readable: `mmid('admin')` → `admin000…`. */
export const mmid = (s: string) => s.padEnd(26, '0').slice(0, 26);
export const MM_ADMIN = mmid('admin');

export type BotAnswer = Awaited<ReturnType<typeof sendToBot>>;

/** GET /metrics on the bot's port asks for this token (METRICS_TOKEN) */
export const METRICS_TOKEN = 'test-metrics-token-0123456789';
export const metricsAuth = { authorization: `Bearer ${METRICS_TOKEN}` };

export interface MattermostBot {
  app: App;
  fake: FakeMattermost;
  mount: MattermostMount;
  url: string;
  receiver: FakeResponseUrlReceiver;
  admin: FakeMmUser;
  /** everything the bot logged, one JSON object per line */
  logs: string[];
  /** `/csirt <text>` as `user` in `channel` (town-square); the response and the response_url given */
  command(
    user: FakeMmUser,
    text: string,
    o?: { channel?: FakeMmChannel; edit?: (r: MmBotRequest) => MmBotRequest },
  ): Promise<BotAnswer & { responseUrl: string }>;
  /** clicks a button of a response's or post's attachments */
  click(
    user: FakeMmUser,
    attachments: unknown,
    actionId: string,
    o?: { channel?: FakeMmChannel; context?: Record<string, unknown> },
  ): Promise<BotAnswer>;
  submit(dialog: FakeMmDialog, submission: Record<string, unknown>, o?: { state?: string }): Promise<BotAnswer>;
  /** what the bot POSTed to a response_url */
  responses(responseUrl: string): Record<string, unknown>[];
  until(cond: () => boolean | Promise<boolean>, ms?: number): Promise<void>;
  auditCount(): Promise<number>;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  s.close();
  await once(s, 'close');
  return port;
}

export async function startMattermostBot(
  o: {
    fake?: FakeMattermost;
    fakeOptions?: FakeMattermostOptions;
    env?: Record<string, string>;
    clock?: Clock;
    /** answer in the request when done within this (default 10 s here: test machines may be loaded; 2 s in production; 0: never in the answer) */
    directReplyMs?: number;
    /** the request path's and the start's API timeout (default 5 s, as in production) */
    apiTimeoutMs?: number;
  } = {},
): Promise<MattermostBot> {
  const fake =
    o.fake ??
    (await startFakeMattermost({
      ...o.fakeOptions,
      users: [{ id: MM_ADMIN, username: 'admin', locale: 'en' }, ...(o.fakeOptions?.users ?? [])],
    }));
  const admin = fake.store.users.get(MM_ADMIN) ?? fake.addUser({ id: MM_ADMIN, username: 'admin', locale: 'en' });
  // a response_url lives 30 minutes on the bot's clock
  const receiver = await startResponseUrlReceiver(o.clock ? () => o.clock!.now().getTime() : undefined);
  const db = await testDb();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    DATABASE_URL: db.url,
    MATTERMOST_URL: fake.url,
    MATTERMOST_TOKEN: fake.botToken,
    MATTERMOST_TEAM: fake.team.name,
    PUBLIC_URL: url,
    BOT_ADMINS: `mattermost:${MM_ADMIN}`,
    LOG_LEVEL: 'info',
    METRICS_TOKEN,
    // the daily audit anchor off (its own job and post), as in tests/helpers/app.ts
    AUDIT_ANCHOR_AT: 'off',
    ESCALATION_CHAIN: 'off',
    REPORT_ESCALATION_CHAIN: 'off',
    ...o.env,
  });
  const logs: string[] = [];
  const log = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _enc, cb) {
        logs.push(String(chunk));
        cb();
      },
    }),
  );
  // the same wiring as main.ts
  const mm = createMattermost(config, log, {
    deliveryTimeoutMs: 2000,
    directReplyMs: o.directReplyMs ?? 10_000,
    ...(o.apiTimeoutMs ? { apiTimeoutMs: o.apiTimeoutMs } : {}),
  });
  const seams = new Map<PlatformName, PlatformSeam>([['mattermost', mm.seam]]);
  const app = await createApp(config, {
    seams,
    log,
    workerId: 'test',
    perChannelIntervalMs: 0,
    groups: testGroups,
    ...(o.clock ? { clock: o.clock } : {}),
  });
  let mount: MattermostMount;
  try {
    mount = await mm.mount(app);
  } catch (e) {
    // a start that fails (e.g. registration refused) leaves nothing running; its logs go with the error
    Object.assign(e as object, { logs });
    await app.close();
    await receiver.close();
    if (!o.fake) await fake.close();
    await db.drop();
    throw e;
  }
  await app.http.listen(port, '127.0.0.1');

  const bot: MattermostBot = {
    app,
    fake,
    mount,
    url,
    receiver,
    admin,
    logs,
    async command(user, text, opts = {}) {
      const responseUrl = receiver.newUrl();
      const built = slashCommandFor(fake, {
        trigger: '/csirt',
        text,
        user,
        responseUrl,
        ...(opts.channel ? { channel: opts.channel } : {}),
      });
      const req = opts.edit ? opts.edit(built.request) : built.request;
      // to this bot (another bot started on the same fake may have re-pointed the command's URL)
      return { ...(await sendToBot(`${url}/mattermost/command`, req)), responseUrl };
    },
    click(user, attachments, actionId, opts = {}) {
      const actions = (Array.isArray(attachments) ? attachments : []).flatMap(
        (a: { actions?: { id: string; integration?: { url: string; context: Record<string, unknown> } }[] }) =>
          a.actions ?? [],
      );
      const action = actions.find((a) => a.id === actionId);
      if (!action?.integration) throw new Error(`no action ${actionId}`);
      const channel = opts.channel ?? fake.channel;
      const req = actionClickRequest({
        user_id: user.id,
        user_name: user.username,
        channel_id: channel.id,
        channel_name: channel.name,
        team_id: fake.team.id,
        team_domain: fake.team.name,
        post_id: mmid('post'),
        trigger_id: fake.issueTriggerId(user.id),
        type: 'button',
        data_source: '',
        context: opts.context ?? action.integration.context,
      });
      return sendToBot(action.integration.url, req);
    },
    submit(dialog, submission, opts = {}) {
      const built = dialogSubmissionFor(dialog, { channel_id: fake.channel.id, team_id: fake.team.id, submission });
      if (opts.state !== undefined) {
        const b = JSON.parse(built.request.body ?? '{}') as Record<string, unknown>;
        built.request.body = JSON.stringify({ ...b, state: opts.state });
      }
      return sendToBot(built.url, built.request);
    },
    responses: (u) => receiver.received.filter((r) => u.endsWith(`/${r.hookId}`)).map((r) => r.response),
    async until(cond, ms = 15_000) {
      const end = Date.now() + ms;
      while (!(await cond())) {
        // the bot's last log lines go with the failure: a reply that never came says where it stopped
        if (Date.now() > end) throw notMetInTime(cond, ms, `the bot's last log lines:\n${logs.slice(-20).join('')}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    auditCount: () => app.db.prisma.auditRecord.count(),
    async close() {
      app.http.drain();
      await mount.stop();
      await app.http.close();
      await app.close();
      await receiver.close();
      if (!o.fake) await fake.close();
      await db.drop();
    },
  };
  return bot;
}

/** Mattermost markdown back to the plain text it shows (for assertions). */
export function shownText(markdown: string): string {
  return markdown
    .replace(/\\([\\`*_{}[\]()#+\-.!|~$=])/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\u200d/g, '');
}

/**
 * The mentions a Mattermost server would notify for a post's message: an oracle written after
 * the server's StandardMentionParser.ProcessText (server/channels/app/mention_parser_standard.go,
 * Apache-2.0/AGPL, read for its rules, not copied): words are split on anything but letters,
 * digits and `: . - _ @`; leading `:.-_` are trimmed; a word, or a part of it split at `. - :`,
 * that starts with `@` is a mention (`@channel`, `@all`, `@here` notify everyone). Returns the
 * names mentioned (without `@`), lower case; code blocks are left out as the server does.
 */
export function mattermostMentions(message: string): string[] {
  const text = message.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?\n\1\s*$/gm, ' ').replace(/`[^`\n]*`/g, ' ');
  const found = new Set<string>();
  const take = (w: string) => {
    const name = w
      .slice(1)
      .replace(/[.\-:_]+$/, '')
      .toLowerCase();
    // only a name a user or group can have (letters, digits, `.-_`) can be notified
    if (w.startsWith('@') && /^[\p{L}\p{N}._-]+$/u.test(name)) found.add(name);
  };
  for (const raw of text.split(/[^\p{L}\p{N}:.\-_@]+/u)) {
    if (!raw || (raw.startsWith(':') && raw.endsWith(':') && raw.length > 1)) continue;
    const word = raw.replace(/^[:.\-_]+/, '');
    if (word.startsWith('@')) take(word);
    else if (/[.\-:]/.test(word)) for (const part of word.split(/[.\-:]/)) take(part);
  }
  return [...found];
}
