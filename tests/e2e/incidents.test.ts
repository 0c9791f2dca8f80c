/** Incident reports through the router: posts, timeline, workflow, indicators, correlation, ids. */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { type TestApp, testApp } from '../helpers/app.ts';
import { tableCounts } from '../helpers/counts.ts';
import { PERSONAS as P, registerPersonas } from '../helpers/personas.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
  await registerPersonas(t);
  await t.run(P.admin, 'poc add console:mic-poc org=mic role=poc');
});
afterAll(() => t.close());

const posts = (channel: string) => t.platform.in(channel);
const last = (channel: string) => posts(channel).at(-1) ?? '';

test('a report is 速報, gets the next id, posts to NISC and to the reporter’s channel with indicators defanged', async () => {
  const audit = await t.auditCount();
  const nNisc = posts('nisc').length;
  const r = await t.say(
    P.poc,
    'report category=標的型メール summary="職員宛に不審なメール" severity=high confidentiality=2 detected="2026-11-25 09:30" actions="端末をネットワークから切り離しました" ioc=hxxps://bad[.]example[.]jp/login ioc=user[@]bad[.]example[.]jp',
  );
  const id = /INC-2026-\d{4}/.exec(r)?.[0];
  assert.ok(id, r);
  assert.match(r, /速報/);
  assert.equal(await t.auditCount(), audit + 1);
  assert.equal(posts('nisc').length, nNisc + 1);
  for (const ch of ['nisc', 'maff']) {
    const p = last(ch);
    assert.match(p, new RegExp(`【速報】インシデント報告 ${id}`));
    assert.match(p, /種別: 標的型メール/);
    assert.match(p, /検知日時: 令和8年11月25日\(水\) 09:30（日本時間）/);
    assert.match(p, /機密性: 機密性2/);
    assert.match(p, /対処状況: 端末をネットワークから切り離しました/);
    assert.match(p, /hxxps:\/\/bad\[\.\]example\[\.\]jp\/login/);
    assert.match(p, /user\[@\]bad\[\.\]example\[\.\]jp/);
    assert.doesNotMatch(p, /https:\/\/bad\.example/);
  }
  const inc = await t.app.db.prisma.incident.findUniqueOrThrow({ where: { id } });
  assert.equal(inc.stage, 'quick');
  assert.equal(inc.tlp, 'amber');
  assert.equal(inc.share, 'none');
});

test("the coordinating office reporting on a ministry's behalf is told so, in both languages (issue 18 item 8)", async () => {
  const ja = await t.say(P.coordinator, 'report category=malware summary="代理報告" org=mof');
  assert.match(ja, /財務省に代わって、インシデントを INC-2026-\d{4} として受け付けました（速報）/);
  assert.match(ja, /財務省と国家サイバー統括室（NCO）のチャンネルへ通知しました/);
  assert.doesNotMatch(ja, /^インシデントを/);
  await t.run(P.coordinator, 'lang en');
  const en = await t.say(P.coordinator, 'report category=malware summary="on behalf" org=mof');
  await t.run(P.coordinator, 'lang ja');
  assert.match(
    en,
    /The incident has been received as INC-2026-\d{4} \(quick report\) on behalf of Ministry of Finance/,
  );
  assert.doesNotMatch(en, /Your incident/);
  // a ministry reporting for itself is thanked for its own report
  assert.match(
    await t.say(P.poc, 'report category=malware summary="自組織"'),
    /^インシデントを INC-2026-\d{4} として受け付けました/,
  );
});

test('missing required fields name them with their labels; nothing is written', async () => {
  const before = await tableCounts(t.app);
  const o = await t.run(P.poc, 'report severity=high');
  assert.equal(o.status, 'user_error');
  assert.match(t.platform.name, /console/);
  const text = o.reply.blocks.map((b) => ('text' in b ? b.text : '')).join('\n');
  assert.match(text, /必須の項目が入力されていません: category（種別）, summary（概要）/);
  assert.deepEqual(await tableCounts(t.app), before);
});

test('an invalid indicator is named and nothing is written; too many indicators are refused', async () => {
  const before = await tableCounts(t.app);
  assert.match(
    await t.say(P.poc, 'report category=malware summary=x ioc=198.51.100.1 ioc=not_an_indicator'),
    /指標「not_an_indicator」を解釈できませんでした/,
  );
  const many = Array.from({ length: 101 }, (_, i) => `ioc=10.0.${Math.floor(i / 250)}.${i % 250}`).join(' ');
  assert.match(await t.say(P.poc, `report category=malware summary=x ${many}`), /1 回に指定できるのは 100 件まで/);
  assert.match(await t.say(P.poc, 'report category=nonsense summary=x'), /種別は次のいずれかを指定してください/);
  assert.match(await t.say(P.poc, 'report category=malware summary=x org=mof'), /国家サイバー統括室の担当者のみ/);
  assert.deepEqual(await tableCounts(t.app), before);
});

test('indicators are stored once; one correlation alert per new organisation count, none for repeats', async () => {
  const alerts = () => posts('nisc').filter((p) => p.includes('【相関】'));
  const n0 = alerts().length;
  const a = await t.say(P.poc, 'report category=malware summary="C2 通信" ioc=192[.]0[.]2[.]77');
  assert.equal(alerts().length, n0, 'one organisation: no alert');
  await t.say(P.poc, 'report category=malware summary="C2 通信 2" ioc=192.0.2.77');
  assert.equal(alerts().length, n0, 'same organisation again: no alert');
  const b = await t.say(P.otherPoc, 'report category=malware summary="C2" ioc=192.0.2.77');
  assert.equal(alerts().length, n0 + 1);
  const alert = alerts().at(-1) as string;
  assert.match(alert, /2 組織/);
  assert.match(alert, /192\.0\.2\[\.\]77/);
  for (const r of [a, b]) assert.match(alert, new RegExp(/INC-2026-\d{4}/.exec(r)?.[0] as string));
  await t.say(P.otherPoc, 'report category=malware summary="C2 again" ioc=192.0.2.77');
  assert.equal(alerts().length, n0 + 1, 'repeat by a known organisation: no alert');
  await t.say('console:mic-poc', 'report category=malware summary="C2 mic" ioc=192.0.2.77');
  assert.equal(alerts().length, n0 + 2, 'a third organisation: one more alert');
  assert.match(alerts().at(-1) as string, /3 組織/);
  assert.equal(await t.app.db.prisma.indicator.count({ where: { value: '192.0.2.77' } }), 1);
  assert.equal(alerts().filter((p) => p.includes('192.0.2[.]77')).length, 2);
});

test('status workflow: who may move it, timeline, stages (the office’s triage is a note, not a 続報), posts to both channels', async () => {
  const id = /INC-2026-\d{4}/.exec(await t.say(P.poc, 'report category=dos summary="サービス停止"'))?.[0] as string;
  assert.match(await t.say(P.poc, `incident update ${id} status=triaging`), /権限がありません/);
  assert.match(await t.say(P.ciso, `incident update ${id} note=x`), /権限がありません/);
  assert.match(await t.say(P.otherPoc, `incident update ${id} note=x`), /見つかりませんでした/);
  const triage = await t.say(P.coordinator, `incident update ${id} status=triaging note="確認を開始します"`);
  assert.match(triage, /更新しました/);
  assert.doesNotMatch(triage, /確報として|続報）として/, 'a note by the coordinating office is not a stage');
  assert.match(last('nisc'), /報告受付 → トリアージ中/);
  assert.match(last('maff'), /報告受付 → トリアージ中/);
  assert.match(
    await t.say(P.poc, `incident update ${id} status=contained ioc=evil[.]example[.]org severity=critical`),
    /更新しました（状態、重大度、指標）。第1報（続報）として記録しました/,
  );
  assert.match(await t.say(P.coordinator, `incident update ${id} status=closed`), /変更することはできません/);
  await t.say(P.poc, `incident update ${id} status=resolved`);
  assert.match(await t.say(P.poc, `incident update ${id} status=closed`), /権限がありません/);
  assert.match(await t.say(P.coordinator, `incident update ${id} share=attributed`), /報告元の組織の窓口担当者のみ/);
  await t.say(P.coordinator, `incident update ${id} status=closed`);
  assert.match(await t.say(P.poc, `incident update ${id} note=x`), /これ以上更新できません|終結/);
  const show = await t.say(P.poc, `incident show ${id}`);
  for (const re of [
    /終結・第2報（続報）/,
    /第1報（続報）: 状態、重大度、指標/,
    /第2報（続報）: 状態/,
    /報告を受け付けました（速報、maff、指標 0 件）/,
    /状態を変更: 報告受付 → トリアージ中/,
    /所見: 確認を開始します/,
    /指標を追加: domain evil\[\.\]example\[\.\]org/,
    /重大度を変更: 中 → 緊急/,
    /状態を変更: 対処完了 → 終結/,
  ])
    assert.match(show, re);
  const events = await t.app.db.prisma.incidentEvent.count({ where: { incidentId: id } });
  assert.equal(events, 10);
  assert.equal(t.platform.in('nisc').filter((p) => p.includes(`インシデント ${id}`)).length, 4);
});

test('TLP:RED: the channel posts carry only id, category and severity', async () => {
  const r = await t.say(
    P.poc,
    'report category=data-leak summary="極秘の漏えい" tlp=red severity=high ioc=198.51.100.99',
  );
  const id = /INC-2026-\d{4}/.exec(r)?.[0] as string;
  for (const ch of ['nisc', 'maff']) {
    const p = last(ch);
    assert.match(p, new RegExp(id));
    assert.match(p, /種別: 情報漏えい/);
    assert.match(p, /重大度: 高/);
    assert.match(p, new RegExp(`詳細: /csirt incident show ${id}`));
    assert.doesNotMatch(p, /極秘|198|報告組織|maff/);
  }
  assert.match(await t.say(P.coordinator, `incident show ${id}`), /極秘の漏えい/);
  await t.say(P.coordinator, `incident update ${id} status=triaging note="極秘の所見"`);
  assert.doesNotMatch(last('nisc'), /極秘/);
});

test('list: newest first, 20 per page, page x/y, filters', async () => {
  for (let i = 0; i < 21; i++) await t.run(P.otherPoc, `report category=scan summary="scan ${i}"`);
  const p1 = await t.say(P.otherPoc, 'incident list category=scan');
  assert.match(p1, /（21 件、1\/2 ページ）/);
  assert.match(p1, /page=2/);
  const rows = p1.split('\n').filter((l) => l.startsWith('INC-'));
  assert.equal(rows.length, 20);
  assert.ok((rows[0] as string) > (rows[1] as string), 'newest first');
  assert.match(await t.say(P.otherPoc, 'incident list category=scan page=2'), /（21 件、2\/2 ページ）/);
  assert.match(await t.say(P.coordinator, 'incident list status=closed'), /（1 件、1\/1 ページ）/);
  // a date in the future is refused with its range (it used to list nothing)
  assert.match(
    await t.say(P.coordinator, 'incident list since=2030-01-01'),
    /・since: 2000-01-01 から \d{4}-\d{2}-\d{2} までの日付/,
  );
});

test('the next-page hint keeps every filter: following it from page 1 lists each matching incident once and nothing else', async () => {
  // real scans of mof (21 from the test above, or made here), 21 exercise scans of mof, and some
  // of another category and organisation that no filter below should let through
  while ((await t.app.db.prisma.incident.count({ where: { category: 'scan', exercise: false } })) < 21)
    await t.run(P.otherPoc, 'report category=scan summary="scan"');
  for (let i = 0; i < 21; i++) await t.run(P.otherPoc, `report category=scan summary="訓練 ${i}" exercise=yes`);
  for (let i = 0; i < 3; i++) await t.run(P.poc, `report category=malware summary="other ${i}"`);
  const mof = await t.app.db.prisma.organization.findUniqueOrThrow({ where: { code: 'mof' } });
  const cases: [string, Record<string, unknown>][] = [
    ['category=scan', { category: 'scan', exercise: false }],
    [
      'org=ＭＯＦ category=scan status=reported',
      { category: 'scan', orgId: mof.id, status: 'reported', exercise: false },
    ],
    ['category=scan exercise=yes', { category: 'scan', exercise: true }],
    ['org=mof since=2026-01-01 exercise=はい', { orgId: mof.id, exercise: true }],
  ];
  for (const [filters, where] of cases) {
    const expected = (await t.app.db.prisma.incident.findMany({ where, select: { id: true } })).map((x) => x.id).sort();
    assert.ok(expected.length > 20, `${filters}: more than one page to follow`);
    const seen: string[] = [];
    let text: string | undefined = `incident list ${filters}`;
    for (let pages = 0; text; pages++) {
      assert.ok(pages < 10, `${filters}: the hints end`);
      const r = await t.say(P.coordinator, text);
      seen.push(...r.split('\n').flatMap((l) => /^(?:【訓練】 )?(INC-\d{4}-\d{4})/.exec(l)?.[1] ?? []));
      text = /次のページ: \/csirt (incident list .*)$/m.exec(r)?.[1];
    }
    assert.deepEqual(seen.sort(), expected, `${filters}: every page, by following the hints`);
  }
});

test('31 March 23:59 JST and 1 April 00:00 JST fall in different fiscal years', async () => {
  const f = await testApp({ now: '2027-03-31T14:59:00Z' });
  try {
    await f.run(P.admin, `poc add ${P.poc} org=maff role=poc`);
    assert.match(await f.say(P.poc, 'report category=other summary="年度末"'), /INC-2026-0001/);
    f.clock.set('2027-03-31T15:00:00Z');
    assert.match(await f.say(P.poc, 'report category=other summary="年度初め"'), /INC-2027-0001/);
    f.clock.set('2027-03-31T15:00:01Z');
    assert.match(await f.say(P.poc, 'report category=other summary="二件目"'), /INC-2027-0002/);
  } finally {
    await f.close();
  }
});

test('English readers get the same content', async () => {
  await t.run(P.otherPoc, 'lang en');
  const r = await t.say(P.otherPoc, 'report severity=high');
  assert.match(r, /Required fields are missing: category \(Category\), summary \(Summary\)/);
  const id = /INC-2026-\d{4}/.exec(await t.say(P.otherPoc, 'report category=phishing summary="phish"'))?.[0] as string;
  const show = await t.say(P.otherPoc, `incident show ${id}`);
  assert.match(show, /reported, quick report TLP:AMBER/);
  assert.match(show, /Timeline/);
  assert.match(show, /Reporting deadlines/);
  assert.match(show, /first follow-up report: due .* — \d+ d \d+ h left/);
  assert.doesNotMatch(show, /[\u3040-\u30ff]/);
});

test('export: STIX and MISP as a .json attachment, within what the caller may see', async () => {
  const id = /INC-2026-\d{4}/.exec(
    await t.say(P.poc, 'report category=phishing summary="偽ログイン" ioc=hxxps://login[.]example[.]net/'),
  )?.[0] as string;
  for (const format of ['stix', 'misp']) {
    const o = await t.run(P.coordinator, `incident export ${id} format=${format}`);
    assert.equal(o.status, 'ok');
    const a = o.reply.attachments?.[0];
    assert.equal(a?.filename, `${id}.${format}.json`);
    assert.equal(a?.mime, 'application/json');
    const doc = JSON.parse(Buffer.from(a?.data ?? '', 'base64').toString('utf8'));
    assert.ok(format === 'stix' ? doc.type === 'bundle' : doc.Event, JSON.stringify(doc));
    assert.match(JSON.stringify(doc), /login\.example\.net/);
  }
  assert.equal((await t.run(P.otherPoc, `incident export ${id} format=stix`)).status, 'user_error');
});
