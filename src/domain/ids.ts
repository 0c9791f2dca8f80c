/**
 * The ids people type: `INC-2026-0001`, `ADV-…`, `MTG-…`, `CMP-…`, `DRL-…` (prefix, fiscal
 * year, at least four digits) and `SYS-maff-001` (prefix, organisation code, at least three
 * digits). One function reads every one of them wherever it is typed, so that an id is matched
 * the same way everywhere: case-insensitively, full-width forms and dash variants accepted.
 */

/** Ids of the form `<prefix>-<fiscal year>-<4 digits>`. */
export const YEAR_ID_PREFIXES = ['INC', 'ADV', 'MTG', 'CMP', 'DRL'] as const;
export type YearIdPrefix = (typeof YEAR_ID_PREFIXES)[number];
export type IdPrefix = YearIdPrefix | 'SYS';

/** An example of each kind of id, for messages that say what was expected. */
export const ID_EXAMPLE: Record<IdPrefix, string> = {
  INC: 'INC-2026-0001',
  ADV: 'ADV-2026-0001',
  MTG: 'MTG-2026-0001',
  CMP: 'CMP-2026-0001',
  DRL: 'DRL-2026-0001',
  SYS: 'SYS-maff-001',
};

// hyphen, non-breaking hyphen, figure dash, en/em dash, horizontal bar, minus, the katakana
// prolonged sound mark (an IME writes it for "-" in kana mode) and its half-width form
const DASHES = /[\u2010-\u2015\u2212\u30fc\uff70\u2043\ufe58]/g;
// zero-width and direction marks a copy from a document can carry; never part of an id
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]/g;

const YEAR_ID = /^(INC|ADV|MTG|CMP|DRL)-(\d{4})-(\d{4,9})$/i;
const SYSTEM_ID = /^SYS-([a-z][a-z0-9-]{0,15})-(\d{3,9})$/i;

/**
 * A typed code (an id, an organisation code, a catalogue item id) with its width, dash variants
 * and invisible characters undone: `ＥＮＴ－０１` → `ENT-01`. Case is left as typed.
 */
export function foldCode(input: string): string {
  return input.normalize('NFKC').replace(INVISIBLE, '').replace(DASHES, '-').trim();
}

/**
 * The canonical id typed as `input` (`inc-2026-0001` → `INC-2026-0001`, `ＳＹＳ－ＭＡＦＦ－００１`
 * → `SYS-maff-001`), or null when it is not an id of one of `prefixes` (any kind when none
 * is given). Never throws.
 */
export function parseId(input: string, prefixes?: IdPrefix | readonly IdPrefix[]): string | null {
  if (typeof input !== 'string' || input.length > 100) return null;
  const s = foldCode(input);
  const allowed = prefixes === undefined ? null : typeof prefixes === 'string' ? [prefixes] : prefixes;
  const y = YEAR_ID.exec(s);
  if (y) {
    const prefix = (y[1] as string).toUpperCase() as YearIdPrefix;
    if (allowed && !allowed.includes(prefix)) return null;
    return `${prefix}-${y[2]}-${y[3]}`;
  }
  const m = SYSTEM_ID.exec(s);
  if (m) {
    if (allowed && !allowed.includes('SYS')) return null;
    return `SYS-${(m[1] as string).toLowerCase()}-${m[2]}`;
  }
  return null;
}

/**
 * `parseId`, or the input as typed (trimmed) when it is not an id: for lookups that then say
 * "not found" with what the person wrote.
 */
export function canonicalId(input: string, prefixes?: IdPrefix | readonly IdPrefix[]): string {
  return parseId(input, prefixes) ?? String(input).trim();
}

const YEAR_ID_IN_TEXT = /(?<![A-Za-z0-9])(INC|ADV|MTG|CMP|DRL)-(\d{4})-(\d{4,9})(?![0-9])/g;
const SYSTEM_ID_IN_TEXT = /(?<![A-Za-z0-9])SYS-([a-z][a-z0-9-]{0,15})-(\d{3,9})(?![0-9])/g;

/**
 * The highest number of each id sequence found in `text` (ids as the bot writes them; JSON
 * text too, whose `\n` before an id is not a letter glued to it), keyed by the sequence's
 * counter name (`INC-2026`, `SYS-maff`: src/services/ids.ts).
 */
export function highestIdsIn(json: string, into = new Map<string, number>()): Map<string, number> {
  const text = json.replace(/\\[nrtbf]/g, ' ');
  const see = (counter: string, digits: string) => {
    const n = Number(digits);
    if (n > (into.get(counter) ?? 0)) into.set(counter, n);
  };
  for (const m of text.matchAll(YEAR_ID_IN_TEXT)) see(`${m[1]}-${m[2]}`, m[3] as string);
  for (const m of text.matchAll(SYSTEM_ID_IN_TEXT)) see(`SYS-${m[1]}`, m[2] as string);
  return into;
}
