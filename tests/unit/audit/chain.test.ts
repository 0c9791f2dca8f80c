import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, test } from 'vitest';
import { ROOT } from '../../../src/app.ts';
import { checkAnchor } from '../../../src/audit/anchor.ts';
import { canonicalJson } from '../../../src/audit/canonical-json.ts';
import { appendAudit, REDACT_ACTION, recordHash, verifyChain } from '../../../src/audit/chain.ts';
import { type TestApp, testApp } from '../../helpers/app.ts';
import { scriptArgv } from '../../helpers/scripts.ts';

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

test('audit:verify finds a record changed directly in the database and names it', async () => {
  await t.run('console:admin', 'org add tamper ja=改ざん確認庁 en="Tamper Agency"');
  const ok = await run(process.execPath, await scriptArgv('audit-verify'), {
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
  const bad = await run(process.execPath, await scriptArgv('audit-verify'), {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: t.url },
  }).then(
    () => assert.fail('audit:verify should exit 1'),
    (e: { code: number; stderr: string }) => e,
  );
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, new RegExp(`record ${rec.seq} \\(hash-mismatch\\): org.add tamper`));
});

test('a redaction record forged after the last anchor cannot put content into an anchored record: only a redaction marker passes', async () => {
  const f = await testApp();
  try {
    const db = f.app.db;
    const at = new Date('2026-11-25T01:00:00Z');
    for (const [actor, subject] of [
      ['console:alice', 'INC-2026-0001'],
      ['console:bob', 'INC-2026-0002'],
    ] as const)
      await db.tx((tx) =>
        appendAudit(db, tx, { actor, action: 'incident.report', subject, data: { summary: 'x' }, at }),
      );
    const anchor = await db.prisma.auditHead.findUniqueOrThrow({ where: { id: 1 } });
    const victim = await db.prisma.auditRecord.findFirstOrThrow({ where: { subject: 'INC-2026-0001' } });
    // someone who can write the database rewrites the anchored record, then appends a
    // well-formed audit.redact record attesting the new form (hashes computed as the bot does)
    const forge = async (data: string, reason: unknown) => {
      await db.prisma.auditRecord.update({ where: { seq: victim.seq }, data: { data } });
      const redacted = recordHash(victim.prevHash, { ...victim, data });
      await db.tx((tx) =>
        appendAudit(db, tx, {
          actor: 'system:retention',
          action: REDACT_ACTION,
          subject: 'retention',
          at,
          data: { reason, count: 1, records: [[victim.seq, victim.hash, redacted]] },
        }),
      );
    };
    await forge('{"summary":"nothing happened"}', 'retention');
    // the anchor still matches (the record keeps its hash): the chain walk must catch it
    assert.equal((await checkAnchor(db.prisma, { seq: anchor.seq, hash: anchor.hash })).ok, true);
    let v = await verifyChain(db.prisma);
    assert.equal(v.ok, false, 'other content put in through a redaction record');
    assert.equal(!v.ok && v.kind, 'redaction-mismatch');
    assert.equal(!v.ok && v.seq, victim.seq);
    assert.match(!v.ok ? v.detail : '', /holds \{"summary":"nothing happened"\} instead of a redaction marker/);
    // the marker of another reason, or a reason that is none of the two
    for (const [data, reason] of [
      ['{"redacted":"erasure"}', 'retention'],
      ['{"redacted":"whim"}', 'whim'],
      ['{"redacted":"retention"}', undefined],
      ['{"redacted": "retention"}', 'retention'],
    ] as const) {
      await forge(data, reason);
      v = await verifyChain(db.prisma);
      assert.equal(!v.ok && v.kind, 'redaction-mismatch', `${data} / ${String(reason)}`);
    }
    // what a forged redaction can still do: take the content out, visibly (listed by audit:verify)
    await forge('{"redacted":"retention"}', 'retention');
    v = await verifyChain(db.prisma);
    assert.ok(v.ok, JSON.stringify(v));
    assert.equal(v.redacted, 1);
    assert.deepEqual(v.redactions, [v.count]);
  } finally {
    await f.close();
  }
});
