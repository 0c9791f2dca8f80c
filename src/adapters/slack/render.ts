/**
 * A portable reply or post as Slack Block Kit. Reply text is plain by contract: every string
 * is escaped (escape.ts) before it becomes mrkdwn, and mrkdwn objects are `verbatim` so that
 * Slack does not turn bare URLs, #names or @names into links or mentions either.
 */

import { splitBlocks } from '../../core/fit.ts';
import type { OutMessage } from '../../core/platform.ts';
import type { Action, Block } from '../../core/reply.ts';
import { cleanReply, replyToText } from '../../core/reply.ts';
import type { Translate } from '../../i18n/index.ts';
import { chunkEscaped, clip, codePoints, escapeCode, escapeText } from './escape.ts';

/** A Block Kit block (the subset we send). */
export type SlackBlock = Record<string, unknown>;

export interface SlackMessage {
  /** the notification and fallback text (escaped) */
  text: string;
  blocks: SlackBlock[];
}

const MAX_BLOCKS = 50;
const SECTION_TEXT = 3000;
const MAX_FALLBACK = 3000;
/**
 * The text of all blocks together is kept under this: Slack answers `msg_blocks_too_long`
 * above roughly 11,000–13,000 characters (undocumented; slackapi/bolt-js#2509, #2867).
 */
export const MAX_BLOCK_TEXT = 10_000;

const mrkdwn = (text: string) => ({ type: 'mrkdwn', text, verbatim: true });
const plain = (text: string, max: number) => ({ type: 'plain_text', text: clip(text || '-', max), emoji: true });

/** Signs a button's command; returns null when the value would be too long for Slack. */
export type SignAction = (command: string) => string | null;

export const ACTION_ID_PREFIX = 'csirt:action:';

/** The characters of every `text` string in the blocks, as Slack counts them against the limit. */
export function blockText(v: unknown): number {
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + blockText(x), 0);
  if (typeof v !== 'object' || v === null) return 0;
  let n = 0;
  // (keys, not entries: no pair array per member; codePoints: no array of the characters)
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    n += k === 'text' && typeof x === 'string' ? codePoints(x) : blockText(x);
  }
  return n;
}

/** The note ending a shortened message: where to read it all. */
function clippedNote(msg: OutMessage, t: Translate): SlackBlock {
  return contextBlock(msg.readMore ? t('delivery.clipped', { command: msg.readMore }) : t('delivery.clipped_plain'));
}

/** A post: one message, shortened to fit with a note saying where to read it all. */
export function renderMessage(msg: OutMessage, t: Translate, sign: SignAction): SlackMessage {
  return renderMessages(msg, t, sign, 1)[0] as SlackMessage;
}

/** A context block (a note above a reply, e.g. why it comes as a direct message). */
export const contextBlock = (text: string): SlackBlock => ({ type: 'context', elements: [mrkdwn(escapeText(text))] });

/**
 * A reply as up to `maxParts` consecutive messages, each within Slack's limits (block text
 * together, number of blocks), cut at block boundaries where it can (src/core/fit.ts); the
 * buttons and file notes come with the last. Room is kept in each for the blocks of `reserve`
 * (a note the sender may put above it).
 */
export function renderMessages(
  message: OutMessage,
  t: Translate,
  sign: SignAction,
  maxParts: number,
  reserve: readonly SlackBlock[] = [],
): SlackMessage[] {
  const msg = cleanReply(message);
  const files = (msg.attachments ?? []).map((f) => contextBlock(t('slack.attachment', { filename: f.filename })));
  const buttons = (msg.actions ?? []).map((a, i) => button(a, i, sign)).filter((b) => b !== null);
  const actions = buttons.length
    ? [{ type: 'actions', block_id: 'csirt:actions', elements: buttons.slice(0, 25) }]
    : [];
  const note = clippedNote(msg, t);
  const fixed = blockText(files) + blockText(actions) + blockText(reserve);
  let groups: Block[][] = [msg.blocks];
  let clipped = false;
  if (blockText(msg.blocks.flatMap(renderBlock)) + fixed > MAX_BLOCK_TEXT) {
    const split = splitBlocks(
      msg.blocks,
      MAX_BLOCK_TEXT - fixed - blockText(note),
      (b) => blockText(renderBlock(b)),
      maxParts,
    );
    groups = split.parts;
    clipped = split.clipped;
  }
  const room = MAX_BLOCKS - files.length - actions.length - reserve.length - 1;
  return groups.map((g, i) => {
    const last = i === groups.length - 1;
    let content = g.flatMap(renderBlock);
    let shortened = last && clipped;
    if (content.length > room) {
      content = content.slice(0, room);
      shortened = true;
    }
    const blocks = [...content, ...(shortened ? [note] : []), ...(last ? [...files, ...actions] : [])];
    return { text: escapeText(clip(replyToText({ blocks: g }), MAX_FALLBACK)) || ' ', blocks };
  });
}

function renderBlock(b: Block): SlackBlock[] {
  switch (b.kind) {
    case 'heading':
      return [{ type: 'header', text: plain(b.text, 150) }];
    case 'text':
      return chunkEscaped(b.text, SECTION_TEXT).map((text) => ({ type: 'section', text: mrkdwn(text || ' ') }));
    case 'context':
      return [{ type: 'context', elements: [mrkdwn(escapeText(clip(b.text, 2900)) || ' ')] }];
    case 'code':
      return codeBlocks(b.text);
    case 'table':
      return codeBlocks(replyToText({ blocks: [b] }));
    case 'fields': {
      const out: SlackBlock[] = [];
      for (let i = 0; i < b.fields.length; i += 10) {
        out.push({
          type: 'section',
          fields: b.fields
            .slice(i, i + 10)
            .map(([k, v]) => mrkdwn(`*${escapeText(clip(k, 200))}*\n${escapeText(clip(v, 1700))}`)),
        });
      }
      return out;
    }
  }
}

function codeBlocks(text: string): SlackBlock[] {
  return chunkEscaped(text, SECTION_TEXT - 8, escapeCode).map((c) => ({
    type: 'section',
    text: mrkdwn(`\`\`\`${c}\`\`\``),
  }));
}

function button(a: Action, i: number, sign: SignAction): SlackBlock | null {
  const value = sign(a.command);
  if (value === null || value.length > 2000) return null;
  return {
    type: 'button',
    action_id: `${ACTION_ID_PREFIX}${i}`,
    text: plain(a.label, 75),
    value,
    ...(a.style ? { style: a.style } : {}),
  };
}
