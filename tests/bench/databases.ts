/** Fresh databases for the benchmark: a SQLite file in a temporary directory, or a new database on the test PostgreSQL. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { testPgServer } from '../../scripts/test-pg.mjs';
import { ROOT } from '../../src/app.ts';
import { applyMigrations } from '../../src/db/migrator.ts';

export interface BenchDb {
  url: string;
  drop(): Promise<void>;
}

/** What the figures' PostgreSQL did with a commit, as the server itself says (`SHOW`). */
export interface PgDurability {
  fsync: string;
  synchronousCommit: string;
}

/**
 * The bench's PostgreSQL server (TEST_PG_URL, else a server of the run's own from Debian's package
 * or the registry: scripts/test-pg.mjs, `durable`: fsync and synchronous_commit on, as in
 * production), its durability settings read back from it, and how to stop it; null when none can
 * be had.
 */
export async function pgServer(
  log: (l: string) => void,
): Promise<{ url: string; durability: PgDurability; stop(): Promise<void> } | null> {
  try {
    const server = await testPgServer(ROOT, { log, durable: true });
    const c = new pg.Client({ connectionString: server.url });
    const show = async (name: string) =>
      String(((await c.query(`SHOW ${name}`)).rows[0] as Record<string, string>)[name]);
    let durability: PgDurability;
    try {
      await c.connect();
      durability = { fsync: await show('fsync'), synchronousCommit: await show('synchronous_commit') };
    } catch (e) {
      await server.stop();
      throw e;
    } finally {
      await c.end().catch(() => {});
    }
    log(`PostgreSQL: ${server.how}; fsync=${durability.fsync} synchronous_commit=${durability.synchronousCommit}`);
    return { ...server, durability };
  } catch (e) {
    log(`PostgreSQL not available (${(e as Error).message.split('\n')[0]}): its figures are skipped`);
    return null;
  }
}

/** A new, migrated database. */
export async function freshDb(provider: 'sqlite' | 'postgresql', pgUrl: string | null): Promise<BenchDb> {
  let db: BenchDb;
  if (provider === 'postgresql') {
    if (!pgUrl) throw new Error('no PostgreSQL server');
    const name = `bench_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    db = {
      url: pgUrl.replace(/\/[^/]*$/, `/${name}`),
      async drop() {
        const c = new pg.Client({ connectionString: pgUrl });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      },
    };
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'csirt-bench-'));
    db = { url: `file:${join(dir, 'bench.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  await applyMigrations(db.url, ROOT);
  return db;
}
