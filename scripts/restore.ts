// npm run restore -- <file>: restores a backup (npm run backup) into an EMPTY database and
// marks it restored, so that no bot runs on it before it is reconciled (ids continue after
// every id already posted, deliveries of unknown outcome checked against the channel history:
// src/services/restore.ts) — at the first start, or now with `npm run restore -- --reconcile`.
// docs/operations.md "Restore".
// SQLite: the file is checked (SQLite header, integrity check, the bot's tables, the audit head
// against <file>.meta.json when it is there) and copied with the SQLite backup API.
// PostgreSQL: `pg_restore` (PG_RESTORE names it, else from PATH) into the empty database;
// `--mark-restored` marks a database restored by other means (pg_restore run by hand, a snapshot).
// Exit: 0 done, 1 failed (nothing restored, or reconciliation failed), 2 bad arguments,
// configuration, or a database that is not empty.
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { type Config, ConfigError, loadConfig } from '../src/config.ts';
import type { PlatformName, PlatformSeam } from '../src/core/platform.ts';
import { openDatabase } from '../src/db/client.ts';
import { providerOf, sqlitePath } from '../src/db/provider.ts';
import { RESTORE_MARKER, type RestoreMarker, reconcileRestore } from '../src/services/restore.ts';

class Usage extends Error {}
class Refused extends Error {}

const USAGE = 'usage: npm run restore -- <backup file> | --reconcile | --mark-restored';

function marker(source: string): string {
  const m: RestoreMarker = { restoredAt: new Date().toISOString(), source };
  return JSON.stringify(m);
}

/** The rows in the database's tables (the migrations' own table left out); 0: empty. */
function sqliteRows(file: string): { total: number; tables: string[] } {
  if (!existsSync(file) || statSync(file).size === 0) return { total: 0, tables: [] };
  const db = new Database(file, { readonly: true, timeout: 10_000 });
  try {
    const names = (
      db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all() as {
        name: string;
      }[]
    )
      .map((r) => r.name)
      .filter((n) => n !== '_prisma_migrations');
    let total = 0;
    const tables: string[] = [];
    for (const n of names) {
      const c = (db.prepare(`SELECT COUNT(*) AS c FROM "${n.replace(/"/g, '""')}"`).get() as { c: number }).c;
      if (c > 0) tables.push(`${n} ${c}`);
      total += c;
    }
    return { total, tables };
  } finally {
    db.close();
  }
}

function checkSqliteBackup(file: string): { seq: number; hash: string } {
  if (!existsSync(file)) throw new Usage(`${file}: no such file`);
  const header = Buffer.alloc(16);
  const fd = openSync(file, 'r');
  const n = readSync(fd, header, 0, 16, 0);
  closeSync(fd);
  if (n < 16 || header.toString('latin1') !== 'SQLite format 3\u0000')
    throw new Refused(`${file} is not a SQLite backup (it does not start with the SQLite header)`);
  let head: { seq: number; hash: string } | undefined;
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const check = db.pragma('integrity_check', { simple: true });
      if (check !== 'ok') throw new Refused(`${file} is damaged: the integrity check said ${String(check)}`);
      head = db.prepare('SELECT seq, hash FROM "AuditHead" WHERE id = 1').get() as typeof head;
    } finally {
      db.close();
    }
  } catch (e) {
    if (e instanceof Refused) throw e;
    throw new Refused(`${file} is damaged or not a backup of this bot (${(e as Error).message})`);
  }
  if (!head) throw new Refused(`${file} holds no audit head: not a backup of this bot`);
  const metaFile = `${file}.meta.json`;
  if (existsSync(metaFile)) {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as { auditHead?: { seq: number; hash: string } };
    if (meta.auditHead && (meta.auditHead.seq !== head.seq || meta.auditHead.hash !== head.hash))
      throw new Refused(
        `${file} does not hold the audit head recorded beside it (${meta.auditHead.seq}:${meta.auditHead.hash}; the file has ${head.seq}:${head.hash})`,
      );
  }
  return head;
}

async function restoreSqlite(file: string, url: string): Promise<void> {
  const target = sqlitePath(url);
  const rows = sqliteRows(target);
  if (rows.total > 0)
    throw new Refused(
      `the database ${target} is not empty (${rows.tables.join(', ')}): a backup is restored only into an empty database. Nothing was changed. Move that file away (keep it: it is the newer state) or point DATABASE_URL at a new file`,
    );
  const head = checkSqliteBackup(file);
  const tmp = `${target}.restoring-${process.pid}`;
  rmSync(tmp, { force: true });
  const src = new Database(file, { readonly: true, fileMustExist: true });
  try {
    await src.backup(tmp);
  } finally {
    src.close();
  }
  // the marker is in the copy before it takes the database's place: never a restored
  // database without it
  const copy = new Database(tmp);
  copy
    .prepare(`INSERT INTO "Setting" (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`)
    .run(RESTORE_MARKER, marker(file));
  copy.pragma('journal_mode = DELETE');
  copy.close();
  for (const f of [`${target}-wal`, `${target}-shm`]) rmSync(f, { force: true });
  renameSync(tmp, target);
  console.log(
    [
      `restored ${file} into ${target} (audit head ${head.seq}:${head.hash}).`,
      'The database is marked restored: the first bot to start reconciles it (or run npm run restore -- --reconcile now).',
      `Check it: npm run audit:verify -- --expect ${head.seq}:${head.hash}`,
    ].join('\n'),
  );
}

async function pgRows(url: string): Promise<{ total: number; tables: string[] }> {
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const names = (
      await c.query<{ name: string }>(
        `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
      )
    ).rows
      .map((r) => r.name)
      .filter((n) => n !== '_prisma_migrations');
    let total = 0;
    const tables: string[] = [];
    for (const n of names) {
      const r = await c.query<{ c: string }>(`SELECT COUNT(*) AS c FROM "${n.replace(/"/g, '""')}"`);
      const k = Number(r.rows[0]?.c ?? 0);
      if (k > 0) tables.push(`${n} ${k}`);
      total += k;
    }
    return { total, tables };
  } finally {
    await c.end();
  }
}

async function setPgMarker(url: string, source: string): Promise<void> {
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(
      `INSERT INTO "Setting" (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [RESTORE_MARKER, marker(source)],
    );
  } finally {
    await c.end();
  }
}

async function restorePg(file: string, url: string): Promise<void> {
  const rows = await pgRows(url);
  const safeUrl = url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1@');
  if (rows.total > 0)
    throw new Refused(
      `the database ${safeUrl} is not empty (${rows.tables.join(', ')}): a backup is restored only into an empty database. Nothing was changed. Create a new database (createdb) and point DATABASE_URL at it`,
    );
  if (!existsSync(file)) throw new Usage(`${file}: no such file`);
  const bin = process.env.PG_RESTORE || 'pg_restore';
  try {
    execFileSync(bin, ['--no-owner', '--exit-on-error', '--single-transaction', `--dbname=${url}`, file], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { status?: number };
    if (err.code === 'ENOENT')
      throw new Refused(
        `${bin} was not found: install the PostgreSQL client tools (the version of the server or newer) or set PG_RESTORE; nothing was restored`,
      );
    throw new Refused(
      `pg_restore failed (exit ${err.status ?? '?'}); it ran in one transaction, so nothing was restored`,
    );
  }
  await setPgMarker(url, file);
  console.log(
    [
      `restored ${file} into ${safeUrl}.`,
      'The database is marked restored: the first bot to start reconciles it (or run npm run restore -- --reconcile now).',
      `Check it: npm run audit:verify -- --expect <seq>:<hash> (the head in ${file}.meta.json)`,
    ].join('\n'),
  );
}

/** The platform seams the bot would use (as main.ts builds them), to read the channels' history. */
async function seamsOf(config: Config): Promise<Map<PlatformName, PlatformSeam>> {
  const log = pino({ level: 'silent' });
  const seams = new Map<PlatformName, PlatformSeam>();
  if (config.platforms.slack)
    seams.set('slack', (await import('../src/adapters/slack/index.ts')).createSlack(config, log).seam);
  if (config.platforms.mattermost)
    seams.set('mattermost', (await import('../src/adapters/mattermost/index.ts')).createMattermost(config, log).seam);
  return seams;
}

async function reconcile(config: Config): Promise<void> {
  const db = await openDatabase(config.DATABASE_URL);
  try {
    const log = pino({ level: 'silent' });
    const r = await reconcileRestore({
      db,
      clock: { now: () => new Date() },
      log,
      seams: await seamsOf(config),
      workerId: `${hostname()}:${process.pid}`,
      actor: 'system:restore',
    });
    if (!r) {
      console.log('nothing to reconcile: the database is not marked restored');
      return;
    }
    const raised = Object.entries(r.counters).map(([k, v]) => `${k} ${v.from}→${v.to}`);
    console.log(
      [
        'reconciled.',
        `id counters raised: ${raised.length ? raised.join(', ') : 'none (no id was issued after the backup)'}`,
        `deliveries to be checked against the channel history before sending: ${r.deliveriesToCheck}`,
        `channels read: ${r.channelsRead}${r.notReadable.length ? `; not readable: ${r.notReadable.join(', ')}` : ''}`,
      ].join('\n'),
    );
  } finally {
    await db.close();
  }
}

try {
  const arg = process.argv[2];
  if (!arg || process.argv.length > 3) throw new Usage(USAGE);
  const config = loadConfig(process.env);
  const url = config.DATABASE_URL;
  if (arg === '--reconcile') await reconcile(config);
  else if (arg === '--mark-restored') {
    if (providerOf(url) !== 'postgresql')
      throw new Usage('--mark-restored is for PostgreSQL (restore a SQLite backup with npm run restore -- <file>)');
    if ((await pgRows(url)).total === 0) throw new Usage('the database is empty: restore the dump into it first');
    await setPgMarker(url, 'marked restored by hand');
    console.log('marked restored: the first bot to start reconciles it (or run npm run restore -- --reconcile now).');
  } else if (arg.startsWith('-')) throw new Usage(USAGE);
  else if (providerOf(url) === 'sqlite') await restoreSqlite(resolve(arg), url);
  else await restorePg(resolve(arg), url);
} catch (e) {
  if (e instanceof ConfigError) for (const p of e.problems) console.error(`configuration error: ${p}`);
  else if (e instanceof Usage) console.error(e.message);
  else if (e instanceof Refused) {
    console.error(`restore refused: ${e.message}`);
    process.exit(e.message.includes('is not empty') ? 2 : 1);
  } else {
    console.error(`restore failed: ${(e as Error).message}`);
    process.exit(1);
  }
  process.exit(2);
}
