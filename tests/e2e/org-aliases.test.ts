/**
 * Organisation codes have aliases (issue 17 item 1): the coordinating office kept its code
 * `nisc` through its rename to 国家サイバー統括室 (NCO), and `nco` — the shipped alias in
 * data/directory.json — is read as `nisc` wherever a person types a code, however spelt; every
 * record and reply carries the canonical code. A code that is an alias cannot be registered.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { replyToText } from '../../src/core/reply.ts';
import { P, registerAdvisoryPeople } from '../helpers/advisory-fixtures.ts';
import { type TestApp, testApp } from '../helpers/app.ts';
import { tableCounts } from '../helpers/counts.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
  await registerAdvisoryPeople(t);
});
afterAll(async () => {
  await t.close();
});

const SPELLINGS = ['nco', 'NCO', 'ｎｃｏ', 'Ｎｃｏ', 'n\u200bco', '\u2060nco\ufeff', ' nco '];

test('org show: every spelling of the alias shows the coordinating office under its own code', async () => {
  for (const code of SPELLINGS) {
    const o = await t.run(P.admin, `org show "${code}"`);
    assert.equal(o.status, 'ok', JSON.stringify(code));
    const text = replyToText(o.reply);
    assert.match(text, /^■ 国家サイバー統括室 \/ National Cybersecurity Office \(nisc\)/, JSON.stringify(code));
    assert.match(text, /組織コードの別名: nco/);
  }
  // an unknown code is still refused with what was typed
  assert.match(await t.say(P.admin, 'org show ncoo'), /組織「ncoo」は登録されていません/);
});

test('org list shows the alias beside the code, in Japanese and in English', async () => {
  const ja = await t.say(P.admin, 'org list');
  assert.match(ja, /nisc（別名: nco）/);
  assert.doesNotMatch(ja, /maff（別名/);
  await t.run(P.coordinator, 'lang en');
  try {
    const en = await t.say(P.coordinator, 'org list');
    assert.match(en, /nisc \(alias: nco\)/);
    assert.match(await t.say(P.coordinator, 'org show NCO'), /Code aliases: nco/);
  } finally {
    await t.run(P.coordinator, 'lang ja');
  }
});

async function refusedWritingNothing(identity: string, cmd: string, re: RegExp): Promise<void> {
  const before = { audit: await t.auditCount(), tables: await tableCounts(t.app) };
  const o = await t.run(identity, cmd);
  assert.equal(o.status, 'user_error', cmd);
  assert.match(replyToText(o.reply), re, cmd);
  assert.equal(await t.auditCount(), before.audit, cmd);
  assert.deepEqual(await tableCounts(t.app), before.tables, cmd);
}

test('org add: a code that is another organisation’s alias is refused, naming the holder, nothing written', async () => {
  await refusedWritingNothing(
    P.admin,
    'org add nco ja="統括室" en="Cybersecurity Office"',
    /組織コード「nco」は、組織 nisc の組織コードの別名として使われているため登録できません/,
  );
  await refusedWritingNothing(
    P.admin,
    'org add NCO ja="統括室" en="Cybersecurity Office"',
    /組織 nisc の組織コードの別名/,
  );
  // typed in full-width letters or with an invisible character: the same alias, said as such
  // (it used to be refused as a malformed code, which hid why)
  for (const typed of ['ＮＣＯ', 'n\u200bco', 'ｎｃｏ'])
    await refusedWritingNothing(
      P.admin,
      `org add ${typed} ja="統括室" en="Cybersecurity Office"`,
      /組織コード「nco」は、組織 nisc の組織コードの別名/,
    );
  await t.run(P.admin, 'lang en');
  try {
    await refusedWritingNothing(
      P.admin,
      'org add nco ja="統括室" en="Cybersecurity Office"',
      /The code "nco" cannot be registered: it is an alias of the organisation code nisc/,
    );
  } finally {
    await t.run(P.admin, 'lang ja');
  }
});

test('org set, poc add: the alias names the organisation, the reply its code', async () => {
  assert.match(await t.say(P.admin, 'org set ＮＣＯ short="NCO,NISC"'), /組織 nisc の略称を設定しました: NCO、NISC/);
  const added = await t.say(P.admin, 'poc add console:nco-staff org=n\u200bco role=coordinator');
  assert.match(added, /console:nco-staff を nisc の担当者として登録/);
  const person = await t.app.db.prisma.person.findUnique({
    where: { identity: 'console:nco-staff' },
    include: { org: true },
  });
  assert.equal(person?.org?.code, 'nisc');
  const audit = await t.app.db.prisma.auditRecord.findFirst({
    where: { action: 'role.grant' },
    orderBy: { seq: 'desc' },
  });
  assert.equal(JSON.parse(audit?.data ?? '{}').org, 'nisc');
});

test('meeting invitations: invite=nco,maff invites nisc and maff (an alias and its code count once)', async () => {
  const o = await t.run(
    P.coordinator,
    'meeting schedule title="別名の会議" start="2027-05-12 10:00" invite=ｎｃｏ,maff,nisc',
  );
  assert.equal(o.status, 'ok', replyToText(o.reply));
  const id = /MTG-\d{4}-\d{4}/.exec(replyToText(o.reply))?.[0] as string;
  const shown = await t.say(P.coordinator, `meeting show ${id}`);
  assert.doesNotMatch(shown, /\bnco\b/);
  const m = await t.app.db.prisma.meeting.findUniqueOrThrow({ where: { id } });
  assert.deepEqual(m.invite.split(',').sort(), ['maff', 'nisc']);
});

test('advisory audience: audience=NCO,maff is the coordinating office and maff', async () => {
  const o = await t.run(
    P.coordinator,
    'advisory draft title="別名の配信先" body="本文" severity=low tlp=green audience=NCO,maff',
  );
  assert.equal(o.status, 'ok', replyToText(o.reply));
  const a = await t.app.db.prisma.advisory.findFirst({ where: { title: '別名の配信先' } });
  assert.ok(a);
  assert.deepEqual(a.audience.split(',').sort(), ['maff', 'nisc']);
});

test('incident list org=nco filters the coordinating office’s incidents', async () => {
  const r = await t.run(P.coordinator, 'report category=targeted-email summary="統括室の端末" severity=low org=ｎｃｏ');
  assert.equal(r.status, 'ok', replyToText(r.reply));
  const id = /INC-\d{4}-\d{4}/.exec(replyToText(r.reply))?.[0] as string;
  const inc = await t.app.db.prisma.incident.findUniqueOrThrow({ where: { id } });
  const org = await t.app.db.prisma.organization.findUniqueOrThrow({ where: { id: inc.orgId } });
  assert.equal(org.code, 'nisc');
  await t.run(P.poc, 'report category=targeted-email summary="農水省の端末" severity=low');
  for (const code of ['nco', 'NCO', 'n\u200bco']) {
    const list = await t.say(P.coordinator, `incident list org="${code}"`);
    assert.match(list, new RegExp(id), code);
    assert.doesNotMatch(list, /農水省の端末/, code);
  }
});

test('inspections: a campaign for audience=ＮＣＯ,maff, and check status org=nco', async () => {
  const o = await t.run(P.coordinator, 'check campaign open due=2027-03-19 audience=ＮＣＯ,maff');
  assert.equal(o.status, 'ok', replyToText(o.reply));
  const id = /CMP-\d{4}-\d{4}/.exec(replyToText(o.reply))?.[0] as string;
  const c = await t.app.db.prisma.campaign.findUniqueOrThrow({ where: { id } });
  assert.deepEqual(c.audience.split(',').sort(), ['maff', 'nisc']);
  const status = await t.say(P.coordinator, 'check status org=nco');
  assert.match(status, new RegExp(id));
  assert.doesNotMatch(status, /\bnco\b/);
});

test('a database holding an organisation whose code is a shipped alias refuses to start (the directory is not loaded)', async () => {
  const nco = await t.app.db.prisma.organization.create({
    data: { code: 'nco', nameJa: '仮の組織', nameEn: 'Some office' },
  });
  try {
    await assert.rejects(
      t.app.services.directory.bootstrap([]),
      /data\/directory\.json: alias "nco" of nisc is the code of a registered organisation/,
    );
  } finally {
    await t.app.db.prisma.organization.delete({ where: { id: nco.id } });
  }
  await t.app.services.directory.bootstrap([]);
});
