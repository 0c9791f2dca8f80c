/**
 * Handling marks beside TLP (issue 18 item 4): the 機密性 class of the unified standards
 * (機密性1–3) and the 取扱制限 marks, a fixed list loaded as data from data/handling-marks.json.
 * Pure: parsing what a person typed, the stored form, and the rule that an advisory is marked
 * at least as strictly as each of its sources.
 */
import data from '../../data/handling-marks.json' with { type: 'json' };
import { foldCode } from './ids.ts';
import { nameProblem } from './text.ts';

export interface HandlingMark {
  code: string;
  ja: string;
  en: string;
}

export const HANDLING_MARKS: readonly HandlingMark[] = (data as { marks: HandlingMark[] }).marks;
export const HANDLING_CODES: readonly string[] = HANDLING_MARKS.map((m) => m.code);

/** A label's key form: lower case, spaces and underscores as `-` (`No copying` → `no-copying`). */
const keyForm = (s: string) =>
  s
    .toLowerCase()
    .trim()
    .replace(/[\s_]+/g, '-');

/**
 * One mark by its code, its Japanese label, its English label or that label's key form
 * (`need-to-know-only`), after NFKC and dash folding, in any case; null when none.
 */
export function findMark(input: string): HandlingMark | null {
  const s = foldCode(input).replace(/\s+/g, ' ');
  const key = keyForm(s);
  return HANDLING_MARKS.find((m) => m.code === key || m.ja === s || keyForm(m.en) === key) ?? null;
}

export type HandlingParse =
  | { ok: true; codes: string[] }
  | { ok: false; code: 'input.invisible_char'; params: { char: string } }
  | { ok: false; code: 'input.handling'; params: { value: string } };

/** Quotes around one mark inside the value (`"No copying"`, “…”, 「…」, '…'). */
const QUOTES: Record<string, string> = { '"': '"', '“': '”', '「': '」', "'": "'", '‘': '’', '『': '』' };

/**
 * The marks of a value without quotes: separated by `,` or `、`; inside a part, words separated
 * by spaces are read longest first, so an English label typed without quotes (`No copying
 * Need-to-know only`) is found as well as codes (`no-copy need-to-know`). Returns the first
 * word that starts no mark when one is left over.
 */
function unquoted(text: string, found: string[]): string | null {
  for (const part of text.split(/[,、]+/u)) {
    const words = part.split(/\s+/u).filter((w) => w.length > 0);
    let i = 0;
    while (i < words.length) {
      let j = words.length;
      let m: HandlingMark | null = null;
      for (; j > i; j--) {
        m = findMark(words.slice(i, j).join(' '));
        if (m) break;
      }
      if (!m) return words.slice(i).join(' ');
      found.push(m.code);
      i = j;
    }
  }
  return null;
}

/**
 * What a person typed for `handling=`: marks separated by `,` `、` `，` or spaces, each a code,
 * a Japanese label, an English label (quoted or not: `"No copying"`, `No copying`) or its key
 * form (`no-copying`); `none` / `なし` for no mark. An invisible or control character
 * (zero-width, bidi) is refused, not removed: a mark is matched, and a hidden character in one
 * is a mistake or a trick. Duplicates collapse; the result is in the order of the list.
 */
export function parseHandling(raw: string): HandlingParse {
  const hidden = nameProblem(raw);
  if (hidden) return { ok: false, code: 'input.invisible_char', params: hidden };
  const text = raw.normalize('NFKC').trim();
  if (['none', 'なし', '無し'].includes(text.toLowerCase())) return { ok: true, codes: [] };
  const found: string[] = [];
  let rest = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    const close = QUOTES[ch];
    if (close === undefined) {
      rest += ch;
      continue;
    }
    const end = text.indexOf(close, i + 1);
    const quoted = end < 0 ? text.slice(i) : text.slice(i + 1, end);
    const m = end < 0 ? null : findMark(quoted);
    if (!m) return { ok: false, code: 'input.handling', params: { value: quoted.trim() || ch } };
    // a quoted mark separates what is around it
    const left = unquoted(rest, found);
    if (left !== null) return { ok: false, code: 'input.handling', params: { value: left } };
    rest = '';
    found.push(m.code);
    i = end;
  }
  const left = unquoted(rest, found);
  if (left !== null) return { ok: false, code: 'input.handling', params: { value: left } };
  if (found.length === 0) return { ok: false, code: 'input.handling', params: { value: text } };
  return { ok: true, codes: HANDLING_CODES.filter((c) => found.includes(c)) };
}

/** The stored form: codes in list order, comma-separated; null for none. */
export function storeHandling(codes: readonly string[]): string | null {
  const known = HANDLING_CODES.filter((c) => codes.includes(c));
  return known.length ? known.join(',') : null;
}

/** The codes of a stored value (unknown codes, written by hand, are dropped). */
export function handlingCodes(stored: string | null | undefined): string[] {
  const set = new Set((stored ?? '').split(',').map((s) => s.trim()));
  return HANDLING_CODES.filter((c) => set.has(c));
}

/** The marks as a reader reads them: 「関係者限り・複製禁止」 / "Need-to-know only, No copying". */
export function handlingText(stored: string | null | undefined, locale: 'ja' | 'en'): string {
  const marks = handlingCodes(stored).map((c) => HANDLING_MARKS.find((m) => m.code === c) as HandlingMark);
  return marks.map((m) => m[locale]).join(locale === 'ja' ? '・' : ', ');
}

/**
 * The sources an advisory would be less strictly marked than (機密性 lower than theirs, or
 * unmarked while a source is marked). An advisory passes on what its sources reported; it may
 * not carry it under a lower class. Empty when none.
 */
export function weakerThanSources<S extends { incidentId: string; confidentiality: number | null }>(
  advisory: number | null,
  sources: readonly S[],
): S[] {
  return sources.filter((s) => s.confidentiality !== null && (advisory ?? 0) < s.confidentiality);
}

/** The strictest 機密性 among the sources, or null when none is marked. */
export function strictestConfidentiality(sources: readonly { confidentiality: number | null }[]): number | null {
  const levels = sources.map((s) => s.confidentiality).filter((c): c is number => c !== null);
  return levels.length ? Math.max(...levels) : null;
}

/**
 * The marks the sources carry that the advisory does not: an advisory passes on at least the
 * 取扱制限 of each source it uses. Codes in list order.
 */
export function marksMissing(advisory: string | null, sources: readonly { handling: string | null }[]): string[] {
  const have = new Set(handlingCodes(advisory));
  const need = new Set(sources.flatMap((s) => handlingCodes(s.handling)));
  return HANDLING_CODES.filter((c) => need.has(c) && !have.has(c));
}

/** How an advisory is marked less strictly than its sources: the one rule for draft, submit, approval and the dispatcher. */
export interface MarksBelow<S> {
  /** sources with a higher 機密性 than the advisory */
  weaker: S[];
  /** 取扱制限 codes the sources carry and the advisory does not (list order) */
  missing: string[];
  /** sources carrying a missing mark */
  holders: S[];
}

/**
 * The advisory against its sources as they are now: null when it is marked at least as strictly
 * as each of them (機密性 and 取扱制限). Asked at draft, submit and approval (refused there) and by
 * the dispatcher just before each copy (a source raised after approval stops the copies).
 */
export function marksBelowSources<
  S extends { incidentId: string; confidentiality: number | null; handling: string | null },
>(advisory: { confidentiality: number | null; handling: string | null }, sources: readonly S[]): MarksBelow<S> | null {
  const weaker = weakerThanSources(advisory.confidentiality, sources);
  const missing = marksMissing(advisory.handling, sources);
  if (weaker.length === 0 && missing.length === 0) return null;
  const holders = sources.filter((s) => handlingCodes(s.handling).some((c) => missing.includes(c)));
  return { weaker, missing, holders };
}

/** The reason in English, as audited and recorded on a refused copy: `INC-… confidentiality 3 above the advisory's`. */
export function describeMarksBelow(
  below: MarksBelow<{ incidentId: string; confidentiality: number | null; handling: string | null }>,
): string {
  return [
    ...below.weaker.map((s) => `${s.incidentId} confidentiality ${s.confidentiality} above the advisory's`),
    ...below.holders.map(
      (s) =>
        `${s.incidentId} handling ${handlingCodes(s.handling)
          .filter((c) => below.missing.includes(c))
          .join(',')} not on the advisory`,
    ),
  ].join('; ');
}
