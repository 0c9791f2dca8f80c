/**
 * Wires Mattermost into the application; main.ts and the end-to-end tests both use this.
 *
 *   const mm = createMattermost(config, log);           // before createApp: the seam
 *   const app = await createApp(config, { seams: new Map([['mattermost', mm.seam]]) });
 *   const mounted = await mm.mount(app);                // bot id, slash command, routes
 *   …
 *   await mounted.stop();                               // waits for work after answers
 */
import type { Logger } from 'pino';
import type { App } from '../../app.ts';
import { type Config, deliveryTimeoutMs } from '../../config.ts';
import { signAction } from '../../core/action-token.ts';
import { translator } from '../../i18n/index.ts';
import { retryAtStart, type StartupRetry } from '../startup.ts';
import { MmApi, MmApiError } from './api.ts';
import { actionRoute, dialogRoute } from './interactions.ts';
import { type HeldInvocation, replayInvocation } from './journal.ts';
import { mattermostLocales } from './locale.ts';
import { DUPLICATE_TRIGGER, type Registration, registerCommand } from './register.ts';
import type { SignAction } from './render.ts';
import { MattermostResponder } from './respond.ts';
import { commandRoute, PATHS, type RouteDeps, replayCommand } from './routes.ts';
import { MattermostSeam } from './seam.ts';

export interface MattermostMount {
  botUserId: string;
  /** the slash command we registered or updated (MATTERMOST_TEAM and PUBLIC_URL set) */
  registration: Registration | null;
  /** waits for work that continued after its request was answered */
  stop(): Promise<void>;
}

export interface Mattermost {
  seam: MattermostSeam;
  mount(app: App): Promise<MattermostMount>;
}

export interface MattermostOptions {
  /** the dispatcher's request timeout (default: deliveryTimeoutMs(config), at most 10 s) */
  deliveryTimeoutMs?: number;
  /** answer in the request when done within this (default 2 s), else through response_url; 0: always through it */
  directReplyMs?: number;
  /** the start's and the request path's API timeout (default 5 s) */
  apiTimeoutMs?: number;
}

export function createMattermost(config: Config, _log: Logger, opts: MattermostOptions = {}): Mattermost {
  const baseUrl = config.MATTERMOST_URL;
  const token = config.MATTERMOST_TOKEN;
  if (!baseUrl || !token) throw new Error('MATTERMOST_URL and MATTERMOST_TOKEN are not set');
  const publicUrl = config.PUBLIC_URL?.replace(/\/+$/, '') ?? null;
  const urls = {
    command: publicUrl ? `${publicUrl}${PATHS.command}` : '',
    action: publicUrl ? `${publicUrl}${PATHS.action}` : '',
    dialog: publicUrl ? `${publicUrl}${PATHS.dialog}` : '',
  };
  const delivery = new MmApi({ baseUrl, token, timeoutMs: opts.deliveryTimeoutMs ?? deliveryTimeoutMs(config) });
  const api = new MmApi({ baseUrl, token, timeoutMs: opts.apiTimeoutMs ?? 5000 });
  let signer: SignAction | null = null;
  // without PUBLIC_URL Mattermost cannot reach our buttons: none are drawn
  const sign: SignAction = (command) => (signer && publicUrl ? signer(command) : null);
  const seam = new MattermostSeam(delivery, translator(config.BOT_LOCALE), sign, urls.action);

  return {
    seam,
    async mount(app) {
      const actionSecret = await app.services.settings.actionSecret(config.ACTION_SECRET);
      signer = (command) => signAction(actionSecret, command, app.clock.now());
      // resolved once here, so that no request waits on it
      const me = await retryAtStart(
        () => api.get<{ id: string; username: string }>('/users/me'),
        mmStartupRetry,
        app.log,
      );
      seam.setBotId(me.id);
      await checkServerSettings(app, api, seam);
      const registration = await register(app, api, config, urls.command);
      const commandToken = config.MATTERMOST_COMMAND_TOKEN ?? registration?.token ?? null;
      if (!commandToken) {
        throw new Error(
          'no command token: set MATTERMOST_COMMAND_TOKEN, or MATTERMOST_TEAM and PUBLIC_URL to register /csirt',
        );
      }
      if (!publicUrl) app.log.warn('PUBLIC_URL is not set: Mattermost buttons and dialogs are off');
      const pending = new Set<Promise<unknown>>();
      const deps: RouteDeps = {
        app,
        api,
        locales: mattermostLocales(api, app.clock, app.log),
        responder: new MattermostResponder(api, seam, sign, urls.action, app.log),
        commandToken: () => commandToken,
        actionSecret,
        sign,
        urls,
        team: config.MATTERMOST_TEAM ?? null,
        directReplyMs: opts.directReplyMs ?? 2000,
        track(p) {
          pending.add(p);
          void p.finally(() => pending.delete(p));
        },
      };
      app.http.route('POST', PATHS.command, commandRoute(deps));
      // a command held by a process that stopped before finishing it runs again here
      app.journal.register('mattermost', async (payload) => {
        const p = payload as { route: 'command'; fields: Record<string, string> } | HeldInvocation;
        if ('route' in p) await replayCommand(deps, p.fields);
        else await replayInvocation(deps, p);
      });
      app.http.route('POST', PATHS.action, actionRoute(deps));
      app.http.route('POST', PATHS.dialog, dialogRoute(deps));
      app.log.info({ botUserId: me.id, bot: me.username, registered: !!registration }, 'mattermost connected');
      return {
        botUserId: me.id,
        registration,
        async stop() {
          await Promise.allSettled([...pending]);
        },
      };
    },
  };
}

/**
 * Reads the server's client configuration once (GET /config/client, any logged-in account):
 * the Site URL, for links to posts, and whether it is set at all — without it the server runs
 * no custom slash command (app/command.go: `site_url_required`, since MM-67142), so /csirt
 * would fail for everyone with nothing reaching the bot.
 */
async function checkServerSettings(app: App, api: MmApi, seam: MattermostSeam): Promise<void> {
  let cfg: { SiteURL?: string; PostEditTimeLimit?: string };
  try {
    cfg = await retryAtStart(() => api.get('/config/client', { format: 'old' }), mmStartupRetry, app.log);
  } catch (e) {
    app.log.warn({ err: (e as Error).message }, 'could not read the Mattermost client configuration');
    return;
  }
  seam.setSiteUrl(cfg.SiteURL ?? '');
  if (!cfg.SiteURL) {
    app.log.error(
      'Mattermost has no Site URL (System Console › Environment › Web Server › Site URL): it refuses to run custom slash commands, so /csirt cannot work until it is set',
    );
  }
  const limit = Number(cfg.PostEditTimeLimit ?? -1);
  if (limit > 0) {
    app.log.info(
      { postEditTimeLimitSeconds: limit },
      'Mattermost limits editing posts: a withdrawal after that is posted as a follow-up',
    );
  }
}

/** A 429 waits its Retry-After; no answer in time, a network error, 408 or 5xx wait and ask again; the rest fail the start. */
function mmStartupRetry(e: unknown): StartupRetry {
  if (!(e instanceof MmApiError)) return null;
  if (e.status === 429) return { kind: 'rate_limited', retryAfterMs: e.retryAfterMs ?? 1000 };
  return e.status === 0 || e.status === 408 || e.status >= 500 ? { kind: 'unavailable' } : null;
}

/** Registers /csirt when MATTERMOST_TEAM and PUBLIC_URL are set, and says what to do about the token. */
async function register(app: App, api: MmApi, config: Config, url: string): Promise<Registration | null> {
  if (!config.MATTERMOST_TEAM || !url) return null;
  let r: Registration;
  try {
    const names = await app.services.directory.names();
    r = await retryAtStart(
      () =>
        registerCommand(api, {
          team: config.MATTERMOST_TEAM as string,
          url,
          locale: config.BOT_LOCALE,
          groups: app.router.groups,
          names,
        }),
      mmStartupRetry,
      app.log,
    );
  } catch (e) {
    const duplicate = e instanceof MmApiError && e.id === DUPLICATE_TRIGGER;
    app.log.error(
      { err: (e as Error).message, team: config.MATTERMOST_TEAM },
      duplicate
        ? 'could not register /csirt: the team has a /csirt command the bot cannot see (someone else made it). Make the bot a Team Admin of the team (manage_others_slash_commands), or delete that command, or set MATTERMOST_COMMAND_TOKEN to its token'
        : 'could not register the /csirt slash command: make the bot a Team Admin of the team (Team Admins hold manage_own_slash_commands and manage_others_slash_commands)',
    );
    if (!config.MATTERMOST_COMMAND_TOKEN) throw e;
    return null;
  }
  const ctx = { team: config.MATTERMOST_TEAM, commandId: r.commandId };
  app.log.info({ ...ctx, created: r.created }, r.created ? 'registered /csirt' : 'updated /csirt');
  if (!config.MATTERMOST_COMMAND_TOKEN) {
    app.log.warn(
      ctx,
      'MATTERMOST_COMMAND_TOKEN is not set: verifying /csirt with the token Mattermost generated for the command we registered. ' +
        'To pin it, copy the token from Integrations › Slash Commands › /csirt into MATTERMOST_COMMAND_TOKEN.',
    );
  } else if (config.MATTERMOST_COMMAND_TOKEN !== r.token) {
    app.log.error(
      ctx,
      'MATTERMOST_COMMAND_TOKEN does not match the token of the registered /csirt command: every /csirt request will be refused (401). ' +
        'Copy the token from Integrations › Slash Commands › /csirt into MATTERMOST_COMMAND_TOKEN, or unset it.',
    );
  }
  return r;
}
