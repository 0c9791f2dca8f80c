/**
 * Japanese answers (issue 16, item 4): はい／いいえ, 同意／不同意, 出席／欠席／代理 and full-width
 * forms are accepted wherever yes/no or attend/absent/proxy is, through the real commands.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { replyToText } from '../../src/core/reply.ts';
import { P, registerAdvisoryPeople, reportIncident } from '../helpers/advisory-fixtures.ts';
import { testApp } from '../helpers/app.ts';

test('consent, RSVP and poc add take the Japanese answers and full-width forms through the commands', async () => {
  const t = await testApp();
  try {
    await registerAdvisoryPeople(t);
    // two advisories from a share=none report: maff's PoC is asked to consent to each
    const inc = await reportIncident(t, P.poc, 'none');
    for (const n of [1, 2]) {
      const d = await t.run(
        P.coordinator,
        `advisory draft title=注意喚起${n} body=本文 severity=high tlp=amber audience=maff sources=${inc}`,
      );
      assert.equal(d.status, 'ok', replyToText(d.reply));
      assert.equal((await t.run(P.coordinator, `advisory submit ADV-2026-000${n}`)).status, 'ok');
    }
    const yes = await t.run(P.poc, 'advisory consent ADV-2026-0001 はい');
    assert.equal(yes.status, 'ok', replyToText(yes.reply));
    const no = await t.run(P.poc, 'advisory 同意 adv-2026-0002 不同意');
    assert.equal(no.status, 'ok', replyToText(no.reply));
    const consents = await t.app.db.prisma.auditRecord.findMany({
      where: { action: { startsWith: 'advisory.consent' } },
      orderBy: { seq: 'asc' },
    });
    assert.deepEqual(
      consents.map((c) => [c.subject, JSON.parse(c.data).answer]),
      [
        ['ADV-2026-0001', 'yes'],
        ['ADV-2026-0002', 'no'],
      ],
    );

    // a meeting: 出席, 欠席, 代理 and a full-width ＡＴＴＥＮＤ are the organisation's answer
    assert.equal(
      (await t.run(P.coordinator, 'meeting schedule title=定例会議 start="2026-12-08 10:00" invite=maff,mof,env'))
        .status,
      'ok',
    );
    for (const [who, answer, stored] of [
      [P.poc, '出席', 'attend'],
      [P.otherPoc, '欠席', 'absent'],
      [P.env, '代理', 'proxy'],
      [P.otherPoc, 'ＡＴＴＥＮＤ', 'attend'],
    ] as const) {
      const o = await t.run(who, `meeting 出欠 MTG-2026-0001 ${answer}`);
      assert.equal(o.status, 'ok', `${answer}: ${replyToText(o.reply)}`);
      const org = await t.app.db.prisma.organization.findUniqueOrThrow({
        where: { code: who.split(':')[1]?.split('-')[0] as string },
      });
      const r = await t.app.db.prisma.meetingRsvp.findFirstOrThrow({ where: { orgId: org.id } });
      assert.equal(r.answer, stored, answer);
    }

    // poc add primary=はい
    const add = await t.run(P.admin, 'poc add console:maff-second org=maff role=poc deputy=はい');
    assert.equal(add.status, 'ok', replyToText(add.reply));
    const grant = await t.app.db.prisma.roleGrant.findFirstOrThrow({
      where: { person: { identity: 'console:maff-second' }, role: 'poc' },
    });
    assert.equal(grant.position, 'deputy');

    // an answer that is not one still names what is accepted
    const bad = replyToText((await t.run(P.poc, 'meeting rsvp MTG-2026-0001 たぶん')).reply);
    assert.match(bad, /attend/);
  } finally {
    await t.close();
  }
});

test('numbers typed with full-width digits are read as numbers (page=２, version=１); 1.5, 0x10 and 1e3 are not', async () => {
  const t = await testApp();
  try {
    await registerAdvisoryPeople(t);
    for (let i = 0; i < 3; i++) await reportIncident(t, P.poc, 'attributed');
    const p2 = replyToText((await t.run(P.coordinator, 'incident list page=２')).reply);
    assert.doesNotMatch(p2, /・page/, p2);
    const catalogue = await t.run(P.poc, 'check catalog version=１');
    assert.equal(catalogue.status, 'ok', replyToText(catalogue.reply));
    assert.match(replyToText(catalogue.reply), /第1版/);
    for (const odd of ['1.5', '0x10', '1e3', '-1']) {
      const o = await t.run(P.coordinator, `incident list page=${odd}`);
      assert.equal(o.status, 'user_error', odd);
      assert.match(replyToText(o.reply), /・page: 整数で指定してください/, odd);
    }
  } finally {
    await t.close();
  }
});

test('dates written the Japanese way are read wherever a date is typed; a weekday that is not the date is refused', async () => {
  // Wednesday 2026-11-25 10:00 JST
  const t = await testApp({ now: '2026-11-25T01:00:00Z' });
  try {
    await registerAdvisoryPeople(t);
    const m = await t.run(
      P.coordinator,
      'meeting schedule title=定例会議 start="2026年12月8日（火） 午後2時半" invite=maff',
    );
    assert.equal(m.status, 'ok', replyToText(m.reply));
    const meeting = await t.app.db.prisma.meeting.findUniqueOrThrow({ where: { id: 'MTG-2026-0001' } });
    assert.equal(meeting.startAt.toISOString(), '2026-12-08T05:30:00.000Z');
    const c = await t.run(P.coordinator, 'check campaign open due=令和9年1月15日（金） audience=maff');
    assert.equal(c.status, 'ok', replyToText(c.reply));
    assert.match(replyToText(c.reply), /令和9年1月15日\(金\)/);
    const r = await t.run(P.poc, 'report category=malware summary=x detected="2026年11月24日 9時15分"');
    assert.equal(r.status, 'ok', replyToText(r.reply));
    const inc = await t.app.db.prisma.incident.findFirstOrThrow({ orderBy: { createdAt: 'desc' } });
    assert.equal(inc.detectedAt.toISOString(), '2026-11-24T00:15:00.000Z');
    // 8 December 2026 is a Tuesday: a notice that says (水) is wrong somewhere, and is not guessed
    const before = await t.app.db.prisma.meeting.count();
    for (const cmd of [
      'meeting schedule title=x start="2026年12月8日（水） 10時"',
      'check campaign open due=2027年1月15日（木）',
    ]) {
      const o = await t.run(P.coordinator, cmd);
      assert.equal(o.status, 'user_error', cmd);
      assert.match(replyToText(o.reply), /の曜日が日付と合っていません/, cmd);
    }
    const bad = await t.run(P.poc, 'report category=malware summary=x detected="2026年11月24日（水） 9時"');
    assert.match(replyToText(bad.reply), /・detected[^:]*: 「2026年11月24日（水） 9時」の曜日が日付と合っていません/);
    assert.equal(await t.app.db.prisma.meeting.count(), before);
  } finally {
    await t.close();
  }
});

test('command words and keys typed in full-width (the IME left on) are the same words and keys', async () => {
  const t = await testApp();
  try {
    await registerAdvisoryPeople(t);
    const o = await t.run(P.poc, 'ＲＥＰＯＲＴ ｃａｔｅｇｏｒｙ＝ｍａｌｗａｒｅ ｓｕｍｍａｒｙ＝不審なメール');
    assert.equal(o.status, 'ok', replyToText(o.reply));
    const list = await t.run(P.coordinator, 'ｉｎｃｉｄｅｎｔ　ｌｉｓｔ');
    assert.equal(list.status, 'ok', replyToText(list.reply));
    assert.match(replyToText(list.reply), /不審なメール/);
    assert.match(replyToText((await t.run(P.poc, 'ｈｅｌｐ ｒｅｐｏｒｔ')).reply), /report category=/);
    // a key that is not one is still named as typed
    assert.match(replyToText((await t.run(P.poc, 'report 種別=malware')).reply), /項目名「種別」は使えません/);
  } finally {
    await t.close();
  }
});
