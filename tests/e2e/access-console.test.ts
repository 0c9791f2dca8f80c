/**
 * Issue 15, items 4 and 7, through the real entry (`npm start` on the console, one process per
 * person and phase, one database): access follows the roles a person holds now, "not yours"
 * reads exactly like "not found", and the small directory answers. Each subtest is one example
 * of the issue (or another of its kind); every one of them failed on the main of 2026-11-26.
 */
import assert from 'node:assert/strict';
import { beforeAll, test } from 'vitest';
import { fiscalYearOf } from '../../src/domain/fiscal-year.ts';
import { freshDbUrl } from '../helpers/console.ts';
import { runConsoleApp as runBot } from '../helpers/console-app.ts';
import { COORD_ORG } from '../helpers/coordinating.ts';

const fy = fiscalYearOf(new Date());
const ADV1 = `ADV-${fy}-0001`;
const ADV2 = `ADV-${fy}-0002`;
const MISSING = `ADV-${fy}-0099`;
const out = {
  admin: '',
  leaverBefore: '',
  coord: '',
  duty: '',
  leaverMeeting: '',
  remove: '',
  leaver: '',
  mof: '',
  maff: '',
  coordShow: '',
};

async function as(user: string, lines: string[], url: string): Promise<string> {
  const r = await runBot(`${lines.join('\n')}\n`, {
    DATABASE_URL: url,
    CONSOLE_USER: user,
    BOT_ADMINS: 'console:admin',
  });
  assert.ok(r.code === 0 || r.code === 1, `${user}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

beforeAll(async () => {
  const url = await freshDbUrl();
  out.admin = await as(
    'admin',
    [
      `poc add console:coord org=${COORD_ORG} role=coordinator`,
      `poc add console:duty org=${COORD_ORG} role=approver`,
      'poc add console:maff-poc org=maff role=poc primary=yes',
      'poc add console:maff-new org=maff role=poc primary=yes',
      'poc add console:leaver org=maff role=poc,ciso',
      'poc add console:mof-poc org=mof role=poc primary=yes',
      'poc add console:dup org=mof role=poc,poc',
      'poc add console:outsider org=maff role=coordinator',
      'poc add console:outsider2 org=mof role=poc,approver',
    ],
    url,
  );
  out.leaverBefore = await as(
    'leaver',
    [
      'report category=malware summary="LEAVER-MARK 不審な通信" severity=high',
      'system add name="LEAVER-SYSTEM 会計システム" confidentiality=3 exposure=internet',
    ],
    url,
  );
  out.coord = await as(
    'coord',
    [
      'meeting schedule title="MEETING-MARK 窓口担当者会議" start="2027-05-12 10:00" invite=maff',
      'advisory draft title="BODY-TITLE 注意" body="BODY-MARK 本文" severity=high tlp=amber audience=maff',
      `advisory submit ${ADV1}`,
      'advisory draft title="取り下げる起案" body="本文" severity=low tlp=green audience=all',
      `advisory withdraw ${ADV2}`,
      `advisory status ${ADV2}`,
    ],
    url,
  );
  out.duty = await as('duty', [`advisory approve ${ADV1}`], url);
  out.leaverMeeting = await as('leaver', ['meeting list'], url);
  out.remove = await as('admin', ['poc remove console:leaver'], url);
  out.leaver = await as(
    'leaver',
    [
      `advisory status ${ADV1}`,
      'meeting list',
      'system list',
      'org show maff',
      'org list',
      'csirt status',
      'poc list',
      'check catalog',
      'check campaign list',
      'incident list',
      'help',
      'lang en',
    ],
    url,
  );
  out.mof = await as(
    'mof-poc',
    [
      'org show maff',
      `advisory consent ${ADV1} yes`,
      `advisory consent ${MISSING} yes`,
      `advisory status ${ADV1}`,
      `advisory status ${MISSING}`,
      `advisory ack ${ADV1}`,
      `advisory ack ${MISSING}`,
    ],
    url,
  );
  out.maff = await as('maff-new', ['org show maff', 'org show mof'], url);
  out.coordShow = await as('coord', ['org show maff'], url);
});

test('a person whose roles were all removed sees nothing of any organisation: help and lang only', () => {
  const lines = out.leaver.split('\n');
  for (const mark of ['BODY-MARK', 'BODY-TITLE', 'MEETING-MARK', 'LEAVER-SYSTEM', 'LEAVER-MARK', '/calendar/']) {
    assert.doesNotMatch(out.leaver, new RegExp(mark), `${mark} must not reach the leaver:\n${out.leaver}`);
  }
  // ten commands refused, each with the one "not allowed" answer; help lists help and lang only
  assert.equal(lines.filter((l) => /を実行する権限がありません/.test(l)).length, 10, out.leaver);
  assert.match(out.leaver, /\/csirt help\s/);
  assert.match(out.leaver, /\/csirt lang\s/);
  // the help lists no other command (the refusals above name the command they refuse: 「/csirt org show」)
  const help = lines.filter((l) => !/を実行する権限がありません/.test(l)).join('\n');
  assert.doesNotMatch(help, /\/csirt (report|incident|advisory|meeting|org|poc|system|check|csirt) /);
  assert.doesNotMatch(out.leaver, /console:maff-poc|console:maff-new|console:mof-poc/, 'no people either');
  // before the removal the same person saw the meeting (the model works on both sides)
  assert.match(out.leaverMeeting, /MEETING-MARK/);
});

test('the coordinating roles are refused to people of other organisations, nothing written', () => {
  assert.match(out.admin, /console:outsider.*coordinator.*付与できません/);
  assert.match(out.admin, /console:outsider2.*approver.*付与できません/);
  assert.doesNotMatch(out.admin, /console:outsider を maff の担当者として登録/);
  assert.doesNotMatch(out.admin, /console:outsider2 を mof の担当者として登録/);
  assert.doesNotMatch(out.coordShow, /outsider/, 'neither outsider was registered');
});

test('org show lists people only to those who may see them', () => {
  const [maffByMof] = out.mof.split(/\n(?=注意喚起)/);
  assert.match(maffByMof ?? '', /農林水産省/, 'the organisation itself is public');
  assert.doesNotMatch(maffByMof ?? '', /console:\w|担当者:/, `mof's PoC is not shown maff's people:\n${maffByMof}`);
  // one person a line under 担当者, up to the next organisation
  const maffOwn = out.maff.slice(out.maff.indexOf('■ 農林水産省'), out.maff.indexOf('■ 財務省'));
  assert.match(maffOwn, /担当者: (.+\n)*console:maff-new \(poc:primary\)/, "maff's own PoC sees maff's people");
  assert.doesNotMatch(out.maff.slice(out.maff.indexOf('財務省')), /console:mof-poc/, "but not mof's");
  assert.match(out.coordShow, /console:maff-new \(poc:primary\)/, 'the coordinating organisation sees everyone');
});

test('"not yours" reads exactly like "not found": consent, status and ack of an advisory addressed to others', () => {
  const lines = out.mof
    .split('\n')
    .filter((l) => l.includes(ADV1) || l.includes(MISSING))
    .map((l) => l.replace(ADV1, '<id>').replace(MISSING, '<id>'));
  assert.equal(lines.length, 6, out.mof);
  for (let i = 0; i < 6; i += 2) assert.equal(lines[i], lines[i + 1], `answer ${i / 2 + 1} differs:\n${out.mof}`);
  assert.match(lines[0] ?? '', /見つかりません/);
});

test('poc add role=poc,poc is a clear user error that writes nothing', () => {
  assert.doesNotMatch(out.admin, /照会番号/, 'not an internal error');
  assert.match(out.admin, /役割 poc が重複して指定されています/);
  assert.doesNotMatch(out.admin, /console:dup を mof の担当者として登録/);
  assert.doesNotMatch(out.coordShow, /console:dup/);
});

test('primary=yes that moves the primary from someone else says so', () => {
  assert.match(out.admin, /maff の窓口担当（正）を console:maff-poc から console:maff-new に変更しました/);
});

test('a withdrawn draft does not say where it will be delivered', () => {
  const status = out.coord.slice(out.coord.lastIndexOf('取り下げる起案'));
  assert.match(status, /状態: 取下げ/);
  assert.doesNotMatch(status, /配信先（\d+ 件）/, status);
});
