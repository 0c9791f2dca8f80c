/**
 * Issue 15 item 4: another organisation's people are named only to those who may see them —
 * the coordinating roles (admin, coordinator, approver) and the organisation's own people
 * (`seesPeopleOf`, src/domain/sharing.ts) — in every command that names them, not only in
 * `org show`: `csirt status` (the primary and deputy) and `meeting list` (who answered). A
 * person of the coordinating organisation holding only `poc` or `ciso` is no exception (before
 * this test, `org show` hid maff's PoC from them while `csirt status` and `meeting list` named
 * it: two rules, one in the domain and one written in each service).
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { fiscalYearOf } from '../../src/domain/fiscal-year.ts';
import { type TestApp, testApp } from '../helpers/app.ts';
import { COORD_ORG } from '../helpers/coordinating.ts';

const NOW = '2026-11-25T01:00:00Z';
const MTG = `MTG-${fiscalYearOf(new Date(NOW))}-0001`;
const MAFF = 'console:maff-poc';
let t: TestApp;

beforeAll(async () => {
  t = await testApp({ now: NOW });
  for (const line of [
    `poc add ${MAFF} org=maff role=poc primary=yes`,
    'poc add console:maff-deputy org=maff role=poc',
    `poc add console:coord org=${COORD_ORG} role=coordinator`,
    `poc add console:coord-ciso org=${COORD_ORG} role=ciso`,
    `poc add console:coord-poc org=${COORD_ORG} role=poc`,
    'poc add console:mof-poc org=mof role=poc primary=yes',
  ])
    assert.equal((await t.run('console:admin', line)).status, 'ok', line);
  assert.equal(
    (await t.run('console:coord', 'meeting schedule title=会合 start="2027-01-12 10:00" invite=maff,mof')).status,
    'ok',
  );
  assert.equal((await t.run(MAFF, `meeting rsvp ${MTG} attend`)).status, 'ok');
  assert.equal((await t.run(MAFF, `csirt set primary=${MAFF} deputy=console:maff-deputy`)).status, 'ok');
});
afterAll(async () => {
  await t?.close();
});

const READS = ['org show maff', 'csirt status', 'meeting list'];

test("people of the coordinating organisation without a coordinating role are not told another organisation's people", async () => {
  for (const who of ['console:coord-ciso', 'console:coord-poc', 'console:mof-poc'])
    for (const read of READS) {
      const text = await t.say(who, read);
      assert.doesNotMatch(text, /console:maff-(poc|deputy)/, `${read} as ${who}:\n${text}`);
    }
  // what they may read is still there: the meeting and maff's answer, their own organisation's people
  const meetings = await t.say('console:coord-ciso', 'meeting list');
  assert.match(meetings, new RegExp(MTG));
  assert.match(meetings, /農林水産省\s+出席/);
  assert.match(await t.say('console:coord-ciso', `org show ${COORD_ORG}`), /console:coord-poc/);
});

test('the coordinating roles and the organisation itself are told who', async () => {
  for (const who of ['console:coord', MAFF, 'console:admin'])
    for (const read of READS) {
      const text = await t.say(who, read);
      assert.match(text, /console:maff-poc/, `${read} as ${who}:\n${text}`);
    }
});
