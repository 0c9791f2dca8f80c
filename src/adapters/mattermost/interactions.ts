/**
 * `POST /mattermost/action` (button clicks) and `POST /mattermost/dialog` (dialog
 * submissions). Mattermost signs neither, so what they carry is: a button's context holds the
 * command signed with the action secret, and a dialog's state is signed the same way. A forged
 * or altered one is refused politely and nothing runs. The command then runs through the
 * router as the person who clicked or submitted, so roles and state are checked at that time.
 */
import { createHash, randomUUID } from 'node:crypto';
import { canonicalJson } from '../../audit/canonical-json.ts';
import { verifyAction } from '../../core/action-token.ts';
import type { Caller } from '../../core/command.ts';
import { isUserError } from '../../core/errors.ts';
import { buildForm, formValues } from '../../core/forms.ts';
import type { Reply } from '../../core/reply.ts';
import type { Invocation } from '../../core/router.ts';
import { DatabaseUnavailable } from '../../db/client.ts';
import type { HttpRequest, HttpResponse } from '../../http/server.ts';
import { type Locale, translator } from '../../i18n/index.ts';
import type { Held } from '../../inbox/journal.ts';
import { submittedValues, verifyState } from './dialog.ts';
import { admit, type HeldInvocation, journaled } from './journal.ts';
import { mattermostRefs } from './refs.ts';
import { renderText } from './render.ts';
import { ID, json, type RouteDeps } from './routes.ts';
import { within } from './within.ts';

type Json = Record<string, unknown>;

function parse(req: HttpRequest): Json | null {
  try {
    const v: unknown = JSON.parse(req.body.toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null;
  } catch {
    return null;
  }
}

const str = (b: Json, k: string) => (typeof b[k] === 'string' ? (b[k] as string) : '');

/**
 * Records `key` as seen and holds the command in the journal (one commit); fresh false when it
 * was seen before (a replayed request is answered but not run).
 */
/** null when it could not be recorded (the database is away): refused with "please try again" */
function admitOnce(d: RouteDeps, key: string, held: HeldInvocation) {
  return admit(d, `mattermost:${createHash('sha256').update(key).digest('hex')}`, held).catch((e: unknown) => {
    if (!(e instanceof DatabaseUnavailable)) throw e;
    d.app.log.warn({ err: e }, 'mattermost request not recorded (database unavailable); refused');
    return null;
  });
}

export function actionRoute(d: RouteDeps) {
  const { app } = d;
  const fallback = app.config.BOT_LOCALE;
  const ephemeral = (text: string) => json({ ephemeral_text: text, skip_slack_parsing: true });

  return async (req: HttpRequest): Promise<HttpResponse> => {
    const body = parse(req);
    const user = body ? str(body, 'user_id') : '';
    if (!body || !ID.test(user)) return { status: 400, body: 'bad request' };
    const context = (body.context ?? {}) as Json;
    const localeHint = await d.locales.of(user);
    const locale: Locale = localeHint ?? fallback;
    const command = verifyAction(
      d.actionSecret,
      typeof context.token === 'string' ? context.token : '',
      app.clock.now(),
    );
    if (command === null) {
      app.metrics.authFailures.inc({ endpoint: 'mattermost_action', reason: 'bad_action_token' });
      app.log.warn({ user, path: req.path, bytes: req.body.length }, 'refused a stale or altered button context');
      const caller = await app.services.directory.caller(`mattermost:${user}`, localeHint, null, fallback);
      return ephemeral(translator(caller.locale)('action.stale'));
    }
    const triggerId = str(body, 'trigger_id');
    const channel = str(body, 'channel_id') || null;
    const team = d.team ?? (str(body, 'team_domain') || null);
    const base = {
      platform: 'mattermost' as const,
      identity: `mattermost:${user}`,
      displayName: str(body, 'user_name') || null,
      text: command,
      channelId: channel,
      localeHint,
    };
    let held: Held | null = null;
    if (triggerId) {
      const admitted = await admitOnce(d, `action:${triggerId}`, { inv: base, team, reply: { dm: user } });
      if (!admitted) return json({ ephemeral_text: translator(app.config.BOT_LOCALE)('db.try_again') });
      if (!admitted.fresh) return json({});
      held = admitted.held;
    }
    const inv: Invocation = { ...base, requestId: randomUUID(), refs: mattermostRefs(d.api, team) };
    const t = translator(locale);
    const answer = async (r: Reply): Promise<HttpResponse> => {
      if (r.visibility === 'channel' && channel) {
        try {
          await d.responder.postIn(channel, r, t);
          return json({});
        } catch (e) {
          app.log.warn(
            { err: (e as Error).message },
            'could not post the answer in the channel; answering ephemerally',
          );
        }
      }
      return ephemeral(renderText(r, t));
    };
    const done = await within(
      journaled(d, held, () => app.router.handle(inv)),
      d.directReplyMs,
      async (o) => {
        if (o) await d.responder.dm(user, o.reply, t);
      },
      (p) => d.track(p.catch((e) => app.log.error({ err: e }, 'mattermost click failed'))),
    );
    return done?.value ? answer(done.value.reply) : json({});
  };
}

export function dialogRoute(d: RouteDeps) {
  const { app } = d;

  return async (req: HttpRequest): Promise<HttpResponse> => {
    const body = parse(req);
    const user = body ? str(body, 'user_id') : '';
    if (!body || !ID.test(user)) return { status: 400, body: 'bad request' };
    if (body.cancelled === true) return { status: 200 };
    const state = verifyState(d.actionSecret, body.state, app.clock.now());
    const found = state && str(body, 'callback_id') === state.c ? app.router.find(state.c.split(' ')) : null;
    if (!state || !found) {
      app.metrics.authFailures.inc({ endpoint: 'mattermost_dialog', reason: 'bad_state' });
      app.log.warn(
        { user, path: req.path, bytes: req.body.length },
        'refused a dialog submission with an altered state',
      );
      return json({ error: translator(app.config.BOT_LOCALE)('action.stale') });
    }
    const t = translator(state.l);
    const form = buildForm(found.group.name, found.def as never, state.l, {});
    const shown = new Set(form.fields.map((f) => f.name));
    const team = d.team ?? state.tm ?? null;
    const base = {
      platform: 'mattermost' as const,
      identity: `mattermost:${user}`,
      text: state.x,
      formValues: formValues(form, submittedValues(body.submission)),
      channelId: state.ch,
      localeHint: state.l,
    };
    const inv: Invocation = { ...base, requestId: randomUUID(), refs: mattermostRefs(d.api, team) };
    const errors: Record<string, string> = {};
    let general: string | null = null;
    let caller: Caller | undefined;
    try {
      const r = await app.router.resolve(inv);
      caller = r.caller;
      for (const f of r.missing) errors[f] = t('input.missing');
      const v = app.router.validate(r, r.caller.locale);
      if (!v.ok) {
        for (const i of v.issues) {
          if (shown.has(i.field)) errors[i.field] ??= i.message;
          else general ??= i.message;
        }
      }
    } catch (e) {
      if (!isUserError(e)) throw e;
      general = t(e.code, e.params);
    }
    if (Object.keys(errors).length > 0 || general !== null) {
      return json({ ...(Object.keys(errors).length ? { errors } : {}), ...(general ? { error: general } : {}) });
    }
    const key = `dialog:${user}:${canonicalJson({ s: body.state, v: body.submission ?? null })}`;
    const reply = state.r ? { responseUrl: state.r } : { dm: user };
    const admitted = await admitOnce(d, key, { inv: base, team, reply });
    if (!admitted) return json({ error: t('db.try_again') });
    if (!admitted.fresh) return { status: 200 };
    d.track(
      journaled(d, admitted.held, async () => {
        const o = await app.router.handle(inv, caller);
        await d.responder.send({ responseUrl: state.r, user, channel: state.ch }, o.reply, t);
      }).catch((e) => app.log.error({ err: e }, 'mattermost dialog command failed')),
    );
    return { status: 200 };
  };
}
