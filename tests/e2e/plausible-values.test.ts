/**
 * Plausible values only (issue 16, item 7): a detection time in the future, `occurred` after
 * `detected`, a meeting in year 9999, a campaign due in 2099, a planned date in the past, a proxy
 * from another organisation, amounts and pages out of range — each refused with a message naming
 * the field and the allowed range (src/domain/plausible.ts), and nothing written.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { type TestApp, testApp } from '../helpers/app.ts';
import { tableCounts } from '../helpers/counts.ts';

let t: TestApp;
const NISC = 'console:kato';
const MAFF = 'console:sato';
beforeAll(async () => {
  // Wednesday 2026-11-25 10:00 JST
  t = await testApp({ now: '2026-11-25T01:00:00Z' });
  for (const cmd of [
    `poc add ${NISC} org=nisc role=coordinator`,
    `poc add ${MAFF} org=maff role=poc`,
    'poc add console:mof-poc org=mof role=poc',
  ]) {
    assert.equal((await t.run('console:admin', cmd)).status, 'ok', cmd);
  }
});
afterAll(async () => {
  await t.close();
});

async function refused(who: string, cmd: string, message: RegExp): Promise<void> {
  const before = await tableCounts(t.app);
  const o = await t.run(who, cmd);
  const text = JSON.stringify(o.reply);
  assert.equal(o.status, 'user_error', `${cmd}: ${text}`);
  assert.match(text, message, cmd);
  const { PendingCommand: _a, ...now } = await tableCounts(t.app);
  const { PendingCommand: _b, ...was } = before;
  assert.deepEqual(now, was, `${cmd} wrote something`);
}

test('report: a detection time in the future, or occurred after detected, is refused naming the field and range', async () => {
  await refused(
    MAFF,
    'report category=malware summary=x detected="2026-11-26 10:00"',
    /・detected[^:]*: 2000-01-01 00:00 から 2026-11-25 10:05 までの日時（日本時間）を指定してください/,
  );
  await refused(
    MAFF,
    'report category=malware summary=x detected="2026-11-19 10:00" occurred="2026-11-20 10:00"',
    /・occurred[^:]*: 検知日時（detected: 2026-11-19 10:00）以前の日時を指定してください/,
  );
  await refused(
    MAFF,
    'report category=malware summary=x occurred="1999-12-31 10:00"',
    /・occurred[^:]*: 2000-01-01 00:00 から/,
  );
  // within range: accepted
  assert.equal(
    (await t.run(MAFF, 'report category=malware summary=x detected="2026-11-25 09:00" occurred="2026-11-24 18:00"'))
      .status,
    'ok',
  );
});

test('a meeting in year 9999, a campaign due in 2099, a planned date in the past: refused with the range', async () => {
  await refused(
    NISC,
    'meeting schedule title=x start="9999-01-01 10:00"',
    /・start: 2026-11-25 10:00 から 2028-11-25 10:00 までの日時/,
  );
  await refused(NISC, 'check campaign open due=2099-03-31', /・due: 2026-11-26 から 2027-11-25 までの日付/);
  await refused(
    MAFF,
    'check answer CMP-2026-0001 system=SYS-maff-001 item=ENT-01 status=missing planned=2026-01-01',
    /・planned[^:]*: 2026-11-25 から 2031-11-25 までの日付/,
  );
  await refused(
    MAFF,
    'check answer CMP-2026-0001 system=SYS-maff-001 item=ENT-01 status=missing cost=2000000000000',
    /・cost[^:]*: 0 から 2,000,000,000 までの値/,
  );
  // a cost above the column's 32-bit range was an internal error on PostgreSQL
  await refused(
    MAFF,
    'check answer CMP-2026-0001 system=SYS-maff-001 item=ENT-01 status=missing cost=3,000,000,000',
    /・cost[^:]*: 0 から 2,000,000,000 までの値/,
  );
  await refused(NISC, 'check plan budget=0 org=maff', /・budget[^:]*: 1 から 10,000,000,000,000 までの値/);
  await refused(MAFF, 'csirt set established=2030-04-01', /・established: 2000-01-01 から 2026-11-25 までの日付/);
  await refused(NISC, 'incident list since=2099-01-01', /・since: 2000-01-01 から 2026-11-25 までの日付/);
  await refused(NISC, 'incident list page=0', /・page: 1 から 10,000 までの値/);
});

test('a proxy from another organisation is refused; one of the same organisation (or unregistered) is taken', async () => {
  assert.equal(
    (await t.run(NISC, 'meeting schedule title=定例 start="2026-12-08 10:00" invite=maff,mof')).status,
    'ok',
  );
  await refused(
    MAFF,
    'meeting rsvp MTG-2026-0001 proxy proxy=console:mof-poc',
    /代理出席者（proxy）には maff の方をご指定ください/,
  );
  assert.equal((await t.run(MAFF, 'meeting rsvp MTG-2026-0001 proxy proxy=console:maff-deputy')).status, 'ok');
});
