/** Shared argument schemas. Custom messages are i18n keys. */

import * as z from 'zod';
import { validationNow } from '../src/core/clock.ts';
import { UserError } from '../src/core/errors.ts';
import { parseChoice } from '../src/domain/answers.ts';
import { normalizeEmailAddress } from '../src/domain/email-address.ts';
import { foldCode, ID_EXAMPLE, type IdPrefix, parseId } from '../src/domain/ids.ts';
import { shortNameProblem } from '../src/domain/names.ts';
import { canonicalOrgCode } from '../src/domain/org-codes.ts';
import {
  type AmountRangeName,
  outsideAmount,
  outsideTime,
  TIME_RANGES,
  type TimeRangeName,
} from '../src/domain/plausible.ts';
import { cleanText, nameProblem, showInvisible } from '../src/domain/text.ts';
import { formatTokyoInput, formatTokyoIsoDate, parseTokyoDate, parseTokyoDateTime } from '../src/domain/tokyo-time.ts';
import type { MessageKey } from '../src/i18n/index.ts';
import { shippedAliases } from '../src/services/directory-seed.ts';

/**
 * An organisation code as typed → its canonical code: folded (full-width, case, dashes,
 * zero-width) and an alias (`nco`) read as its organisation's code (`nisc`), by the one rule in
 * src/domain/org-codes.ts with the shipped directory's aliases (data/directory.json).
 */
export const orgCode = z
  .string()
  .transform(foldCode)
  .pipe(
    z
      .string()
      .toLowerCase()
      .regex(/^[a-z][a-z0-9-]{0,15}$/, 'input.org_code')
      .transform((c) => canonicalOrgCode(c, shippedAliases())),
  );
/**
 * `all` or organisation codes separated by commas (`,` `、` `，`) → 'all' or the canonical codes,
 * each read as `orgCode` reads one (an alias and its code count once); a bad item is named in the
 * message.
 */
export const orgList = z.string().transform((s, ctx): 'all' | string[] => {
  const items = s
    .split(/[,、，]/)
    .map((x) => foldCode(x).toLowerCase())
    .filter(Boolean);
  if (items.length === 1 && items[0] === 'all') return 'all';
  const read = items.map((c) => orgCode.safeParse(c));
  const bad = items.find((_, i) => !read[i]?.success);
  if (bad !== undefined || items.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'input.org_list', params: { value: bad ?? s } });
    return z.NEVER;
  }
  return [...new Set(read.map((r) => r.data as string))];
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
/**
 * Free text (a summary, a body, a note, a title): control characters other than newline and
 * tab, and bidi embeddings, overrides and isolates, are removed before anything else
 * (src/domain/text.ts); then trimmed, required, at most `max` characters.
 */
export const text = (max = 4000) => z.string().overwrite(cleanText).trim().min(1).max(max);

/**
 * A name (of an organisation, a system): one line, refused — with the character's code point,
 * under the field's name — when it holds a control, format or other invisible character.
 */
export const name = (max = 200) => z.string().trim().min(1).max(max).superRefine(refuseInvisible);

/** Refuses (under the field's name) a value holding a control, format or invisible character. */
export function refuseInvisible(s: string, ctx: z.RefinementCtx): void {
  const p = nameProblem(s);
  if (p) ctx.addIssue({ code: 'custom', message: 'input.invisible_char', params: p });
}
/**
 * A whole number as people type it: `2`, `２`, ` 12 ` (full-width digits and spaces folded as
 * ids are, `foldCode`) → a number; anything else (`1.5`, `0x10`, `1e3`, `abc`) → `input.number`.
 */
export const wholeNumber = () =>
  z
    .string()
    .transform(foldCode)
    // 15 digits stay exact as a JavaScript number; each field's range is checked after this
    .pipe(z.string().regex(/^\d{1,15}$/, 'input.number'))
    .transform(Number);

/** `2026-11-25 10:30` (Asia/Tokyo; a date alone means 00:00) → Date */
export const tokyoDateTime = z.string().transform((s, ctx) => {
  const r = parseTokyoDateTime(s);
  if (r.ok) return r.value;
  const d = parseTokyoDate(s);
  if (d.ok) return d.value;
  // a date whose written weekday is not its own is told so, not "cannot read"
  const weekday = [r, d].find((x) => x.code === 'date.weekday');
  if (weekday) ctx.addIssue({ code: 'custom', message: 'date.weekday', params: { input: weekday.input } });
  else ctx.addIssue({ code: 'custom', message: 'input.datetime' });
  return z.NEVER;
});

/** `2026-11-25` (Asia/Tokyo; `/` and full-width accepted) → the instant of its 00:00 */
export const tokyoDay = z.string().transform((s, ctx) => {
  const d = parseTokyoDate(s);
  if (d.ok) return d.value;
  ctx.addIssue({ code: 'custom', message: d.code, params: { input: d.input } });
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

/** The message parameters of a time outside its range: `2026-12-03` or `2026-12-03 10:00`. */
export function timeRangeParams(name: TimeRangeName, bounds: { min: Date; max: Date }): Record<string, string> {
  const f = TIME_RANGES[name].unit === 'date' ? formatTokyoIsoDate : formatTokyoInput;
  return { min: f(bounds.min), max: f(bounds.max) };
}

/**
 * `schema` (a date or date-time) within the range `name` of src/domain/plausible.ts at the
 * router's clock; outside it: `input.range_date` / `input.range_datetime` with the range.
 */
export const plausibleTime = <S extends z.ZodType<Date>>(schema: S, name: TimeRangeName) =>
  schema.superRefine((at, ctx) => {
    const out = outsideTime(name, at, validationNow());
    if (!out) return;
    const unit = TIME_RANGES[name].unit;
    ctx.addIssue({ code: 'custom', message: `input.range_${unit}`, params: timeRangeParams(name, out) });
  });

/**
 * A time outside its range found by a handler (a value it reads itself, after the role
 * check): the same message as `plausibleTime`'s, naming the field.
 */
export function outOfRange(
  t: (key: MessageKey, params?: Record<string, string | number>) => string,
  field: string,
  name: TimeRangeName,
  bounds: { min: Date; max: Date },
  usage: string,
): UserError {
  const details = `・${field}: ${t(`input.range_${TIME_RANGES[name].unit}`, timeRangeParams(name, bounds))}`;
  return new UserError('input.invalid', { details, usage });
}

/** A report's `occurred` not after its `detected` (when both are given; detected defaults to now). */
export function occurredNotAfterDetected(v: { detected?: Date; occurred?: Date }, ctx: z.RefinementCtx): void {
  if (v.occurred && v.detected && v.occurred.getTime() > v.detected.getTime()) {
    ctx.addIssue({
      code: 'custom',
      path: ['occurred'],
      message: 'input.occurred_after_detected',
      params: { detected: formatTokyoInput(v.detected) },
    });
  }
}

/** `schema` (a number) within the range `name` of src/domain/plausible.ts (`input.range`). */
export const plausibleAmount = <S extends z.ZodType<number>>(schema: S, name: AmountRangeName) =>
  schema.superRefine((n, ctx) => {
    const out = outsideAmount(name, n);
    // written with thousands separators: 2,000,000,000 reads at a glance, 2000000000 does not
    const grouped = (x: number) => x.toLocaleString('en-US');
    if (out)
      ctx.addIssue({
        code: 'custom',
        message: 'input.range',
        params: { min: grouped(out.min), max: grouped(out.max) },
      });
  });

/**
 * `short="農水省,NOUSUI"`: short names of an organisation, separated by `,` `、` or `，`; each a
 * {@link name} that keeps two letters or digits once folded and is not a number alone.
 * `short=""` gives the empty list (remove them all). Problems are reported on the field itself,
 * naming the short name at fault.
 */
export const shortNames = csv.pipe(
  z
    .array(z.string().max(100))
    .max(20)
    .superRefine((list, ctx) => {
      for (const short of list) {
        const invisible = nameProblem(short);
        const p = invisible ? null : shortNameProblem(short);
        const params = { short: showInvisible(short) };
        if (invisible)
          ctx.addIssue({ code: 'custom', message: 'input.short_invisible', params: { ...params, ...invisible } });
        else if (p) ctx.addIssue({ code: 'custom', message: `input.short_${p}`, params });
        if (invisible || p) return;
      }
    }),
);

/**
 * An e-mail address as typed → its stored form (src/domain/email-address.ts: NFKC, the domain
 * in ASCII and lower case), or null for `-` (remove it). Refused with the reason (a line break,
 * an invisible character with its code point, a bad local part or domain).
 */
export const emailAddress = z.string().transform((s, ctx): string | null => {
  if (s.trim() === '-') return null;
  const r = normalizeEmailAddress(s);
  if (r.ok) return r.address;
  ctx.addIssue({ code: 'custom', message: `input.email_${r.problem}`, params: r.char ? { char: r.char } : {} });
  return z.NEVER;
});
