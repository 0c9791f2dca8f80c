/**
 * bolt listeners: the /csirt slash command, button clicks and form submissions. Each acks
 * first (a form submission acks with its validation errors, which needs only the database)
 * and then runs the command through the router as the person who sent it.
 */
import { randomUUID } from 'node:crypto';
import type { BlockButtonAction, App as BoltApp, SlashCommand, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { App } from '../../app.ts';
import { verifyAction } from '../../core/action-token.ts';
import type { Caller } from '../../core/command.ts';
import { isHandledElsewhere, isUserError } from '../../core/errors.ts';
import { buildForm, formValues } from '../../core/forms.ts';
import { reply } from '../../core/reply.ts';
import type { Invocation } from '../../core/router.ts';
import { type Locale, translator } from '../../i18n/index.ts';
import type { PlatformLocales } from '../locales.ts';
import { buildModal, FORM_CALLBACK_ID, type FormMeta, parseMeta, submittedValues } from './modal.ts';
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
    const errors: Record<string, string> = {};
    let caller: Caller | undefined;
    try {
      const r = await app.router.resolve(inv);
      caller = r.caller;
      for (const f of r.missing) errors[f] = t('input.missing');
      const v = app.router.validate(r, r.caller.locale);
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
    const o = await app.router.handle(inv, caller);
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
  const localeHint = await d.locales.of(user);
  const inv: Invocation = {
    platform: 'slack',
    identity: `slack:${user}`,
    displayName: command.user_name ?? null,
    text: command.text ?? '',
    channelId: command.channel_id ?? null,
    localeHint,
    requestId: randomUUID(),
    refs: slackRefs,
  };
  const target: ReplyTarget = { responseUrl: command.response_url, channel: command.channel_id, user };
  // looked up once for the form check and the command (three queries each time)
  const caller = await app.router.caller(inv);
  if (await openFormIfMissing(d, inv, command, caller)) return;
  const o = await app.router.handle(inv, caller);
  await answer(target, o.reply, localeHint ?? fallback);
}

/** Opens the command's form when it has one and required fields are missing; true if opened. */
async function openFormIfMissing(
  d: ListenerDeps,
  inv: Invocation,
  command: SlashCommand,
  caller: Caller,
): Promise<boolean> {
  const { app } = d;
  let r: Awaited<ReturnType<typeof app.router.resolve>>;
  try {
    r = await app.router.resolve(inv, caller);
  } catch {
    return false; // handle() reports it
  }
  if (!r.def.form || r.missing.length === 0 || !command.trigger_id) return false;
  const locale = r.caller.locale;
  const form = buildForm(r.group.name, r.def, locale, r.raw, r.t.fill);
  const meta: FormMeta = { c: form.command, ch: inv.channelId, l: locale, r: command.response_url };
  try {
    await d.client.views.open({
      trigger_id: command.trigger_id,
      view: buildModal(form, meta, r.t) as never,
    });
    return true;
  } catch (e) {
    app.log.warn({ err: (e as Error).message, command: form.command }, 'views.open failed; answering in text');
    return false;
  }
}
