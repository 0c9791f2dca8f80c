/**
 * Requests Slack sends to the bot, built for tests: signed slash commands and interaction payloads
 * (block_actions, view_submission). Shapes follow tests/fixtures/specs/slack/samples/*.json; values default to
 * the fake workspace's ids (slack-state.ts) so they match a `startFakeSlack()` server.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { FAKE_SLACK } from './slack-state.ts';

/** Headers that authenticate a request from Slack. */
export interface SlackSignatureHeaders {
  'X-Slack-Signature': string;
  'X-Slack-Request-Timestamp': string;
}

/**
 * Signs a raw request body as Slack does: `v0=` + hex(HMAC-SHA256(secret, `v0:{ts}:{body}`)).
 * @param timestamp Unix seconds (default: now); pass an old one to test replay rejection.
 */
export function signSlackRequest(secret: string, body: string, timestamp?: number): SlackSignatureHeaders {
  const ts = String(timestamp ?? Math.floor(Date.now() / 1000));
  const mac = createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex');
  return { 'X-Slack-Signature': `v0=${mac}`, 'X-Slack-Request-Timestamp': ts };
}

/** A trigger_id in Slack's format (`digits.digits.hex`); not known to any fake server. */
export function fakeTriggerId(): string {
  const n = () => String(1_000_000_000 + Math.floor(Math.random() * 9_000_000_000));
  return `${n()}.${n()}.${randomBytes(16).toString('hex')}`;
}

/** Fields of a slash command request (samples/SlashCommandPayload.json). */
export interface SlashCommandFields {
  token: string;
  api_app_id: string;
  team_id: string;
  team_domain: string;
  enterprise_id?: string;
  enterprise_name?: string;
  channel_id: string;
  channel_name: string;
  user_id: string;
  user_name: string;
  command: string;
  text: string;
  response_url: string;
  trigger_id: string;
  is_enterprise_install: 'true' | 'false';
}

/** Defaults for the person and place of a request. */
export const FAKE_REQUESTER = {
  userId: 'U0FAKEUSER',
  userName: 'alice',
  channelId: 'C0FAKECHAN',
  channelName: 'csirt-general',
  verificationToken: 'fake-verification-token',
} as const;

/** Slash command fields with defaults filled in. */
export function slashCommandFields(overrides: Partial<SlashCommandFields> = {}): SlashCommandFields {
  return {
    token: FAKE_REQUESTER.verificationToken,
    api_app_id: FAKE_SLACK.appId,
    team_id: FAKE_SLACK.teamId,
    team_domain: FAKE_SLACK.teamDomain,
    channel_id: FAKE_REQUESTER.channelId,
    channel_name: FAKE_REQUESTER.channelName,
    user_id: FAKE_REQUESTER.userId,
    user_name: FAKE_REQUESTER.userName,
    command: '/csirt',
    text: '',
    response_url: `https://hooks.slack.com/commands/${FAKE_SLACK.teamId}/1234567890/${randomBytes(12).toString('hex')}`,
    trigger_id: fakeTriggerId(),
    is_enterprise_install: 'false',
    ...overrides,
  };
}

/** A form-encoded slash command body, as Slack POSTs it. */
export function slashCommandBody(overrides: Partial<SlashCommandFields> = {}): string {
  const fields = slashCommandFields(overrides);
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) params.append(k, v);
  return params.toString();
}

/** An interaction body: one form field `payload` holding the JSON payload. */
export function interactionBody(payload: object): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** Who acts, in interaction payloads. */
export interface ActingUser {
  id?: string;
  name?: string;
}

function userObject(u: ActingUser = {}): Record<string, string> {
  const name = u.name ?? FAKE_REQUESTER.userName;
  return { id: u.id ?? FAKE_REQUESTER.userId, username: name, name, team_id: FAKE_SLACK.teamId };
}

const team = () => ({ id: FAKE_SLACK.teamId, domain: FAKE_SLACK.teamDomain });

/** Options of `blockActionsPayload`. */
export interface BlockActionsOptions {
  actionId: string;
  blockId?: string;
  value?: string;
  /** The action object beyond the basics (e.g. `{ type: 'static_select', selected_option: {...} }`). */
  action?: Record<string, unknown>;
  user?: ActingUser;
  triggerId?: string;
  /** Clicked in a message: its channel and ts (and text/blocks to echo). Default container. */
  message?: { channel?: string; channelName?: string; ts: string; text?: string; blocks?: unknown[] };
  /** Clicked in a modal instead: the view (as views.open returned it). */
  view?: Record<string, unknown>;
  responseUrl?: string;
}

/** A block_actions payload (samples/BlockActionPayload.json). */
export function blockActionsPayload(o: BlockActionsOptions): Record<string, unknown> {
  const action = {
    action_id: o.actionId,
    block_id: o.blockId ?? 'actions',
    text: { type: 'plain_text', text: 'Button', emoji: true },
    value: o.value ?? '',
    type: 'button',
    action_ts: (Date.now() / 1000).toFixed(6),
    ...o.action,
  };
  const base: Record<string, unknown> = {
    type: 'block_actions',
    user: userObject(o.user),
    api_app_id: FAKE_SLACK.appId,
    token: FAKE_REQUESTER.verificationToken,
    trigger_id: o.triggerId ?? fakeTriggerId(),
    team: team(),
    enterprise: null,
    is_enterprise_install: false,
    state: { values: {} },
    actions: [action],
  };
  if (o.view) {
    base.container = { type: 'view', view_id: o.view.id };
    base.view = o.view;
    return base;
  }
  const m = o.message ?? { ts: '1700000000.000100' };
  const channel = m.channel ?? FAKE_REQUESTER.channelId;
  base.container = { type: 'message', message_ts: m.ts, channel_id: channel, is_ephemeral: false };
  base.channel = { id: channel, name: m.channelName ?? FAKE_REQUESTER.channelName };
  base.message = {
    type: 'message',
    user: FAKE_SLACK.botUserId,
    ts: m.ts,
    bot_id: FAKE_SLACK.botId,
    app_id: FAKE_SLACK.appId,
    text: m.text ?? '',
    team: FAKE_SLACK.teamId,
    blocks: m.blocks ?? [],
  };
  base.response_url = o.responseUrl ?? `https://hooks.slack.com/actions/${FAKE_SLACK.teamId}/1234567890/fake`;
  return base;
}

/** A state value: a string is shorthand for a plain_text_input's value. */
export type StateValue = string | Record<string, unknown>;

/** Options of `viewSubmissionPayload`. */
export interface ViewSubmissionOptions {
  callbackId: string;
  /** block_id → action_id → value. */
  values?: Record<string, Record<string, StateValue>>;
  privateMetadata?: string;
  /** The view as opened (fields are kept; state, callback_id, private_metadata are set from the options). */
  view?: Record<string, unknown>;
  user?: ActingUser;
  triggerId?: string;
}

/** A view_submission payload (samples/ViewSubmissionPayload.json). */
export function viewSubmissionPayload(o: ViewSubmissionOptions): Record<string, unknown> {
  const values: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const [blockId, actions] of Object.entries(o.values ?? {})) {
    values[blockId] = {};
    for (const [actionId, v] of Object.entries(actions)) {
      values[blockId][actionId] = typeof v === 'string' ? { type: 'plain_text_input', value: v } : v;
    }
  }
  const id = typeof o.view?.id === 'string' ? o.view.id : 'V0FAKEVIEW';
  const view = {
    id,
    team_id: FAKE_SLACK.teamId,
    type: 'modal',
    blocks: [],
    title: { type: 'plain_text', text: 'Form', emoji: true },
    submit: { type: 'plain_text', text: 'Submit', emoji: true },
    close: null,
    clear_on_close: false,
    notify_on_close: false,
    hash: '1700000000.fakehash',
    previous_view_id: null,
    root_view_id: id,
    app_id: FAKE_SLACK.appId,
    external_id: '',
    app_installed_team_id: FAKE_SLACK.teamId,
    bot_id: FAKE_SLACK.botId,
    ...o.view,
    callback_id: o.callbackId,
    private_metadata: o.privateMetadata ?? (o.view?.private_metadata as string | undefined) ?? '',
    state: { values },
  };
  return {
    type: 'view_submission',
    team: team(),
    user: userObject(o.user),
    api_app_id: FAKE_SLACK.appId,
    token: FAKE_REQUESTER.verificationToken,
    trigger_id: o.triggerId ?? fakeTriggerId(),
    view,
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}
