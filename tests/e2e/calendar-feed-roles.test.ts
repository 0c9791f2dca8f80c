/**
 * Issue 15, item 4: calendar feeds are per person and stop working when that person's roles go
 * (through the real HTTP route, GET /calendar/<token>.ics, and the URL `meeting list` shows).
 * On the main of 2026-11-26 the feed was the organisation's, and a removed PoC's URL kept
 * working.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { type TestApp, testApp } from '../helpers/app.ts';
import { COORD_ORG } from '../helpers/coordinating.ts';

let t: TestApp;
let base: string;

beforeAll(async () => {
  t = await testApp({ now: '2026-11-25T01:00:00Z', env: { PUBLIC_URL: 'https://csirt.example.go.jp' } });
  for (const cmd of [
    `poc add console:kato org=${COORD_ORG} role=coordinator`,
    'poc add console:sato org=maff role=poc primary=yes',
    'poc add console:sasaki org=maff role=poc deputy=yes',
  ])
    assert.equal((await t.run('console:admin', cmd)).status, 'ok', cmd);
  await t.run('console:kato', 'meeting schedule title=窓口担当者会議 start="2027-01-12 10:00" invite=maff');
  base = `http://127.0.0.1:${await t.app.http.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  await t.app.http.close();
  await t.close();
});

const feedPath = async (who: string) => {
  const m = /https:\/\/csirt\.example\.go\.jp(\/calendar\/[A-Za-z0-9_-]+\.ics)/.exec(await t.say(who, 'meeting list'));
  assert.ok(m, `${who} is shown a feed URL`);
  return m[1] as string;
};

test('each person has their own feed; it stops for good when their roles are removed', async () => {
  const sato = await feedPath('console:sato');
  const sasaki = await feedPath('console:sasaki');
  const ok = await fetch(`${base}${sato}`);
  assert.equal(ok.status, 200);
  assert.match(await ok.text(), /窓口担当者会議/);
  const bad = await fetch(`${base}/calendar/not-a-token-at-all-0000.ics`);
  const badBody = await bad.text();

  assert.equal((await t.run('console:admin', 'poc remove console:sato')).status, 'ok');
  const gone = await fetch(`${base}${sato}`);
  assert.equal(gone.status, 404, 'the feed stops with the last role');
  assert.equal(await gone.text(), badBody, 'exactly like a token that never existed');
  assert.equal((await fetch(`${base}${sasaki}`)).status, 200, "a colleague's feed is untouched");
  assert.notEqual(sato, sasaki, 'one feed per person, not per organisation');
  assert.equal((await t.run('console:sato', 'meeting list')).status, 'denied', 'and no URL is shown any more');

  // given a role again, the person gets a new feed; the old URL stays dead
  assert.equal((await t.run('console:admin', 'poc add console:sato org=maff role=ciso')).status, 'ok');
  const again = await feedPath('console:sato');
  assert.notEqual(again, sato);
  assert.equal((await fetch(`${base}${again}`)).status, 200);
  assert.equal((await fetch(`${base}${sato}`)).status, 404);
});

test('removing one role of several keeps the feed', async () => {
  assert.equal((await t.run('console:admin', 'poc add console:sasaki org=maff role=ciso')).status, 'ok');
  const before = await feedPath('console:sasaki');
  assert.equal((await t.run('console:admin', 'poc remove console:sasaki role=ciso')).status, 'ok');
  assert.equal(await feedPath('console:sasaki'), before);
  assert.equal((await fetch(`${base}${before}`)).status, 200);
});
