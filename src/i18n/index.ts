/**
 * Localised text. Keys are stable codes (`incident.not_found`); parameters are written
 * `{name}`. Japanese is the first language: messages read as a careful civil servant would
 * write them (丁寧語, the terms of the unified standards); English says the same.
 */
import type { Params } from '../core/errors.ts';
import { advisory } from './advisory.ts';
import type { Catalog, Locale } from './catalog.ts';
import { core } from './core.ts';
import { database } from './database.ts';
import { delivery } from './delivery.ts';
import { directory } from './directory.ts';
import { exports } from './export.ts';
import { incident } from './incident.ts';
import { inspection } from './inspection.ts';
import { language } from './language.ts';
import { meeting } from './meeting.ts';
import { names } from './names.ts';
import { operations } from './operations.ts';
import { platform } from './platform.ts';
import { sharing } from './sharing.ts';

export type { Locale } from './catalog.ts';
export { isLocale, LOCALES } from './catalog.ts';

/** Every area's catalogue; an area adds itself here. */
const catalogs: Catalog[] = [
  core,
  directory,
  platform,
  inspection,
  incident,
  meeting,
  advisory,
  language,
  exports,
  names,
  delivery,
  database,
  sharing,
  operations,
];

const merged: Catalog = { ja: {}, en: {} };
for (const c of catalogs) {
  Object.assign(merged.ja, c.ja);
  Object.assign(merged.en, c.en);
}

export function allMessages(): Catalog {
  return merged;
}

export function hasMessage(key: string): boolean {
  return key in merged.ja && key in merged.en;
}

/** The text of `key` in `locale` with `{param}` filled in; an unknown key shows itself. */
export function t(locale: Locale, key: string, params: Params = {}): string {
  const template = merged[locale][key] ?? merged.ja[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

export type Translate = (key: string, params?: Params) => string;

export function translator(locale: Locale): Translate {
  return (key, params) => t(locale, key, params);
}
