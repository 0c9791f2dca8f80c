/**
 * Finding an organisation's names in text, however they are spelt: the automatic check that an
 * anonymised source is not named in an advisory (PRODUCT.md §5, issue 15), and the redaction of
 * an anonymised reporter in exports. Pure: the names come from the caller.
 *
 * Text and names are compared in a folded form (see {@link foldText}):
 * 1. characters drawn as nothing are removed: format characters (zero-width space, joiners,
 *    bidi marks, embeddings, overrides and isolates, soft hyphen, …) and the other default
 *    ignorables (variation selectors, fillers);
 * 2. Unicode NFKC: full-width `ＭＡＦＦ` → `MAFF`, half-width `ﾃﾞｼﾞﾀﾙ` → `デジタル`, `①` → `1`,
 *    compatibility ideographs and Kangxi radicals → the ordinary kanji;
 * 3. case folding, then Latin letters lose their accents (`Máff` → `maff`), Cyrillic and Greek
 *    letters drawn like Latin ones become those (`МАFF` in Cyrillic → `maff`), and decimal digits
 *    of every script become ASCII digits;
 * 4. every character that is neither a letter, a digit nor a combining mark is a separator —
 *    spaces, punctuation, symbols and every dash and hyphen (`-‐‑‒–—―−－﹣⁃…`). The katakana
 *    prolonged sound mark `ー` (and half-width `ｰ`) counts as a dash too: it is what a
 *    Japanese keyboard gives for "-" and it looks like one, so `INCー2026ー0001` must read as the
 *    incident id; the cost is that `センター` and `センタ―` fold alike, which only widens the
 *    check. The kanji `一` (and `⼀`, `㇐`) counts as a dash between two Latin letters or digits
 *    (`INC一2026`) and as itself elsewhere (`第一`);
 * 5. a run of separators between two Latin letters or digits becomes one space; anywhere else
 *    (around kana and kanji) it is dropped, since Japanese is written without spaces:
 *    `農 水・省` → `農水省`.
 *
 * A name is then found where its folded form occurs in the folded text; names that begin or end
 * with a Latin letter or digit must stand as whole words there (`mof` is not found in `mofa`
 * nor `mod` in `model` or `mod_ssl`, but `MOF` is in `MOF-CSIRT` and `maff` in `www.maff.go.jp`).
 * Inside a name, where words or a letter and a digit meet, the space is optional
 * (`INC20260001`, `MinistryofJustice`), and leading zeros of a number are (`INC-2026-1`).
 *
 * What it cannot see (the consent of the source to the exact final text is the second line):
 * letters spaced out or split by hyphens (`M A F F`, `ma-ff`), a name glued to Latin letters
 * or digits (`MAFF2026`), paraphrase, romanisation not in the directory, other scripts drawn
 * like Latin letters beyond Cyrillic and Greek.
 */

/** What kind of name of an organisation was found. */
export type NameKind = 'code' | 'name' | 'short' | 'incident' | 'handle';

/** One name to look for, as the directory (or the incident) writes it. */
export interface Name {
  kind: NameKind;
  text: string;
}

/** Every name an organisation goes by, as stored. */
export interface OrgNames {
  code: string;
  nameJa: string;
  nameEn: string;
  /** the short names officials write (農水省, METI, …) */
  short: readonly string[];
  /** tokens that point at it in chat: its channels' ids and names, its people's platform ids */
  handles?: readonly string[];
}

/** A name found in a text: which one, and where in the original text (code units). */
export interface NameHit {
  name: Name;
  start: number;
  end: number;
  /** the original text of the match */
  found: string;
}

/** The names to look for: an organisation's, and the incidents it reported. */
export function namesOf(org: OrgNames, incidentIds: readonly string[] = []): Name[] {
  const out: Name[] = [
    ...incidentIds.map((text) => ({ kind: 'incident' as const, text })),
    { kind: 'name', text: org.nameJa },
    { kind: 'name', text: org.nameEn },
    ...org.short.map((text) => ({ kind: 'short' as const, text })),
    { kind: 'code', text: org.code },
    ...(org.handles ?? []).map((text) => ({ kind: 'handle' as const, text })),
  ];
  const seen = new Set<string>();
  return out.filter((n) => {
    const f = foldText(n.text).text;
    if (f.trim() === '' || seen.has(f)) return false;
    seen.add(f);
    return true;
  });
}

/** Every name found in `text`, in text order, without overlaps (the longer match wins). */
export function findNames(text: string, names: readonly Name[]): NameHit[] {
  const folded = foldText(text);
  const hits: NameHit[] = [];
  for (const name of names) {
    const re = namePattern(name.text);
    if (!re) continue;
    for (const m of folded.text.matchAll(re)) {
      const from = m.index;
      const to = from + m[0].length;
      if (to === from) continue;
      const start = folded.starts[from] as number;
      const end = folded.ends[to - 1] as number;
      hits.push({ name, start, end, found: text.slice(start, end) });
    }
  }
  hits.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: NameHit[] = [];
  for (const h of hits) {
    const last = out.at(-1);
    if (last && h.start < last.end) continue;
    out.push(h);
  }
  return out;
}

/** The first name found in `text`, or null. */
export function findName(text: string, names: readonly Name[]): NameHit | null {
  return findNames(text, names)[0] ?? null;
}

/** `text` with every name found replaced by `replacement`. */
export function redactNames(text: string, names: readonly Name[], replacement: string): string {
  let out = '';
  let at = 0;
  for (const h of findNames(text, names)) {
    out += text.slice(at, h.start) + replacement;
    at = h.end;
  }
  return out + text.slice(at);
}

/** Two names that fold alike are the same name to the check. */
export function sameName(a: string, b: string): boolean {
  return foldText(a).text === foldText(b).text;
}

/** The folded form of a name (for showing what the check compares, and for tests). */
export function foldName(s: string): string {
  return foldText(s).text;
}

/**
 * Why a string cannot serve as a short name, or null: it must keep at least two letters or
 * digits once folded and may not be a bare number (a year or a count would match everywhere).
 */
export function shortNameProblem(s: string): 'too_short' | 'number' | null {
  const f = foldText(s).text.replace(/ /g, '');
  if ([...f].length < 2) return 'too_short';
  if (/^[0-9]+$/.test(f)) return 'number';
  return null;
}

// ---------------------------------------------------------------------------------------------

/** A folded text and, for each of its code units, the range of the original it came from. */
export interface Folded {
  text: string;
  starts: number[];
  ends: number[];
}

const IGNORABLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/u;
/** marks that attach to the character before: combining marks, half-width (semi-)voiced marks */
const ATTACHES = /[\p{M}\uFF9E\uFF9F]/u;
const WORD = /[\p{L}\p{N}\p{M}_]/u;
const ASCII_WORD = /[a-z0-9_]/;
/** letters that stand for a dash: the prolonged sound mark (NFKC turns ｰ into it) */
const DASH_LETTERS = new Set(['\u30FC']);
/** letters that stand for a dash only between Latin letters or digits: 一 (⼀ folds to it), ㇐ */
const DASH_BETWEEN_LATIN = new Set(['\u4E00', '\u31D0']);

/**
 * Cyrillic and Greek letters (and two Latin ones) drawn like a-z, after case folding and with
 * accents taken off: `МАFF` written with Cyrillic М and А reads, and folds, as `maff`.
 */
const LOOKALIKE = new Map(
  [...'авекмнорстухіјѕԁԛԝһӏүɡɩαβεζηικμνορτυχϲϳ'].map((c, i) => [
    c,
    'abekmhopctyxijsdqwhlygiabezhikmnoptyxcj'[i] as string,
  ]),
);

interface Unit {
  ch: string;
  start: number;
  end: number;
}

/** Folds text for comparison, keeping where each folded character came from. */
export function foldText(text: string): Folded {
  // 1. clusters of a base and its marks, without the ignorable characters
  const clusters: { s: string; start: number; end: number }[] = [];
  let i = 0;
  for (const ch of text) {
    const at = i;
    i += ch.length;
    if (IGNORABLE.test(ch)) continue;
    const last = clusters.at(-1);
    if (last && ATTACHES.test(ch)) {
      last.s += ch;
      last.end = i;
    } else clusters.push({ s: ch, start: at, end: i });
  }
  // 2–3. NFKC, case, accents, look-alikes, digits: per cluster, so positions stay known
  const units: Unit[] = [];
  for (const c of clusters) {
    for (const ch of foldCluster(c.s)) units.push({ ch, start: c.start, end: c.end });
  }
  // 4–5. separators
  const isWord = (k: number): boolean => {
    const u = units[k];
    if (!u || !WORD.test(u.ch) || DASH_LETTERS.has(u.ch)) return false;
    if (DASH_BETWEEN_LATIN.has(u.ch)) return !(latinAround(units, k, -1) && latinAround(units, k, 1));
    return true;
  };
  const out: Unit[] = [];
  let k = 0;
  while (k < units.length) {
    if (isWord(k)) {
      out.push(units[k] as Unit);
      k++;
      continue;
    }
    const from = k;
    while (k < units.length && !isWord(k)) k++;
    const prev = out.at(-1);
    const next = units[k];
    if (prev && next && ASCII_WORD.test(prev.ch) && ASCII_WORD.test(next.ch)) {
      out.push({ ch: ' ', start: (units[from] as Unit).start, end: (units[k - 1] as Unit).end });
    }
  }
  const folded: Folded = { text: '', starts: [], ends: [] };
  for (const u of out) {
    folded.text += u.ch;
    for (let n = 0; n < u.ch.length; n++) {
      folded.starts.push(u.start);
      folded.ends.push(u.end);
    }
  }
  return folded;
}

/** Whether the nearest letter or digit on one side of unit `k` is a Latin letter or digit. */
function latinAround(units: Unit[], k: number, step: 1 | -1): boolean {
  for (let j = k + step; j >= 0 && j < units.length; j += step) {
    const ch = (units[j] as Unit).ch;
    if (DASH_BETWEEN_LATIN.has(ch)) continue;
    if (WORD.test(ch) && !DASH_LETTERS.has(ch)) return /[a-z0-9]/.test(ch);
    return false;
  }
  return false;
}

/** One cluster (a base and its marks) folded, as single characters. */
function foldCluster(s: string): string[] {
  const lowered = s.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
  const out: string[] = [];
  // NFKC may give several bases (㈱ → (株)); each keeps its own marks
  for (const part of lowered.normalize('NFD').match(/\P{M}\p{M}*|\p{M}+/gu) ?? []) {
    const base = [...part][0] as string;
    const latin = LOOKALIKE.get(base) ?? base;
    if (/^[a-z]$/.test(latin)) out.push(latin);
    else if (/\p{Nd}/u.test(base)) out.push(String(digitValue(base)));
    else out.push(part.normalize('NFC'));
  }
  return out.flatMap((c) => [...c]);
}

const digitCache = new Map<string, number>();
/** The value of a decimal digit of any script (Unicode encodes each script's 0–9 in a row). */
function digitValue(d: string): number {
  const hit = digitCache.get(d);
  if (hit !== undefined) return hit;
  const cp = d.codePointAt(0) as number;
  let zero = cp;
  while (zero > 0 && /\p{Nd}/u.test(String.fromCodePoint(zero - 1))) zero--;
  const v = (cp - zero) % 10;
  digitCache.set(d, v);
  return v;
}

const patternCache = new Map<string, RegExp | null>();
/** The regular expression that finds a name in folded text (null: nothing to find). */
function namePattern(name: string): RegExp | null {
  const cached = patternCache.get(name);
  if (cached !== undefined) return cached ? new RegExp(cached.source, cached.flags) : null;
  const f = foldText(name).text;
  let re: RegExp | null = null;
  if (f !== '') {
    const parts = f.match(/[a-z]+|[0-9]+| |[^a-z0-9 ]/gu) ?? [];
    let src = /^[a-z0-9_]/.test(f) ? '(?<![a-z0-9_])' : '';
    parts.forEach((p, n) => {
      const before = parts[n - 1];
      if (p === ' ') src += ' ?';
      else {
        const alnum = /^[a-z0-9]/.test(p);
        if (alnum && before && before !== ' ' && /^[a-z0-9]/.test(before) && /^[0-9]/.test(p) !== /^[0-9]/.test(before))
          src += ' ?';
        if (/^[0-9]+$/.test(p)) src += /^0+$/.test(p) ? '0+' : `0*${p.replace(/^0+/, '')}`;
        else src += p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      }
    });
    if (/[a-z0-9_]$/.test(f)) src += '(?![a-z0-9_])';
    re = new RegExp(src, 'gu');
  }
  if (patternCache.size > 5000) patternCache.clear();
  patternCache.set(name, re);
  return re ? new RegExp(re.source, re.flags) : null;
}
