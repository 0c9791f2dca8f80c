/**
 * The vocabulary rules of docs/glossary.md as checks over rendered text (issue 18).
 *
 * Four rules, each an `Offence` with the word that broke it:
 * - `forbidden`: a word the glossary marks as not ours (its "使わない語" / "Words that are not
 *   ours" tables, read from docs/glossary.md itself, so the glossary is the one source);
 * - `code`: an English code word (a status, role, field, area, answer, channel … taken from the
 *   command schemas and the domain) inside Japanese text, other than where the person must
 *   type it: in a `/csirt …` command, as `key=value`, as a list of values to choose from, or as
 *   「ラベル（code）」 after its Japanese label;
 * - `ja-punct`: Japanese characters or punctuation in English text;
 * - `date`: a date or time written by the template itself rather than by the date module
 *   (except an input example after 例: / e.g. / =), or a time zone added next to a date that
 *   the module already states.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { groups } from '../../commands/index.ts';
import { ROLES } from '../../src/core/roles.ts';
import { fieldShape } from '../../src/core/schema-info.ts';
import { AREAS, STAGES } from '../../src/domain/catalog.ts';
import type { Locale } from '../../src/i18n/index.ts';

export type Rule = 'forbidden' | 'code' | 'ja-punct' | 'date';

export interface Offence {
  rule: Rule;
  word: string;
}

/** One row of a "not ours" table: the word, and compounds in which it is still fine. */
export interface ForbiddenWord {
  word: string;
  /** longer words containing `word` that are ours (e.g. 回答状況 for 状況) */
  allowedIn: string[];
}

/** The "not ours" tables of docs/glossary.md, per language. */
export function forbiddenWords(root: string): Record<Locale, ForbiddenWord[]> {
  const md = readFileSync(join(root, 'docs', 'glossary.md'), 'utf8');
  const table = (marker: string): ForbiddenWord[] => {
    const start = md.indexOf(marker);
    if (start < 0) throw new Error(`docs/glossary.md has no table marked ${marker}`);
    const rows: ForbiddenWord[] = [];
    for (const line of md.slice(start + marker.length).split('\n')) {
      const l = line.trim();
      if (l === '' && rows.length === 0) continue;
      if (!l.startsWith('|')) break;
      const cells = l
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim());
      const word = unquote(cells[0] ?? '');
      if (!word || /^-+$/.test(word) || /^(使わない語|Not ours)$/.test(word)) continue;
      const allowedIn = (cells[4] ?? '')
        .split(/[、,]/)
        .map((s) => unquote(s.trim()))
        .filter((s) => s && s !== '-' && s !== '—');
      rows.push({ word, allowedIn });
    }
    if (rows.length === 0) throw new Error(`the table marked ${marker} in docs/glossary.md is empty`);
    return rows;
  };
  return { ja: table('<!-- forbidden:ja -->'), en: table('<!-- forbidden:en -->') };
}

/** `「x」`, `"x"` and `` `x` `` in a table cell are the word x. */
function unquote(s: string): string {
  return s.replace(/^[「"`](.*)[」"`]$/u, '$1');
}

/**
 * The code words people type: every field name, enum value, command and subcommand name of
 * the command schemas, plus the domain's roles, areas and stages. Single letters and the
 * literal `csirt` (the root command, and CSIRT in capitals elsewhere) are left out.
 */
export function codeWords(): Set<string> {
  const codes = new Set<string>([...ROLES, ...AREAS, ...STAGES]);
  const add = (w: string) => {
    for (const part of w.split(/[^A-Za-z0-9+_-]+/)) if (part.length > 1) codes.add(part);
  };
  for (const g of groups) {
    add(g.name);
    for (const c of g.commands) {
      if (c.name) add(c.name);
      for (const [field, schema] of Object.entries(c.schema.shape as Record<string, z.ZodType>)) {
        add(field);
        for (const o of fieldShape(schema).options ?? []) add(o);
      }
    }
  }
  // advisory states and consent answers are codes too, although nobody types them as values
  for (const s of ['draft', 'consent', 'review', 'approved', 'sent', 'rejected', 'withdrawn']) codes.add(s);
  codes.delete('csirt');
  return codes;
}

const JA_PUNCT_OR_CHAR = /[\u3000-\u303f\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff01-\uff60\uff61-\uff9f]/gu;

/** Character ranges of `text` where the person is shown what to type. */
function typedSpans(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  const mark = (re: RegExp, group = 0) => {
    for (const m of text.matchAll(re)) {
      const start = (m.index ?? 0) + (group ? m[0].indexOf(m[group] as string) : 0);
      spans.push([start, start + (m[group] as string).length]);
    }
  };
  // a command: /csirt and the words after it that start with ASCII (or are 「quoted」)
  mark(/\/csirt(?: (?:[\x21-\x7e][^\s、。（）]*|「[^」]*」))*/gu);
  // key=value and key= (value up to a space or Japanese punctuation)
  mark(/[A-Za-z][\w+.-]*=[^\s、。（）「」]*/gu);
  // alternatives: a|b|c
  mark(/[\w+.-]+(?:\|[\w+.-]+)+/gu);
  // a list of two or more values to choose from: a, b, c / a、b / a / b
  mark(/[A-Za-z][\w+.-]*(?:\s*[,、/]\s*[A-Za-z][\w+.-]*)+/gu);
  // 「ラベル（code）」: ASCII-only parentheses right after Japanese
  mark(/[^\x00-\x7f]（([\x20-\x7e]+)）/gu, 1);
  return spans;
}

function inSpans(spans: Array<[number, number]>, start: number, end: number): boolean {
  return spans.some(([a, b]) => start >= a && end <= b);
}

const DATE_LIKE: RegExp[] = [
  /\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2})?/g,
  /\d{4}\/\d{1,2}\/\d{1,2}/g,
  /(?:明治|大正|昭和|平成|令和)?(?:\d+|元)年\d+月(?:\d+日)?/g,
  /\b\d{1,2}:\d{2}\b/g,
  /\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b/g,
  /\b\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{4}\b/g,
];

/** Input examples: after 例: / e.g. / for example, or right after `=`. */
function isInputExample(text: string, index: number): boolean {
  const before = text.slice(Math.max(0, index - 24), index);
  return /(例[:：]\s*[^）)]*|e\.g\.\s*[^)]*|=)$/u.test(before);
}

export interface CheckInput {
  locale: Locale;
  /** the text as the person reads it */
  rendered: string;
  /** the template before parameters were filled in (for the date and zone rules) */
  template: string;
  /** sample values put into the template: removed before looking for dates the template wrote */
  samples: readonly string[];
}

/** Every offence in one rendered text, each word once per rule. */
export function check(input: CheckInput, forbidden: Record<Locale, ForbiddenWord[]>, codes: Set<string>): Offence[] {
  const out = new Map<string, Offence>();
  const add = (rule: Rule, word: string) => out.set(`${rule}\u0000${word}`, { rule, word });
  const { locale, rendered, template } = input;

  for (const f of forbidden[locale]) {
    let masked = rendered;
    for (const ok of f.allowedIn) masked = masked.split(ok).join('\u0000'.repeat(ok.length));
    const hit = /^[A-Za-z]/.test(f.word)
      ? new RegExp(`(?<![A-Za-z])${escapeRe(f.word)}(?![A-Za-z])`).test(masked)
      : masked.includes(f.word);
    if (hit) add('forbidden', f.word);
  }

  if (locale === 'ja') {
    const spans = typedSpans(rendered);
    for (const m of rendered.matchAll(/[A-Za-z][A-Za-z0-9+_-]*/g)) {
      const w = m[0];
      const at = m.index ?? 0;
      // part of an id, a path or a URL (INC-2026-0001, SYS-maff-001, https://…) is not a word
      const prev = rendered[at - 1] ?? '';
      const next = rendered[at + w.length] ?? '';
      if (/[\w/.:@#<~-]/.test(prev) || /[\w/:@.-]/.test(next)) continue;
      if (codes.has(w) && !inSpans(spans, at, at + w.length)) add('code', w);
    }
  } else {
    for (const m of rendered.matchAll(JA_PUNCT_OR_CHAR)) add('ja-punct', m[0]);
  }

  let rest = rendered;
  for (const s of input.samples) if (s) rest = rest.split(s).join(' ');
  const restSpans = typedSpans(rest);
  for (const re of DATE_LIKE) {
    for (const m of rest.matchAll(re)) {
      const at = m.index ?? 0;
      if (isInputExample(rest, at) || inSpans(restSpans, at, at + m[0].length)) continue;
      add('date', m[0]);
    }
  }
  // the date module states the zone; a template must not add it beside a date parameter
  for (const m of template.matchAll(/\{(\w+)\}[^{}]{0,4}?(JST|日本時間)/g)) {
    if (DATE_PARAMS.has(m[1] as string)) add('date', `{${m[1]}} ${m[2]}`);
  }
  return [...out.values()];
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Parameters that carry a date or a date and time (filled by the date module). */
export const DATE_PARAMS = new Set(['due', 'at', 'date', 'deadline', 'published', 'start', 'planned', 'when']);
