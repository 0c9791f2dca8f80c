/**
 * Localised text. Keys are stable codes (`incident.not_found`); parameters are written
 * `{name}`. Japanese is the first language: messages read as a careful civil servant would
 * write them (丁寧語, the terms of the unified standards); English says the same.
 */
import type { Params } from '../core/errors.ts';
import { coordinatorName, type OrgNames } from '../domain/org-names.ts';
import { advisory } from './advisory.ts';
import type { Catalog, Locale } from './catalog.ts';
import { core } from './core.ts';
import { dashboard } from './dashboard.ts';
import { database } from './database.ts';
import { delivery } from './delivery.ts';
import { directory } from './directory.ts';
import { drill } from './drill.ts';
import { duty } from './duty.ts';
import { email } from './email.ts';
import { escalation } from './escalation.ts';
import { exercise } from './exercise.ts';
import { exports } from './export.ts';
import { incident } from './incident.ts';
import { inspection } from './inspection.ts';
import { language } from './language.ts';
import { marks } from './marks.ts';
import { meeting } from './meeting.ts';
import { names } from './names.ts';
import { operations } from './operations.ts';
import { platform } from './platform.ts';
import { reporting } from './reporting.ts';
import { sharing } from './sharing.ts';

export type { Locale } from './catalog.ts';
export { isLocale, LOCALES } from './catalog.ts';

/** Every area's catalogue; an area adds itself here. */
const catalogs = [
  core,
  directory,
  platform,
  inspection,
  incident,
  meeting,
  drill,
  duty,
  exercise,
  advisory,
  language,
  marks,
  exports,
  names,
  delivery,
  database,
  reporting,
  sharing,
  operations,
  dashboard,
  email,
  escalation,
] as const satisfies readonly Catalog[];

/** Every message key some area defines: a key that does not exist is a compile error. */
export type MessageKey = KeysOf<(typeof catalogs)[number]>;
type KeysOf<C> = C extends { ja: infer J } ? keyof J & string : never;

/** A family of keys (`incident.status.`): a prefix that some key starts with, or a compile error. */
type Family<F extends string> = [Extract<MessageKey, `${F}${string}`>] extends [never] ? never : F;

/**
 * A key built at run time from a family and a value (`keyOf('incident.status.', i.status)`): the
 * family is checked when compiling, the value when the text is made (an unknown one shows itself,
 * and tests/unit/i18n-vocabulary renders every key).
 */
export function keyOf<F extends string>(family: Family<F>, value: unknown): MessageKey {
  return `${family}${String(value)}` as MessageKey;
}

/**
 * A code that arrives as data (a UserError's, a zod issue's): compile-time checking ends here,
 * so the code is taken as it is (an unknown one shows itself).
 */
export function codeKey(code: string): MessageKey {
  return code as MessageKey;
}

const merged: Catalog = { ja: {}, en: {} };
for (const c of catalogs) {
  Object.assign(merged.ja, c.ja);
  Object.assign(merged.en, c.en);
}

export function allMessages(): Catalog {
  return merged;
}

/** The directory's names that messages may say (src/domain/org-names.ts). */
export interface DirectoryNames {
  /** the coordinating organisation's names; null when none is registered */
  coordinator: OrgNames | null;
}

/**
 * `{param}` filled from `params`; a placeholder with no value stays as written. English plurals:
 * `{count|indicator|indicators}` is the first form when `count` is 1, else the second (`{count}
 * {count|indicator|indicators}` → `1 indicator`, `2 indicators`); never `indicator(s)`.
 */
function fillIn(template: string, params: Record<string, string | number>): string {
  const parts = partsOf(template);
  if (parts === null) return fillInSlowly(template, params);
  let out = parts[0] as string;
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i] as string;
    out += `${name in params ? String(params[name]) : `{${name}}`}${parts[i + 1]}`;
  }
  return out;
}

/** the two replacements as first written: for the texts with plural forms */
function fillInSlowly(template: string, params: Record<string, string | number>): string {
  return template
    .replace(/\{(\w+)\|([^{}|]*)\|([^{}|]*)\}/g, (m, name: string, one: string, other: string) =>
      name in params ? (Number(params[name]) === 1 ? one : other) : m,
    )
    .replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

const PLURAL = /\{\w+\|[^{}|]*\|[^{}|]*\}/;
/**
 * A text without plural forms split once at its placeholders (text, name, text, … , text), not
 * scanned by two regular expressions at every message; null: it has plural forms. The texts are
 * the catalogue's and the configured help and catalogue items: a bounded set (kept to 4,000).
 */
const split = new Map<string, string[] | null>();
function partsOf(template: string): string[] | null {
  let parts = split.get(template);
  if (parts === undefined) {
    parts = PLURAL.test(template) ? null : template.split(/\{(\w+)\}/);
    if (split.size >= 4000) split.clear();
    split.set(template, parts);
  }
  return parts;
}

/** The placeholders every text may use: `{coordinator}` and `{coordinator_full}`. */
function nameParams(locale: Locale, names: DirectoryNames | null | undefined): Record<string, string> {
  const c = names?.coordinator ?? null;
  return { coordinator: coordinatorName(c, locale, 'name'), coordinator_full: coordinatorName(c, locale, 'full') };
}

/**
 * The text of `key` in `locale` with `{param}` filled in; an unknown key shows itself. The
 * coordinating organisation's names fill `{coordinator}` / `{coordinator_full}` (without
 * `names`, the generic 調整機関 / coordinating office).
 */
export function t(locale: Locale, key: MessageKey, params: Params = {}, names?: DirectoryNames | null): string {
  const template = merged[locale][key] ?? merged.ja[key] ?? key;
  const own: Record<string, string | number> = {};
  for (const k of Object.keys(params)) {
    const v = params[k] as Params[string];
    const x = typeof v === 'object' ? v[locale] : v;
    // a key "__proto__" stays an own property, as Object.fromEntries made it
    if (k === '__proto__')
      Object.defineProperty(own, k, { value: x, enumerable: true, writable: true, configurable: true });
    else own[k] = x;
  }
  // the directory's names only where a text can name them (most do not)
  return fillIn(template, template.includes('coordinator') ? { ...nameParams(locale, names), ...own } : own);
}

export interface Translate {
  (key: MessageKey, params?: Params): string;
  /** a text written elsewhere (a help text, a catalogue item) with the directory's names filled in */
  fill(template: string): string;
}

export function translator(locale: Locale, names?: DirectoryNames | null): Translate {
  const fixed = nameParams(locale, names);
  const tr = ((key: MessageKey, params?: Params) => t(locale, key, params, names)) as Translate;
  tr.fill = (template) => fillIn(template, fixed);
  return tr;
}
