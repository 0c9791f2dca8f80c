/**
 * Issue 18: a source's handling marks raised between approval and delivery. Approval refuses an
 * advisory marked less strictly than a source (機密性, 取扱制限); the dispatcher's pre-send guard
 * must apply the same rule (src/domain/handling.ts `marksBelowSources`) to each copy, as it does a
 * `share`/TLP change: no copy goes out, the advisory goes back to the consent step, the source is
 * asked again and the drafter is told why.
 *
 * Staged as it happens: the approval commits its copies, and before the dispatcher sends them
 * the source raises its report's marks with `incident update` (the drain after that command is
 * the dispatcher's first look at the copies). Before the guard re-checked marks, both copies
 * were delivered under the advisory's lower marks.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { consoleRefs } from '../../src/adapters/console/refs.ts';
import { replyToText } from '../../src/core/reply.ts';
import { P, registerAdvisoryPeople, reportIncident } from '../helpers/advisory-fixtures.ts';
import { PROVIDER, type TestApp, testApp } from '../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
  await registerAdvisoryPeople(t);
});
afterAll(() => t.close());

const idOf = (text: string) => /ADV-\d{4}-\d{4}/.exec(text)?.[0] as string;

/**
 * Drafted from a new maff report (機密性2, 複製禁止), consented and approved; `between` runs as the
 * source (`incident update …`) after the approval committed and before the dispatcher's guard
 * looks at the first copy: the guard is wrapped for that one call, so the order is the same on
 * both providers (the approval's commit kicks the dispatcher at once).
 */
async function approveWithChangeBeforeSend(
  n: number,
  between: (inc: string) => string,
): Promise<{ id: string; inc: string }> {
  const inc = await reportIncident(t, P.poc, 'attributed', `marks race ${n}`);
  assert.equal((await t.run(P.poc, `incident update ${inc} confidentiality=2 handling=no-copy`)).status, 'ok');
  const id = idOf(
    await t.say(
      P.coordinator,
      `advisory draft title="標識${n}" body="添付ファイルに注意してください。" severity=high tlp=amber audience=mof,mlit sources=${inc}`,
    ),
  );
  assert.match(await t.say(P.coordinator, `advisory submit ${id}`), /提出しました/);
  assert.match(await t.say(P.poc, `advisory consent ${id} yes`), /承認待ち/);
  const svc = t.app.services.advisories;
  const guard = svc.preSend;
  // one change, made by the first copy's guard call; copies checked at once (PostgreSQL sends
  // the two channels in parallel) all wait for it
  let change: Promise<string> | null = null;
  svc.preSend = async (d) => {
    if (d.refType === 'advisory' && d.refId === id) {
      change ??= t.app.router
        .handle({ platform: 'console', identity: P.poc, text: between(inc), channelId: null, refs: consoleRefs })
        .then((o) => `${o.status}: ${replyToText(o.reply)}`);
      await change;
    }
    return guard.call(svc, d);
  };
  try {
    const o = await t.run(P.approver, `advisory approve ${id}`);
    assert.equal(o.status, 'ok', replyToText(o.reply));
    await t.app.dispatcher.drain();
  } finally {
    svc.preSend = guard;
  }
  assert.match((await change) ?? 'the guard was never asked', /^ok: /);
  return { id, inc };
}

const copiesSent = (id: string) => [...t.platform.in('mof'), ...t.platform.in('mlit')].filter((x) => x.includes(id));

for (const [what, update, why] of [
  ['confidentiality raised', 'confidentiality=3', /の機密性が機密性3に引き上げられました/],
  ['a new 取扱制限', 'handling="no-copy,暗号化必須"', /に取扱制限（暗号化必須）が付されました/],
] as const) {
  test(`${what} after approval, before delivery (${PROVIDER}): no copy, back to consent, drafter told why`, async () => {
    const asked = t.platform.in('@maff-poc').length;
    const { id, inc } = await approveWithChangeBeforeSend(what.length, (i) => `incident update ${i} ${update}`);

    assert.deepEqual(copiesSent(id), [], 'no copy delivered');
    const copies = await t.app.db.prisma.delivery.findMany({ where: { refType: 'advisory', refId: id } });
    assert.ok(
      copies.every((c) => c.status === 'failed' && c.error?.startsWith('refused (sharing)')),
      JSON.stringify(copies),
    );
    const after = await t.app.db.prisma.advisory.findUniqueOrThrow({ where: { id } });
    assert.equal(after.status, 'consent');
    assert.equal(after.version, 2, 'one version more');
    const told = t.platform.in('@nisc-coord').filter((x) => x.includes(id) && x.includes('同意の確認に戻しました'));
    assert.equal(told.length, 1, 'the drafter is told once');
    assert.match(told[0] as string, new RegExp(`${inc}`));
    assert.match(told[0] as string, why);
    // the source is asked again, for the new version (the first request, then this one)
    assert.equal(t.platform.in('@maff-poc').length, asked + 2);
    assert.match(t.platform.in('@maff-poc').at(-1) as string, new RegExp(`同意のお願い.*${id}`));
    const audit = await t.app.db.prisma.auditRecord.findFirst({ where: { action: 'advisory.reconsent', subject: id } });
    assert.match(audit?.data ?? '', /above the advisory's|not on the advisory/);
  });
}

test(`marks unchanged (${PROVIDER}): the same staging delivers both copies`, async () => {
  // a change that does not raise the marks (機密性 lowered to 1) lets the copies go
  const { id } = await approveWithChangeBeforeSend(99, (i) => `incident update ${i} confidentiality=1`);
  assert.equal(copiesSent(id).length, 2);
  assert.equal((await t.app.db.prisma.advisory.findUniqueOrThrow({ where: { id } })).status, 'sent');
});
