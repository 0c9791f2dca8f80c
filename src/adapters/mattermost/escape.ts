/**
 * Mattermost text safety. Reply text is plain by contract; before it becomes Mattermost
 * markdown every user-supplied string goes through escapeMarkdown (or fenceCode for code):
 * - `@channel`, `@all`, `@here` notify everyone, and `@name` notifies that person or group: a
 *   zero-width joiner after the `@` splits the word for the server's mention parser (it splits
 *   on anything but letters, digits and `.-_:@`) and the web app's, and is invisible to readers;
 * - control characters and bidi embeddings, overrides and isolates are removed first
 *   (src/domain/text.ts), whatever the stored text holds;
 * - `<!channel>`, `<!here>`, `<!all>`, `<@id>` and `<https://evil|gov.example>` are Slack
 *   syntax the server converts in command responses and attachments: `<` and `>` become
 *   entities (`&lt;`, shown as `<`) so those patterns can no longer match; command and action
 *   responses also say `skip_slack_parsing`;
 * - `[text](url)`, `![img](url)`, `<https://…>` autolinks and other markdown become literal
 *   with backslash escapes, so a link always shows its own address.
 */
import { cleanText } from '../../domain/text.ts';

const ZWJ = '\u200d';
/** any `@` starting `channel`, `all` or `here` (also `@channel.` and `@all_team`: cheap, invisible) */
const ANNOUNCE = /@(?=channel|all|here)/gi;
/**
 * An `@` the server or the web app would read as the start of a mention of a person or a group
 * (`@tanaka`, `(@tanaka)`, `x.@tanaka`, `農水省@tanaka`): one followed by a letter, digit or
 * `._-`, and not preceded by a Latin letter or digit — which leaves e-mail addresses
 * (`user@example.jp`) whole, since neither the server's parser nor the web app reads those as
 * mentions, and people copy them from advisories.
 */
const MENTION = /(?<![A-Za-z0-9])@(?=[\p{L}\p{N}._-])/gu;

/**
 * Breaks every mention that could notify someone — channel-wide (`@channel`, `@all`,
 * `@here`) and of a person or group (`@tanaka`) — with a joiner after the `@`; everything else
 * unchanged, and it still reads the same.
 */
export function neutraliseMentions(s: string): string {
  return s.replace(ANNOUNCE, `@${ZWJ}`).replace(MENTION, `@${ZWJ}`);
}

/** Plain text → Mattermost markdown that shows exactly that text and cannot notify or link. */
export function escapeMarkdown(s: string): string {
  const out = cleanText(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_{}[\]()#+|~!$]/g, '\\$&')
    // a line starting with "-", "=", or "1." would become a list or heading underline
    .replace(
      /^(\s*)([-=]|\d+\.)/gm,
      (_m, sp: string, mark: string) => `${sp}${mark.replace(/^(\d*)([-=.])$/, '$1\\$2')}`,
    );
  return neutraliseMentions(out);
}

/** Plain text → a fenced code block that the text cannot close early (nor notify). */
export function fenceCode(s: string): string {
  const code = cleanText(s);
  const longest = Math.max(2, ...[...code.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  // code is shown verbatim: break Slack syntax (`<!here>`, `<@id>`) with the invisible joiner
  return `${fence}\n${neutraliseMentions(code).replace(/<(?=[!@#])/g, `<${ZWJ}`)}\n${fence}`;
}

/** Plain text for places shown without markdown (button names, dialog labels). */
export function plainText(s: string, max: number): string {
  return clip(neutraliseMentions(cleanText(s).replace(/[<>]/g, (c) => (c === '<' ? '‹' : '›'))), max);
}

/** Cuts a string to at most `max` characters (code points), marking the cut. */
export function clip(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * Cuts a string to at most `maxBytes` bytes of UTF-8 (code point by code point, never inside
 * one), marking the cut: Mattermost counts dialog limits with Go's len(), in bytes, so a
 * Japanese character is 3 of a 24-byte label.
 */
export function clipBytes(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s, 'utf8') <= maxBytes) return s;
  let out = '';
  let used = 3; // the '…'
  for (const ch of s) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (used + n > maxBytes) break;
    out += ch;
    used += n;
  }
  return `${out}…`;
}

/** plainText within a byte limit (dialog titles, labels, help texts). */
export function plainTextBytes(s: string, maxBytes: number): string {
  return clipBytes(plainText(s, Number.MAX_SAFE_INTEGER), maxBytes);
}
