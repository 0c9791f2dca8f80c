/**
 * The audit chain's anchor (issue 22 item 3). Must show: truncation detected — drop the newest
 * audit records and rewind the head; the chain alone still verifies, `audit:verify --expect`
 * with the anchored head fails naming what is missing. Also: a rewrite (records changed and
 * every later hash recomputed) fails the anchor; the daily anchor fires at 09:00 JST, posts
 * to the coordinating office's channel, appends to the file and schedules the next day.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, test } from 'vitest';
import { ROOT } from '../../src/app.ts';
import { parseAnchorFile } from '../../src/audit/anchor.ts';
import { recordHash, verifyChain } from '../../src/audit/chain.ts';
import { nextAnchorTime } from '../../src/services/audit-anchor.ts';
import { type TestApp, testApp } from '../helpers/app.ts';
import { scriptArgv } from '../helpers/scripts.ts';

const exec = promisify(execFile);
let t: TestApp;
let dir: string;
let file: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'anchor-'));
  file = join(dir, 'anchors.log');
  t = await testApp({ env: { AUDIT_ANCHOR_FILE: file, AUDIT_ANCHOR_AT: '09:00' }, now: '2026-11-25T01:00:00Z' });
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

async function verify(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return exec(process.execPath, await scriptArgv('audit-verify', args), {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: t.url },
  }).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );
}

const head = () => t.app.db.prisma.auditHead.findUniqueOrThrow({ where: { id: 1 } });

test('the daily anchor is due at the next 09:00 in Japan', () => {
  assert.equal(nextAnchorTime(new Date('2026-11-25T01:00:00Z')).toISOString(), '2026-11-26T00:00:00.000Z');
  assert.equal(nextAnchorTime(new Date('2026-11-24T23:59:59Z')).toISOString(), '2026-11-25T00:00:00.000Z');
  assert.equal(nextAnchorTime(new Date('2026-11-25T00:00:00Z')).toISOString(), '2026-11-26T00:00:00.000Z');
  // month and year ends roll over; another time of day
  assert.equal(nextAnchorTime(new Date('2026-12-31T03:00:00Z')).toISOString(), '2027-01-01T00:00:00.000Z');
  assert.equal(nextAnchorTime(new Date('2026-12-31T03:00:00Z'), '23:30').toISOString(), '2026-12-31T14:30:00.000Z');
});

test('audit anchor: admin only, posts the head to the office channel, appends it to the file', async () => {
  await t.run('console:admin', 'org add anc ja=照合確認庁 en="Anchor Agency"');
  assert.match(await t.say('console:someone', 'audit anchor'), /権限|permission/);
  const posted = t.platform.posts.length;
  const reply = await t.say('console:admin', 'audit anchor');
  const h = await head();
  assert.match(reply, new RegExp(`通番 ${h.seq}、ハッシュ値 ${h.hash}`));
  const last = (await t.app.db.prisma.auditRecord.findUniqueOrThrow({ where: { seq: h.seq } })).action;
  assert.equal(last, 'audit.anchor', 'the anchor is a record of the chain itself');
  const post = t.platform.posts.slice(posted).filter((p) => p.channel === 'nisc');
  assert.equal(post.length, 1);
  assert.match(post[0]?.text ?? '', new RegExp(`--expect ${h.seq}:${h.hash}`));
  const lines = parseAnchorFile(readFileSync(file, 'utf8'));
  assert.deepEqual(lines.bad, []);
  assert.deepEqual(lines.anchors.at(-1), { seq: h.seq, hash: h.hash });
  const ok = await verify('--expect', `${h.seq}:${h.hash}`, '--anchors', file);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /audit chain OK/);
});

test('truncation detected: newest records dropped and the head rewound verify as a chain but fail the anchor', async () => {
  const anchored = await head();
  // more work after the anchor, then a second anchor
  await t.run('console:admin', 'org add tr1 ja=切詰め一庁 en="Trunc One"');
  await t.run('console:admin', 'org add tr2 ja=切詰め二庁 en="Trunc Two"');
  await t.run('console:admin', 'audit anchor');
  const second = await head();
  assert.ok(second.seq > anchored.seq + 2);
  // the attacker: delete every record after `keep` and rewind the head to it
  const keep = anchored.seq - 1;
  const kept = await t.app.db.prisma.auditRecord.findUniqueOrThrow({ where: { seq: keep } });
  await t.app.db.execute(t.app.db.prisma, 'DELETE FROM "AuditRecord" WHERE seq > ?', keep);
  await t.app.db.execute(t.app.db.prisma, 'UPDATE "AuditHead" SET seq = ?, hash = ? WHERE id = 1', keep, kept.hash);
  assert.ok((await verifyChain(t.app.db.prisma)).ok, 'without an anchor the truncated chain verifies');
  const plain = await verify();
  assert.equal(plain.code, 0, 'the chain alone cannot see it');

  const bad = await verify('--expect', `${anchored.seq}:${anchored.hash}`);
  assert.equal(bad.code, 1);
  assert.match(bad.err, new RegExp(`anchor ${anchored.seq}:${anchored.hash} \\(missing\\)`));
  assert.match(bad.err, new RegExp(`ends at record ${keep}, so record ${anchored.seq} \\(1 in all\\) were removed`));
  const both = await verify('--anchors', file);
  assert.equal(both.code, 1);
  assert.match(both.err, new RegExp(`records ${keep + 1}–${second.seq} \\(${second.seq - keep} in all\\)`));
  assert.match(both.err, /2 of 2 anchors are not matched/);
});

test('a rewritten chain (a record changed, every later hash recomputed) fails the anchor', async () => {
  await t.run('console:admin', 'org add rw1 ja=書換え確認庁 en="Rewrite Agency"');
  const a = await t.app.services.anchors.anchorNow('console:admin');
  const target = await t.app.db.prisma.auditRecord.findFirstOrThrow({
    where: { action: 'org.add', subject: { contains: 'rw1' } },
  });
  // rewrite from the target on, recomputing each hash so that the chain itself stays valid
  const rows = await t.app.db.prisma.auditRecord.findMany({
    where: { seq: { gte: target.seq } },
    orderBy: { seq: 'asc' },
  });
  let prev = target.prevHash;
  for (const r of rows) {
    const data = r.seq === target.seq ? '{"en":"Innocent","ja":"無害"}' : r.data;
    const hash = recordHash(prev, { ...r, data });
    await t.app.db.execute(
      t.app.db.prisma,
      'UPDATE "AuditRecord" SET data = ?, "prevHash" = ?, hash = ? WHERE seq = ?',
      data,
      prev,
      hash,
      r.seq,
    );
    prev = hash;
  }
  await t.app.db.execute(t.app.db.prisma, 'UPDATE "AuditHead" SET hash = ? WHERE id = 1', prev);
  assert.ok((await verifyChain(t.app.db.prisma)).ok, 'the rewritten chain links');
  const bad = await verify('--expect', `${a.seq}:${a.hash}`);
  assert.equal(bad.code, 1);
  assert.match(bad.err, new RegExp(`\\(rewritten\\): record ${a.seq} has hash ${prev} but was anchored as ${a.hash}`));
});

test('bad --expect values are refused with exit 2 and nothing checked', async () => {
  for (const v of ['12', '12:abc', `0:${'a'.repeat(64)}`, `x:${'a'.repeat(64)}`]) {
    const r = await verify('--expect', v);
    assert.equal(r.code, 2, v);
    assert.match(r.err, /--expect .*<seq>:<64 hex digits>/);
  }
  const r = await verify('--anchors', join(dir, 'nope.log'));
  assert.equal(r.code, 2);
});

test('the daily anchor fires at 09:00 JST once, posts, appends, and schedules the next day', async () => {
  const before = parseAnchorFile(readFileSync(file, 'utf8')).anchors.length;
  const posted = t.platform.in('nisc').length;
  t.clock.set(new Date('2026-11-26T00:00:05Z'));
  await t.app.scheduler.runDue();
  await t.app.dispatcher.drain();
  const h = await head();
  const rec = await t.app.db.prisma.auditRecord.findUniqueOrThrow({ where: { seq: h.seq } });
  assert.equal(rec.action, 'audit.anchor');
  assert.equal(rec.actor, 'system');
  const posts = t.platform.in('nisc').slice(posted);
  assert.equal(posts.length, 1);
  assert.match(posts[0] ?? '', new RegExp(`${h.seq}:${h.hash}`));
  // the file is appended once the job's transaction committed
  for (let i = 0; i < 100 && parseAnchorFile(readFileSync(file, 'utf8')).anchors.length === before; i++)
    await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(parseAnchorFile(readFileSync(file, 'utf8')).anchors.at(-1), { seq: h.seq, hash: h.hash });
  const jobs = await t.app.db.prisma.job.findMany({ where: { kind: 'audit.anchor' }, orderBy: { dueAt: 'asc' } });
  assert.deepEqual(
    jobs.map((j) => [j.id, j.status]),
    [
      ['audit:anchor:2026-11-26:0900', 'done'],
      ['audit:anchor:2026-11-27:0900', 'pending'],
    ],
  );
  // a second pass the same day fires nothing more
  await t.app.scheduler.runDue();
  await t.app.dispatcher.drain();
  assert.equal(t.platform.in('nisc').length, posted + 1);
});

test('AUDIT_ANCHOR_AT=off cancels the pending daily anchor on start; a new time moves it', async () => {
  const moved = await testApp({
    url: t.url,
    env: { AUDIT_ANCHOR_FILE: file, AUDIT_ANCHOR_AT: '18:30' },
    now: '2026-11-26T00:00:05Z',
  });
  await moved.app.close();
  let pending = await t.app.db.prisma.job.findMany({ where: { kind: 'audit.anchor', status: 'pending' } });
  assert.deepEqual(
    pending.map((j) => [j.id, j.dueAt.toISOString()]),
    [['audit:anchor:2026-11-26:1830', '2026-11-26T09:30:00.000Z']],
  );
  const off = await testApp({
    url: t.url,
    env: { AUDIT_ANCHOR_FILE: file, AUDIT_ANCHOR_AT: 'off' },
    now: '2026-11-26T00:00:05Z',
  });
  await off.app.close();
  pending = await t.app.db.prisma.job.findMany({ where: { kind: 'audit.anchor', status: 'pending' } });
  assert.deepEqual(pending, []);
});
