/**
 * One date style per reader (issue 18): 和暦 by default, 西暦 for a deployment with
 * BOT_CALENDAR=seireki, and each person's own choice with `/csirt lang ja wareki|seireki`
 * (和暦/西暦 typed in Japanese too). Channel posts follow the deployment; replies the person.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { testApp } from '../helpers/app.ts';

const ADMIN = 'console:admin';
const NISC = 'console:kato';
const MAFF = 'console:sato';

async function setUp(env: Record<string, string> = {}) {
  const t = await testApp({ now: '2026-11-25T01:00:00Z', env });
  await t.run(ADMIN, 'poc add console:kato org=nisc role=coordinator');
  await t.run(ADMIN, 'poc add console:sato org=maff role=poc primary=yes');
  await t.run(NISC, 'meeting schedule title=定例 start="2027-01-12 10:00" invite=maff');
  return t;
}

test('和暦 by default in replies and posts; a person switches to 西暦 and back; nothing else changes', async () => {
  const t = await setUp();
  try {
    assert.match(await t.say(MAFF, 'meeting list'), /令和9年1月12日\(火\) 10:00（日本時間）/);
    assert.ok(t.platform.in('maff').some((p) => /開催日時: 令和9年1月12日\(火\) 10:00（日本時間）/.test(p)));

    const set = await t.say(MAFF, 'lang ja seireki');
    assert.match(set, /日付は西暦で表示します（例: 2026年11月25日\(水\)）。/);
    assert.match(await t.say(MAFF, 'meeting list'), /2027年1月12日\(火\) 10:00（日本時間）/);
    // another person is not affected
    assert.match(await t.say(NISC, 'meeting list'), /令和9年1月12日\(火\)/);

    assert.match(await t.say(MAFF, 'lang ja 和暦'), /日付は和暦で表示します（例: 令和8年11月25日\(水\)）。/);
    assert.match(await t.say(MAFF, 'meeting list'), /令和9年1月12日\(火\)/);

    // English ignores the calendar: always Tue 12 Jan 2027 10:00 JST
    await t.run(MAFF, 'lang en wareki');
    assert.match(await t.say(MAFF, 'meeting list'), /Tue 12 Jan 2027 10:00 JST/);

    // a bad calendar is a clear error that writes nothing
    await t.run(MAFF, 'lang ja');
    const audits = await t.auditCount();
    assert.match(await t.say(MAFF, 'lang ja koyomi'), /和暦（wareki）または 西暦（seireki）/);
    assert.equal(await t.auditCount(), audits);
  } finally {
    await t.close();
  }
});

test('BOT_CALENDAR=seireki: posts and replies in 西暦 unless a person chose 和暦', async () => {
  const t = await setUp({ BOT_CALENDAR: 'seireki' });
  try {
    assert.ok(t.platform.in('maff').some((p) => /開催日時: 2027年1月12日\(火\) 10:00（日本時間）/.test(p)));
    assert.match(await t.say(MAFF, 'meeting list'), /2027年1月12日\(火\)/);
    await t.run(MAFF, 'lang ja wareki');
    assert.match(await t.say(MAFF, 'meeting list'), /令和9年1月12日\(火\)/);
  } finally {
    await t.close();
  }
});
