/**
 * Retention periods (issue 22 item 4; docs/operations.md "Retention and erasure"). A record is
 * kept for its kind's years counted as the government's records rules count them: from 1 April
 * of the fiscal year after the one the record closed in (公文書等の管理に関する法律施行令 第8条,
 * 行政文書の管理に関するガイドライン 第4-3). So a report closed on 2027-03-31 and one closed on
 * 2026-04-01 (both FY2026) are kept 5 years from 2027-04-01 and both expire on 2032-04-01.
 */
import { fiscalYearOf } from './fiscal-year.ts';

/** The record kinds of the retention table, in the order a run handles them. */
export const RETENTION_KINDS = ['advisories', 'incidents', 'inspections', 'meetings', 'deliveries', 'audit'] as const;
export type RetentionKind = (typeof RETENTION_KINDS)[number];

/** Years per kind; null keeps that kind for good. */
export type RetentionTable = Record<RetentionKind, number | null>;

export type ParsedTable = { ok: true; table: RetentionTable } | { ok: false; problems: string[] };

/** The table from its JSON: every kind present, a whole number of years 1–100 or null. */
export function parseRetentionTable(json: unknown): ParsedTable {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return { ok: false, problems: ['expected an object of record kinds and years, e.g. {"incidents": 5, …}'] };
  const problems: string[] = [];
  const obj = json as Record<string, unknown>;
  for (const k of Object.keys(obj))
    if (!(RETENTION_KINDS as readonly string[]).includes(k))
      problems.push(`unknown record kind "${k}" (kinds: ${RETENTION_KINDS.join(', ')})`);
  const table = {} as RetentionTable;
  for (const k of RETENTION_KINDS) {
    const v = obj[k];
    if (v === undefined) problems.push(`"${k}" is missing (years, or null to keep for good)`);
    else if (v === null) table[k] = null;
    else if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 100)
      problems.push(`"${k}": ${JSON.stringify(v)} is not a whole number of years from 1 to 100 (or null)`);
    else table[k] = v;
  }
  return problems.length ? { ok: false, problems } : { ok: true, table };
}

/**
 * The newest fiscal year whose records have expired on `now` after `years`: a record closed in
 * fiscal year f is kept from 1 April of f+1 for `years` years, so it expires on 1 April of
 * f+1+years (JST), and the records of fiscal years up to fiscalYearOf(now) − years − 1 are due.
 */
export function lastExpiredFiscalYear(now: Date, years: number): number {
  return fiscalYearOf(now) - years - 1;
}

/** Whether a record closed at `closedAt` has passed its retention period on `now`. */
export function isExpired(closedAt: Date, years: number | null, now: Date): boolean {
  return years !== null && fiscalYearOf(closedAt) <= lastExpiredFiscalYear(now, years);
}
