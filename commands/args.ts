/** Shared argument schemas. Custom messages are i18n keys. */
import { z } from 'zod';
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

/** an incident id, case-insensitive on input */
export const incidentId = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^INC-\d{4}-\d{4,}$/, 'input.incident_id');
