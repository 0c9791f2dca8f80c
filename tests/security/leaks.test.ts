/**
 * Nothing leaks across organisations: a ministry's people never see another ministry's
 * incidents, indicator sources, inspection answers or plans, or who answered a meeting for
 * another ministry; TLP:RED content never reaches a channel; an anonymised source is never
 * named; and an id of another organisation answers exactly like an id that does not exist
 * (same status, same code, same text once the id itself is taken out).
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { replyToText } from '../../src/core/reply.ts';
import { type TestApp, testApp } from '../helpers/app.ts';
import { PERSONAS, registerPersonas } from '../helpers/personas.ts';

const P = PERSONAS;
let t: TestApp;
const ids: Record<string, string> = {};

async function ok(who: string, cmd: string, re?: RegExp): Promise<string> {
  const o = await t.run(who, cmd);
  const text = replyToText(o.reply);
  assert.equal(o.status, 'ok', `${cmd}: ${text}`);
  if (re) {
    const m = re.exec(text);
    assert.ok(m, `${cmd}: ${text}`);
    return m[0];
  }
  return text;
}

/** everything a command shows (text and attachments), for "does not contain" checks */
async function seen(who: string, cmd: string): Promise<string> {
  const o = await t.run(who, cmd);
  const files = (o.reply.attachments ?? []).map((a) => Buffer.from(a.data, 'base64').toString('utf8'));
  return [replyToText(o.reply), ...files].join('\n');
}

beforeAll(async () => {
  t = await testApp({ now: '2026-11-25T01:00:00Z' });
  await registerPersonas(t);
  // maff: an amber report, not shared
  ids.maffInc = await ok(
    P.poc,
    'report category=malware summary="MAFF-SUMMARY-7731" ioc=198.51.100.7 ioc=aa-only-host.example actions="MAFF-ACTIONS"',
    /INC-\d{4}-\d{4}/,
  );
  // mof: a TLP:RED report, shared anonymised, same indicator
  ids.mofRed = await ok(
    P.otherPoc,
    'report category=unauthorized-access summary="MOF-RED-SUMMARY-5512" tlp=red share=anonymized ioc=198.51.100.7 ioc=zz-red-host.example actions="MOF-RED-ACTIONS"',
    /INC-\d{4}-\d{4}/,
  );
  await ok(P.otherPoc, `incident update ${ids.mofRed} note="MOF-RED-NOTE-9902" status=contained`);
  // systems, a campaign for mof only, a campaign for all, answers with notes
  ids.maffSys = await ok(P.poc, 'system add name="MAFF-SYS" confidentiality=2 exposure=internet', /SYS-maff-\d{3}/);
  ids.mofSys = await ok(
    P.otherPoc,
    'system add name="MOF-SYSTEM-NAME" confidentiality=3 exposure=internet',
    /SYS-mof-\d{3}/,
  );
  ids.cmpAll = await ok(P.coordinator, 'check campaign open due=2027-01-15', /CMP-\d{4}-\d{4}/);
  ids.cmpMof = await ok(P.coordinator, 'check campaign open due=2027-01-20 audience=mof', /CMP-\d{4}-\d{4}/);
  await ok(
    P.otherPoc,
    `check answer ${ids.cmpAll} system=${ids.mofSys} item=ENT-01 status=missing cost=1000000 note="MOF-ANSWER-NOTE"`,
  );
  await ok(P.poc, `check answer ${ids.cmpAll} system=${ids.maffSys} item=ENT-01 status=implemented note="MAFF-NOTE"`);
  // meetings: one for mof only; one for all, answered by mof with a proxy
  ids.mtgMof = await ok(
    P.coordinator,
    'meeting schedule title="MOF-ONLY-MEETING" start="2026-12-10 10:00" invite=mof',
    /MTG-\d{4}-\d{4}/,
  );
  ids.mtgAll = await ok(
    P.coordinator,
    'meeting schedule title="ALL-MEETING" start="2026-12-11 10:00"',
    /MTG-\d{4}-\d{4}/,
  );
  await ok(P.otherPoc, `meeting rsvp ${ids.mtgAll} proxy proxy=console:mof-proxy-person`);
});
afterAll(() => t.close());

const MOF_SECRETS = [
  'MOF-RED-SUMMARY-5512',
  'MOF-RED-ACTIONS',
  'MOF-RED-NOTE-9902',
  'zz-red-host[.]example',
  'zz-red-host.example',
  'MOF-SYSTEM-NAME',
  'MOF-ANSWER-NOTE',
  'MOF-ONLY-MEETING',
];

test('a ministry user never sees another ministry’s incidents (list, show, export, update)', async () => {
  const list = await seen(P.poc, 'incident list');
  assert.ok(list.includes(ids.maffInc as string));
  assert.ok(!list.includes(ids.mofRed as string), 'list: only their own');
  for (const who of [P.poc, P.ciso]) {
    for (const cmd of [
      'incident list',
      'incident list org=mof',
      `incident show ${ids.mofRed}`,
      `incident export ${ids.mofRed} format=stix`,
      `incident export ${ids.mofRed} format=misp`,
    ]) {
      const text = await seen(who, cmd);
      for (const s of MOF_SECRETS) assert.ok(!text.includes(s), `${who} ${cmd}: no ${s}`);
    }
  }
  const before = await t.auditCount();
  const u = await t.run(P.poc, `incident update ${ids.mofRed} note="x" status=resolved`);
  assert.equal(u.code, 'incident.not_found');
  assert.equal(await t.auditCount(), before, 'nothing written');
});

test('ioc check: counts other organisations, never names an anonymised or unshared source', async () => {
  const text = await seen(P.poc, 'ioc check 198.51.100.7');
  assert.ok(text.includes(ids.maffInc as string), 'their own incident is listed');
  assert.ok(!text.includes(ids.mofRed as string), 'the other incident is not');
  assert.doesNotMatch(text, /\bmof\b|財務省|Ministry of Finance/, 'the other organisation is not named');
  assert.match(text, /1/, 'how many other organisations saw it');
  const red = await seen(P.poc, 'ioc check zz-red-host.example');
  assert.ok(!red.includes(ids.mofRed as string));
  assert.doesNotMatch(red, /\bmof\b|財務省/);
  // the other way round: mof sees maff's indicator only as a count
  const back = await seen(P.otherPoc, 'ioc check aa-only-host.example');
  assert.ok(!back.includes(ids.maffInc as string));
  assert.doesNotMatch(back, /\bmaff\b|農林水産省/);
});

test('TLP:RED content never reaches a channel; the anonymised source is never named in posts to ministries', async () => {
  await t.app.dispatcher.drain();
  const posts = t.platform.posts.filter((p) => p.kind !== 'dm');
  assert.ok(posts.length > 0, 'channels were told something');
  for (const p of posts) {
    for (const s of [
      'MOF-RED-SUMMARY-5512',
      'MOF-RED-ACTIONS',
      'MOF-RED-NOTE-9902',
      'zz-red-host[.]example',
      'zz-red-host.example',
    ])
      assert.ok(!p.text.includes(s), `#${p.channel} carries ${s}:\n${p.text}`);
    // the correlation alert goes to NISC only; the shared indicator is withheld when a report is red
    if (p.channel !== 'nisc' && p.channel !== 'mof')
      assert.ok(!p.text.includes(ids.mofRed as string), `#${p.channel} names ${ids.mofRed}`);
  }
  for (const p of t.platform.posts.filter((x) => x.channel === 'maff')) {
    assert.doesNotMatch(p.text, /\bmof\b|財務省/, `#maff names mof:\n${p.text}`);
  }
});

test('inspections: answers, plans and exports of another ministry are never shown', async () => {
  for (const who of [P.poc, P.ciso]) {
    for (const cmd of [
      'check status',
      `check status ${ids.cmpAll}`,
      'check status org=mof',
      `check export ${ids.cmpAll}`,
      'check plan budget=100000000',
      'check plan budget=100000000 org=mof',
      'system list',
      'system list org=mof',
      'check campaign list',
    ]) {
      const text = await seen(who, cmd);
      for (const s of [...MOF_SECRETS, ids.mofSys as string, ids.cmpMof as string])
        assert.ok(!text.includes(s), `${who} ${cmd}: shows ${s}\n${text}`);
    }
  }
});

test('meetings: another ministry’s meeting is invisible; who answered for another ministry is not shown', async () => {
  const list = await seen(P.poc, 'meeting list');
  assert.ok(list.includes(ids.mtgAll as string));
  assert.ok(!list.includes(ids.mtgMof as string), 'not invited: not listed');
  assert.ok(!list.includes('console:mof-poc'), 'who answered for mof is not shown to maff');
  assert.ok(!list.includes('console:mof-proxy-person'), "mof's proxy is not shown to maff");
  const nisc = await seen(P.coordinator, 'meeting list');
  assert.ok(nisc.includes('console:mof-proxy-person'), 'NISC sees every answer');
  const own = await seen(P.otherPoc, 'meeting list');
  assert.ok(own.includes('console:mof-proxy-person'), 'mof sees its own answer');
});

/** The reply to `cmd(id)`, with the id itself taken out, and its status and code. */
async function answer(who: string, cmd: string, id: string) {
  const o = await t.run(who, cmd.replace('{id}', id));
  const text = replyToText(o.reply).split(id).join('<id>').split(id.toLowerCase()).join('<id>');
  return { status: o.status, code: o.code, text };
}

test('another organisation’s id answers exactly like one that does not exist (INC, SYS, CMP, MTG)', async () => {
  // ADV: advisories are not on this branch yet; add `advisory status {id}` / `advisory ack {id}` here when they land
  const cases: [who: string, cmd: string, theirs: string, none: string][] = [
    [P.poc, 'incident show {id}', ids.mofRed as string, 'INC-2026-9999'],
    [P.ciso, 'incident show {id}', ids.mofRed as string, 'INC-2026-9999'],
    [P.poc, 'incident export {id} format=misp', ids.mofRed as string, 'INC-2026-9999'],
    [P.poc, 'incident update {id} note="probe"', ids.mofRed as string, 'INC-2026-9999'],
    [P.poc, 'report category=malware summary=probe system={id}', ids.mofSys as string, 'SYS-mof-999'],
    [P.poc, `check answer ${ids.cmpAll} system={id} item=ENT-01 status=na`, ids.mofSys as string, 'SYS-mof-999'],
    [P.poc, 'check status {id}', ids.cmpMof as string, 'CMP-2026-9999'],
    [P.poc, 'check export {id}', ids.cmpMof as string, 'CMP-2026-9999'],
    [
      P.poc,
      'check answer {id} system=' + ids.maffSys + ' item=ENT-01 status=na',
      ids.cmpMof as string,
      'CMP-2026-9999',
    ],
    [P.poc, 'meeting ics {id}', ids.mtgMof as string, 'MTG-2026-9999'],
    [P.poc, 'meeting rsvp {id} attend', ids.mtgMof as string, 'MTG-2026-9999'],
    [P.ciso, 'meeting ics {id}', ids.mtgMof as string, 'MTG-2026-9999'],
    [P.poc, 'incident list org={id}', 'mof', 'zzz'],
    [P.poc, 'check status org={id}', 'mof', 'zzz'],
    [P.poc, 'check plan budget=1000 org={id}', 'mof', 'zzz'],
    [P.poc, 'system list org={id}', 'mof', 'zzz'],
  ];
  for (const [who, cmd, theirs, none] of cases) {
    const before = await t.auditCount();
    const a = await answer(who, cmd, theirs);
    const b = await answer(who, cmd, none);
    assert.notEqual(a.status, 'ok', `${cmd} with ${theirs}: refused`);
    assert.deepEqual(a, b, `${who} ${cmd}: ${theirs} vs ${none}`);
    assert.equal(await t.auditCount(), before, `${cmd}: nothing written`);
  }
});
