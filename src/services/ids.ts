/**
 * Gap-free ids `<prefix>-<fiscal year>-<4 digits>` (INC-2026-0001, MTG-2026-0001, …).
 *
 * One Counter row per prefix and fiscal year, bumped by a single upsert inside the caller's
 * transaction: the row lock (PostgreSQL) or the write lock (SQLite) serialises concurrent
 * reports, and a rolled-back transaction rolls its number back too — no gaps, no duplicates,
 * whatever the number of processes.
 */
import type { Database, Tx } from '../db/client.ts';
import { formatId } from '../domain/fiscal-year.ts';

export async function nextId(db: Database, tx: Tx, prefix: string, fiscalYear: number): Promise<string> {
  const rows = await db.query<{ value: number | bigint }>(
    tx,
    'INSERT INTO "Counter" (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = "Counter".value + 1 RETURNING value',
    `${prefix}-${fiscalYear}`,
  );
  const n = Number(rows[0]?.value);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`counter ${prefix}-${fiscalYear} returned ${String(rows[0]?.value)}`);
  return formatId(prefix, fiscalYear, n);
}
