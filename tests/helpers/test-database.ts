/**
 * A database handle of the provider under test on a fresh database (`testDb`) with the
 * migrations applied, and how to close it and drop the database: the db unit tests' one way to
 * open one (it was written out in seven files).
 */
import { ROOT } from '../../src/app.ts';
import { type Database, openDatabase } from '../../src/db/client.ts';
import { applyMigrations } from '../../src/db/migrator.ts';
import { testDb } from './app.ts';

export async function migratedDatabase(
  opts: Parameters<typeof openDatabase>[1] = {},
): Promise<{ db: Database; url: string; drop(): Promise<void> }> {
  const t = await testDb();
  await applyMigrations(t.url, ROOT);
  const db = await openDatabase(t.url, opts);
  return {
    db,
    url: t.url,
    async drop() {
      await db.close();
      await t.drop();
    },
  };
}
