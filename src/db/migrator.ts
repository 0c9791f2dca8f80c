/**
 * Migrations without Prisma's native engine: the same schema engine compiled to WebAssembly
 * (@prisma/schema-engine-wasm, pinned exactly) driven through our driver adapters. It writes and
 * reads Prisma's own `_prisma_migrations` table, so `prisma migrate deploy` on a machine with
 * the native engine agrees with it. See docs/design/PRISMA-OFFLINE.md.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as Bg from '@prisma/schema-engine-wasm/schema_engine_bg';
import { type Provider, providerOf, sqlitePath } from './provider.ts';
import { baselineWasmOnly } from './wasm.ts';

// Everything heavy here is imported on first use: a bot whose database is up to date (every
// start but the first after an upgrade) never loads the schema engine (5 MB of WebAssembly),
// and a process only loads its own provider's driver adapter.
type Engine = Bg.SchemaEngine;
const FILTERS = { externalTables: [], externalEnums: [] };
const require = createRequire(import.meta.url);
let wasmReady: Promise<typeof Bg> | undefined;

function loadWasm(): Promise<typeof Bg> {
  wasmReady ??= (async () => {
    baselineWasmOnly();
    const bg = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    const entry = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const file = join(dirname(entry), 'schema_engine_bg.wasm');
    const { instance } = await WebAssembly.instantiate(readFileSync(file), {
      './schema_engine_bg.js': bg as unknown as WebAssembly.ModuleImports,
    });
    const exports = instance.exports as unknown as { __wbindgen_start: () => void };
    (bg as unknown as { __wbg_set_wasm: (e: unknown) => void }).__wbg_set_wasm(exports);
    exports.__wbindgen_start();
    return bg;
  })();
  return wasmReady;
}

type Disposable = { dispose(): Promise<void> };
type Queryable = {
  queryRaw(q: { sql: string; args: unknown[]; argTypes: unknown[] }): Promise<{ rows: unknown[][] }>;
};
type Factory = {
  provider: string;
  adapterName: string;
  connect(): Promise<Disposable>;
  connectToShadowDb(): Promise<Disposable>;
};

/**
 * A driver adapter factory that remembers every connection it opens, so that they can be
 * closed when the engine is done (engine.free() does not close them, and a SQLite connection
 * left open keeps its lock from the next engine in the same process).
 */
/** The driver adapter factory for `url` (only that provider's adapter is loaded). */
async function adapterFactory(url: string, opts: { timeout?: number } = {}): Promise<Factory> {
  if (providerOf(url) === 'sqlite') {
    const path = sqlitePath(url);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const { PrismaBetterSqlite3 } = await import('@prisma/adapter-better-sqlite3');
    return new PrismaBetterSqlite3({ url: `file:${path}`, ...opts }) as unknown as Factory;
  }
  const { PrismaPg } = await import('@prisma/adapter-pg');
  return new PrismaPg({ connectionString: url }) as unknown as Factory;
}

async function trackingFactory(url: string): Promise<{ factory: Factory; closeAll: () => Promise<void> }> {
  const inner = await adapterFactory(url);
  const open: Disposable[] = [];
  const track = async (p: Promise<Disposable>) => {
    const a = await p;
    open.push(a);
    return a;
  };
  const factory: Factory = {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: () => track(inner.connect()),
    connectToShadowDb: () => track(inner.connectToShadowDb()),
  };
  return { factory, closeAll: async () => void (await Promise.allSettled(open.splice(0).map((a) => a.dispose()))) };
}

export function prismaDir(root: string, provider: Provider): string {
  return join(root, 'prisma', provider);
}

/** Runs `fn` with a fresh engine for `url`, then frees it and closes its connections. */
async function withEngine<T>(provider: Provider, root: string, url: string, fn: (e: Engine) => Promise<T>): Promise<T> {
  const [bg, { bindMigrationAwareSqlAdapterFactory }] = await Promise.all([
    loadWasm(),
    import('@prisma/driver-adapter-utils'),
  ]);
  const schemaPath = join(prismaDir(root, provider), 'schema.prisma');
  const schema = readFileSync(schemaPath, 'utf8');
  const { factory, closeAll } = await trackingFactory(url);
  const engine = await bg.SchemaEngine.new(
    { datamodels: [[schemaPath, schema]] },
    () => {},
    bindMigrationAwareSqlAdapterFactory(factory as never),
  );
  try {
    return await fn(engine);
  } finally {
    engine.free();
    await closeAll();
  }
}

function migrationDirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort();
}

function migrationsList(root: string, provider: Provider) {
  const baseDir = join(prismaDir(root, provider), 'migrations');
  const lockPath = join(baseDir, 'migration_lock.toml');
  return {
    baseDir,
    lockfile: { path: 'migration_lock.toml', content: existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: migrationDirs(baseDir).map((name) => ({
      path: name,
      migrationFile: {
        path: 'migration.sql',
        content: { tag: 'ok' as const, value: readFileSync(join(baseDir, name, 'migration.sql'), 'utf8') },
      },
    })),
  };
}

/**
 * True when `_prisma_migrations` already records every checked-in migration as finished. A
 * second bot process starting next to a running one then never needs the schema engine,
 * which on SQLite waits on the other process's locks (and the check is much faster).
 */
async function allApplied(url: string, names: string[]): Promise<boolean> {
  const done = await appliedNames(url);
  return names.length > 0 && names.every((n) => done.has(n));
}

/** The migrations `_prisma_migrations` records as finished (none when there is no such table). */
async function appliedNames(url: string): Promise<Set<string>> {
  // Straight through the driver adapter: a Prisma Client here would instantiate its query
  // compiler (WebAssembly, tens of MB once compiled) a second time just for this check.
  let conn: Disposable | undefined;
  try {
    conn = await (await adapterFactory(url, { timeout: 10_000 })).connect();
    const queryable = conn as unknown as Queryable;
    // as openDatabase does, and before the engine creates the file: WAL from the start
    if (providerOf(url) === 'sqlite')
      await queryable.queryRaw({ sql: 'PRAGMA journal_mode = WAL', args: [], argTypes: [] });
    const res = await queryable.queryRaw({
      sql: 'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
      args: [],
      argTypes: [],
    });
    return new Set(res.rows.map((r) => String(r[0])));
  } catch {
    return new Set(); // no table yet, or no database: let the engine decide
  } finally {
    await conn?.dispose().catch(() => {});
  }
}

/** The checked-in migrations the database has not applied (all of them on an empty database). */
export async function pendingMigrations(url: string, root: string): Promise<string[]> {
  const names = migrationDirs(join(prismaDir(root, providerOf(url)), 'migrations'));
  const done = await appliedNames(url);
  return names.filter((n) => !done.has(n));
}

/** MIGRATE_ON_START=false and the schema is older than this version. */
export class SchemaBehindError extends Error {
  constructor(readonly pending: string[]) {
    super(
      `the database schema is older than this version (${pending.length} migration${pending.length === 1 ? '' : 's'} not applied: ${pending.join(', ')}); MIGRATE_ON_START=false, so run \`npm run db:migrate\` once, then start the bot`,
    );
  }
}

/**
 * A PostgreSQL session lock held while the engine migrates, so that processes starting at once
 * migrate one after another (the others find everything applied). Its own key: the schema
 * engine may take Prisma's lock on its own connection, and two locks on one key from two of our
 * connections would wait on each other.
 */
export const MIGRATION_LOCK_KEY = 0x63_73_69_72; // "csir"

async function withMigrationLock<T>(url: string, fn: () => Promise<T>): Promise<T> {
  if (providerOf(url) !== 'postgresql') return fn();
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    return await fn();
  } finally {
    // ending the session releases the lock even if the unlock is never sent
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
    await client.end().catch(() => {});
  }
}

/**
 * Applies every checked-in migration not yet applied; returns the names applied now. Safe with
 * several processes starting at once: on PostgreSQL they take turns under an advisory lock.
 */
export async function applyMigrations(url: string, root: string): Promise<string[]> {
  const provider = providerOf(url);
  const names = migrationDirs(join(prismaDir(root, provider), 'migrations'));
  if (await allApplied(url, names)) return [];
  return withMigrationLock(url, async () => {
    // whoever held the lock before us may have applied everything meanwhile
    if (await allApplied(url, names)) return [];
    return applyWithEngine(url, root, provider);
  });
}

async function applyWithEngine(url: string, root: string, provider: Provider): Promise<string[]> {
  // Another bot process on the same SQLite file may hold the write lock for a moment (its
  // scheduler ticks every second); the engine then fails at once with SQLITE_BUSY, surfaced
  // as `SocketTimeout`. Try again rather than refuse to start.
  for (let attempt = 1; ; attempt++) {
    try {
      return await withEngine(provider, root, url, async (engine) => {
        const out = await engine.applyMigrations({
          migrationsList: migrationsList(root, provider) as never,
          filters: FILTERS,
        });
        return out.appliedMigrationNames;
      });
    } catch (e) {
      if (attempt >= 20 || !/SocketTimeout|SQLITE_BUSY|database is locked/.test(String((e as Error)?.message))) throw e;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200 * Math.min(attempt, 5)));
    }
  }
}

/**
 * The SQL that takes a database from `from` (the schema snapshot of the last migration, or
 * nothing) to the current schema. Needs no database: both ends are schema texts.
 */
export async function diffSchemas(
  provider: Provider,
  root: string,
  fromSchema: string | null,
  pgUrl?: string,
): Promise<string> {
  // The PostgreSQL engine checks its connection even for a diff of two schema texts.
  const url = provider === 'sqlite' ? 'file::memory:' : (pgUrl ?? 'postgresql://127.0.0.1:1/unused');
  const schemaPath = join(prismaDir(root, provider), 'schema.prisma');
  return withEngine(provider, root, url, async (engine) => {
    const res = await engine.diff({
      from:
        fromSchema === null
          ? { tag: 'empty' }
          : { tag: 'schemaDatamodel', files: [{ path: 'previous.prisma', content: fromSchema }] },
      to: { tag: 'schemaDatamodel', files: [{ path: schemaPath, content: readFileSync(schemaPath, 'utf8') }] },
      script: true,
      exitCode: null,
      filters: FILTERS,
    } as never);
    return res.stdout ?? '';
  });
}

const SNAPSHOT = 'schema.snapshot.prisma';

/**
 * Writes a new migration for `provider` named `<timestamp>_<name>` holding the difference
 * between the last migration's schema snapshot and the current schema. Returns its folder,
 * or null when there is nothing to migrate.
 */
export async function createMigration(
  provider: Provider,
  root: string,
  name: string,
  opts: { now?: Date; pgUrl?: string } = {},
): Promise<string | null> {
  const now = opts.now ?? new Date();
  const baseDir = join(prismaDir(root, provider), 'migrations');
  const dirs = migrationDirs(baseDir);
  const last = dirs.at(-1);
  const previous =
    last && existsSync(join(baseDir, last, SNAPSHOT)) ? readFileSync(join(baseDir, last, SNAPSHOT), 'utf8') : null;
  if (last && previous === null) throw new Error(`${join(baseDir, last)} has no ${SNAPSHOT}`);
  const sql = await diffSchemas(provider, root, previous, opts.pgUrl);
  if (!/\b(CREATE|ALTER|DROP)\b/i.test(sql)) return null;
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  const dir = join(baseDir, `${stamp}_${name.replace(/[^a-z0-9_]/gi, '_')}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'migration.sql'), sql);
  writeFileSync(join(dir, SNAPSHOT), readFileSync(join(prismaDir(root, provider), 'schema.prisma'), 'utf8'));
  writeFileSync(
    join(baseDir, 'migration_lock.toml'),
    `# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "${provider}"\n`,
  );
  return dir;
}
