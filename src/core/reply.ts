/**
 * The portable reply: what a command handler returns and what the outbox stores. Text is
 * plain (never platform markup): each adapter escapes and renders it for its platform.
 */
import { cleanText } from '../domain/text.ts';

/** One visual block of a reply or post. */
export type Block =
  | { kind: 'heading'; text: string }
  | { kind: 'text'; text: string }
  /** label/value pairs, shown as a definition list */
  | { kind: 'fields'; fields: [label: string, value: string][] }
  | { kind: 'table'; head: string[]; rows: string[][] }
  /** preformatted text, shown monospaced */
  | { kind: 'code'; text: string }
  | { kind: 'context'; text: string };

/**
 * A button. Clicking it runs `command` (a `/csirt …` invocation without the root) as the
 * person who clicks, through the same router: roles and state are checked at the click.
 */
export interface Action {
  label: string;
  command: string;
  style?: 'primary' | 'danger';
}

/** A file attached to a reply (PNG picture, CSV, iCalendar). */
export interface Attachment {
  filename: string;
  mime: string;
  /** base64 */
  data: string;
}

export interface Reply {
  /** ephemeral: only the caller sees it; channel: everyone in the channel */
  visibility: 'ephemeral' | 'channel';
  blocks: Block[];
  actions?: Action[];
  attachments?: Attachment[];
  /** true when the reply reports a failure (console exit status, metrics) */
  error?: boolean;
  /**
   * The command (without `/csirt`) that shows this message in full, named in the note a
   * platform adds when it has to shorten the message (e.g. `incident show INC-2026-0001`).
   */
  readMore?: string;
}

export const reply = {
  text(text: string, visibility: Reply['visibility'] = 'ephemeral'): Reply {
    return { visibility, blocks: [{ kind: 'text', text }] };
  },
  of(blocks: Block[], extra: Partial<Omit<Reply, 'blocks'>> = {}): Reply {
    return { visibility: 'ephemeral', blocks, ...extra };
  },
};

/**
 * The reply as every renderer draws it: each text of its blocks and each button label cleaned
 * of control characters and bidi embeddings, overrides and isolates (src/domain/text.ts), so
 * that text stored before it was cleaned on input, or taken from elsewhere, cannot disguise
 * itself either. Button commands are left as they are (they are signed and run, not shown).
 */
export function cleanReply<T extends Pick<Reply, 'blocks' | 'actions'>>(r: T): T {
  const c = cleanText;
  const blocks = r.blocks.map((b): Block => {
    switch (b.kind) {
      case 'fields':
        return { kind: 'fields', fields: b.fields.map(([k, v]) => [c(k), c(v)]) };
      case 'table':
        return { kind: 'table', head: b.head.map(c), rows: b.rows.map((row) => row.map(c)) };
      default:
        return { ...b, text: c(b.text) };
    }
  });
  const actions = r.actions?.map((a) => ({ ...a, label: c(a.label) }));
  return { ...r, blocks, ...(actions ? { actions } : {}) };
}

/** The plain-text form of a reply, for the console, logs, notification previews and tests. */
export function replyToText(r: Pick<Reply, 'blocks'>): string {
  return r.blocks.map(blockToText).join('\n');
}

function blockToText(b: Block): string {
  switch (b.kind) {
    case 'heading':
      return `■ ${b.text}`;
    case 'text':
    case 'context':
    case 'code':
      return b.text;
    case 'fields':
      return b.fields.map(([k, v]) => `${k}: ${v}`).join('\n');
    case 'table':
      return renderTable(b.head, b.rows);
  }
}

/** A fixed-width text table; East Asian wide characters count as two columns. */
export function renderTable(head: string[], rows: string[][]): string {
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => displayWidth(r[i] ?? ''))));
  const line = (r: string[]) =>
    r
      .map((c, i) => c + ' '.repeat((widths[i] ?? 0) - displayWidth(c)))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    w +=
      c >= 0x1100 &&
      (c <= 0x115f ||
        (c >= 0x2e80 && c <= 0xa4cf) ||
        (c >= 0xac00 && c <= 0xd7a3) ||
        (c >= 0xf900 && c <= 0xfaff) ||
        (c >= 0xfe30 && c <= 0xfe4f) ||
        (c >= 0xff00 && c <= 0xff60) ||
        (c >= 0xffe0 && c <= 0xffe6) ||
        c >= 0x1f300)
        ? 2
        : 1;
  }
  return w;
}
