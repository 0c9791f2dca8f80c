/**
 * `POST /mattermost/command` on the app's one HTTP server. The request is verified with the
 * command token (header `Authorization: Token …`, else the form field `token`; compared in
 * constant time; never logged): a failure is a 401, logged without the body and counted in
 * metrics.authFailures. A trigger id is run once (a replayed request is answered, not run).
 *
 * Mattermost waits 30 s; we answer in the response body when the work is done within
 * `directReplyMs` (2 s), else answer empty and send the result to the response_url (within.ts;
 * 0: always after).
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { App } from '../../app.ts';
import type { Caller } from '../../core/command.ts';
import { buildForm } from '../../core/forms.ts';
import type { Reply } from '../../core/reply.ts';
import type { Invocation } from '../../core/router.ts';
import { DatabaseUnavailable } from '../../db/client.ts';
import type { HttpRequest, HttpResponse } from '../../http/server.ts';
import { type Locale, translator } from '../../i18n/index.ts';
import type { Held } from '../../inbox/journal.ts';
import type { PlatformLocales } from '../locales.ts';
import type { MmApi } from './api.ts';
import { buildDialog, type DialogState } from './dialog.ts';
import { admit, journaled } from './journal.ts';
import { mattermostRefs } from './refs.ts';
import type { SignAction } from './render.ts';
import { commandResponse, EMPTY_RESPONSE, type MattermostResponder } from './respond.ts';
import { within } from './within.ts';

export const PATHS = { command: '/mattermost/command', action: '/mattermost/action', dialog: '/mattermost/dialog' };
export const ID = /^[a-z0-9]{26}$/;

export interface RouteDeps {
  app: App;
  api: MmApi;
  locales: PlatformLocales;
  responder: MattermostResponder;
  /** the token slash command requests must carry (configured, or that of the command we registered) */
  commandToken(): string | null;
  actionSecret: string;
  sign: SignAction;
  urls: { action: string; dialog: string };
  /** MATTERMOST_TEAM: where `~channel` names are looked up (else the request's team) */
  team: string | null;
  directReplyMs: number;
  /** keeps work that continues after the answer, so stop() can wait for it */
  track(p: Promise<unknown>): void;
}

export const json = (body: unknown, status = 200): HttpResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** Constant-time equality of two secrets of any length. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

function header(req: HttpRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function commandRoute(d: RouteDeps) {
  const { app } = d;
  const refuse = (reason: string, req: HttpRequest): HttpResponse => {
    app.metrics.authFailures.inc({ endpoint: 'mattermost', reason });
    app.log.warn({ reason, path: req.path, bytes: req.body.length }, 'mattermost request refused');
    return { status: 401, body: 'unauthorized' };
  };

  return async (req: HttpRequest): Promise<HttpResponse> => {
    const form = new URLSearchParams(req.body.toString('utf8'));
    const auth = /^Token\s+(\S+)$/i.exec(header(req, 'authorization') ?? '')?.[1];
    const given = auth ?? form.get('token');
    const expected = d.commandToken();
    if (!expected) return refuse('no_command_token_configured', req);
    if (!given) return refuse('missing_token', req);
    if (!sameSecret(given, expected)) return refuse('bad_token', req);

    const user = form.get('user_id') ?? '';
    if (!ID.test(user)) return { status: 400, body: 'bad request' };
    const triggerId = form.get('trigger_id') ?? '';
    const fields = Object.fromEntries([...form].filter(([k]) => k !== 'token'));
    let held: Held | null = null;
    if (triggerId) {
      const key = `mattermost:trigger:${createHash('sha256').update(triggerId).digest('hex')}`;
      const admitted = await admit(d, key, { route: 'command', fields }).catch((e: unknown) => {
        if (!(e instanceof DatabaseUnavailable)) throw e;
        app.log.warn({ err: e }, 'mattermost command not recorded (database unavailable); refused');
        return null;
      });
      // not recorded: nothing was run or kept, the person is told to try again
      if (!admitted)
        return json({ response_type: 'ephemeral', text: translator(app.config.BOT_LOCALE)('db.try_again') });
      if (!admitted.fresh) {
        app.log.info({ user }, 'mattermost command seen before; not run again');
        return json(EMPTY_RESPONSE);
      }
      held = admitted.held;
    }
    const work = journaled(d, held, () => runCommand(d, fields, true));
    const done = await within(
      work,
      d.directReplyMs,
      async (r) => {
        if (r?.reply)
          await d.responder.send(
            { responseUrl: fields.response_url, user, channel: fields.channel_id || null },
            r.reply,
            translator(r.locale),
          );
      },
      (p) => d.track(p.catch((e) => app.log.error({ err: e }, 'mattermost command failed'))),
    );
    if (!done?.value?.reply) return json(EMPTY_RESPONSE);
    return json(commandResponse(done.value.reply, translator(done.value.locale), d.sign, d.urls.action));
  };
}

/**
 * Runs a command held by a process that stopped before finishing it (src/inbox): no dialog
 * (its trigger id has expired), the reply to the command's response_url.
 */
export async function replayCommand(d: RouteDeps, fields: Record<string, string>): Promise<void> {
  const r = await runCommand(d, fields, false);
  if (r.reply)
    await d.responder.send(
      { responseUrl: fields.response_url, user: fields.user_id ?? '', channel: fields.channel_id || null },
      r.reply,
      translator(r.locale),
    );
}

/** The command of a slash command request (its form fields): a dialog when fields are missing, else the router's reply. */
async function runCommand(
  d: RouteDeps,
  fields: Record<string, string>,
  dialogs: boolean,
): Promise<{ reply: Reply | null; locale: Locale }> {
  const { app } = d;
  const user = fields.user_id ?? '';
  const triggerId = fields.trigger_id ?? '';
  const team = d.team ?? (fields.team_domain || null);
  const localeHint = await d.locales.of(user);
  const inv: Invocation = {
    platform: 'mattermost',
    identity: `mattermost:${user}`,
    displayName: fields.user_name ?? null,
    text: fields.text ?? '',
    channelId: fields.channel_id || null,
    localeHint,
    requestId: randomUUID(),
    refs: mattermostRefs(d.api, team),
  };
  const locale = localeHint ?? app.config.BOT_LOCALE;
  // looked up once for the dialog check and the command
  const caller = await app.router.caller(inv);
  if (dialogs && triggerId && (await openDialogIfMissing(d, inv, caller, triggerId, fields.response_url, team)))
    return { reply: null, locale };
  const o = await app.router.handle(inv, caller);
  return { reply: o.reply, locale };
}

/** Opens the command's dialog when it has a form and required fields are missing; true if opened. */
async function openDialogIfMissing(
  d: RouteDeps,
  inv: Invocation,
  caller: Caller,
  triggerId: string,
  responseUrl: string | undefined,
  team: string | null,
): Promise<boolean> {
  const { app } = d;
  let r: Awaited<ReturnType<typeof app.router.resolve>>;
  try {
    r = await app.router.resolve(inv, caller);
  } catch {
    return false; // handle() reports it
  }
  if (!r.def.form || r.missing.length === 0) return false;
  const locale = r.caller.locale;
  const form = buildForm(r.group.name, r.def, locale, r.raw, r.t.fill);
  const state: DialogState = {
    c: form.command,
    x: inv.text,
    ch: inv.channelId,
    l: locale,
    ...(responseUrl ? { r: responseUrl } : {}),
    ...(team ? { tm: team } : {}),
  };
  const dialog = buildDialog(form, state, r.t, d.actionSecret, app.clock.now(), app.config.MAX_FIELD_LENGTH);
  try {
    await d.api.post('/actions/dialogs/open', { trigger_id: triggerId, url: d.urls.dialog, dialog });
    return true;
  } catch (e) {
    app.log.warn({ err: (e as Error).message, command: form.command }, 'dialogs/open failed; answering in text');
    return false;
  }
}
