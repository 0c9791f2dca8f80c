/**
 * Issue 15 item 3: a source consents to the exact final text. When that text changes after the
 * request by a path that does not ask again — here an organisation's Japanese name edited in the
 * database (the name is printed as the source), and the body edited by hand — an answer records
 * nothing: the advisory goes back to the consent step in a new version and the source is asked
 * again with the text as it is now. Before the fix the answer was recorded against a text the
 * source had never been shown, and the advisory went on to approval.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { replyToText } from '../../src/core/reply.ts';
import { P, registerAdvisoryPeople, reportIncident } from '../helpers/advisory-fixtures.ts';
import { type TestApp, testApp } from '../helpers/app.ts';

let t: TestApp;
let inc: string;

beforeAll(async () => {
  t = await testApp();
  await registerAdvisoryPeople(t);
  inc = await reportIncident(t, P.poc, 'attributed');
});
afterAll(async () => {
  await t.close();
});

/** Drafts and submits an advisory from `inc`; returns its id. */
async function submitted(title: string): Promise<string> {
  const o = await t.run(
    P.coordinator,
    `advisory draft title="${title}" body="添付ファイルに注意してください。" severity=high tlp=amber audience=mlit sources=${inc}`,
  );
  const id = /ADV-\d{4}-\d{4}/.exec(replyToText(o.reply))?.[0] as string;
  assert.equal((await t.run(P.coordinator, `advisory submit ${id}`)).status, 'ok');
  return id;
}

async function row(id: string) {
  const p = t.app.db.prisma;
  const a = await p.advisory.findUniqueOrThrow({ where: { id } });
  const s = await p.advisorySource.findUniqueOrThrow({
    where: { advisoryId_incidentId: { advisoryId: id, incidentId: inc } },
  });
  return { status: a.status, version: a.version, consent: s.consent };
}

/** The consent requests sent to maff's PoC about `id`, oldest first. */
const requests = (id: string) =>
  t.platform.posts.filter((p) => p.channel === '@maff-poc' && p.text.includes(`同意のお願い（注意喚起 ${id}）`));

test('the source organisation renamed after the request: the answer records nothing and the source is asked again', async () => {
  const id = await submitted('改名の確認');
  await t.app.dispatcher.drain();
  assert.equal(requests(id).length, 1);
  assert.match(requests(id)[0]?.text ?? '', /農林水産省/);
  // the name every recipient would read as the source, changed behind the services' back
  await t.app.db.prisma.organization.update({ where: { code: 'maff' }, data: { nameJa: '農林水産省（新）' } });

  const o = await t.run(P.poc, `advisory consent ${id} yes`);
  assert.equal(o.status, 'ok');
  assert.match(
    replyToText(o.reply),
    /内容または報告の共有可否・TLP が変わっていました（配信される内容が同意の後に変わりました）。ご回答は記録していません。/,
  );
  assert.deepEqual(await row(id), { status: 'consent', version: 2, consent: 'pending' });
  await t.app.dispatcher.drain();
  assert.equal(requests(id).length, 2, 'asked again');
  assert.match(requests(id)[1]?.text ?? '', /農林水産省（新）/, 'with the text as it is now');

  // the answer to the new request is recorded, and the advisory moves on
  const again = await t.run(P.poc, `advisory consent ${id} yes version=2`);
  assert.equal(again.status, 'ok', replyToText(again.reply));
  assert.deepEqual(await row(id), { status: 'review', version: 2, consent: 'given' });
  await t.app.db.prisma.organization.update({ where: { code: 'maff' }, data: { nameJa: '農林水産省' } });
});

test('the body edited by hand after the consent: approval sends it back instead of sending it', async () => {
  const id = await submitted('本文の確認');
  assert.equal((await t.run(P.poc, `advisory consent ${id} yes`)).status, 'ok');
  assert.equal((await row(id)).status, 'review');
  await t.app.db.prisma.advisory.update({ where: { id }, data: { body: '書き換えられた本文' } });

  const o = await t.run(P.approver, `advisory approve ${id}`);
  assert.equal(o.status, 'ok');
  assert.match(replyToText(o.reply), /承認できませんでした。.*配信される内容が同意の後に変わりました/);
  assert.deepEqual(await row(id), { status: 'consent', version: 2, consent: 'pending' });
  await t.app.dispatcher.drain();
  assert.match(requests(id).at(-1)?.text ?? '', /書き換えられた本文/, 'the source is shown the text as it is now');
  assert.equal(
    t.platform.posts.filter((p) => p.channel === 'mlit' && p.text.includes(id)).length,
    0,
    'nothing reached the audience',
  );
});
