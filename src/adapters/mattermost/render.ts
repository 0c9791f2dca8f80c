/**
 * A portable reply or post as a Mattermost message: markdown for the blocks (every string
 * escaped by escape.ts), and one message attachment carrying the buttons. A button's
 * integration posts to our /mattermost/action with the signed command as its context.
 */
import { splitBlocks } from '../../core/fit.ts';
import type { OutMessage } from '../../core/platform.ts';
import { type Action, type Block, cleanReply } from '../../core/reply.ts';
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

/** A post: one message, shortened to fit with a note saying where to read it all. */
export function renderMessage(msg: OutMessage, t: Translate, sign: SignAction, actionUrl: string): MmMessage {
  return renderMessages(msg, t, sign, actionUrl, 1)[0] as MmMessage;
}

/**
 * A reply as up to `maxParts` consecutive messages within the post limit, cut at block
 * boundaries where it can (src/core/fit.ts); file notes and buttons come with the last. Room is
 * kept in each for `reserve` (a note the sender may put above it).
 */
export function renderMessages(
  out: OutMessage,
  t: Translate,
  sign: SignAction,
  actionUrl: string,
  maxParts: number,
  reserve = '',
): MmMessage[] {
  const msg = cleanReply(out);
  const files = (msg.attachments ?? []).map((f) =>
    escapeMarkdown(t('mattermost.attachment', { filename: f.filename })),
  );
  const actions = (msg.actions ?? [])
    .slice(0, MAX_BUTTONS)
    .map((a, i) => button(a, i, sign, actionUrl))
    .filter((b): b is MmAction => b !== null);
  const fallback = plainText((msg.actions ?? []).map((a) => a.label).join(' / '), 200);
  const messages = splitMarkdown(msg, t, files, maxParts, reserve);
  return messages.map((message, i) => ({
    message: message || ' ',
    attachments: i === messages.length - 1 && actions.length ? [{ fallback, actions }] : [],
  }));
}

/** The plain text of a reply with its buttons written as commands (for ephemeral_text). */
export function renderText(out: OutMessage, t: Translate): string {
  const msg = cleanReply(out);
  const hints = (msg.actions ?? []).map((a) =>
    escapeMarkdown(`→ ${t('button.hint', { command: `/csirt ${a.command}` })} [${a.label}]`),
  );
  return splitMarkdown(msg, t, hints, 1)[0] as string;
}

/** The markdown of a context block (a note above a reply, e.g. why it comes as a direct message). */
export const contextMarkdown = (text: string): string => `_${escapeMarkdown(text)}_`;

const runes = (s: string) => [...s].length;
const join = (parts: readonly string[]) => parts.join('\n\n');

/**
 * The blocks as markdown, then `tail` (file notes, button hints) with the last, in up to
 * `maxParts` messages within MAX_MESSAGE (less `reserve`): when too long, whole blocks are kept
 * together where they fit, a longer one is cut between rows or characters, never inside a
 * table's or code's markdown, and what does not fit ends with a note saying where to read it all.
 */
function splitMarkdown(msg: OutMessage, t: Translate, tail: string[], maxParts: number, reserve = ''): string[] {
  const whole = join([...msg.blocks.map(renderBlock), ...tail]);
  if (runes(whole) + (reserve ? runes(reserve) + 2 : 0) <= MAX_MESSAGE) return [whole];
  const note = contextMarkdown(
    msg.readMore ? t('delivery.clipped', { command: msg.readMore }) : t('delivery.clipped_plain'),
  );
  const fixed = runes(join([note, ...tail])) + 2 + (reserve ? runes(reserve) + 2 : 0);
  const split = splitBlocks(msg.blocks, MAX_MESSAGE - fixed, (b) => runes(renderBlock(b)) + 2, maxParts);
  return split.parts.map((g, i) => {
    const last = i === split.parts.length - 1;
    return join([...g.map(renderBlock), ...(last && split.clipped ? [note] : []), ...(last ? tail : [])]);
  });
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
