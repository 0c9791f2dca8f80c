/**
 * 50 reports at once from two processes on one database: 50 distinct ids with no gaps
 * (SQLite file; PostgreSQL when TEST_PROVIDER=postgresql).
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { verifyChain } from '../../src/audit/chain.ts';
import { PROVIDER, testApp } from '../helpers/app.ts';
import { tsxChild } from '../helpers/tsx-child.ts';

const NOW = '2026-11-25T01:00:00Z';

interface Burst {
  ids: string[];
  ms: number;
  /** how the process wrote its reports (src/db/group-commit.ts) */
  batches: { batches: number; members: number; largest: number };
}

function burst(url: string, n: number, identity: string): Promise<Burst> {
  return new Promise((resolve, reject) => {
    const child = tsxChild('tests/helpers/report-burst.ts', [url, String(n), identity, NOW], {
      env: { PATH: process.env.PATH ?? '' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`burst exited ${code}: ${err}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1) as string));
    });
  });
}

test(`50 reports at once from two processes get 50 distinct ids with no gaps (${PROVIDER})`, async () => {
  const t = await testApp({ now: NOW });
  try {
    await t.run('console:admin', 'poc add console:maff-poc org=maff role=poc');
    await t.run('console:admin', 'poc add console:mof-poc org=mof role=poc');
    const started = performance.now();
    const [a, b] = await Promise.all([burst(t.url, 25, 'console:maff-poc'), burst(t.url, 25, 'console:mof-poc')]);
    const wall = performance.now() - started;
    const ids = [...a.ids, ...b.ids];
    assert.equal(ids.filter((i) => i.startsWith('ERROR')).length, 0, ids.join('\n'));
    assert.equal(new Set(ids).size, 50);
    const expected = Array.from({ length: 50 }, (_, i) => `INC-2026-${String(i + 1).padStart(4, '0')}`);
    assert.deepEqual([...ids].sort(), expected);
    assert.equal(await t.app.db.prisma.incident.count(), 50);
    assert.equal(await t.app.db.prisma.auditRecord.count({ where: { action: 'incident.report' } }), 50);
    // each process wrote its reports in batches (group commit), and the two processes' batches
    // formed one chain
    assert.ok(a.batches.largest >= 2 || b.batches.largest >= 2, JSON.stringify([a.batches, b.batches]));
    const chain = await verifyChain(t.app.db.prisma);
    assert.ok(chain.ok, JSON.stringify(chain));
    const nisc = await t.app.db.prisma.delivery.count({ where: { target: 'nisc', refType: 'incident' } });
    assert.equal(nisc, 50, 'one NISC post per report');
    console.log(
      `ids under concurrency (${PROVIDER}): 2 processes × 25 reports, burst ${Math.round(a.ms)} ms / ${Math.round(b.ms)} ms, ${a.batches.batches} + ${b.batches.batches} transactions, wall ${Math.round(wall)} ms (incl. process start)`,
    );
  } finally {
    await t.close();
  }
});
