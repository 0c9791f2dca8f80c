// The bench's measured bot starts on a directory seeded by another process and reads it back
// without writing (tests/bench/commands.ts: its idle memory is then a started bot's, issue 19).
import assert from 'node:assert/strict';
import { afterEach, test } from 'vitest';
import { benchChannels, channelId, OFFICE_CHANNEL, seededOrgs, seedOrgs } from '../bench/seed.ts';
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

// Issue #19: in production every report is posted to the coordinating office's channel. A bench
// whose office had no channel wrote that post as a failed `no_channel` row nobody claims, and
// measured a load production never has (the longest paced queue missing).
test("a report in the bench's directory posts to the office's channel and its own, both known to the fake Slack", async () => {
  t = await testApp({ platform: 'slack' });
  const orgs = await seedOrgs(t.app, 3, 'slack', 'console:admin');
  await t.run(
    `slack:${(orgs[1] as (typeof orgs)[number]).user}`,
    'report category=malware summary="bench seed" ioc=192.0.2.1',
  );
  assert.equal(await t.app.db.prisma.incident.count(), 1);
  const rows = await t.app.db.prisma.delivery.findMany({ where: { refType: 'incident' }, orderBy: { target: 'asc' } });
  assert.deepEqual(
    rows.map((r) => ({ target: r.target, status: r.status, error: r.error })),
    [OFFICE_CHANNEL, channelId(2)].sort().map((target) => ({ target, status: 'sent', error: null })),
  );
  // the fake Slack process is started with these channels (commands.ts)
  for (const r of rows) assert.ok(benchChannels(orgs.length).includes(r.target), r.target);
  // and a bot started on the seeded database reads the same directory back
  assert.deepEqual(await seededOrgs(t.app, 3), orgs);
});
