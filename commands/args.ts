/** Shared argument schemas. Custom messages are i18n keys. */
import { z } from 'zod';
import { shortNameProblem } from '../src/domain/names.ts';
import { cleanText, nameProblem, showInvisible } from '../src/domain/text.ts';
import { parseTokyoDate, parseTokyoDateTime } from '../src/domain/tokyo-time.ts';

export const orgCode = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z][a-z0-9-]{0,15}$/, 'input.org_code');
export const yesNo = z.enum(['yes', 'no']);
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

/** an incident id, case-insensitive on input */
export const incidentId = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^INC-\d{4}-\d{4,}$/, 'input.incident_id');

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
