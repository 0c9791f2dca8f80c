/**
 * Ten days down (issue 16, item 2): the bot is stopped across the reminder times of a meeting,
 * of an advisory awaiting acknowledgement and of two inspection campaigns, then started again.
 * Every post it makes on the way back is listed: at most one per subject and recipient (the
 * latest step), none for a subject past its due date (docs/reminders.md).
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { P, registerAdvisoryPeople } from '../helpers/advisory-fixtures.ts';
import { type TestApp, testApp, testDb } from '../helpers/app.ts';

async function ok(t: TestApp, who: string, cmd: string): Promise<string> {
  const o = await t.run(who, cmd);
  const text = JSON.stringify(o.reply);
  assert.equal(o.status, 'ok', `${cmd}: ${text}`);
  return text;
}

test('ten days down: one reminder per subject and recipient (the latest step), none past a due date', async () => {
  const db = await testDb();
  try {
    // Wednesday 2026-11-25 10:00 JST: the working day before the outage
    const t = await testApp({ url: db.url, now: '2026-11-25T01:00:00Z' });
    await registerAdvisoryPeople(t);
    // a meeting on 8 December with reminders 10 and 7 days and 1 day before; maff answers at once
    await ok(
      t,
      P.coordinator,
      'meeting schedule title=定例会議 start="2026-12-08 10:00" invite=maff,mof reminders=10d,7d,1d',
    );
    await ok(t, P.poc, 'meeting rsvp MTG-2026-0001 attend');
    // an advisory sent now: acknowledgement reminders due 24, 48 and 72 hours later; mof acknowledges
    await ok(
      t,
      P.coordinator,
      'advisory draft title=注意喚起 body="添付ファイルにご注意ください。" severity=high tlp=green audience=maff,mof',
    );
    await ok(t, P.coordinator, 'advisory submit ADV-2026-0001');
    await ok(t, P.approver, 'advisory approve ADV-2026-0001');
    await t.app.dispatcher.drain();
    assert.equal((await t.app.db.prisma.advisory.findUniqueOrThrow({ where: { id: 'ADV-2026-0001' } })).status, 'sent');
    await ok(t, P.otherPoc, 'advisory ack ADV-2026-0001');
    // two campaigns: one due on 3 December (both reminders and the due date fall in the outage),
    // one due on 10 December (its 7-day reminder falls in the outage, its 1-day one after)
    await ok(t, P.coordinator, 'check campaign open due=2026-12-03 audience=maff,mof');
    await ok(t, P.coordinator, 'check campaign open due=2026-12-10 audience=maff,mof');
    await t.app.close();

    // Saturday 2026-12-05 10:00 JST: back after ten days
    const back = await testApp({ url: db.url, now: '2026-12-05T01:00:00Z' });
    try {
      await back.app.scheduler.runDue(); // the start-up pass
      await back.app.dispatcher.drain();
      const posts = back.platform.posts.map((p) => ({
        channel: p.channel,
        heading: p.text.split('\n')[0] ?? '',
        buttons: (p.message.actions ?? []).map((a) => a.command),
        text: p.text,
      }));
      console.log(`\nposts after ten days down:\n${posts.map((p) => `[#${p.channel}] ${p.heading}`).join('\n')}\n`);
      assert.deepEqual(
        posts.map((p) => `[#${p.channel}] ${p.heading}`).sort(),
        [
          '[#maff] ■ 開催のご案内（開催の7日前）: 定例会議（MTG-2026-0001）',
          '[#mof] ■ 開催のご案内（開催の7日前）: 定例会議（MTG-2026-0001）',
          '[#maff] ■ TLP:GREEN 受領確認のお願い（3 回目）',
          '[#maff] ■ 【回答のお願い】点検 CMP-2026-0002 の回答期限まであと 7 日です',
          '[#mof] ■ 【回答のお願い】点検 CMP-2026-0002 の回答期限まであと 7 日です',
        ].sort(),
        JSON.stringify(posts.map((p) => p.heading)),
      );
      // at most one per subject and recipient; nothing for the campaign past its due date
      const subjects = posts.map((p) => `${p.channel} ${/(MTG|ADV|CMP)-\d{4}-\d{4}/.exec(p.text)?.[0]}`);
      assert.equal(new Set(subjects).size, subjects.length, subjects.join(', '));
      assert.ok(!posts.some((p) => p.text.includes('CMP-2026-0001')));
      // the meeting: maff has answered, so it is reminded without being asked again; mof is asked
      const meeting = posts.filter((p) => p.heading.includes('MTG-2026-0001'));
      assert.deepEqual(meeting.find((p) => p.channel === 'maff')?.buttons, []);
      assert.match(meeting.find((p) => p.channel === 'maff')?.text ?? '', /「出席」とのご回答/);
      assert.deepEqual(meeting.find((p) => p.channel === 'mof')?.buttons, [
        'meeting rsvp MTG-2026-0001 attend',
        'meeting rsvp MTG-2026-0001 absent',
        'meeting rsvp MTG-2026-0001 proxy',
      ]);
      // every overdue step was processed: the latest of each subject sent, the others skipped
      const jobs = await back.app.db.prisma.job.findMany({ orderBy: { id: 'asc' } });
      const state = Object.fromEntries(jobs.filter((j) => j.refType !== 'readiness').map((j) => [j.id, j.status]));
      assert.deepEqual(state, {
        'advisory:ADV-2026-0001:ack:1': 'skipped',
        'advisory:ADV-2026-0001:ack:2': 'skipped',
        'advisory:ADV-2026-0001:ack:3': 'done',
        'campaign:CMP-2026-0001:1d': 'skipped',
        'campaign:CMP-2026-0001:7d': 'skipped',
        'campaign:CMP-2026-0002:1d': 'pending',
        'campaign:CMP-2026-0002:7d': 'done',
        'meeting:MTG-2026-0001:reminder:10d': 'skipped',
        'meeting:MTG-2026-0001:reminder:1d': 'pending',
        'meeting:MTG-2026-0001:reminder:7d': 'done',
      });
      // a second start sends nothing again
      await back.app.close();
      const again = await testApp({ url: db.url, now: '2026-12-05T01:05:00Z' });
      await again.app.scheduler.runDue();
      await again.app.dispatcher.drain();
      assert.deepEqual(again.platform.posts, []);
      await again.app.close();
    } finally {
      await back.app.close().catch(() => {});
    }
  } finally {
    await db.drop();
  }
});
