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

/** One mark by its code, its Japanese label or its English label (NFKC, any case); null when none. */
export function findMark(input: string): HandlingMark | null {
  const s = foldCode(input);
  const lower = s.toLowerCase();
  return HANDLING_MARKS.find((m) => m.code === lower || m.ja === s || m.en.toLowerCase() === lower) ?? null;
}

export type HandlingParse =
  | { ok: true; codes: string[] }
  | { ok: false; code: 'input.invisible_char'; params: { char: string } }
  | { ok: false; code: 'input.handling'; params: { value: string } };

/**
 * What a person typed for `handling=`: marks separated by `,` `、` `，` or spaces, each a code
 * or a label (`関係者限り,複製禁止`, `need-to-know no-copy`); `none` / `なし` for no mark. An
 * invisible or control character (zero-width, bidi) is refused, not removed: a mark is matched,
 * and a hidden character in one is a mistake or a trick. Duplicates collapse; the result is in
 * the order of the list.
 */
export function parseHandling(raw: string): HandlingParse {
  const hidden = nameProblem(raw);
  if (hidden) return { ok: false, code: 'input.invisible_char', params: hidden };
  const parts = raw
    .normalize('NFKC')
    .split(/[,、\s]+/u)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (parts.length === 1 && ['none', 'なし', '無し'].includes((parts[0] as string).toLowerCase()))
    return { ok: true, codes: [] };
  const found = new Set<string>();
  for (const p of parts) {
    const m = findMark(p);
    if (!m) return { ok: false, code: 'input.handling', params: { value: p } };
    found.add(m.code);
  }
  if (found.size === 0) return { ok: false, code: 'input.handling', params: { value: raw.trim() } };
  return { ok: true, codes: HANDLING_CODES.filter((c) => found.has(c)) };
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
