// npm run backup -- <file>: a consistent online backup of the bot's database, with the audit
// chain's head recorded beside it (<file>.meta.json) — docs/operations.md "Backups".
// SQLite: the SQLite online backup API (better-sqlite3's db.backup), safe while bots run and
// including what is still in the WAL (a plain copy of the .db file is not: it misses the newest
// commits). PostgreSQL: the head is recorded and the pg_dump command to run is printed.
// Exit: 0 done, 1 failed, 2 bad arguments or configuration.
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError, loadConfig } from '../src/config.ts';
import { providerOf, sqlitePath } from '../src/db/provider.ts';
import { BUILD } from '../src/version.ts';

class Usage extends Error {}

const file = process.argv[2];
try {
  if (!file || file.startsWith('-')) throw new Usage('usage: npm run backup -- <file>');
  const out = resolve(file);
  if (existsSync(out)) throw new Usage(`${out} exists: a backup never overwrites a file`);
  const config = loadConfig(process.env);
  const url = config.DATABASE_URL;
  if (providerOf(url) === 'sqlite') {
    const src = new Database(sqlitePath(url), { readonly: true, fileMustExist: true, timeout: 10_000 });
    try {
      await src.backup(out);
    } finally {
      src.close();
    }
    // the head as the backup holds it (read from the copy, not the live file)
    const copy = new Database(out);
    // one self-contained file (the bot turns WAL on again when it opens a restored copy)
    copy.pragma('journal_mode = DELETE');
    const head = copy.prepare('SELECT seq, hash FROM "AuditHead" WHERE id = 1').get() as { seq: number; hash: string };
    const check = copy.pragma('integrity_check', { simple: true });
    copy.close();
    if (check !== 'ok') throw new Error(`the backup's integrity check said: ${check}`);
    writeMeta(out, 'sqlite', head);
    console.log(`backup written: ${out} (audit head ${head.seq}:${head.hash}; ${out}.meta.json beside it)`);
  } else {
    // the head before the dump: the dump, taken after, contains it (the chain only grows)
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const r = await c.query('SELECT seq, hash FROM "AuditHead" WHERE id = 1');
    await c.end();
    const head = r.rows[0] as { seq: number; hash: string };
    writeMeta(out, 'postgresql', head);
    const safeUrl = url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1@');
    console.log(
      [
        `PostgreSQL: the audit head ${head.seq}:${head.hash} is recorded in ${out}.meta.json.`,
        'Now take the dump itself (consistent while bots run: pg_dump reads one snapshot):',
        `  pg_dump --format=custom --no-owner --file=${out} '${safeUrl}'`,
        'Restore it into an empty database with npm run restore -- <file> (docs/operations.md "Restore"),',
        `then check it: npm run audit:verify -- --expect ${head.seq}:${head.hash}`,
      ].join('\n'),
    );
  }
} catch (e) {
  if (e instanceof ConfigError) for (const p of e.problems) console.error(`configuration error: ${p}`);
  else if (e instanceof Usage) console.error(e.message);
  else {
    console.error(`backup failed: ${(e as Error).message}`);
    process.exit(1);
  }
  process.exit(2);
}

function writeMeta(out: string, provider: string, head: { seq: number; hash: string }): void {
  const meta = {
    createdAt: new Date().toISOString(),
    provider,
    version: BUILD.version,
    commit: BUILD.commit,
    auditHead: { seq: Number(head.seq), hash: head.hash },
  };
  writeFileSync(`${out}.meta.json`, `${JSON.stringify(meta, null, 2)}\n`, { flag: 'wx' });
}
