/**
 * A portable reply or post as Slack Block Kit. Reply text is plain by contract: every string
 * is escaped (escape.ts) before it becomes mrkdwn, and mrkdwn objects are `verbatim` so that
 * Slack does not turn bare URLs, #names or @names into links or mentions either.
 */

import type { OutMessage } from '../../core/platform.ts';
import type { Action, Block } from '../../core/reply.ts';
import { cleanReply, replyToText } from '../../core/reply.ts';
import type { Translate } from '../../i18n/index.ts';
import { chunkEscaped, clip, escapeCode, escapeText } from './escape.ts';

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

const mrkdwn = (text: string) => ({ type: 'mrkdwn', text, verbatim: true });
const plain = (text: string, max: number) => ({ type: 'plain_text', text: clip(text || '-', max), emoji: true });

/** Signs a button's command; returns null when the value would be too long for Slack. */
export type SignAction = (command: string) => string | null;

export const ACTION_ID_PREFIX = 'csirt:action:';

export function renderMessage(message: OutMessage, t: Translate, sign: SignAction): SlackMessage {
  const msg = cleanReply(message);
  const blocks: SlackBlock[] = msg.blocks.flatMap(renderBlock);
  for (const f of msg.attachments ?? []) {
    blocks.push({ type: 'context', elements: [mrkdwn(escapeText(t('slack.attachment', { filename: f.filename })))] });
  }
  const buttons = (msg.actions ?? []).map((a, i) => button(a, i, sign)).filter((b) => b !== null);
  const room = MAX_BLOCKS - (buttons.length ? 1 : 0);
  if (blocks.length > room) {
    blocks.length = room - 1;
    blocks.push({ type: 'context', elements: [mrkdwn('…')] });
  }
  if (buttons.length) blocks.push({ type: 'actions', block_id: 'csirt:actions', elements: buttons.slice(0, 25) });
  return { text: escapeText(clip(replyToText(msg), MAX_FALLBACK)) || ' ', blocks };
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
