/**
 * Approval requests go first to the duty officer (当番者) as a direct message, then (as before)
 * to the coordinating office's channel: through the console entry. The attacks: the drafter on
 * duty (four eyes: never their own request), the approver role removed after `duty set`
 * (no message), nobody on duty (the channel only).
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { P, registerAdvisoryPeople } from '../helpers/advisory-fixtures.ts';
import { type TestApp, testApp } from '../helpers/app.ts';

const START = '2026-12-03T01:00:00Z'; // Thu 3 Dec 2026 10:00 JST

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: START });
  await registerAdvisoryPeople(t);
}, 120_000);
afterAll(() => t.close());

const dmsTo = (who: string) =>
  t.platform.posts.filter((p) => p.kind === 'dm' && p.channel === `@${who.slice('console:'.length)}`);
const prompts = (id: string) =>
  t.platform.posts.filter((p) => p.channel === 'nisc' && p.text.includes(`${id} の承認をお願いします`));

async function submitted(drafter: string): Promise<string> {
  const d = await t.say(drafter, 'advisory draft title="t" body="b" severity=low tlp=clear audience=mlit');
  const id = /ADV-\d{4}-\d{4}/.exec(d)?.[0];
  assert.ok(id, d);
  const s = await t.run(drafter, `advisory submit ${id}`);
  assert.equal(s.status, 'ok');
  return id;
}

test('nobody on duty: the approval request goes to the channel only', async () => {
  const id = await submitted(P.coordinator);
  assert.equal(prompts(id).length, 1);
  assert.equal(dmsTo(P.approver).length, 0);
});

test('the duty officer gets the approval request as a direct message, and the channel still does', async () => {
  assert.equal((await t.run(P.coordinator, `duty set 木 ${P.approver}`)).status, 'ok');
  const id = await submitted(P.coordinator);
  const dm = dmsTo(P.approver).filter((p) => p.text.includes(id));
  assert.equal(dm.length, 1);
  assert.match(dm[0]?.text ?? '', new RegExp(`${id} の承認をお願いします`));
  assert.equal(prompts(id).length, 1);
});

test('four eyes: the drafter on duty never gets their own approval request', async () => {
  assert.equal((await t.run(P.coordinator, `duty swap 2026-12-03 ${P.both}`)).status, 'ok');
  const id = await submitted(P.both);
  assert.equal(dmsTo(P.both).filter((p) => p.text.includes(id)).length, 0);
  assert.equal(prompts(id).length, 1);
  // someone else's draft does reach them
  const other = await submitted(P.coordinator);
  assert.equal(dmsTo(P.both).filter((p) => p.text.includes(other)).length, 1);
});

test('the approver role removed after duty set: no direct message', async () => {
  assert.equal((await t.run(P.coordinator, `duty swap 2026-12-03 ${P.approver}`)).status, 'ok');
  await t.run(P.admin, `poc remove ${P.approver} role=approver`);
  const before = dmsTo(P.approver).length;
  const id = await submitted(P.coordinator);
  assert.equal(dmsTo(P.approver).length, before);
  assert.equal(prompts(id).length, 1);
});
