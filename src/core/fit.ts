/**
 * Fitting a portable message into a platform's size limit: Slack refuses a message whose
 * blocks hold too much text together (`msg_blocks_too_long`), Mattermost one longer than
 * 16,383 characters. Each adapter gives the cost of a block as it renders it (escaping makes
 * text longer) and its budget; blocks are kept in order while they fit, the first that does
 * not is shortened (text, code, a table's rows, a list's fields) and the rest left out, and
 * the message then ends with a note saying so and where to read it all (`readMore`).
 */
import type { Block } from './reply.ts';

export interface Fitted {
  blocks: Block[];
  /** true when something was shortened or left out */
  clipped: boolean;
}

/** The largest n in [0, max] with ok(n) (ok monotone: true up to some n, then false). */
function largest(max: number, ok: (n: number) => boolean): number {
  let lo = 0;
  let hi = max;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (ok(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** `b` cut to its first n parts (characters of text, rows of a table, fields of a list). */
function cut(b: Block, n: number): Block {
  switch (b.kind) {
    case 'text':
    case 'code':
    case 'context':
      return { ...b, text: `${[...b.text].slice(0, n).join('')}…` };
    case 'table':
      return { ...b, rows: b.rows.slice(0, n) };
    case 'fields':
      return { ...b, fields: b.fields.slice(0, n) };
    case 'heading':
      return { ...b, text: `${[...b.text].slice(0, n).join('')}…` };
  }
}

const parts = (b: Block): number =>
  b.kind === 'table' ? b.rows.length : b.kind === 'fields' ? b.fields.length : [...b.text].length;

/** `b` without the first n parts `cut(b, n)` kept (a table keeps its head). */
function rest(b: Block, n: number): Block {
  switch (b.kind) {
    case 'text':
    case 'code':
    case 'context':
    case 'heading':
      return { ...b, text: [...b.text].slice(n).join('') };
    case 'table':
      return { ...b, rows: b.rows.slice(n) };
    case 'fields':
      return { ...b, fields: b.fields.slice(n) };
  }
}

/**
 * The blocks that fit `budget` by `cost`, the first one that does not fit shortened to what
 * still does (when anything of it fits), the rest left out.
 */
export function fitBlocks(blocks: readonly Block[], budget: number, cost: (b: Block) => number): Fitted {
  const out: Block[] = [];
  let used = 0;
  for (const b of blocks) {
    const c = cost(b);
    if (used + c <= budget) {
      out.push(b);
      used += c;
      continue;
    }
    const room = budget - used;
    const n = largest(parts(b) - 1, (k) => cost(cut(b, k)) <= room);
    if (n > 0) out.push(cut(b, n));
    return { blocks: out, clipped: true };
  }
  return { blocks: out, clipped: false };
}

/** How many messages a reply may become at most (Slack: a response_url takes 5; one is kept spare). */
export const MAX_REPLY_PARTS = 4;

export interface Split {
  /** one list of blocks per message, in order (at least one) */
  parts: Block[][];
  /** true when something was left out (more than maxParts were needed) */
  clipped: boolean;
}

/**
 * The blocks as consecutive messages of at most `budget` each, at most `maxParts` of them (a
 * reply too long for one message is sent as several, so nothing asked for is lost): whole
 * blocks are kept together when they fit in a message of their own; a block longer than what
 * is left is cut there (text by characters, a table by rows — its head repeated —, fields one
 * by one) and continues in the next message. What does not fit in `maxParts` messages is left
 * out (`clipped`); a single part that cannot fit even an empty message is left out too.
 */
export function splitBlocks(
  blocks: readonly Block[],
  budget: number,
  cost: (b: Block) => number,
  maxParts: number,
): Split {
  const out: Block[][] = [];
  let part: Block[] = [];
  let used = 0;
  const queue = [...blocks];
  let dropped = false;
  const next = () => {
    out.push(part);
    part = [];
    used = 0;
  };
  while (queue.length > 0) {
    if (out.length === maxParts) return { parts: out, clipped: true };
    const b = queue.shift() as Block;
    const c = cost(b);
    if (used + c <= budget) {
      part.push(b);
      used += c;
      continue;
    }
    // it fits a message of its own: it starts the next one
    if (part.length > 0 && c <= budget) {
      queue.unshift(b);
      next();
      continue;
    }
    const n = largest(parts(b) - 1, (k) => cost(cut(b, k)) <= budget - used);
    if (n > 0) {
      part.push(cut(b, n));
      queue.unshift(rest(b, n));
      next();
    } else if (part.length > 0) {
      queue.unshift(b);
      next();
    } else {
      // not one character, row or field of it fits an empty message: it cannot be shown
      dropped = true;
    }
  }
  if (part.length > 0 || out.length === 0) out.push(part);
  return { parts: out, clipped: dropped };
}
