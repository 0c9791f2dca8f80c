/**
 * A row locked until its transaction ends. On PostgreSQL a no-op UPDATE takes the row's lock, so
 * a second transaction that wants the same row waits, then reads what the first one committed
 * (READ COMMITTED re-reads after the wait). On SQLite the UPDATE makes the transaction the writer
 * at once, which serialises it with every other writer (and avoids upgrading a read to a write
 * later, the cause of SQLITE_BUSY between processes). A missing row locks nothing.
 */
import type { Database, Tx } from './client.ts';

/** Tables whose rows a service locks before moving their status. */
export type LockedTable = 'Advisory' | 'Incident';

export async function lockRow(db: Database, tx: Tx, table: LockedTable, id: string): Promise<void> {
  await db.execute(tx, `UPDATE "${table}" SET id = id WHERE id = ?`, id);
}
