/**
 * Issue 21 item 4: the figures are measured between audit records, and the CSV names those
 * records, so each figure can be checked against the log; a ministry person gets their own
 * organisation's rows only.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { type TestApp, testApp } from '../helpers/app.ts';
import { dashboardSession } from '../helpers/dashboard.ts';
import { PERSONAS as P, registerPersonas } from '../helpers/personas.ts';

let t: TestApp;
let base: string;

const ok = async (who: string, cmd: string) => {
  const o = await t.run(who, cmd);
  assert.equal(o.status, 'ok', `${cmd}: ${JSON.stringify(o.reply)}`);
};

beforeAll(async () => {
  // 10:00 in Tokyo on 25 November
  t = await testApp({ now: '2026-11-25T01:00:00Z' });
  await registerPersonas(t);
  await ok(P.poc, 'report category=malware summary="端末感染" detected="2026-11-25 08:00"');
  t.clock.advance(30 * 3_600_000);
  await ok(
    P.poc,
    'incident update INC-2026-0001 contact="情報管理課" found="監視で検知" damage="なし" impact="なし" cause="設定不備" plan="設定変更" personal=なし hosts=1 notified=なし public=no final=yes',
  );
  await ok(P.coordinator, 'advisory draft title="注意" body="本文です。" severity=high tlp=green audience=maff,mof');
  await ok(P.coordinator, 'advisory submit ADV-2026-0001');
  await ok(P.approver, 'advisory approve ADV-2026-0001');
  t.clock.advance(5 * 3_600_000);
  await ok(P.otherPoc, 'advisory ack ADV-2026-0001');
  base = `http://127.0.0.1:${await t.app.http.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  await t.app.http.close();
  await t.close();
});

const session = (who: string) => dashboardSession(t, base, who);
const get = async (cookie: string, path: string) => {
  const r = await fetch(`${base}${path}`, { headers: { cookie } });
  assert.equal(r.status, 200, path);
  return { type: r.headers.get('content-type') ?? '', text: await r.text() };
};

test('each figure comes with the audit records it was measured between', async () => {
  const c = await session(P.coordinator);
  const pageText = (await get(c, '/dashboard/figures')).text;
  assert.match(pageText, /検知から速報まで/);
  const csv = await get(c, '/dashboard/figures.csv');
  assert.match(csv.type, /text\/csv/);
  const lines = csv.text
    .replace(/^\ufeff/, '')
    .trim()
    .split('\r\n');
  assert.equal(lines[0], '組織,月,項目,件数,中央値（時間）,90パーセンタイル値（時間）');
  assert.deepEqual(lines.slice(1).sort(), [
    'maff,2026-11,検知から速報まで,1,2.0,2.0',
    'maff,2026-11,速報から確報まで,1,30.0,30.0',
    'mof,2026-11,配信から受領確認まで,1,5.0,5.0',
  ]);
  const rows = (await get(c, '/dashboard/figures-intervals.csv')).text.trim().split('\r\n').slice(1);
  assert.equal(rows.length, 3);
  // the numbers in the list are the audit records' own: their actions and subjects agree
  for (const row of rows) {
    const f = row.split(',');
    const [subject, fromSeq, toSeq] = [f[3] as string, f[4] as string, f[6] as string];
    const to = await t.app.db.prisma.auditRecord.findUniqueOrThrow({ where: { seq: Number(toSeq) } });
    assert.equal(to.subject, subject);
    assert.ok(['incident.report', 'incident.update', 'advisory.ack'].includes(to.action), to.action);
    if (fromSeq) {
      const from = await t.app.db.prisma.auditRecord.findUniqueOrThrow({ where: { seq: Number(fromSeq) } });
      assert.equal(from.subject, subject);
      assert.ok(['incident.report', 'advisory.sent'].includes(from.action), from.action);
    }
  }
});

test("a ministry person's figures are their own organisation's", async () => {
  const c = await session(P.poc);
  const lines = (await get(c, '/dashboard/figures.csv')).text.trim().split('\r\n').slice(1);
  assert.deepEqual(lines.map((l) => l.split(',')[0]).sort(), ['maff', 'maff']);
  const mof = await session(P.otherPoc);
  const theirs = (await get(mof, '/dashboard/figures-intervals.csv')).text.trim().split('\r\n').slice(1);
  assert.deepEqual(
    theirs.map((l) => l.split(',')[0]),
    ['mof'],
  );
});

test('an exercise (訓練) is in no count of the overview', async () => {
  const nisc = await t.app.services.directory.caller(P.coordinator, null, null, 'ja');
  const maff = async () => {
    const m = await t.app.services.incidentQueries.matrix(nisc);
    const org = await t.app.db.prisma.organization.findUniqueOrThrow({ where: { code: 'maff' } });
    return m.rows.find((r) => r.orgId === org.id)?.total ?? 0;
  };
  const before = await maff();
  assert.equal(before, 1);
  await ok(P.poc, 'report category=malware summary="訓練の報告" exercise=yes');
  assert.equal(await maff(), before);
  const c = await session(P.coordinator);
  assert.match((await get(c, '/dashboard/')).text, /全体概況/);
});

test('every table of the overview downloads as CSV, holding what the person may see', async () => {
  const nisc = await session(P.coordinator);
  const poc = await session(P.poc);
  for (const table of ['incidents', 'advisories', 'readiness', 'inspections']) {
    const path = `/dashboard/csv/${table}.csv`;
    if (table === 'inspections') {
      // no inspection yet: the same answer as `check status`
      const r = await fetch(`${base}${path}`, { headers: { cookie: nisc } });
      assert.equal(r.status, 404);
      assert.match(await r.text(), /該当する点検はまだありません/);
      continue;
    }
    const all = await get(nisc, path);
    assert.match(all.type, /text\/csv/);
    const codes = all.text
      .trim()
      .split('\r\n')
      .slice(1)
      .map((l) => l.split(',')[0]);
    assert.ok(codes.includes('maff') && codes.includes('mof'), `${table}: ${codes}`);
    const own = (await get(poc, path)).text
      .trim()
      .split('\r\n')
      .slice(1)
      .map((l) => l.split(',')[0]);
    assert.deepEqual(own, ['maff'], table);
  }
  const r = await fetch(`${base}/dashboard/csv/constructor.csv`, { headers: { cookie: nisc } });
  assert.equal(r.status, 404);
});
