/**
 * bolt listeners: the /csirt slash command, button clicks and form submissions. Slack waits 3 s
 * for the ack and a trigger_id lives 3 s, so each keeps what comes before the ack (and before
 * views.open) to work that needs no network call — parsing the command and checking the form's
 * values against its schema — and does everything slow after: the person's language
 * (users.info), the caller's roles and organisation (the database), the command itself.
 */
import { randomUUID } from 'node:crypto';
import type { BlockButtonAction, App as BoltApp, SlashCommand, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { App } from '../../app.ts';
import { verifyAction } from '../../core/action-token.ts';
import type { Caller } from '../../core/command.ts';
import { isHandledElsewhere, isUserError } from '../../core/errors.ts';
import { buildForm, formValues } from '../../core/forms.ts';
import { type Reply, reply, replyToText } from '../../core/reply.ts';
import type { Invocation } from '../../core/router.ts';
import { type Locale, translator } from '../../i18n/index.ts';
import type { PlatformLocales } from '../locales.ts';
import { buildModal, FORM_CALLBACK_ID, type FormMeta, messageModal, parseMeta, submittedValues } from './modal.ts';
import { slackRefs } from './refs.ts';
import { ACTION_ID_PREFIX, type SignAction } from './render.ts';
import type { ReplyTarget, SlackResponder } from './respond.ts';

export interface ListenerDeps {
  app: App;
  client: WebClient;
  locales: PlatformLocales;
  responder: SlackResponder;
  sign: SignAction;
  actionSecret: string;
  /** the language of each person's last command, to open their next form in it with no look-up */
  formLocales: RecentLocales;
}

/** The language each person last used, kept in memory (a bounded map; a miss means the default). */
export class RecentLocales {
  private readonly map = new Map<string, Locale>();
  get(user: string): Locale | undefined {
    return this.map.get(user);
  }
  remember(user: string, locale: Locale): void {
    if (this.map.size > 10_000) this.map.clear();
    this.map.set(user, locale);
  }
}

export function registerListeners(bolt: BoltApp, d: ListenerDeps): void {
  const { app } = d;
  const fallback = app.config.BOT_LOCALE;

  const answer = async (target: ReplyTarget, r: Parameters<SlackResponder['send']>[1], locale: Locale) => {
    try {
      await d.responder.send(target, r, translator(locale), d.sign);
    } catch (e) {
      app.log.error({ err: e }, 'slack reply failed');
    }
  };

  bolt.command(/.*/, async ({ ack, command }) => {
    await ack();
    await runCommand(d, command, answer, fallback);
  });

  bolt.action<BlockButtonAction>({ action_id: new RegExp(`^${ACTION_ID_PREFIX}`) }, async ({ ack, body, action }) => {
    await ack();
    const user = body.user.id;
    const localeHint = await d.locales.of(user);
    const target: ReplyTarget = {
      responseUrl: body.response_url,
      channel: body.channel?.id ?? null,
      user,
      fromAction: true,
    };
    const command = verifyAction(d.actionSecret, action.value ?? '', app.clock.now());
    if (command === null) {
      app.metrics.authFailures.inc({ endpoint: 'slack_action', reason: 'bad_action_token' });
      app.log.warn({ user, action: action.action_id }, 'refused a stale or altered button value');
      const caller = await app.services.directory.caller(`slack:${user}`, localeHint, null, fallback);
      await answer(target, { ...reply.text(translator(caller.locale)('action.stale')), error: true }, caller.locale);
      return;
    }
    const o = await app.router.handle({
      platform: 'slack',
      identity: `slack:${user}`,
      displayName: body.user.name ?? null,
      text: command,
      channelId: body.channel?.id ?? null,
      localeHint,
      requestId: randomUUID(),
      refs: slackRefs,
    });
    await answer(target, o.reply, localeHint ?? fallback);
  });

  bolt.view<ViewSubmitAction>(FORM_CALLBACK_ID, async ({ ack, body, view }) => {
    const meta = parseMeta(view.private_metadata);
    const found = meta ? app.router.find(meta.c.split(' ')) : null;
    if (!meta || !found) {
      await ack();
      return;
    }
    const t = translator(meta.l);
    const form = buildForm(found.group.name, found.def as never, meta.l, {});
    const firstBlock = form.fields[0]?.name ?? 'x';
    const user = body.user.id;
    const inv: Invocation = {
      platform: 'slack',
      identity: `slack:${user}`,
      displayName: body.user.name ?? null,
      text: meta.c,
      formValues: formValues(form, submittedValues(view.state)),
      channelId: meta.ch,
      localeHint: meta.l,
      requestId: randomUUID(),
      refs: slackRefs,
    };
    // the values against the command's schema (no look-up): errors go back in the ack, beside their field
    const errors: Record<string, string> = {};
    try {
      const r = app.router.parse(inv, meta.l);
      for (const f of r.missing) errors[f] = t('input.missing');
      const v = app.router.validate(r, meta.l);
      if (!v.ok) {
        for (const i of v.issues) {
          const block = form.fields.some((f) => f.name === i.field) ? i.field : firstBlock;
          errors[block] ??= i.message;
        }
      }
    } catch (e) {
      if (!isUserError(e)) throw e;
      errors[firstBlock] = t(e.code, e.params);
    }
    if (Object.keys(errors).length > 0) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack();
    // after the ack: who submits (roles, organisation: the database) and the command itself; a
    // refusal (no longer allowed, a rule broken meanwhile) is the reply
    const o = await app.router.handle(inv);
    await answer({ responseUrl: meta.r, channel: meta.ch, user }, o.reply, meta.l);
  });

  bolt.error(async (e) => {
    if (isHandledElsewhere(e)) return; // the command journal says so (another process answers)
    app.log.error({ err: e }, 'slack listener failed');
  });
}

async function runCommand(
  d: ListenerDeps,
  command: SlashCommand,
  answer: (target: ReplyTarget, r: Parameters<SlackResponder['send']>[1], locale: Locale) => Promise<void>,
  fallback: Locale,
): Promise<void> {
  const { app } = d;
  const user = command.user_id;
  const base = {
    platform: 'slack' as const,
    identity: `slack:${user}`,
    displayName: command.user_name ?? null,
    text: command.text ?? '',
    channelId: command.channel_id ?? null,
    requestId: randomUUID(),
    refs: slackRefs,
  };
  // the trigger_id lives 3 s: the form opens before anything slow
  const opened = await openFormFirst(d, base, command, fallback);
  const localeHint = await d.locales.of(user);
  const inv: Invocation = { ...base, localeHint };
  const target: ReplyTarget = { responseUrl: command.response_url, channel: command.channel_id, user };
  // the database work waits its turn (src/inbox/journal.ts `turn`): under a burst the requests
  // still arriving are acknowledged at once instead of waiting on the one event loop behind it;
  // the network calls (the person's language, the reply) do not hold a turn
  const o = await app.journal.turn(async () => {
    // looked up once for the form check and the command (three queries each time)
    const caller = await app.router.caller(inv);
    d.formLocales.remember(user, caller.locale);
    if (opened) {
      await settleForm(d, opened, inv, caller, (r) => answer(target, r, caller.locale));
      return null;
    }
    return app.router.handle(inv, caller);
  });
  if (o) await answer(target, o.reply, localeHint ?? fallback);
}

/** A form opened before the caller was known. */
interface OpenedForm {
  viewId: string;
  locale: Locale;
  meta: FormMeta;
  /** the form as drawn (JSON), to tell whether the caller's language and names change it */
  form: string;
}

/**
 * Opens the command's form when it has one and required fields are missing, with what needs no
 * look-up: the command's text, and the language this person's last form was in (else the
 * default). Null when no form was opened (the command then runs and says what is missing).
 */
async function openFormFirst(
  d: ListenerDeps,
  inv: Pick<Invocation, 'text'>,
  command: SlashCommand,
  fallback: Locale,
): Promise<OpenedForm | null> {
  const locale = d.formLocales.get(command.user_id) ?? fallback;
  let r: ReturnType<ListenerDeps['app']['router']['parse']>;
  try {
    // the directory's names as last read (the database is not asked): settleForm redraws if they changed
    r = d.app.router.parse(inv, locale);
  } catch {
    return null; // handle() reports it
  }
  if (!r.def.form || r.missing.length === 0 || !command.trigger_id) return null;
  const form = buildForm(r.group.name, r.def, locale, r.raw, r.t.fill);
  const meta: FormMeta = { c: form.command, ch: command.channel_id ?? null, l: locale, r: command.response_url };
  try {
    const res = await d.client.views.open({
      trigger_id: command.trigger_id,
      view: buildModal(form, meta, r.t) as never,
    });
    const viewId = res.view?.id;
    return viewId ? { viewId, locale, meta, form: JSON.stringify(form) } : null;
  } catch (e) {
    d.app.log.warn({ err: (e as Error).message, command: form.command }, 'views.open failed; answering in text');
    return null;
  }
}

/**
 * Once the caller is known: a form they may not use becomes the reason why (the refusal runs
 * through the router like any other, and is also the reply: they may have closed the form); a
 * form opened in another language than theirs is redrawn in theirs (views.update needs no
 * trigger_id).
 */
async function settleForm(
  d: ListenerDeps,
  opened: OpenedForm,
  inv: Invocation,
  caller: Caller,
  answer: (r: Reply) => Promise<void>,
): Promise<void> {
  const { app } = d;
  let view: Record<string, unknown> | null = null;
  try {
    const r = await app.router.resolve(inv, caller);
    // redrawn in the caller's language, with the directory's names, when either changes it
    const form = buildForm(r.group.name, r.def, caller.locale, r.raw, r.t.fill);
    if (caller.locale !== opened.locale || JSON.stringify(form) !== opened.form) {
      view = buildModal(form, { ...opened.meta, l: caller.locale }, r.t);
    }
  } catch (e) {
    if (!isUserError(e)) throw e;
    const o = await app.router.handle(inv, caller);
    view = messageModal(replyToText(o.reply), translator(caller.locale));
    await answer(o.reply);
  }
  if (!view) return;
  try {
    await d.client.views.update({ view_id: opened.viewId, view: view as never });
  } catch (e) {
    app.log.warn({ err: (e as Error).message }, 'views.update failed');
  }
}
