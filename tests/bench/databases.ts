/** Fresh databases for the benchmark: a SQLite file in a temporary directory, or a new database on the test PostgreSQL. */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ROOT } from '../../src/app.ts';
import { applyMigrations } from '../../src/db/migrator.ts';

export interface BenchDb {
  url: string;
  drop(): Promise<void>;
}

/** The test PostgreSQL server's URL (TEST_PG_URL, else scripts/pg-test-server.sh), or null when there is none. */
export function pgServer(log: (l: string) => void): string | null {
  if (process.env.TEST_PG_URL) return process.env.TEST_PG_URL;
  try {
    return execFileSync(join(ROOT, 'scripts', 'pg-test-server.sh'), { encoding: 'utf8' }).trim();
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
