/**
 * Gap-free ids per prefix and fiscal year (`MTG-2026-0001`). The counter row is bumped inside
 * the caller's transaction, so a rolled-back change gives its number back and two processes
 * never get the same one (the upsert takes the row's write lock).
 */
import type { Database, Tx } from '../db/client.ts';
import { formatId } from '../domain/fiscal-year.ts';

/** The next id `<prefix>-<fy>-<4 digits>`, drawn in `tx`. */
export async function nextId(db: Database, tx: Tx, prefix: string, fy: number): Promise<string> {
  const rows = await db.query<{ value: number | bigint }>(
    tx,
    `INSERT INTO "Counter" (name, value) VALUES (?, 1)
     ON CONFLICT (name) DO UPDATE SET value = "Counter".value + 1
     RETURNING value`,
    `${prefix}-${fy}`,
  );
  const value = rows[0]?.value;
  if (value === undefined) throw new Error(`counter ${prefix}-${fy} returned no value`);
  return formatId(prefix, fy, Number(value));
}
