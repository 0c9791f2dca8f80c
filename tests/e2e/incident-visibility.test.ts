/**
 * What each role sees of incidents: `incident list`, `incident show` and `ioc check`.
 * maff reports INC-…-0001 (share none), mof INC-…-0002 (share attributed), NISC on mhlw's
 * behalf INC-…-0003 (share anonymized); all three carry the same indicator.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { type TestApp, testApp } from '../helpers/app.ts';
import { tableCounts } from '../helpers/counts.ts';
import { PERSONAS as P, type Persona, registerPersonas } from '../helpers/personas.ts';

let t: TestApp;
const IP = '203.0.113.5';
beforeAll(async () => {
  t = await testApp();
  await registerPersonas(t);
  for (const [who, cmd] of [
    [P.poc, `report category=malware summary="MAFF 端末感染" ioc=203[.]0[.]113[.]5`],
    [P.otherPoc, `report category=phishing summary="MOF phishing" share=attributed ioc=${IP}`],
    [P.coordinator, `report category=scan summary="MHLW scan" org=mhlw share=anonymized ioc=${IP}`],
  ] as const) {
    const o = await t.run(who, cmd);
    assert.equal(o.status, 'ok', JSON.stringify(o.reply));
  }
});
afterAll(() => t.close());

const ID = (n: number) => `INC-2026-000${n}`;

interface Expect {
  list: number[] | 'denied';
  /** ids `incident show` reveals */
  show: number[];
  /** what ioc check names (incident ids) and the count of other organisations it states */
  ioc: { named: number[]; others: number | null } | 'denied';
}

const EXPECT: Record<Persona, Expect> = {
  admin: { list: [1, 2, 3], show: [1, 2, 3], ioc: { named: [1, 2, 3], others: null } },
  coordinator: { list: [1, 2, 3], show: [1, 2, 3], ioc: { named: [1, 2, 3], others: null } },
  approver: { list: [1, 2, 3], show: [1, 2, 3], ioc: { named: [1, 2, 3], others: null } },
  poc: { list: [1], show: [1], ioc: { named: [1, 2], others: 2 } },
  ciso: { list: [1], show: [1], ioc: { named: [1, 2], others: 2 } },
  otherPoc: { list: [2], show: [2], ioc: { named: [2], others: 2 } },
  former: { list: 'denied', show: [], ioc: 'denied' },
  stranger: { list: 'denied', show: [], ioc: 'denied' },
};

for (const persona of Object.keys(EXPECT) as Persona[]) {
  test(`visibility as ${persona}`, async () => {
    const who = P[persona];
    const e = EXPECT[persona];
    const before = await tableCounts(t.app);
    const list = await t.run(who, 'incident list');
    const listText = await t.say(who, 'incident list');
    if (e.list === 'denied') assert.equal(list.status, 'denied');
    else {
      for (const n of [1, 2, 3]) assert.equal(listText.includes(ID(n)), e.list.includes(n), `${persona} list ${ID(n)}`);
    }
    const missing = await t.run(who, 'incident show INC-2026-9999');
    for (const n of [1, 2, 3]) {
      const o = await t.run(who, `incident show ${ID(n).toLowerCase()}`);
      const text = o.reply.blocks.map((b) => ('text' in b ? b.text : '')).join('\n');
      if (e.show.includes(n)) {
        assert.equal(o.status, 'ok', `${persona} show ${ID(n)}`);
        assert.match(text, new RegExp(ID(n)));
      } else if (persona === 'stranger' || persona === 'former') {
        assert.equal(o.status, 'denied');
      } else {
        // another organisation's incident reads exactly like one that does not exist
        assert.equal(o.status, missing.status);
        assert.equal(text.replace(ID(n), 'X'), textOf(missing).replace('INC-2026-9999', 'X'));
      }
    }
    const ioc = await t.run(who, `ioc check ${IP}`);
    if (e.ioc === 'denied') assert.equal(ioc.status, 'denied');
    else {
      const text = textOf(ioc);
      for (const n of [1, 2, 3])
        assert.equal(text.includes(ID(n)), e.ioc.named.includes(n), `${persona} ioc ${ID(n)}\n${text}`);
      if (e.ioc.others === null) assert.doesNotMatch(text, /ほかに/);
      else assert.match(text, new RegExp(`ほかに ${e.ioc.others} 組織`));
      if (persona === 'otherPoc') assert.doesNotMatch(text, /maff|mhlw/);
      if (persona === 'poc' || persona === 'ciso') {
        assert.match(text, /mof/, 'attributed report names its organisation');
        assert.doesNotMatch(text, /mhlw/, 'anonymized report is counted, never named');
      }
    }
    assert.deepEqual(await tableCounts(t.app), before, 'reading writes nothing');
  });
}

function textOf(o: { reply: { blocks: { kind: string }[] } }): string {
  return o.reply.blocks
    .map((b) => ('text' in b ? String(b.text) : 'rows' in b ? JSON.stringify((b as { rows: unknown }).rows) : ''))
    .join('\n');
}

test('a ministry user cannot list another organisation by org=', async () => {
  assert.match(await t.say(P.poc, 'incident list org=mof'), /ご所属の組織のインシデントのみ/);
  assert.match(await t.say(P.coordinator, 'incident list org=mof'), /INC-2026-0002/);
});
