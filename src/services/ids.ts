/**
 * Gap-free ids `<prefix>-<fiscal year>-<4 digits>` (INC-2026-0001, CMP-2026-0001, …) and plain
 * named sequences (`SYS-maff` → 1, 2, …).
 *
 * One Counter row per name, bumped by a single upsert inside the caller's transaction: the row
 * lock (PostgreSQL) or the write lock (SQLite) serialises concurrent callers, and a rolled-back
 * transaction rolls its number back too — no gaps, no duplicates, whatever the number of processes.
 */
import type { Database, Tx } from '../db/client.ts';
import { formatId } from '../domain/fiscal-year.ts';

/** The next value (from 1) of the sequence `name`, in `tx`. */
export async function nextSeq(db: Database, tx: Tx, name: string): Promise<number> {
  const rows = await db.query<{ value: number | bigint }>(
    tx,
    'INSERT INTO "Counter" (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = "Counter".value + 1 RETURNING value',
    name,
  );
  const n = Number(rows[0]?.value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`counter ${name} returned ${String(rows[0]?.value)}`);
  return n;
}

/** The next id `<prefix>-<fiscal year>-<4 digits>`, in `tx`. */
export async function nextId(db: Database, tx: Tx, prefix: string, fy: number): Promise<string> {
  return formatId(prefix, fy, await nextSeq(db, tx, `${prefix}-${fy}`));
}
