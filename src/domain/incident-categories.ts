/**
 * Incident categories (PRODUCT.md §4): codes, Japanese and English labels and their mapping
 * to the Reference Security Incident Taxonomy, loaded as data from data/categories.json.
 */
import data from '../../data/categories.json' with { type: 'json' };

export interface Category {
  code: string;
  ja: string;
  en: string;
  /** RSIT v1003 class (predicate) and type (value), for STIX/MISP export */
  rsit: { class: string; type: string };
}

export const CATEGORIES: readonly Category[] = (data as { categories: Category[] }).categories;
export const CATEGORY_CODES: readonly string[] = CATEGORIES.map((c) => c.code);

/** A category by its code or its Japanese label (`malware`, `マルウェア感染`); null when none. */
export function findCategory(input: string): Category | null {
  const s = input.trim().normalize('NFKC');
  const lower = s.toLowerCase();
  return CATEGORIES.find((c) => c.code === lower || c.ja === s || c.en.toLowerCase() === lower) ?? null;
}

export function categoryLabel(code: string, locale: 'ja' | 'en'): string {
  const c = CATEGORIES.find((x) => x.code === code);
  return c ? c[locale] : code;
}
