import assert from 'node:assert/strict';
import { test } from 'vitest';
import { type TestApp, testApp, testDb } from '../helpers/app.ts';

/** Schedules MTG-2026-0001 (2027-01-12 10:00 JST, 7d,1d,1h) for maff and mof, then stops the bot. */
async function scheduledThenStopped(url: string): Promise<void> {
  const a = await testApp({ url, now: '2026-11-25T01:00:00Z' });
  await a.run('console:admin', 'poc add console:kato org=nisc role=coordinator');
  const r = await a.say('console:kato', 'meeting schedule title=定例会議 start="2027-01-12 10:00" invite=maff,mof');
  assert.match(r, /MTG-2026-0001/);
  await a.app.close();
}

async function restartAt(
  url: string,
  now: string,
): Promise<{ t: TestApp; fired: number; reminders: (ch: string) => string[] }> {
  const t = await testApp({ url, now });
  const fired = await t.app.scheduler.runDue(); // the scheduler's start-up pass
  await t.app.dispatcher.drain();
  return { t, fired, reminders: (ch) => t.platform.in(ch).filter((x) => /開催のご案内/.test(x)) };
}

test('restart after missed reminders, meeting not begun: the latest missed reminder is sent once per channel', async () => {
  const db = await testDb();
  try {
    await scheduledThenStopped(db.url);
    // down from before the 7d reminder until after the 1d one (2027-01-11 10:00), up again at 15:00 JST
    const first = await restartAt(db.url, '2027-01-11T06:00:00Z');
    assert.equal(first.fired, 2, '7d and 1d jobs processed');
    for (const ch of ['maff', 'mof'])
      assert.deepEqual(
        first.reminders(ch).map((x) => x.split('\n')[0]),
        ['■ 開催のご案内（開催の1日前）: 定例会議（MTG-2026-0001）'],
      );
    const jobs = await first.t.app.db.prisma.job.findMany({
      where: { refId: 'MTG-2026-0001' },
      orderBy: { dueAt: 'asc' },
    });
    assert.deepEqual(
      jobs.map((j) => j.status),
      ['skipped', 'done', 'pending'],
    );
    await first.t.app.close();
    // a second restart sends nothing again
    const second = await restartAt(db.url, '2027-01-11T06:05:00Z');
    assert.equal(second.fired, 0);
    assert.equal(second.t.platform.posts.length, 0);
    await second.t.app.close();
  } finally {
    await db.drop();
  }
});

test('restart after the meeting began: no reminder is sent, the overdue jobs are skipped', async () => {
  const db = await testDb();
  try {
    await scheduledThenStopped(db.url);
    const r = await restartAt(db.url, '2027-01-12T01:10:00Z'); // 10:10 JST, ten minutes into the meeting
    assert.equal(r.fired, 3);
    assert.equal(r.t.platform.posts.length, 0);
    const jobs = await r.t.app.db.prisma.job.findMany({ where: { refId: 'MTG-2026-0001' } });
    assert.deepEqual(jobs.map((j) => j.status).sort(), ['skipped', 'skipped', 'skipped']);
    await r.t.app.close();
  } finally {
    await db.drop();
  }
});

test('a reminder whose time had passed when the meeting was scheduled is never created; the invitation goes out at once', async () => {
  const t = await testApp({ now: '2027-01-11T06:00:00Z' }); // 15:00 JST the day before
  try {
    await t.run('console:admin', 'poc add console:kato org=nisc role=coordinator');
    const r = await t.say('console:kato', 'meeting schedule title=急ぎの会議 start="2027-01-12 10:00" invite=maff');
    assert.match(r, /次の事前通知は、既に時期を過ぎているため送付いたしません: 7日, 1日/);
    const jobs = await t.app.db.prisma.job.findMany({ where: { refType: 'meeting' } });
    assert.deepEqual(
      jobs.map((j) => j.id),
      ['meeting:MTG-2026-0001:reminder:1h'],
    );
    assert.equal(t.platform.in('maff').filter((x) => /開催通知/.test(x)).length, 1);
    assert.equal(await t.app.scheduler.runDue(), 0);
  } finally {
    await t.close();
  }
});

test('ids are gap-free per fiscal year: a refused command takes no number; a new fiscal year starts at 0001', async () => {
  const t = await testApp({ now: '2026-11-25T01:00:00Z' });
  try {
    await t.run('console:admin', 'poc add console:kato org=nisc role=coordinator');
    const say = (s: string) => t.say('console:kato', s);
    assert.match(await say('meeting schedule title=a start="2027-02-01 10:00" invite=maff'), /MTG-2026-0001/);
    assert.match(await say('meeting schedule title=b start="2027-02-01 10:00" invite=maff,nowhere'), /nowhere/);
    assert.match(await say('meeting schedule title=c start="2027-03-31 10:00" invite=maff'), /MTG-2026-0002/);
    assert.match(await say('meeting schedule title=d start="2027-04-01 10:00" invite=maff'), /MTG-2027-0001/);
    const counters = await t.app.db.prisma.counter.findMany({ orderBy: { name: 'asc' } });
    assert.deepEqual(
      counters.map((c) => [c.name, c.value]),
      [
        ['MTG-2026', 2],
        ['MTG-2027', 1],
      ],
    );
  } finally {
    await t.close();
  }
});
