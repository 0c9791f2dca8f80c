/** Message catalogues: one module per area, each with the same keys in ja and en. */
export type Locale = 'ja' | 'en';
export const LOCALES: readonly Locale[] = ['ja', 'en'];
export type Messages = Record<string, string>;
export interface Catalog {
  ja: Messages;
  en: Messages;
}

export function isLocale(v: unknown): v is Locale {
  return v === 'ja' || v === 'en';
}
