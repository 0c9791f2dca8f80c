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
export function nextSeq(db: Database, tx: Tx, name: string): Promise<number> {
  return takeSeqs(db, tx, name, 1);
}

/**
 * The first of the `count` next values of the sequence `name`, in `tx` (a batch of reports takes
 * its numbers with one statement: src/db/group-commit.ts).
 */
export async function takeSeqs(db: Database, tx: Tx, name: string, count: number): Promise<number> {
  if (!Number.isInteger(count) || count < 1) throw new Error(`counter ${name}: cannot take ${count} values`);
  const rows = await db.query<{ value: number | bigint }>(
    tx,
    `INSERT INTO "Counter" (name, value) VALUES (?, ${count}) ON CONFLICT (name) DO UPDATE SET value = "Counter".value + ${count} RETURNING value`,
    name,
  );
  const last = Number(rows[0]?.value);
  if (!Number.isInteger(last) || last < count) throw new Error(`counter ${name} returned ${String(rows[0]?.value)}`);
  return last - count + 1;
}

/** The next id `<prefix>-<fiscal year>-<4 digits>`, in `tx`. */
export async function nextId(db: Database, tx: Tx, prefix: string, fy: number): Promise<string> {
  return formatId(prefix, fy, await nextSeq(db, tx, `${prefix}-${fy}`));
}
