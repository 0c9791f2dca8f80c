/**
 * Several database handles on one database (each its own connections, as several processes
 * have), many transactions at once, each bumping an id sequence (INC, ADV, MTG, CMP, SYS-…)
 * and appending to the audit chain: every transaction commits, every sequence is 1…n without
 * gaps or duplicates, and the chain verifies. And two transactions taking two counters in
 * opposite orders deadlock: PostgreSQL aborts one, db.tx retries it, both commit.
 *
 * PostgreSQL only: better-sqlite3 is synchronous, so several handles in one process would
 * block each other's event loop on the busy timeout; several SQLite processes on one file are
 * covered by tests/e2e/incident-ids-concurrency.test.ts and tests/chaos/chaos.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { ROOT } from '../../../src/app.ts';
import { appendAudit, ensureAuditHead, verifyChain } from '../../../src/audit/chain.ts';
import { type Database, openDatabase } from '../../../src/db/client.ts';
import { applyMigrations } from '../../../src/db/migrator.ts';
import { nextSeq } from '../../../src/services/ids.ts';
import { PROVIDER, testDb } from '../../helpers/app.ts';

const HANDLES = 3;
const PER_HANDLE = 40;
const NAMES = ['INC-2026', 'ADV-2026', 'MTG-2026', 'CMP-2026', 'SYS-maff'];

test(`id sequences and the audit chain under ${HANDLES} concurrent handles (${PROVIDER}): no gaps, no duplicates, one chain`, {
  timeout: 180_000,
  skip: PROVIDER === 'sqlite', // PostgreSQL only (see above)
}, async () => {
  const db = await testDb();
  const handles: Database[] = [];
  try {
    await applyMigrations(db.url, ROOT);
    for (let i = 0; i < HANDLES; i++) handles.push(await openDatabase(db.url, { poolSize: 4 }));
    await ensureAuditHead(handles[0] as Database);
    const got = new Map<string, number[]>(NAMES.map((n) => [n, []]));
    const started = performance.now();
    await Promise.all(
      handles.flatMap((h, hi) =>
        Array.from({ length: PER_HANDLE }, async (_, k) => {
          // as the services do: the subject's number first, its audit record last
          const name = NAMES[(hi + k) % NAMES.length] as string;
          const n = await h.tx(async (tx) => {
            const v = await nextSeq(h, tx, name);
            await appendAudit(h, tx, { actor: 'test', action: 'seq.test', subject: `${hi}-${k}`, at: new Date() });
            return v;
          });
          got.get(name)?.push(n);
        }),
      ),
    );
    const ms = performance.now() - started;
    const total = HANDLES * PER_HANDLE;
    for (const [name, values] of got) {
      assert.deepEqual(
        [...values].sort((a, b) => a - b),
        Array.from({ length: values.length }, (_, i) => i + 1),
        `${name}: 1…${values.length}`,
      );
    }
    assert.equal([...got.values()].flat().length, total);
    const chain = await verifyChain((handles[0] as Database).prisma);
    assert.ok(chain.ok, JSON.stringify(chain));
    assert.equal(chain.count, total);
    console.log(
      `# ${PROVIDER}: ${total} transactions from ${HANDLES} handles, one of ${NAMES.length} sequences + an audit record each: ${Math.round(ms)} ms, each sequence 1…n without gaps (n = ${[...got.values()].map((v) => v.length).join('/')}), chain of ${chain.count} OK`,
    );
  } finally {
    for (const h of handles) await h.close();
    await db.drop();
  }
});

test('a deadlock between two processes is retried: both transactions commit (PostgreSQL)', {
  timeout: 60_000,
  skip: PROVIDER === 'sqlite', // PostgreSQL only
}, async () => {
  const db = await testDb();
  const handles: Database[] = [];
  try {
    await applyMigrations(db.url, ROOT);
    for (let i = 0; i < 2; i++) handles.push(await openDatabase(db.url, { poolSize: 2 }));
    const [a, b] = handles as [Database, Database];
    let arrived = 0;
    let attempts = 0;
    const cross = (h: Database, first: string, second: string) =>
      h.tx(async (tx) => {
        attempts++;
        const x = await nextSeq(h, tx, first);
        arrived++;
        // both hold their first lock, then cross (a retried attempt does not wait)
        for (let i = 0; arrived < 2 && i < 400; i++) await new Promise((r) => setTimeout(r, 5));
        return [x, await nextSeq(h, tx, second)];
      });
    const [ra, rb] = await Promise.all([cross(a, 'ADV-2026', 'MTG-2026'), cross(b, 'MTG-2026', 'ADV-2026')]);
    assert.ok(attempts >= 3, `a deadlock happened and was retried (${attempts} attempts)`);
    assert.deepEqual([...ra, ...rb].sort(), [1, 1, 2, 2]);
    console.log(`# deadlock (${PROVIDER}): ${attempts} attempts for 2 transactions, both committed`);
  } finally {
    for (const h of handles) await h.close();
    await db.drop();
  }
});
