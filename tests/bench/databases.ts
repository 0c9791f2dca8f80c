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

/**
 * The test PostgreSQL server (TEST_PG_URL, else Debian's package, else one from the registry:
 * scripts/test-pg.mjs) and how to stop it, or null when none can be had.
 */
export async function pgServer(log: (l: string) => void): Promise<{ url: string; stop(): Promise<void> } | null> {
  try {
    const server = await testPgServer(ROOT, { log });
    log(`PostgreSQL: ${server.how}`);
    return server;
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
