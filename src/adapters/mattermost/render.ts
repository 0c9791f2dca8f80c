/**
 * A portable reply or post as a Mattermost message: markdown for the blocks (every string
 * escaped by escape.ts), and one message attachment carrying the buttons. A button's
 * integration posts to our /mattermost/action with the signed command as its context.
 */
import type { OutMessage } from '../../core/platform.ts';
import { type Action, type Block, cleanReply } from '../../core/reply.ts';
import type { Translate } from '../../i18n/index.ts';
import { clip, escapeMarkdown, fenceCode, plainText } from './escape.ts';

/** model.PostMessageMaxRunesV2 is 16 383; keep room for the cut marker. */
const MAX_MESSAGE = 16_000;
const MAX_BUTTONS = 20;

/** Signs a button's command; null when it cannot be signed (no secret yet). */
export type SignAction = (command: string) => string | null;

/** A message attachment (the subset we send: buttons). */
export interface MmAttachment {
  fallback: string;
  actions: MmAction[];
}

export interface MmAction {
  id: string;
  name: string;
  type: 'button';
  style?: 'primary' | 'danger';
  integration: { url: string; context: { token: string } };
}

export interface MmMessage {
  message: string;
  attachments: MmAttachment[];
}

export function renderMessage(out: OutMessage, t: Translate, sign: SignAction, actionUrl: string): MmMessage {
  const msg = cleanReply(out);
  const parts = msg.blocks.map(renderBlock);
  for (const f of msg.attachments ?? [])
    parts.push(escapeMarkdown(t('mattermost.attachment', { filename: f.filename })));
  const message = clip(parts.join('\n\n'), MAX_MESSAGE) || ' ';
  const actions = (msg.actions ?? [])
    .slice(0, MAX_BUTTONS)
    .map((a, i) => button(a, i, sign, actionUrl))
    .filter((b): b is MmAction => b !== null);
  const fallback = plainText((msg.actions ?? []).map((a) => a.label).join(' / '), 200);
  return { message, attachments: actions.length ? [{ fallback, actions }] : [] };
}

/** The plain text of a reply with its buttons written as commands (for ephemeral_text). */
export function renderText(out: OutMessage, t: Translate): string {
  const msg = cleanReply(out);
  const parts = msg.blocks.map(renderBlock);
  for (const a of msg.actions ?? [])
    parts.push(escapeMarkdown(`→ ${t('button.hint', { command: `/csirt ${a.command}` })} [${a.label}]`));
  return clip(parts.join('\n\n'), MAX_MESSAGE);
}

function renderBlock(b: Block): string {
  switch (b.kind) {
    case 'heading':
      return `#### ${escapeMarkdown(b.text.replace(/\n/g, ' '))}`;
    case 'text':
      return escapeMarkdown(b.text);
    case 'context':
      return `_${escapeMarkdown(b.text)}_`;
    case 'code':
      return fenceCode(b.text);
    case 'table':
      return table(b.head, b.rows);
    case 'fields':
      return b.fields.map(([k, v]) => `**${escapeMarkdown(k)}:** ${escapeMarkdown(v)}`).join('\n');
  }
}

function table(head: string[], rows: string[][]): string {
  const cell = (s: string) => escapeMarkdown(s.replace(/\s*\n\s*/g, ' ')) || ' ';
  const line = (r: string[]) => `| ${head.map((_, i) => cell(r[i] ?? '')).join(' | ')} |`;
  return [line(head), `|${head.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n');
}

function button(a: Action, i: number, sign: SignAction, url: string): MmAction | null {
  const token = sign(a.command);
  if (token === null) return null;
  return {
    // clicks are routed by action id: it must be alphanumeric
    id: `csirt${i}`,
    name: plainText(a.label, 60),
    type: 'button',
    ...(a.style ? { style: a.style } : {}),
    integration: { url, context: { token } },
  };
}
