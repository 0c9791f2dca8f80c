/**
 * A portable reply or post as a Mattermost message: markdown for the blocks (every string
 * escaped by escape.ts), and one message attachment carrying the buttons. A button's
 * integration posts to our /mattermost/action with the signed command as its context.
 */
import { fitBlocks } from '../../core/fit.ts';
import type { OutMessage } from '../../core/platform.ts';
import type { Action, Block } from '../../core/reply.ts';
import type { Translate } from '../../i18n/index.ts';
import { escapeMarkdown, fenceCode, plainText } from './escape.ts';

/** model.PostMessageMaxRunesV2 is 16,383 characters (runes); kept with some margin. */
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

export function renderMessage(msg: OutMessage, t: Translate, sign: SignAction, actionUrl: string): MmMessage {
  const files = (msg.attachments ?? []).map((f) =>
    escapeMarkdown(t('mattermost.attachment', { filename: f.filename })),
  );
  const message = fitMarkdown(msg, t, files) || ' ';
  const actions = (msg.actions ?? [])
    .slice(0, MAX_BUTTONS)
    .map((a, i) => button(a, i, sign, actionUrl))
    .filter((b): b is MmAction => b !== null);
  const fallback = plainText((msg.actions ?? []).map((a) => a.label).join(' / '), 200);
  return { message, attachments: actions.length ? [{ fallback, actions }] : [] };
}

/** The plain text of a reply with its buttons written as commands (for ephemeral_text). */
export function renderText(msg: OutMessage, t: Translate): string {
  const hints = (msg.actions ?? []).map((a) =>
    escapeMarkdown(`→ ${t('button.hint', { command: `/csirt ${a.command}` })} [${a.label}]`),
  );
  return fitMarkdown(msg, t, hints);
}

const runes = (s: string) => [...s].length;

/**
 * The blocks as markdown, then `tail` (file notes, button hints), within MAX_MESSAGE: when too
 * long, whole blocks are kept while they fit, the next one shortened, and a note says where to
 * read it all (a cut in the middle of a table or a code fence would break the markdown).
 */
function fitMarkdown(msg: OutMessage, t: Translate, tail: string[]): string {
  const join = (parts: string[]) => parts.join('\n\n');
  const whole = join([...msg.blocks.map(renderBlock), ...tail]);
  if (runes(whole) <= MAX_MESSAGE) return whole;
  const note = `_${escapeMarkdown(msg.readMore ? t('delivery.clipped', { command: msg.readMore }) : t('delivery.clipped_plain'))}_`;
  const fixed = runes(join([note, ...tail])) + 2;
  const fit = fitBlocks(msg.blocks, MAX_MESSAGE - fixed, (b) => runes(renderBlock(b)) + 2);
  return join([...fit.blocks.map(renderBlock), note, ...tail]);
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
