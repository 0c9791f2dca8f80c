/**
 * Reports arriving together are written together (src/db/group-commit.ts, issue #19 item 7),
 * through the router and the command journal: a bad report among them gets its own error in its
 * reader's language and writes nothing, a report whose journal entry another process took over
 * ends quietly, and the others commit with gap-free ids on one verifiable audit chain.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'vitest';
import { consoleRefs } from '../../src/adapters/console/refs.ts';
import { verifyChain } from '../../src/audit/chain.ts';
import { replyToText } from '../../src/core/reply.ts';
import { PROVIDER, type TestApp, testApp } from '../helpers/app.ts';
import { PERSONAS as P, registerPersonas } from '../helpers/personas.ts';

let t: TestApp;
afterEach(() => t?.close());

const handle = (identity: string, text: string) =>
  t.app.router.handle({ platform: 'console', identity, text, channelId: null, refs: consoleRefs });
const idOf = (reply: string) => /INC-\d{4}-\d{4}/.exec(reply)?.[0];
const ids = (n: number) => Array.from({ length: n }, (_, i) => `INC-2026-${String(i + 1).padStart(4, '0')}`);

test(`a bad report among reports written together gets its own error; the others commit (${PROVIDER})`, async () => {
  t = await testApp();
  await registerPersonas(t);
  await t.run(P.otherPoc, 'lang en');
  const texts: [string, string][] = [];
  for (let i = 0; i < 12; i++) texts.push([P.poc, `report category=malware summary="good ${i}" ioc=192.0.2.${i + 1}`]);
  // an unknown system: refused by the report's own check, in the middle of the others
  texts.splice(4, 0, [P.poc, 'report category=malware summary="bad ja" system=SYS-maff-999']);
  texts.splice(9, 0, [P.otherPoc, 'report category=malware summary="bad en" system=SYS-maff-999']);
  const before = { ...t.app.services.incidents.reportBatches };
  const replies = (await Promise.all(texts.map(([who, text]) => handle(who, text)))).map((o) => replyToText(o.reply));
  const stats = t.app.services.incidents.reportBatches;

  assert.match(replies[4] as string, /システム「SYS-maff-999」は報告元の組織に登録されていません/);
  assert.match(replies[9] as string, /The system "SYS-maff-999" is not registered for the reporting organisation/);
  const good = replies.filter((_, i) => i !== 4 && i !== 9);
  assert.deepEqual(good.map(idOf).sort(), ids(12), good.join('\n'));
  const db = t.app.db.prisma;
  assert.equal(await db.incident.count({ where: { summary: { startsWith: 'bad' } } }), 0, 'nothing of the bad ones');
  assert.equal(await db.incident.count(), 12);
  assert.equal(await db.auditRecord.count({ where: { action: 'incident.report' } }), 12);
  assert.equal(await db.counter.findUnique({ where: { name: 'INC-2026' } }).then((c) => c?.value), 12, 'no gap');
  const chain = await verifyChain(db);
  assert.ok(chain.ok, JSON.stringify(chain));
  // they were written in batches: fewer transactions than reports (14 arrive in one burst)
  const batches = stats.batches - before.batches;
  assert.ok(batches < 14 && stats.largest >= 2, JSON.stringify({ batches, largest: stats.largest }));
});

test(`a report whose journal entry another process took over ends quietly; the others of its batch commit (${PROVIDER})`, async () => {
  t = await testApp();
  await registerPersonas(t);
  const journal = t.app.journal;
  const held = [];
  for (let i = 0; i < 6; i++)
    held.push(await journal.hold(t.app.db.prisma, `k${i}`, 'console', { text: `report ${i}` }));
  // another process claimed entry 2 (a new token): this process's report of it must not commit
  await t.app.db.prisma.pendingCommand.update({ where: { key: 'k2' }, data: { token: 'taken-over' } });
  const replies = await Promise.all(
    held.map((h, i) =>
      journal.run(h, async () =>
        replyToText((await handle(P.poc, `report category=malware summary="journal ${i}"`)).reply),
      ),
    ),
  );
  assert.equal(replies[2], undefined, 'taken over: no reply here');
  const good = replies.filter((_, i) => i !== 2) as string[];
  assert.deepEqual(good.map(idOf).sort(), ids(5), good.join('\n'));
  const db = t.app.db.prisma;
  assert.equal(await db.incident.count({ where: { summary: 'journal 2' } }), 0);
  assert.equal(await db.incident.count(), 5);
  // the others' entries left with their reports; the taken-over one is the other process's
  assert.deepEqual(
    (await db.pendingCommand.findMany()).map((p) => [p.key, p.token]),
    [['k2', 'taken-over']],
  );
  const chain = await verifyChain(db);
  assert.ok(chain.ok, JSON.stringify(chain));
});
