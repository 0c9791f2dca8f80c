/**
 * Upgrades (issue 22 item 5): MIGRATE_ON_START=false (a fleet migrates in one step), migrations
 * safe with several processes starting at once on PostgreSQL, the version in the logs,
 * /healthz and /metrics (csirt_build_info), and /metrics kept off the public port unless a
 * token is given (or served on a separate address).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, test } from 'vitest';
import { type App, createApp, ROOT } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { MIGRATION_LOCK_KEY, SchemaBehindError } from '../../src/db/migrator.ts';
import { PROVIDER, testDb } from '../helpers/app.ts';
import { scriptArgv } from '../helpers/scripts.ts';

const exec = promisify(execFile);
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const MIGRATIONS = (await import('node:fs'))
  .readdirSync(join(ROOT, 'prisma', PROVIDER, 'migrations'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

async function tables(url: string): Promise<string[]> {
  if (PROVIDER === 'postgresql') {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const r = await c.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`);
    await c.end();
    return r.rows.map((x: { tablename: string }) => x.tablename);
  }
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(url.slice('file:'.length));
  const r = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[];
  db.close();
  return r.map((x) => x.name);
}

test('MIGRATE_ON_START=false: an older schema is refused naming the migrations, nothing is written; after db:migrate it starts', async () => {
  const db = await testDb({ empty: true });
  try {
    const config = loadConfig({ DATABASE_URL: db.url, MIGRATE_ON_START: 'false', LOG_LEVEL: 'silent' });
    const err = await createApp(config, { log: pino({ level: 'silent' }) }).then(
      () => assert.fail('must refuse'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof SchemaBehindError, String(err));
    assert.deepEqual(err.pending, MIGRATIONS);
    assert.match(err.message, /npm run db:migrate/);
    assert.deepEqual(
      (await tables(db.url)).filter((t) => t !== 'sqlite_sequence'),
      [],
      'no table created',
    );
    // the one migration step of a fleet
    const m = await exec(process.execPath, await scriptArgv('db-migrate'), {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: db.url },
    });
    assert.match(m.stdout, /applied: /);
    const app = await createApp(config, { log: pino({ level: 'silent' }) });
    await app.close();
  } finally {
    await db.drop();
  }
});

test('MIGRATE_ON_START takes true or false only', () => {
  assert.throws(() => loadConfig({ MIGRATE_ON_START: 'no' }), /MIGRATE_ON_START: true or false/);
  assert.equal(loadConfig({}).MIGRATE_ON_START, true);
});

test.skipIf(PROVIDER !== 'postgresql')(
  'five processes starting at once on one empty PostgreSQL database: each migration applied once, every process starts',
  { timeout: 300_000 },
  async () => {
    const db = await testDb({ empty: true });
    const migrate = await scriptArgv('db-migrate');
    try {
      const runs = await Promise.allSettled(
        Array.from({ length: 5 }, () =>
          exec(process.execPath, migrate, {
            cwd: ROOT,
            env: { ...process.env, DATABASE_URL: db.url },
          }),
        ),
      );
      const failed = runs
        .filter((r) => r.status === 'rejected')
        .map((r) => String((r as PromiseRejectedResult).reason));
      assert.deepEqual(failed, []);
      const outs = runs.map((r) => (r as PromiseFulfilledResult<{ stdout: string }>).value.stdout.trim());
      assert.equal(outs.filter((o) => o.startsWith('applied: ')).length, 1, outs.join('\n'));
      assert.equal(outs.filter((o) => o === 'the database is up to date').length, 4, outs.join('\n'));
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      const r = await c.query(
        'SELECT migration_name, count(*)::int AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL GROUP BY 1 ORDER BY 1',
      );
      await c.end();
      assert.deepEqual(
        r.rows.map((x: { migration_name: string; n: number }) => [x.migration_name, x.n]),
        MIGRATIONS.map((m) => [m, 1]),
      );
    } finally {
      await db.drop();
    }
  },
);

test.skipIf(PROVIDER !== 'postgresql')(
  'a migrating process waits while another holds the migration lock, then finds its work done or does it',
  { timeout: 300_000 },
  async () => {
    const db = await testDb({ empty: true });
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      let done = false;
      const child = exec(process.execPath, await scriptArgv('db-migrate'), {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: db.url },
      }).finally(() => {
        done = true;
      });
      // long enough for the process to start and the engine to migrate (about 10 s under load) had it not waited
      const waitedFor = async () => {
        const c = await holder.query(
          `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND NOT granted`,
          [MIGRATION_LOCK_KEY],
        );
        return (c.rows[0] as { n: number }).n;
      };
      for (let i = 0; i < 600 && (await waitedFor()) === 0 && !done; i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal(done, false, 'the process must not finish while the lock is held');
      assert.equal(await waitedFor(), 1, 'it waits on the migration lock');
      await new Promise((r) => setTimeout(r, 2000));
      assert.deepEqual(await tables(db.url), [], 'nothing migrated while waiting');
      await holder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
      assert.match((await child).stdout, /applied: /);
    } finally {
      await holder.end();
      await db.drop();
    }
  },
);

let app: App;
let dropDb: () => Promise<void>;
const logs: string[] = [];
let base: string;
let metricsBase: string;
const TOKEN = 'metrics-token-for-this-test-0001';

beforeAll(async () => {
  const db = await testDb();
  dropDb = db.drop;
  const log = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _e, cb) {
        logs.push(String(chunk));
        cb();
      },
    }),
  );
  app = await createApp(loadConfig({ DATABASE_URL: db.url, METRICS_TOKEN: TOKEN }), { log });
  base = `http://127.0.0.1:${await app.http.listen(0, '127.0.0.1')}`;
  metricsBase = `http://127.0.0.1:${await app.http.listenMetrics(0, '127.0.0.1')}`;
});
afterAll(async () => {
  await app.close();
  await app.http.close();
  await dropDb();
});

test('the version is in the start-up log, /healthz and /metrics (csirt_build_info)', async () => {
  const start = logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'csirt-poc-bot starting');
  assert.equal(start?.version, VERSION);
  assert.equal(start?.node, process.version);
  const h = (await (await fetch(`${base}/healthz`)).json()) as { ok: boolean; version: string };
  assert.equal(h.ok, true);
  assert.equal(h.version, VERSION);
  const m = await (await fetch(`${metricsBase}/metrics`)).text();
  assert.match(
    m,
    new RegExp(
      `^csirt_build_info\\{version="${VERSION.replace(/\./g, '\\.')}",commit="[0-9a-f]+|unknown",node="${process.version}"\\} 1$`,
      'm',
    ),
  );
});

test('/metrics on the public port: 401 without the token or with a wrong one (counted), 200 with it', async () => {
  assert.equal((await fetch(`${base}/metrics`)).status, 401);
  for (const auth of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, TOKEN, `Basic ${TOKEN}`, `Bearer ${TOKEN} x`]) {
    const r = await fetch(`${base}/metrics`, { headers: { authorization: auth } });
    assert.equal(r.status, 401, auth);
    assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="metrics"');
    assert.doesNotMatch(await r.text(), /csirt_/);
  }
  const ok = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(ok.status, 200);
  const text = await ok.text();
  assert.match(text, /csirt_auth_failures_total\{endpoint="metrics",reason="no_token"\} 1/);
  assert.match(text, /csirt_auth_failures_total\{endpoint="metrics",reason="bad_token"\} 5/);
});

test('/metrics without METRICS_TOKEN is not served on the public port; the metrics listener serves only /metrics and /healthz', async () => {
  const db = await testDb();
  const bare = await createApp(loadConfig({ DATABASE_URL: db.url, LOG_LEVEL: 'silent' }), {
    log: pino({ level: 'silent' }),
  });
  try {
    const url = `http://127.0.0.1:${await bare.http.listen(0, '127.0.0.1')}`;
    assert.equal((await fetch(`${url}/metrics`)).status, 404);
    assert.equal(
      (await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer anything-at-all-here' } })).status,
      404,
    );
    const side = `http://127.0.0.1:${await bare.http.listenMetrics(0, '127.0.0.1')}`;
    assert.equal((await fetch(`${side}/metrics`)).status, 200);
    assert.equal((await fetch(`${side}/healthz`)).status, 200);
    assert.equal((await fetch(`${side}/slack/events`, { method: 'POST', body: '{}' })).status, 404);
    assert.equal((await fetch(`${side}/calendar/x.ics`)).status, 404);
  } finally {
    await bare.close();
    await bare.http.close();
    await db.drop();
  }
});
