/**
 * Migrated template databases for the tests (issue 19 item 7): the checked-in migrations are
 * applied once per set of migrations, and each test database is a copy of that result —
 * PostgreSQL `CREATE DATABASE … TEMPLATE`, SQLite a copy of the migrated file — instead of an
 * empty database the bot (or createApp) migrates again through the schema engine. The bot then
 * finds the database up to date at start, as on every start but the first after an upgrade.
 *
 * A template is named by a hash of its provider's migrations (names and SQL): a new or changed
 * migration makes a new template. Tests that are about migrations, upgrades or empty databases
 * ask for a truly empty one (testDb({ empty: true }), freshDbUrl({ empty: true })).
 */
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { applyMigrations } from '../../src/db/migrator.ts';
import type { Provider } from '../../src/db/provider.ts';
import { PACKAGE_ROOT as ROOT } from '../../src/package-root.ts';

/** A hash of `provider`'s checked-in migrations: the name of its template. */
export function migrationsHash(provider: Provider, root = ROOT): string {
  const dir = join(root, 'prisma', provider, 'migrations');
  const h = createHash('sha256');
  for (const name of readdirSync(dir).sort()) {
    const sql = join(dir, name, 'migration.sql');
    if (!existsSync(sql)) continue;
    h.update(`${name}\n`).update(readFileSync(sql)).update('\n');
  }
  return h.digest('hex').slice(0, 16);
}

let sqliteTemplate: Promise<string> | undefined;

/** The migrated SQLite template file (built once per set of migrations, shared by every process). */
function sqliteTemplatePath(): Promise<string> {
  sqliteTemplate ??= (async () => {
    const path = join(tmpdir(), `csirt-template-${migrationsHash('sqlite')}.db`);
    if (existsSync(path)) return path;
    // built aside and renamed into place: a process that sees the file sees it whole
    const build = join(tmpdir(), `csirt-template-build-${process.pid}-${randomBytes(4).toString('hex')}`);
    mkdirSync(build, { recursive: true });
    try {
      const file = join(build, 'template.db');
      await applyMigrations(`file:${file}`, ROOT);
      // the engine's connections are closed: the last one checkpointed the WAL into the file
      if (existsSync(`${file}-wal`)) throw new Error(`${file}-wal remains after migrating the template`);
      renameSync(file, path);
    } finally {
      rmSync(build, { recursive: true, force: true });
    }
    return path;
  })();
  sqliteTemplate.catch(() => {
    sqliteTemplate = undefined;
  });
  return sqliteTemplate;
}

/** Copies the migrated SQLite template to `file` (a path that does not exist yet). */
export async function copySqliteTemplate(file: string): Promise<void> {
  copyFileSync(await sqliteTemplatePath(), file);
}

/** A key of our own for the lock under which one process builds the PostgreSQL template. */
const TEMPLATE_LOCK_KEY = 0x74_70_6c_31; // "tpl1"
const pgTemplates = new Map<string, Promise<string>>();

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => {});
  }
}

/**
 * The migrated PostgreSQL template database on the server at `base` (its name). Marked
 * `IS_TEMPLATE` only once migrated, so a build that died half way is dropped and done again.
 */
function pgTemplate(base: string): Promise<string> {
  let p = pgTemplates.get(base);
  if (!p) {
    p = (async () => {
      const name = `csirt_template_${migrationsHash('postgresql')}`;
      await withClient(base, async (admin) => {
        await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
        try {
          const r = await admin.query<{ t: boolean }>('SELECT datistemplate AS t FROM pg_database WHERE datname = $1', [
            name,
          ]);
          if (r.rows[0]?.t) return;
          await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          await admin.query(`CREATE DATABASE ${name}`);
          await applyMigrations(base.replace(/\/[^/]*$/, `/${name}`), ROOT);
          await admin.query(`ALTER DATABASE ${name} IS_TEMPLATE true`);
        } finally {
          await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY]).catch(() => {});
        }
      });
      return name;
    })();
    pgTemplates.set(base, p);
    p.catch(() => pgTemplates.delete(base));
  }
  return p;
}

/**
 * Creates database `name` on the server at `base` as a copy of the migrated template. PostgreSQL
 * refuses to copy a template someone is connected to; the template's only connections are the
 * migration's, closing: try again for a while.
 */
export async function createPgFromTemplate(base: string, name: string): Promise<void> {
  const template = await pgTemplate(base);
  await withClient(base, async (admin) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
        return;
      } catch (e) {
        if (attempt >= 20 || !/being accessed by other users/.test(String((e as Error)?.message))) throw e;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  });
}
