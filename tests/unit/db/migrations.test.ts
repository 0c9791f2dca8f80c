import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'vitest';
import { ROOT } from '../../../src/app.ts';
import { openDatabase } from '../../../src/db/client.ts';
import { applyMigrations, diffSchemas } from '../../../src/db/migrator.ts';
import { PROVIDER, testDb } from '../../helpers/app.ts';
import { scriptArgv } from '../../helpers/scripts.ts';

const { assembleSchema } = await import('../../../scripts/db-generate.mjs');

test('the provider schemas are assembled from prisma/models (one source of truth)', () => {
  for (const p of ['sqlite', 'postgresql']) {
    assert.equal(
      readFileSync(join(ROOT, 'prisma', p, 'schema.prisma'), 'utf8'),
      assembleSchema(p),
      `${p}: run npm run db:generate`,
    );
  }
  const strip = (s: string) => s.replace(/provider = "(sqlite|postgresql)"|output\s*=.*|\/\/ GENERATED.*/g, '');
  assert.equal(
    strip(assembleSchema('sqlite')),
    strip(assembleSchema('postgresql')),
    'the two providers have the same models',
  );
});

test('the last migration of each provider covers the current models (no drift)', async () => {
  for (const p of ['sqlite', 'postgresql'] as const) {
    const dir = join(ROOT, 'prisma', p, 'migrations');
    const last = readdirSync(dir)
      .filter((d) => /^\d{14}_/.test(d))
      .sort()
      .at(-1);
    assert.ok(last, `${p} has migrations`);
    const snapshot = readFileSync(join(dir, last, 'schema.snapshot.prisma'), 'utf8');
    assert.equal(
      snapshot,
      readFileSync(join(ROOT, 'prisma', p, 'schema.prisma'), 'utf8'),
      `${p}: npm run db:migration:create -- <name>`,
    );
  }
  if (PROVIDER === 'sqlite') {
    // a SQLite diff needs no server: confirm the engine agrees there is nothing to migrate
    const snap = readFileSync(join(ROOT, 'prisma', 'sqlite', 'schema.prisma'), 'utf8');
    assert.doesNotMatch(await diffSchemas('sqlite', ROOT, snap), /CREATE|ALTER|DROP/);
  }
});

test(`migrations apply to an empty ${PROVIDER} database, once, and give every model its table and columns`, async () => {
  const db = await testDb({ empty: true });
  try {
    const first = await applyMigrations(db.url, ROOT);
    assert.ok(first.length >= 1);
    assert.deepEqual(await applyMigrations(db.url, ROOT), [], 'nothing applied the second time');
    const conn = await openDatabase(db.url);
    const columns = new Map<string, Set<string>>();
    if (conn.provider === 'sqlite') {
      const tables = await conn.query<{ name: string }>(
        conn.prisma,
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`,
      );
      for (const { name } of tables) {
        const cols = await conn.query<{ name: string }>(conn.prisma, `SELECT name FROM pragma_table_info(?)`, name);
        columns.set(name, new Set(cols.map((c) => c.name)));
      }
    } else {
      const rows = await conn.query<{ t: string; c: string }>(
        conn.prisma,
        `SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = 'public'`,
      );
      for (const r of rows) columns.set(r.t, (columns.get(r.t) ?? new Set()).add(r.c));
    }
    await conn.close();
    const schema = readFileSync(join(ROOT, 'prisma', PROVIDER, 'schema.prisma'), 'utf8');
    for (const m of schema.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
      const [, model, body] = m as unknown as [string, string, string];
      assert.ok(columns.has(model), `table ${model}`);
      for (const line of body.split('\n')) {
        const f = /^\s+(\w+)\s+(String|Int|Boolean|DateTime|BigInt|Float)\??\s/.exec(line);
        if (f) assert.ok(columns.get(model)?.has(f[1] as string), `${model}.${f[1]}`);
      }
    }
  } finally {
    await db.drop();
  }
});

test('db:migrate works from the command line, and ends as soon as it has said what it applied', async () => {
  const db = await testDb({ empty: true });
  try {
    const child = spawn(process.execPath, await scriptArgv('db-migrate'), {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: db.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let saidAt = 0;
    child.stdout.on('data', (d) => {
      out += d;
      if (out.endsWith('\n')) saidAt = performance.now();
    });
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const lingered = performance.now() - saidAt;
    assert.equal(code, 0, err);
    assert.match(out, /applied: \d{14}_init/);
    // On PostgreSQL the schema engine (WebAssembly) leaves a 10 s timer behind: an operator's
    // `npm run db:migrate` sat there for ~9 s after printing what it applied.
    assert.ok(lingered < 3_000, `the process ended ${Math.round(lingered)} ms after its last line`);
  } finally {
    await db.drop();
  }
});
