import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, test } from 'vitest';
import { ROOT } from '../../../src/app.ts';
import { canonicalJson } from '../../../src/audit/canonical-json.ts';
import { appendAudit, verifyChain } from '../../../src/audit/chain.ts';
import { type TestApp, testApp } from '../../helpers/app.ts';

const run = promisify(execFile);
let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

test('canonical JSON sorts keys and drops undefined', () => {
  assert.equal(
    canonicalJson({ b: 1, a: [true, null, 'x'], c: undefined, d: { z: 1, y: new Date(0) } }),
    '{"a":[true,null,"x"],"b":1,"d":{"y":"1970-01-01T00:00:00.000Z","z":1}}',
  );
});

test('parallel transactions still form one unbroken chain', async () => {
  const db = t.app.db;
  await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      db.tx((tx) =>
        appendAudit(db, tx, { actor: 'test', action: 'parallel', subject: `s${i}`, data: { i }, at: new Date() }),
      ),
    ),
  );
  const r = await verifyChain(db.prisma);
  assert.ok(r.ok, JSON.stringify(r));
  assert.ok(r.count >= 40);
});

test('a rolled-back transaction leaves no record and no gap', async () => {
  const db = t.app.db;
  const before = await t.auditCount();
  await assert.rejects(
    db.tx(async (tx) => {
      await appendAudit(db, tx, { actor: 'test', action: 'doomed', subject: 'x', at: new Date() });
      throw new Error('boom');
    }),
  );
  assert.equal(await t.auditCount(), before);
  assert.ok((await verifyChain(db.prisma)).ok);
});

test('npm run audit:verify finds a record changed directly in the database and names it', async () => {
  await t.run('console:admin', 'org add tamper ja=改ざん確認庁 en="Tamper Agency"');
  const ok = await run(process.execPath, ['--import', 'tsx', `${ROOT}/scripts/audit-verify.ts`], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: t.url },
  });
  assert.match(ok.stdout, /audit chain OK: \d+ records/);
  const rec = await t.app.db.prisma.auditRecord.findFirstOrThrow({ where: { action: 'org.add' } });
  await t.app.db.execute(
    t.app.db.prisma,
    `UPDATE "AuditRecord" SET data = ? WHERE seq = ?`,
    '{"en":"Innocent","ja":"無害"}',
    rec.seq,
  );
  const bad = await run(process.execPath, ['--import', 'tsx', `${ROOT}/scripts/audit-verify.ts`], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: t.url },
  }).then(
    () => assert.fail('audit:verify should exit 1'),
    (e: { code: number; stderr: string }) => e,
  );
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, new RegExp(`record ${rec.seq} \\(hash-mismatch\\): org.add tamper`));
});
