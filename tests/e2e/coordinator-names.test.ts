/**
 * The coordinating organisation's names are data (issue 17), through the console as users see
 * them: on a fresh database every reply and post that names it says 国家サイバー統括室; after
 * `org set nisc ja=… en=…` every one says the new name, in both languages. And a database made
 * before the reorganisation is brought up to date on start, keeping what an admin changed.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { fiscalYearOf } from '../../src/domain/fiscal-year.ts';
import { testApp, testDb } from '../helpers/app.ts';
import { freshDbUrl } from '../helpers/console.ts';
import { runConsoleApp as runBot } from '../helpers/console-app.ts';

const FORMER = {
  ja: '内閣サイバーセキュリティセンター',
  en: 'National center of Incident readiness and Strategy for Cybersecurity',
};
const OLD = /NISC|内閣サイバーセキュリティセンター|National center of Incident/;

/** Runs one user's lines; every line must succeed unless it is expected to fail. */
async function as(DATABASE_URL: string, user: string, lines: string[], env: Record<string, string> = {}) {
  const r = await runBot(`${lines.join('\n')}\n`, { DATABASE_URL, CONSOLE_USER: user, ...env });
  return r.stdout;
}

/** What a ministry PoC, the coordinator and the approver see of the names, on one database. */
async function round(DATABASE_URL: string, adv: string) {
  const fy = fiscalYearOf(new Date());
  const sato = await as(DATABASE_URL, 'sato', [
    '/csirt report category=malware summary="不審な通信を検知"',
    '/csirt report category=malware summary=x org=mof',
    `/csirt incident update INC-${fy}-0001 status=triaging`,
    '/csirt help report',
    '/csirt lang en',
    '/csirt report category=malware summary="suspicious traffic"',
    '/csirt help report',
    '/csirt lang ja',
  ]);
  const kato = await as(DATABASE_URL, 'kato', [
    '/csirt system add name=基幹システム confidentiality=2 exposure=internal',
    // v1 names the office in an item (v2, the default since issue 18, says 調整機関)
    '/csirt check catalog version=1',
    `/csirt advisory draft title="注意喚起" body="本文" severity=low tlp=green audience=all`,
    `/csirt advisory submit ${adv}`,
  ]);
  await as(DATABASE_URL, 'abe', [`/csirt advisory approve ${adv}`]);
  const withdraw = await as(DATABASE_URL, 'kato', [`/csirt advisory withdraw ${adv}`]);
  return { sato, kato, withdraw };
}

test('fresh database: every text names 国家サイバー統括室; after org set, the new name everywhere', async () => {
  const DATABASE_URL = await freshDbUrl();
  const setup = await runBot(
    [
      '/csirt poc add console:sato org=maff role=poc primary=yes',
      '/csirt poc add console:kato org=nisc role=coordinator',
      '/csirt poc add console:abe org=nisc role=approver',
      '/csirt org show nisc',
      '',
    ].join('\n'),
    { DATABASE_URL },
  );
  assert.equal(setup.code, 0, setup.stdout + setup.stderr);
  assert.match(setup.stdout, /国家サイバー統括室 \/ National Cybersecurity Office \(nisc\)/);

  const before = await round(DATABASE_URL, `ADV-${fiscalYearOf(new Date())}-0001`);
  const all = Object.values(before).join('\n');
  assert.doesNotMatch(all, OLD);
  assert.match(before.sato, /国家サイバー統括室(（NCO）)?へ通知しました/);
  assert.match(before.sato, /他の組織に代わって報告（org=mof）できるのは国家サイバー統括室の担当者のみです/);
  assert.match(before.sato, /トリアージ・却下・終結は国家サイバー統括室が/);
  assert.match(before.sato, /インシデントを国家サイバー統括室に報告します/);
  assert.match(before.sato, /The National Cybersecurity Office( \(NCO\))? has been notified/);
  assert.match(before.sato, /Report an incident to the National Cybersecurity Office/);
  assert.match(before.kato, /国家サイバー統括室の方が登録する場合は、org= で組織コードを指定してください/);
  assert.match(before.kato, /RSP-03\s+\S+\s+国家サイバー統括室への速やかな報告/);
  assert.match(
    before.withdraw,
    /\[#maff ✎\d+\] .*この注意喚起（ADV-\d{4}-0001）は国家サイバー統括室により取り下げられました/s,
  );

  const rename = await runBot('/csirt org set nisc ja="サイバー安全保障庁" en="Cyber Security Agency"\n', {
    DATABASE_URL,
  });
  assert.equal(rename.code, 0, rename.stdout + rename.stderr);
  assert.match(
    rename.stdout,
    /組織 nisc の名称を「国家サイバー統括室 \/ National Cybersecurity Office」から「サイバー安全保障庁 \/ Cyber Security Agency」に変更しました/,
  );

  const after = await round(DATABASE_URL, `ADV-${fiscalYearOf(new Date())}-0002`);
  const text = Object.values(after).join('\n');
  assert.doesNotMatch(text, /国家サイバー統括室|National Cybersecurity Office/);
  assert.doesNotMatch(text, OLD);
  assert.match(after.sato, /サイバー安全保障庁（NCO）へ通知しました|サイバー安全保障庁へ通知しました/);
  assert.match(after.sato, /できるのはサイバー安全保障庁の担当者のみです/);
  assert.match(after.sato, /トリアージ・却下・終結はサイバー安全保障庁が/);
  assert.match(after.sato, /The Cyber Security Agency( \(NCO\))? has been notified/);
  assert.match(after.kato, /サイバー安全保障庁への速やかな報告/);
  assert.match(after.withdraw, /サイバー安全保障庁により取り下げられました/);
});

test('org set: bad input writes nothing; only an admin may rename', async () => {
  const DATABASE_URL = await freshDbUrl();
  const r = await runBot(
    [
      '/csirt org set nisc',
      '/csirt org set nisc ja="国家サイバー統括室" en="National Cybersecurity Office"',
      '/csirt org set nisc ja="新名称" en=""',
      '/csirt org set nosuch ja="x"',
      `/csirt org set nisc ja="${'長'.repeat(201)}"`,
      '/csirt org show nisc',
      '',
    ].join('\n'),
    { DATABASE_URL },
  );
  assert.match(r.stdout, /変更する項目を指定してください（channel=、ja=、en=、short=、email= のいずれか）/);
  assert.match(r.stdout, /組織 nisc の名称は既にそのとおりです/);
  assert.match(r.stdout, /組織「nosuch」は登録されていません/);
  assert.match(r.stdout, /国家サイバー統括室 \/ National Cybersecurity Office \(nisc\)/);
  assert.doesNotMatch(r.stdout, /新名称|長長長長長長長長長長 \//);
  const poc = await runBot('/csirt org set maff ja="農林水産庁"\n', { DATABASE_URL, CONSOLE_USER: 'tanaka' });
  assert.match(poc.stdout, /権限がありません/);
});

test('a database from before July 2025 gets the new names on start, once; names an admin chose are kept', async () => {
  const db = await testDb();
  try {
    const first = await testApp({ url: db.url });
    const p = first.app.db.prisma;
    // as a database seeded before the reorganisation, and before 人事院 and カジノ管理委員会 were listed
    // (short names as the org_names_channels migration gave the record: ["ニスク"])
    await p.organization.update({
      where: { code: 'nisc' },
      data: { nameJa: FORMER.ja, nameEn: FORMER.en, shortNames: '["ニスク"]' },
    });
    await p.organization.deleteMany({ where: { code: { in: ['jinji', 'jcrc'] } } });
    await p.organization.update({ where: { code: 'mof' }, data: { nameJa: '財務省（試験）' } });
    await first.app.close();

    const second = await testApp({ url: db.url });
    const q = second.app.db.prisma;
    const nisc = await q.organization.findUniqueOrThrow({ where: { code: 'nisc' } });
    assert.deepEqual([nisc.nameJa, nisc.nameEn], ['国家サイバー統括室', 'National Cybersecurity Office']);
    // the shipped short names join the record's: NCO first, the abbreviation messages print
    assert.deepEqual(JSON.parse(nisc.shortNames).slice(0, 3), ['NCO', 'NISC', 'ニスク']);
    assert.equal(JSON.parse(nisc.shortNames).filter((s: string) => s === 'ニスク').length, 1);
    assert.equal((await q.organization.findUniqueOrThrow({ where: { code: 'mof' } })).nameJa, '財務省（試験）');
    assert.deepEqual(
      (await q.organization.findMany({ where: { code: { in: ['jinji', 'jcrc'] } }, orderBy: { code: 'asc' } })).map(
        (o) => o.nameJa,
      ),
      ['カジノ管理委員会', '人事院'],
    );
    const renames = await q.auditRecord.findMany({ where: { action: 'org.rename' } });
    assert.equal(renames.length, 1);
    assert.match(renames[0]?.data ?? '', /"via":"directory"/);
    assert.equal(await q.auditRecord.count({ where: { action: 'directory.add' } }), 1);
    assert.match(
      await second.say('console:admin', 'org show nisc'),
      /国家サイバー統括室 \/ National Cybersecurity Office/,
    );
    await second.app.close();

    const third = await testApp({ url: db.url });
    assert.equal(
      await third.app.db.prisma.auditRecord.count({ where: { action: { in: ['org.rename', 'directory.add'] } } }),
      2,
    );
    await third.app.close();
  } finally {
    await db.drop();
  }
});
