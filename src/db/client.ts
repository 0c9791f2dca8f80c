/**
 * The database handle: one Prisma Client per provider (generated from the same models), a
 * transaction helper that behaves the same on SQLite and PostgreSQL, and raw SQL with the
 * provider's placeholders.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Prisma, PrismaClient as SqliteClient } from './generated/sqlite/client.ts';
import { type Provider, providerOf, sqlitePath } from './provider.ts';
import { type DurabilityStats, durableSqlite, type WalSync } from './sqlite-durable.ts';
import { baselineWasmOnly } from './wasm.ts';

/** The client type our code is written against (both generated clients have this shape). */
export type Prisma$ = SqliteClient;
export type Tx = Prisma.TransactionClient;
export type { Provider } from './provider.ts';

export interface Database {
  readonly provider: Provider;
  readonly prisma: Prisma$;
  /**
   * Runs `fn` in one transaction. On SQLite it first takes the write lock (so several
   * processes on one file queue on busy_timeout instead of failing on upgrade); on both it
   * retries a few times on lock timeouts, deadlocks and serialisation failures.
   */
  tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Raw SQL written with `?` placeholders, rewritten to `$n` on PostgreSQL. */
  query<T = Record<string, unknown>>(runner: Tx | Prisma$, sql: string, ...params: unknown[]): Promise<T[]>;
  execute(runner: Tx | Prisma$, sql: string, ...params: unknown[]): Promise<number>;
  /** true when the database answers */
  ping(): Promise<boolean>;
  /** SQLite file databases: commits and the fsyncs that made them durable (sqlite-durable.ts) */
  readonly durability?: { readonly stats: DurabilityStats; readonly pending: boolean };
  close(): Promise<void>;
}

/**
 * Work that must commit with the first transaction started in an async scope: the command
 * journal (src/inbox) deletes an acknowledged command's entry in the same transaction as the
 * command's own change, so a crash leaves either both or neither. `run` may throw to abort.
 */
export interface FirstTxGuard {
  pending: boolean;
  run(tx: Tx): Promise<void>;
}
export const firstTxGuard = new AsyncLocalStorage<FirstTxGuard>();

/** Runs `fn` outside any guard's scope (background work started from inside a command). */
export function outsideGuard<T>(fn: () => T): T {
  return firstTxGuard.exit(fn);
}

// Deadlocks, serialisation failures, busy SQLite, and a transaction that could not start in
// time (every pooled connection busy under a burst: nothing ran, so trying again is safe —
// failing would lose a command that was already acknowledged).
const RETRYABLE =
  /P2034|SQLITE_BUSY|database is locked|deadlock detected|could not serialize|40001|40P01|Unable to start a transaction in the given time/i;

export async function openDatabase(
  url: string,
  opts: { busyTimeoutMs?: number; poolSize?: number } = {},
): Promise<Database> {
  const provider = providerOf(url);
  let prisma: Prisma$;
  let durability: WalSync | undefined;
  baselineWasmOnly();
  if (provider === 'sqlite') {
    const path = sqlitePath(url);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    // Only the provider in use is loaded: each generated client brings its own query compiler
    // (WebAssembly), and each adapter its driver.
    const [{ PrismaBetterSqlite3 }, { PrismaClient }] = await Promise.all([
      import('@prisma/adapter-better-sqlite3'),
      import('./generated/sqlite/client.ts'),
    ]);
    const adapter = durableSqlite(
      new PrismaBetterSqlite3({ url: `file:${path}`, timeout: opts.busyTimeoutMs ?? 10_000 }),
      path === ':memory:' ? null : `${path}-wal`,
    );
    prisma = new PrismaClient({ adapter });
    const [mode] = await prisma.$queryRawUnsafe<{ journal_mode: string }[]>('PRAGMA journal_mode = WAL');
    // The outbox and the audit chain must survive power loss, not only a process crash: every
    // commit is on disk before anyone sees its result. In WAL mode the fsync is ours, off the
    // event loop and shared by concurrent commits (sqlite-durable.ts); otherwise SQLite's own.
    if (adapter.wal && String(mode?.journal_mode).toLowerCase() === 'wal') {
      await prisma.$executeRawUnsafe('PRAGMA synchronous = NORMAL');
      adapter.wal.activate();
      durability = adapter.wal;
    } else {
      await prisma.$executeRawUnsafe('PRAGMA synchronous = FULL');
    }
    await prisma.$executeRawUnsafe('PRAGMA foreign_keys = ON');
  } else {
    const [{ PrismaPg }, { PrismaClient }] = await Promise.all([
      import('@prisma/adapter-pg'),
      import('./generated/postgresql/client.ts'),
    ]);
    const adapter = new PrismaPg({ connectionString: url, max: opts.poolSize ?? 10 });
    prisma = new PrismaClient({ adapter }) as unknown as Prisma$;
  }
  const rewrite = (sql: string) => {
    if (provider === 'sqlite') return sql;
    let n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  };
  const db: Database = {
    provider,
    prisma,
    ...(durability ? { durability } : {}),
    async tx(fn) {
      const guard = firstTxGuard.getStore();
      for (let attempt = 1; ; attempt++) {
        let guarded = false;
        try {
          return await prisma.$transaction(
            async (tx) => {
              if (provider === 'sqlite') await tx.$executeRawUnsafe('UPDATE "AuditHead" SET id = id WHERE id = -1');
              if (guard?.pending) {
                guard.pending = false;
                guarded = true;
                await guard.run(tx);
              }
              return fn(tx);
            },
            { maxWait: 30_000, timeout: 60_000 },
          );
        } catch (e) {
          if (guarded && guard) guard.pending = true; // rolled back: the next transaction carries it
          if (attempt >= 8 || !RETRYABLE.test(String((e as Error)?.message) + String((e as { code?: string })?.code)))
            throw e;
          await new Promise((r) => setTimeout(r, Math.random() * 20 * 2 ** attempt));
        }
      }
    },
    async query<T>(runner: Tx | Prisma$, sql: string, ...params: unknown[]) {
      return (await runner.$queryRawUnsafe(rewrite(sql), ...params)) as T[];
    },
    async execute(runner, sql, ...params) {
      return runner.$executeRawUnsafe(rewrite(sql), ...params);
    },
    async ping() {
      try {
        await prisma.$queryRawUnsafe('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await prisma.$disconnect();
    },
  };
  return db;
}
