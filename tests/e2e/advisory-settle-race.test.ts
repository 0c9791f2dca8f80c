/**
 * Issue 15, the race left open when the sharing rules landed: two copies of one advisory settle
 * at the same moment in two transactions (two dispatchers, or one with a pool on PostgreSQL).
 * One copy was refused because its source withdrew consent (share=none); the other was delivered.
 * Whatever the order, the advisory goes back to the consent step exactly once: one
 * `advisory.reconsent` record, one version more, never `sent` with the refusal unanswered.
 *
 * Before the fix both settle hooks read the advisory as `approved` before either wrote, and both
 * sent it back to consent: two reconsent records and two notices on PostgreSQL (a hook that read
 * before the refusal was committed could also call it sent). The fix locks the advisory's row
 * first in every transaction that moves its status, and the settle hook decides "back to
 * consent" or "sent" in that one locked transaction.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { replyToText } from '../../src/core/reply.ts';
import { SHARING_REFUSED } from '../../src/services/advisory-guard.ts';
import { P, registerAdvisoryPeople, reportIncident } from '../helpers/advisory-fixtures.ts';
import { PROVIDER, type TestApp, testApp } from '../helpers/app.ts';

let t: TestApp;

beforeAll(async () => {
  t = await testApp();
  await registerAdvisoryPeople(t);
});
afterAll(async () => {
  await t.close();
});

/** An advisory from a new report of maff, approved and delivered to mof and mlit; its id and source. */
async function sent(n: number): Promise<{ id: string; inc: string }> {
  const inc = await reportIncident(t, P.poc, 'attributed', `settle race ${n}`);
  const d = await t.run(
    P.coordinator,
    `advisory draft title="競合${n}" body="添付ファイルに注意してください。" severity=high tlp=amber audience=mof,mlit sources=${inc}`,
  );
  const id = /ADV-\d{4}-\d{4}/.exec(replyToText(d.reply))?.[0] as string;
  for (const [who, cmd] of [
    [P.coordinator, `advisory submit ${id}`],
    [P.poc, `advisory consent ${id} yes`],
    [P.approver, `advisory approve ${id}`],
  ] as const) {
    const o = await t.run(who, cmd);
    assert.equal(o.status, 'ok', `${cmd}: ${replyToText(o.reply)}`);
  }
  return { id, inc };
}

test(`two copies settling at once (${PROVIDER}): back to consent exactly once, never sent`, {
  timeout: 300_000,
}, async () => {
  const p = t.app.db.prisma;
  for (let n = 1; n <= 6; n++) {
    const { id, inc } = await sent(n);
    const before = await p.advisory.findUniqueOrThrow({ where: { id } });
    const copies = await p.delivery.findMany({ where: { refType: 'advisory', refId: id }, orderBy: { id: 'asc' } });
    assert.equal(copies.length, 2, 'one copy per organisation');
    const [refused, delivered] = copies as [(typeof copies)[0], (typeof copies)[0]];
    // the moment both copies settled: the source withdrew consent, one copy was refused for it
    await p.incident.update({ where: { id: inc }, data: { share: 'none' } });
    await p.advisory.update({ where: { id }, data: { status: 'approved', sentAt: null } });
    await p.delivery.update({
      where: { id: refused.id },
      data: { status: 'failed', error: `${SHARING_REFUSED}: the source withdrew` },
    });
    const reconsents = () => p.auditRecord.count({ where: { action: 'advisory.reconsent', subject: id } });
    assert.equal(await reconsents(), 0);

    const hooks = [refused, delivered].map((d) => ({ ...d, status: d.id === refused.id ? 'failed' : 'sent' }));
    await Promise.all((n % 2 ? hooks : hooks.reverse()).map((d) => t.app.services.advisories.onDeliverySettled(d)));

    const after = await p.advisory.findUniqueOrThrow({ where: { id } });
    assert.equal(after.status, 'consent', `round ${n}: back to consent, not ${after.status}`);
    assert.equal(after.version, before.version + 1, `round ${n}: one version more`);
    assert.equal(await reconsents(), 1, `round ${n}: one reconsent record`);
    assert.equal(
      await p.auditRecord.count({ where: { action: 'advisory.sent', subject: id, seq: { gt: 0 } } }),
      1,
      `round ${n}: only the first delivery's sent record, none from the race`,
    );
  }
});

/**
 * The other order, found by the model test on PostgreSQL under load (CI of 2026-12-02): copy A
 * failed for its channel (not for sharing) and its settle hook began while copy B was still being
 * sent; B was refused for sharing and its row committed *between* the hook's two reads (refused
 * copies: none yet; copies still open: none any more). Read committed gives each statement its
 * own snapshot, so the hook called the advisory sent, and B's hook, waiting on the lock, then
 * found it sent: the refusal went unanswered. The decision must come from one read of the copies.
 */
test(`a refusal committed while another copy's hook decides (${PROVIDER}): never sent past it`, {
  timeout: 300_000,
}, async () => {
  const p = t.app.db.prisma;
  const { id, inc } = await sent(100);
  const copies = await p.delivery.findMany({ where: { refType: 'advisory', refId: id }, orderBy: { id: 'asc' } });
  const [a, b] = copies as [(typeof copies)[0], (typeof copies)[0]];
  await p.incident.update({ where: { id: inc }, data: { share: 'none' } });
  const wrong: string[] = [];
  for (let round = 0; round < 40; round++) {
    await p.advisory.update({ where: { id }, data: { status: 'approved', sentAt: null } });
    await p.delivery.update({ where: { id: a.id }, data: { status: 'failed', error: 'refused (TLP): channel' } });
    await p.delivery.update({ where: { id: b.id }, data: { status: 'sending', error: null } });
    // A's hook and B's refusal at once, B's commit landing a little later each round
    await Promise.all([
      t.app.services.advisories.onDeliverySettled({ ...a, status: 'failed' }),
      (async () => {
        for (let i = 0; i < round % 8; i++) await new Promise((r) => setImmediate(r));
        await p.delivery.update({
          where: { id: b.id },
          data: { status: 'failed', error: `${SHARING_REFUSED}: the source withdrew` },
        });
        await t.app.services.advisories.onDeliverySettled({ ...b, status: 'failed' });
      })(),
    ]);
    const after = await p.advisory.findUniqueOrThrow({ where: { id } });
    if (after.status !== 'consent') wrong.push(`round ${round}: ${after.status}`);
  }
  assert.deepEqual(wrong, [], 'every round back to consent');
});
