/**
 * Requests the Mattermost server sends to the bot, built for tests: slash commands (app/command.go
 * doCommandRequest), button clicks (app/integration_action.go DoPostActionWithCookie) and dialog
 * submissions (SubmitInteractiveDialog); plus a small receiver for what the bot POSTs to a `response_url`
 * (web/webhook.go commandWebhook: 5 uses within 30 minutes).
 */
import type { FakeMattermost, FakeMmChannel, FakeMmDialog, FakeMmPost, FakeMmUser } from './mattermost-server.ts';
import { MM_ERRORS, newMattermostId } from './mattermost-state.ts';

/** A request to send to the bot: `fetch(url + (query ? '?' + query : ''), { method, headers, body })`. */
export interface MmBotRequest {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** Form fields for a GET command (method `G`). */
  query?: string;
}

/** Form fields of a custom slash command request. */
export interface MmSlashCommandFields {
  /** The command's token (also sent as `Authorization: Token <token>`). */
  token: string;
  team_id: string;
  team_domain: string;
  channel_id: string;
  channel_name: string;
  user_id: string;
  user_name: string;
  /** The trigger with its slash, e.g. `/poc`. */
  command: string;
  text: string;
  trigger_id: string;
  response_url: string;
  root_id?: string;
}

/** The request the server sends for a slash command; method `P` (form body) or `G` (query string). */
export function slashCommandRequest(fields: MmSlashCommandFields, method: 'P' | 'G' = 'P'): MmBotRequest {
  const form = new URLSearchParams({ root_id: '', ...fields }).toString();
  const headers: Record<string, string> = { Accept: 'application/json', Authorization: `Token ${fields.token}` };
  if (method === 'G') return { method: 'GET', headers, query: form };
  return { method: 'POST', headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' }, body: form };
}

/** The server refused to run a slash command before calling the integration (what the user sees). */
export class MmCommandRefused extends Error {
  constructor(
    readonly status: number,
    readonly id: string,
  ) {
    super(`${status} ${id}`);
    this.name = 'MmCommandRefused';
  }
}

/**
 * A slash command for a command registered on the fake (found by trigger in the channel's team): token,
 * method and team come from it, the trigger id is issued by the fake. Returns the command's URL too.
 * As the server (app/command.go tryExecuteCustomCommand, since MM-67142): with Site URL unset a custom
 * command is refused (400 `api.command.execute_command.site_url_required.app_error`, thrown here as
 * MmCommandRefused) and never reaches the integration; the response_url is `<Site URL>/hooks/commands/<id>`.
 */
export function slashCommandFor(
  fake: FakeMattermost,
  input: { trigger: string; text?: string; user: FakeMmUser; channel?: FakeMmChannel; responseUrl?: string },
): { url: string; request: MmBotRequest } {
  const channel = input.channel ?? fake.channel;
  const teamId = channel.team_id || fake.team.id;
  const cmd = fake.commands().find((c) => c.team_id === teamId && c.trigger === input.trigger.replace(/^\//, ''));
  if (!cmd) throw new Error(`fake Mattermost: no command ${input.trigger} in team ${teamId}`);
  if (fake.siteUrl === '') throw new MmCommandRefused(400, MM_ERRORS.siteUrlRequired[0]);
  const fields: MmSlashCommandFields = {
    token: cmd.token,
    team_id: teamId,
    team_domain: fake.store.teams.get(teamId)?.name ?? '',
    channel_id: channel.id,
    channel_name: channel.name,
    user_id: input.user.id,
    user_name: input.user.username,
    command: `/${cmd.trigger}`,
    text: input.text ?? '',
    trigger_id: fake.issueTriggerId(input.user.id),
    response_url: input.responseUrl ?? `${fake.siteUrl}/hooks/commands/${newMattermostId()}`,
  };
  return { url: cmd.url, request: slashCommandRequest(fields, cmd.method === 'G' ? 'G' : 'P') };
}

/** The JSON body of a button click or menu selection (model.PostActionIntegrationRequest). */
export interface MmActionClick {
  user_id: string;
  user_name: string;
  channel_id: string;
  channel_name: string;
  team_id: string;
  team_domain: string;
  post_id: string;
  trigger_id: string;
  type: 'button' | 'select';
  data_source: string;
  context: Record<string, unknown>;
}

/** The request the server sends when a user clicks a button (or picks a menu option). */
export function actionClickRequest(click: MmActionClick): MmBotRequest {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(click),
  };
}

type Json = Record<string, unknown>;

/** A click on an action of a post the bot stored on the fake; url and context come from its integration. */
export function actionClickFor(
  fake: FakeMattermost,
  input: { post: FakeMmPost; actionId: string; user: FakeMmUser; selectedOption?: string },
): { url: string; request: MmBotRequest } {
  const atts = Array.isArray(input.post.props.attachments) ? (input.post.props.attachments as Json[]) : [];
  const action = atts
    .flatMap((a) => (Array.isArray(a.actions) ? (a.actions as Json[]) : []))
    .find((a) => a.id === input.actionId);
  const integration = action?.integration as { url?: string; context?: Json } | undefined;
  if (!integration?.url) throw new Error(`fake Mattermost: post has no action ${input.actionId} with an integration`);
  const channel = fake.store.channels.get(input.post.channel_id);
  const team = channel ? fake.store.teams.get(channel.team_id) : undefined;
  const context: Json = { ...(integration.context ?? {}) };
  if (input.selectedOption !== undefined) context.selected_option = input.selectedOption;
  const click: MmActionClick = {
    user_id: input.user.id,
    user_name: input.user.username,
    channel_id: input.post.channel_id,
    channel_name: channel?.name ?? '',
    team_id: team?.id ?? '',
    team_domain: team?.name ?? '',
    post_id: input.post.id,
    trigger_id: fake.issueTriggerId(input.user.id),
    type: input.selectedOption === undefined ? 'button' : 'select',
    data_source: '',
    context,
  };
  return { url: integration.url, request: actionClickRequest(click) };
}

/** The JSON body of a dialog submission (model.SubmitDialogRequest); type is always `dialog_submission`. */
export interface MmDialogSubmission {
  type: 'dialog_submission';
  callback_id: string;
  state: string;
  user_id: string;
  channel_id: string;
  team_id: string;
  submission: Record<string, unknown>;
  cancelled: boolean;
}

/** The request the server sends when a user submits (or, with notify_on_cancel, cancels) a dialog. */
export function dialogSubmissionRequest(s: Omit<MmDialogSubmission, 'type'>): MmBotRequest {
  const body: MmDialogSubmission = { type: 'dialog_submission', ...s };
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  };
}

/** Submits a dialog the bot opened on the fake: callback_id and state come from it. */
export function dialogSubmissionFor(
  dialog: FakeMmDialog,
  input: { channel_id: string; team_id: string; submission?: Record<string, unknown>; cancelled?: boolean },
): { url: string; request: MmBotRequest } {
  const d = dialog.dialog;
  const request = dialogSubmissionRequest({
    callback_id: typeof d.callback_id === 'string' ? d.callback_id : '',
    state: typeof d.state === 'string' ? d.state : '',
    user_id: dialog.user_id,
    channel_id: input.channel_id,
    team_id: input.team_id,
    submission: input.cancelled ? {} : (input.submission ?? {}),
    cancelled: input.cancelled ?? false,
  });
  return { url: dialog.url, request };
}

/** Sends a built request to the bot and reads the answer. */
export async function sendToBot(
  url: string,
  req: MmBotRequest,
): Promise<{ status: number; headers: Headers; text: string; json: unknown }> {
  const target = req.query ? `${url}${url.includes('?') ? '&' : '?'}${req.query}` : url;
  const res = await fetch(target, { method: req.method, headers: req.headers, body: req.body ?? null });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export type { FakeResponseUrlReceiver } from './mattermost-response-url.ts';
export { startResponseUrlReceiver } from './mattermost-response-url.ts';
