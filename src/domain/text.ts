/**
 * Text that cannot disguise itself (docs/security.md, "Stored text"). People's text is stored
 * and shown in chat, on terminals, in calendars, spreadsheets and threat-sharing tools; a
 * control character or a bidirectional override inside it can hide or reorder what a reader
 * sees (`exe.txt` shown as `txt.exe`), move a terminal's cursor, or end a line early.
 *
 * Two kinds of field, one rule set:
 * - free text (summaries, bodies, notes, titles, places…): {@link cleanText} removes what may
 *   not stay, silently — an invisible character a person pasted is no reason to refuse a report;
 * - names (an organisation's names and short names, a system's name): {@link nameProblem}
 *   refuses them with the character's code point, because a name is matched, listed and
 *   compared, and an invisible character in one is either a mistake or a trick.
 */

/** C0 controls except tab and line feed, DEL, and the C1 controls. */
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
/** Bidirectional embeddings, overrides (LRE RLE PDF LRO RLO) and isolates (LRI RLI FSI PDI). */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/g;
/**
 * What a name may not hold: every control (tab and line feed too: a name is one line),
 * every format character (zero-width, bidi marks and controls, soft hyphen, …) and the other
 * characters Unicode says to draw as nothing (variation selectors, fillers).
 */
const NOT_IN_NAME = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2028\u2029]/u;

/**
 * Free text as it may be stored and shown: line ends become `\n`; C0 and C1 controls other
 * than tab and line feed, and bidi embeddings, overrides and isolates, are removed. Idempotent.
 */
export function cleanText(s: string): string {
  return s
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(CONTROL, '')
    .replace(BIDI_CONTROL, '');
}

/**
 * Why a name cannot be stored, or null: the first character that may not be in a name,
 * written `U+200B`.
 */
export function nameProblem(s: string): { char: string } | null {
  const m = NOT_IN_NAME.exec(s);
  if (!m) return null;
  return { char: codePointLabel(m[0]) };
}

/**
 * Text as a person can find it again in what they typed, on one line: line breaks and tabs
 * become spaces, and every control, format or other invisible character is written `<U+200B>`.
 */
export function showInvisible(s: string): string {
  return s
    .replace(/[\t\n\r]+/g, ' ')
    .replace(/[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2028\u2029]/gu, (c) => `<${codePointLabel(c)}>`);
}

/** `U+200B` for a character (at least four hex digits, upper case). */
export function codePointLabel(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}
