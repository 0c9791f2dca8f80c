/** Shared argument schemas. Custom messages are i18n keys. */
import { z } from 'zod';

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
