/**
 * Wires Slack into the application; main.ts and the end-to-end tests both use this.
 *
 *   const slack = createSlack(config, log);            // before createApp: the seam
 *   const app = await createApp(config, { seams: new Map([['slack', slack.seam]]) });
 *   const mounted = await slack.mount(app);             // routes (or Socket Mode), listeners
 *   await mounted.start();                              // Socket Mode connects here
 */
import { App as BoltApp, type LogLevel, SocketModeReceiver } from '@slack/bolt';
import { ErrorCode, WebClient, type WebClientOptions } from '@slack/web-api';
import type { Logger } from 'pino';
import type { App } from '../../app.ts';
import { type Config, deliveryTimeoutMs } from '../../config.ts';
import { signAction } from '../../core/action-token.ts';
import { translator } from '../../i18n/index.ts';
import { retryAtStart, type StartupRetry } from '../startup.ts';
import { dedupeMiddleware, SEEN_CONTEXT_KEY } from './dedupe.ts';
import { keepAliveFetch } from './keep-alive-fetch.ts';
import { RecentLocales, registerListeners } from './listeners.ts';
import { slackLocales } from './locale.ts';
import { boltLogger } from './logger.ts';
import { HttpRouteReceiver, SLACK_EVENTS_PATH } from './receiver.ts';
import type { SignAction } from './render.ts';
import { SlackResponder } from './respond.ts';
import { SlackSeam } from './seam.ts';

export interface SlackMount {
  bolt: BoltApp;
  mode: 'http' | 'socket';
  botUserId: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface Slack {
  seam: SlackSeam;
  mount(app: App): Promise<SlackMount>;
}

export interface SlackOptions {
  /** the dispatcher client's request timeout (default: deliveryTimeoutMs(config), at most 10 s) */
  deliveryTimeoutMs?: number;
}

function baseOptions(config: Config, log: Logger): WebClientOptions {
  return {
    ...(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}),
    logger: boltLogger(log),
  };
}

/** A Web API 429 waits its Retry-After; a network error or 5xx waits and asks again; the rest fail the start. */
function slackStartupRetry(e: unknown): StartupRetry {
  const err = e as { code?: string; retryAfter?: number; statusCode?: number };
  if (err?.code === ErrorCode.RateLimitedError) {
    return { kind: 'rate_limited', retryAfterMs: Math.max(1, err.retryAfter ?? 1) * 1000 };
  }
  if (err?.code === ErrorCode.RequestError) return { kind: 'unavailable' };
  return err?.code === ErrorCode.HTTPError && (err.statusCode ?? 0) >= 500 ? { kind: 'unavailable' } : null;
}

export function createSlack(config: Config, log: Logger, opts: SlackOptions = {}): Slack {
  const token = config.SLACK_BOT_TOKEN;
  if (!token) throw new Error('SLACK_BOT_TOKEN is not set');
  // the dispatcher's client: no retries of its own, 429 thrown at once, a finite timeout
  const delivery = new WebClient(token, {
    ...baseOptions(config, log),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: opts.deliveryTimeoutMs ?? deliveryTimeoutMs(config),
    // node:http on the shared keep-alive agents, not the global fetch (CPU per post)
    fetch: keepAliveFetch,
  });
  // the request path's client (views.open, users.info, replies): one quick retry at most
  const api = new WebClient(token, {
    ...baseOptions(config, log),
    retryConfig: { retries: 1, factor: 1, minTimeout: 200, maxTimeout: 400 },
    rejectRateLimitedCalls: true,
    timeout: 5000,
    fetch: keepAliveFetch,
  });
  let signer: SignAction | null = null;
  const sign: SignAction = (command) => {
    if (!signer) throw new Error('Slack is not mounted yet (no action secret)');
    return signer(command);
  };
  const seam = new SlackSeam(delivery, translator(config.BOT_LOCALE), sign);

  return {
    seam,
    async mount(app) {
      const actionSecret = await app.services.settings.actionSecret(config.ACTION_SECRET);
      signer = (command) => signAction(actionSecret, command, app.clock.now());
      // resolved once here, so that no request waits on auth.test
      const auth = await retryAtStart(() => api.auth.test(), slackStartupRetry, app.log);
      const botUserId = String(auth.user_id ?? '');
      const botId = String(auth.bot_id ?? '');
      const socket = !!config.SLACK_APP_TOKEN;
      const logger = boltLogger(app.log);
      const receiver = socket
        ? new SocketModeReceiver({ appToken: config.SLACK_APP_TOKEN as string, logger })
        : new HttpRouteReceiver({
            signingSecret: config.SLACK_SIGNING_SECRET as string,
            clock: app.clock,
            log: app.log,
            metrics: app.metrics,
            seen: app.services.seenRequests,
            journal: app.journal,
            inFlight: app.inFlight,
            locale: config.BOT_LOCALE,
          });
      const bolt = new BoltApp({
        token,
        botId,
        botUserId,
        receiver,
        logger,
        convoStore: false,
        clientOptions: { ...baseOptions(config, app.log), retryConfig: { retries: 1, factor: 1, minTimeout: 200 } },
      });
      bolt.use(dedupeMiddleware(app.services.seenRequests, app.clock, app.log, app.journal));
      // a command held by a process that stopped before finishing it runs again here
      app.journal.register('slack', async (body) => {
        await bolt.processEvent({
          body: body as never,
          ack: async () => {},
          customProperties: { [SEEN_CONTEXT_KEY]: 'new' },
        });
      });
      registerListeners(bolt, {
        app,
        client: api,
        locales: slackLocales(api, app.clock, app.log),
        responder: new SlackResponder(api, app.log),
        sign,
        actionSecret,
        formLocales: new RecentLocales(),
      });
      if (receiver instanceof HttpRouteReceiver) app.http.route('POST', SLACK_EVENTS_PATH, receiver.route);
      app.log.info({ mode: socket ? 'socket' : 'http', botUserId }, 'slack connected');
      return {
        bolt,
        mode: socket ? 'socket' : 'http',
        botUserId,
        async start() {
          if (socket) await bolt.start();
        },
        async stop() {
          if (socket) await bolt.stop();
        },
      };
    },
  };
}

export type { LogLevel };
