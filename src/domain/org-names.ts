/**
 * How an organisation is written in text, and above all the coordinating organisation — NISC
 * until June 2025, 国家サイバー統括室 (National Cybersecurity Office, NCO) since July 2025, and
 * whatever it is called next. Its names are data (the directory record, renamed with `org set`),
 * never words in the code: every message says it through {@link coordinatorName}, which the
 * translator (src/i18n) calls to fill the `{coordinator}` and `{coordinator_full}` placeholders.
 */

/** Languages the bot writes in. */
export type Locale = 'ja' | 'en';

/** The names of one organisation, as its directory record holds them. */
export interface OrgNames {
  nameJa: string;
  nameEn: string;
  /** the short names officials write (農水省, NCO, …); the first acronym is the abbreviation */
  short: readonly string[];
}

/** The words used when no coordinating organisation is registered (never a proper name). */
const GENERIC: Record<Locale, string> = { ja: '調整機関', en: 'coordinating office' };

/** An acronym such as `NCO` or `NISC`: 2–8 Latin capitals (an abbreviation shown after the name). */
const ACRONYM = /^[A-Z][A-Z0-9&/-]{1,7}$/;

/** The organisation's abbreviation: its first short name that is an acronym, or null. */
export function abbreviation(names: Pick<OrgNames, 'short'>): string | null {
  return names.short.find((s) => ACRONYM.test(s.trim()))?.trim() ?? null;
}

/**
 * The coordinating organisation as text. `name`: its name in the language (国家サイバー統括室,
 * National Cybersecurity Office); `full`: with its abbreviation when it has one
 * (国家サイバー統括室（NCO）, National Cybersecurity Office (NCO)) — for the first mention in a
 * message. English templates put the article themselves (`the {coordinator}`). Without a
 * registered coordinating organisation: 調整機関 / coordinating office.
 */
export function coordinatorName(names: OrgNames | null, locale: Locale, form: 'name' | 'full' = 'name'): string {
  if (!names) return GENERIC[locale];
  const name = (locale === 'ja' ? names.nameJa : names.nameEn).trim() || GENERIC[locale];
  if (form === 'name') return name;
  const abbr = abbreviation(names);
  if (!abbr || abbr === name) return name;
  return locale === 'ja' ? `${name}（${abbr}）` : `${name} (${abbr})`;
}

/** An organisation as a line names it: `農林水産省 (maff)`, `Ministry of … (maff)`. */
export function orgLabel(o: { code: string; nameJa: string; nameEn: string }, locale: Locale): string {
  return `${locale === 'ja' ? o.nameJa : o.nameEn} (${o.code})`;
}
