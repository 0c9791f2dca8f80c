/**
 * Organisation-code aliases through the real entry (`npm start` on the console, stdin a script)
 * on the provider under test: `nco`, the shipped alias of `nisc`, names the coordinating office
 * in `org show`, a meeting's invitation, an advisory's audience and an incident filter, and
 * every reply prints the canonical code.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { freshDbUrl } from '../helpers/console.ts';
import { runConsoleApp as runBot } from '../helpers/console-app.ts';

test('console: org show nco, invite=nco,maff, audience=NCO, incident list org=ｎｃｏ', async () => {
  const DATABASE_URL = await freshDbUrl();
  const as = async (user: string, script: string, refused = false) => {
    const r = await runBot(script, { DATABASE_URL, CONSOLE_USER: user, BOT_ADMINS: 'console:admin' });
    assert.equal(r.code !== 0, refused, `${user}:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  const admin = await as(
    'admin',
    [
      'org show nco',
      'org list',
      'poc add console:office-coord org=NCO role=coordinator',
      'poc add console:maff-poc org=maff role=poc primary=yes',
    ].join('\n'),
  );
  const refused = await as('admin', 'org add nco ja="統括室" en="Cybersecurity Office"\n', true);
  assert.match(admin, /国家サイバー統括室 \/ National Cybersecurity Office \(nisc\)/);
  assert.match(admin, /組織コードの別名: nco/);
  assert.match(admin, /nisc（別名: nco）/);
  assert.match(admin, /console:office-coord を nisc の担当者として登録/);
  assert.match(refused, /組織コード「nco」は、組織 nisc の組織コードの別名として使われているため登録できません/);
  assert.doesNotMatch(admin, /登録されていません/);

  await as('maff-poc', 'report category=targeted-email summary="農水省の端末" severity=low\n');
  const coord = await as(
    'office-coord',
    [
      'report category=malware summary="統括室の端末" severity=low org=ｎｃｏ',
      'meeting schedule title="別名の会議" start="2027-05-12 10:00" invite=nco,maff',
      'advisory draft title="別名の配信先" body="本文" severity=low tlp=green audience=NCO,maff',
      'incident list org=n\u200bco',
    ].join('\n'),
  );
  assert.doesNotMatch(coord, /登録されていません|not registered/);
  const meeting = /MTG-\d{4}-\d{4}/.exec(coord)?.[0];
  const advisory = /ADV-\d{4}-\d{4}/.exec(coord)?.[0];
  assert.ok(meeting && advisory, coord);
  // the list filtered by the alias has the office's incident and not maff's
  const list = coord.slice(coord.lastIndexOf('INC-') - 2000);
  assert.match(list, /統括室の端末/);
  assert.doesNotMatch(list, /農水省の端末/);

  const shown = await as('office-coord', `meeting list\nadvisory status ${advisory}\n`);
  assert.match(shown, new RegExp(`${meeting}[^\n]*別名の会議`), shown);
  assert.match(shown, /nisc +国家サイバー統括室 +未回答\nmaff +農林水産省 +未回答/, shown);
  assert.match(shown, /配信先（2 件）:\n国家サイバー統括室 \(nisc\): console #nisc\n農林水産省 \(maff\)/, shown);
  assert.doesNotMatch(shown, /\bnco\b/, shown);
  // the office's own people see the meeting (it invites nisc) and maff's PoC sees it too
  assert.match(await as('maff-poc', 'meeting list\n'), new RegExp(meeting));
}, 120_000);
