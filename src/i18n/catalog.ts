/** Message catalogues: one module per area, each with the same keys in ja and en. */
export type Locale = 'ja' | 'en';
export const LOCALES: readonly Locale[] = ['ja', 'en'];
export type Messages = Record<string, string>;
export interface Catalog {
  ja: Messages;
  en: Messages;
}

/**
 * An area's catalogue, its keys kept as types: English must have exactly the keys of Japanese
 * (a missing or extra one is a compile error), and `t()` accepts only keys some area defines.
 */
export function defineCatalog<const J extends Messages>(c: {
  ja: J;
  en: { [K in keyof J]: string };
}): {
  ja: J;
  en: { [K in keyof J]: string };
} {
  return c;
}

export function isLocale(v: unknown): v is Locale {
  return v === 'ja' || v === 'en';
}
