/**
 * Reminders go to those who still need them (issue 16, item 3): a meeting reminder asks for an
 * answer only from organisations that have not answered; those who answered get a plain
 * reminder that recalls their answer.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { P, registerAdvisoryPeople } from '../helpers/advisory-fixtures.ts';
import { testApp } from '../helpers/app.ts';

test('a meeting reminder asks only the organisations that have not answered; the others are reminded plainly', async () => {
  const t = await testApp({ now: '2026-11-25T01:00:00Z' });
  try {
    await registerAdvisoryPeople(t);
    const o = await t.run(
      P.coordinator,
      'meeting schedule title=定例会議 start="2026-12-08 10:00" invite=maff,mof,env reminders=1d',
    );
    assert.equal(o.status, 'ok');
    // the invitation asks everyone
    const invitations = t.platform.posts.filter((p) => /開催通知/.test(p.text));
    assert.deepEqual(invitations.map((p) => [p.channel, p.message.actions?.length]).sort(), [
      ['env', 3],
      ['maff', 3],
      ['mof', 3],
    ]);
    assert.equal((await t.run(P.poc, 'meeting rsvp MTG-2026-0001 attend')).status, 'ok');
    assert.equal((await t.run(P.env, 'meeting rsvp MTG-2026-0001 absent')).status, 'ok');
    const before = t.platform.posts.length;
    t.clock.set(new Date('2026-12-07T01:00:00Z'));
    await t.app.scheduler.runDue();
    await t.app.dispatcher.drain();
    const reminders = t.platform.posts.slice(before);
    const by = (ch: string) => reminders.find((p) => p.channel === ch);
    assert.equal(reminders.length, 3);
    // not answered: asked, with the buttons
    assert.deepEqual(
      by('mof')?.message.actions?.map((a) => a.command),
      ['meeting rsvp MTG-2026-0001 attend', 'meeting rsvp MTG-2026-0001 absent', 'meeting rsvp MTG-2026-0001 proxy'],
    );
    assert.match(by('mof')?.text ?? '', /ご回答くださいますよう/);
    // answered: no buttons, no request; the answer is recalled
    for (const [ch, answer] of [
      ['maff', '出席'],
      ['env', '欠席'],
    ] as const) {
      assert.equal(by(ch)?.message.actions, undefined, ch);
      assert.doesNotMatch(by(ch)?.text ?? '', /ご回答くださいますよう/, ch);
      assert.match(by(ch)?.text ?? '', new RegExp(`「${answer}」とのご回答をいただいております`), ch);
    }
    const rec = await t.app.db.prisma.auditRecord.findFirst({ where: { action: 'meeting.reminder' } });
    assert.match(rec?.data ?? '', /"answered":\["maff","env"\]/);
  } finally {
    await t.close();
  }
});
