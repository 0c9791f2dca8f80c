// The bench's measured bot starts on a directory seeded by another process and reads it back
// without writing (tests/bench/commands.ts: its idle memory is then a started bot's, issue 19).
import assert from 'node:assert/strict';
import { afterEach, test } from 'vitest';
import { seededOrgs, seedOrgs } from '../bench/seed.ts';
import { type TestApp, testApp } from '../helpers/app.ts';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

test('seededOrgs reads back what seedOrgs set up, and writes nothing', async () => {
  t = await testApp();
  const seeded = await seedOrgs(t.app, 30, 'console', 'console:admin');
  const audit = await t.auditCount();
  const grants = await t.app.db.prisma.roleGrant.count();
  assert.deepEqual(await seededOrgs(t.app, 30), seeded);
  // the first n of them, in the same order, for a smaller run
  assert.deepEqual(await seededOrgs(t.app, 7), seeded.slice(0, 7));
  assert.equal(await t.auditCount(), audit);
  assert.equal(await t.app.db.prisma.roleGrant.count(), grants);
});

test('seededOrgs refuses a database with fewer organisations than asked', async () => {
  t = await testApp();
  const orgs = await t.app.db.prisma.organization.count({ where: { coordinator: false } });
  await assert.rejects(seededOrgs(t.app, orgs + 1), /not seeded/);
});
