/** Shared argument schemas. Custom messages are i18n keys. */
import { z } from 'zod';
import { parseChoice } from '../src/domain/answers.ts';
import { foldCode, ID_EXAMPLE, type IdPrefix, parseId } from '../src/domain/ids.ts';
import { parseTokyoDate, parseTokyoDateTime } from '../src/domain/tokyo-time.ts';

export const orgCode = z
  .string()
  .transform(foldCode)
  .pipe(
    z
      .string()
      .toLowerCase()
      .regex(/^[a-z][a-z0-9-]{0,15}$/, 'input.org_code'),
  );
/**
 * `all` or organisation codes separated by commas (`,` `、` `，`) → 'all' or the codes, each read
 * as `orgCode` reads one; a bad item is named in the message.
 */
export const orgList = z.string().transform((s, ctx): 'all' | string[] => {
  const items = s
    .split(/[,、，]/)
    .map((x) => foldCode(x).toLowerCase())
    .filter(Boolean);
  if (items.length === 1 && items[0] === 'all') return 'all';
  const bad = items.find((c) => !orgCode.safeParse(c).success);
  if (bad !== undefined || items.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'input.org_list', params: { value: bad ?? s } });
    return z.NEVER;
  }
  return [...new Set(items)];
});
/**
 * One of `options`, read by `parseChoice` (src/domain/answers.ts): any case, full-width, and the
 * Japanese answers (はい／いいえ, 同意／不同意, 出席／欠席／代理) where the English ones are allowed.
 */
export const choice = <const T extends readonly [string, ...string[]]>(options: T) =>
  z.preprocess((v) => (typeof v === 'string' ? (parseChoice(v, options) ?? v) : v), z.enum(options));
export const yesNo = choice(['yes', 'no']);
/** a comma-separated list (`role=poc,ciso`) → trimmed, non-empty items */
export const csv = z.string().transform((s) =>
  s
    .split(/[,、，]/)
    .map((x) => x.trim())
    .filter(Boolean),
);
export const text = (max = 4000) => z.string().trim().min(1).max(max);

/** `2026-11-25 10:30` (Asia/Tokyo; a date alone means 00:00) → Date */
export const tokyoDateTime = z.string().transform((s, ctx) => {
  const r = parseTokyoDateTime(s);
  if (r.ok) return r.value;
  const d = parseTokyoDate(s);
  if (d.ok) return d.value;
  ctx.addIssue({ code: 'custom', message: 'input.datetime' });
  return z.NEVER;
});

/** `2026-11-25` (Asia/Tokyo) → the instant of its 00:00 */
export const tokyoDay = z.string().transform((s, ctx) => {
  const d = parseTokyoDate(s);
  if (d.ok) return d.value;
  ctx.addIssue({ code: 'custom', message: 'input.date' });
  return z.NEVER;
});

/**
 * An id of the kind `prefix` (`INC`, `ADV`, `MTG`, `CMP`, `DRL`, `SYS`) → its canonical form;
 * case-insensitive, full-width and dash variants accepted (src/domain/ids.ts).
 */
export const anId = (prefix: IdPrefix) =>
  z.string().transform((s, ctx) => {
    const id = parseId(s, prefix);
    if (id) return id;
    ctx.addIssue({ code: 'custom', message: 'input.id', params: { example: ID_EXAMPLE[prefix] } });
    return z.NEVER;
  });

/** an incident id, case-insensitive on input */
export const incidentId = anId('INC');
