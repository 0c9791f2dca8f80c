/**
 * The bot with Slack wired exactly as main.ts wires it (createSlack → createApp → mount),
 * listening on 127.0.0.1, its Web API client pointed at the fake Slack; and senders of signed,
 * form-encoded requests as Slack sends them.
 */
import pino from 'pino';
import { createSlack, type SlackMount } from '../../src/adapters/slack/index.ts';
import { type App, createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Clock } from '../../src/core/clock.ts';
import type { PlatformName, PlatformSeam } from '../../src/core/platform.ts';
import {
  type BlockActionsOptions,
  blockActionsPayload,
  interactionBody,
  type SlashCommandFields,
  signSlackRequest,
  slashCommandBody,
  type ViewSubmissionOptions,
  viewSubmissionPayload,
} from '../fakes/slack-requests.ts';
import { type FakeSlack, type FakeSlackOptions, startFakeSlack } from '../fakes/slack-server.ts';
import { testDb } from './app.ts';
import { notMetInTime } from './not-met.ts';
import { testGroups } from './test-commands.ts';

export const SIGNING_SECRET = 'test-signing-secret-0123456789';
export const ADMIN = 'U0ADMIN';

/** GET /metrics on the bot's port asks for this token (METRICS_TOKEN) */
export const METRICS_TOKEN = 'test-metrics-token-0123456789';
export const metricsAuth = { authorization: `Bearer ${METRICS_TOKEN}` };

export interface SlackBot {
  app: App;
  fake: FakeSlack;
  mount: SlackMount;
  url: string;
  /** POSTs a raw body to /slack/events with the given headers */
  post(body: string, headers: Record<string, string>): Promise<Response>;
  /** a signed slash command as `user`; returns the response and the response_url given */
  command(
    user: string,
    text: string,
    extra?: Partial<SlashCommandFields>,
    headers?: Record<string, string>,
  ): Promise<{ res: Response; responseUrl: string; body: string; triggerId: string }>;
  /** a signed interaction (block_actions, view_submission) */
  interact(payload: Record<string, unknown>, headers?: Record<string, string>): Promise<Response>;
  click(o: BlockActionsOptions): Promise<{ res: Response; responseUrl: string }>;
  submit(o: ViewSubmissionOptions): Promise<Response>;
  /** waits until `cond` holds (the work after the ack is asynchronous) */
  until(cond: () => boolean | Promise<boolean>, ms?: number): Promise<void>;
  auditCount(): Promise<number>;
  close(): Promise<void>;
}

export async function startSlackBot(
  opts: {
    fake?: FakeSlackOptions;
    env?: Record<string, string>;
    clock?: Clock;
    /**
     * the dispatcher's request timeout (default 2 s: the timeout tests wait less); files that
     * do not test timeouts give more, as a loaded test machine can be slower than 2 s
     */
    deliveryTimeoutMs?: number;
    /** runs on the fake before the bot starts (faults for the start-up calls) */
    beforeStart?: (fake: FakeSlack) => void;
  } = {},
): Promise<SlackBot> {
  const fake = await startFakeSlack({
    unknownChannels: 'not_found',
    ...opts.fake,
    users: { [ADMIN]: { name: 'admin', locale: 'en-US' }, ...opts.fake?.users },
  });
  const db = await testDb();
  const config = loadConfig({
    DATABASE_URL: db.url,
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    BOT_ADMINS: `slack:${ADMIN}`,
    LOG_LEVEL: 'silent',
    METRICS_TOKEN,
    // the daily audit anchor off (its own job and post), as in tests/helpers/app.ts
    AUDIT_ANCHOR_AT: 'off',
    ESCALATION_CHAIN: 'off',
    REPORT_ESCALATION_CHAIN: 'off',
    ...opts.env,
  });
  const log = pino({ level: 'silent' });
  // the same wiring as main.ts
  const slack = createSlack(config, log, { deliveryTimeoutMs: opts.deliveryTimeoutMs ?? 2000 });
  const seams = new Map<PlatformName, PlatformSeam>([['slack', slack.seam]]);
  const app = await createApp(config, {
    seams,
    log,
    workerId: 'test',
    perChannelIntervalMs: 0,
    groups: testGroups,
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  opts.beforeStart?.(fake);
  let mount: SlackMount;
  try {
    mount = await slack.mount(app);
  } catch (e) {
    // a start that fails leaves nothing running
    await app.close();
    await fake.close();
    throw e;
  }
  const port = await app.http.listen(0, '127.0.0.1');
  await mount.start();
  const url = `http://127.0.0.1:${port}`;
  const now = () => Math.floor((opts.clock ?? { now: () => new Date() }).now().getTime() / 1000);

  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${url}/slack/events`, { method: 'POST', body, headers });
  const signed = (body: string, headers: Record<string, string> = {}) =>
    post(body, {
      'content-type': 'application/x-www-form-urlencoded',
      ...signSlackRequest(SIGNING_SECRET, body, now()),
      ...headers,
    });

  const bot: SlackBot = {
    app,
    fake,
    mount,
    url,
    post,
    async command(user, text, extra = {}, headers = {}) {
      const responseUrl = extra.response_url ?? fake.responseUrl();
      const triggerId = extra.trigger_id ?? fake.newTriggerId();
      const body = slashCommandBody({
        user_id: user,
        text,
        response_url: responseUrl,
        trigger_id: triggerId,
        ...extra,
      });
      return { res: await signed(body, headers), responseUrl, body, triggerId };
    },
    interact: (payload, headers = {}) => signed(interactionBody(payload), headers),
    async click(o) {
      const responseUrl = o.responseUrl ?? fake.responseUrl();
      const res = await bot.interact(blockActionsPayload({ triggerId: fake.newTriggerId(), ...o, responseUrl }));
      return { res, responseUrl };
    },
    submit: (o) => bot.interact(viewSubmissionPayload({ triggerId: fake.newTriggerId(), ...o })),
    async until(cond, ms = 30_000) {
      const end = Date.now() + ms;
      while (!(await cond())) {
        if (Date.now() > end) throw notMetInTime(cond, ms);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    auditCount: () => app.db.prisma.auditRecord.count(),
    async close() {
      await mount.stop();
      await app.http.close();
      await app.close();
      await fake.close();
      await db.drop();
    },
  };
  return bot;
}
