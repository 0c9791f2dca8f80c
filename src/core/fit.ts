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
