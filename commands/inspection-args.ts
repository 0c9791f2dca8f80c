/** Argument schemas of the inspection commands (system, check). Custom messages are i18n keys. */
import * as z from 'zod';
import { choice, tokyoDay } from './args.ts';

/** Whole yen: `3000000`, `3,000,000`, `¥3,000,000`, `3000000円` (full-width digits accepted). */
export const yen = z
  .string()
  .trim()
  .transform((s) =>
    s
      .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
      .replace(/[,，_]/g, '')
      .replace(/^[¥￥]/, '')
      .replace(/円$/, ''),
  )
  .pipe(z.string().regex(/^\d{1,13}$/, 'input.yen'))
  .transform(Number);

/** A Tokyo calendar date (YYYY-MM-DD), as the instant of its 00:00 JST. */
export const tokyoDate = tokyoDay;

export const exposure = choice(['internet', 'internal', 'isolated']);
export const confidentiality = choice(['1', '2', '3']).transform(Number);
export const answerStatus = choice(['implemented', 'partial', 'missing', 'na']);
