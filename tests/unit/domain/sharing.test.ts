/** The sharing rules of src/domain/sharing.ts, case by case (the model test drives them end to end). */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { test } from 'vitest';
import type { Role } from '../../../src/core/roles.ts';
import {
  advisoryAccess,
  type ConsentOnRecord,
  consentAnswerProblem,
  consentRequestAllowed,
  copyRefusal,
  effectiveRoles,
  type FinalText,
  finalTextKey,
  grantable,
  isMember,
  namedSourceOrgs,
  needsLowerLabel,
  seesEveryOrg,
  seesMeeting,
  seesOrg,
  sharingDecision,
  sightingView,
  sourceConsent,
  stricter,
  type Viewer,
} from '../../../src/domain/sharing.ts';
import { TLPS, type Tlp } from '../../../src/domain/tlp.ts';

const MAFF = { id: 2, code: 'maff', coordinator: false };
const COORD = { id: 1, code: 'coord', coordinator: true };
const v = (roles: Role[], org: Viewer['org'] = MAFF, identity = 'console:x'): Viewer => ({
  identity,
  roles: new Set(roles),
  org,
});

test('TLP strictness: RED > AMBER+STRICT > AMBER > GREEN > CLEAR; a lower advisory label needs agreement', () => {
  for (const [i, a] of TLPS.entries())
    for (const [j, b] of TLPS.entries()) {
      assert.equal(stricter(a, b), i > j, `${a} vs ${b}`);
      assert.equal(needsLowerLabel(a, b), j > i, `advisory ${a}, source ${b}`);
    }
});

test('coordinator and approver count, and are granted, only inside the coordinating organisation', () => {
  for (const role of ['coordinator', 'approver'] as Role[]) {
    assert.equal(grantable(role, false), false, role);
    assert.equal(grantable(role, true), true, role);
  }
  for (const role of ['admin', 'poc', 'ciso'] as Role[]) assert.equal(grantable(role, false), true, role);
  assert.deepEqual([...effectiveRoles(['coordinator', 'poc', 'approver'], false)], ['poc']);
  assert.deepEqual([...effectiveRoles(['coordinator', 'approver'], true)], ['coordinator', 'approver']);
  assert.equal(isMember({ roles: effectiveRoles(['coordinator'], false) }), false, 'a stray grant makes no member');
});

test('who sees which organisation: nothing without a role; NISC roles everything; others their own', () => {
  assert.equal(seesOrg(v([]), MAFF.id), false, 'no role: not even their own');
  assert.equal(seesOrg(v(['poc']), MAFF.id), true);
  assert.equal(seesOrg(v(['ciso']), 3), false);
  for (const r of ['admin', 'coordinator', 'approver'] as Role[]) {
    assert.equal(seesEveryOrg(v([r], COORD)), true, r);
    assert.equal(seesOrg(v([r], COORD), 3), true, r);
  }
  // meetings: the coordinating organisation's members see all; others only where invited
  assert.equal(seesMeeting(v(['poc'], COORD), ['mof']), true);
  assert.equal(seesMeeting(v([], COORD), 'all'), false, 'no role: no meeting at all');
  assert.equal(seesMeeting(v(['poc']), ['mof']), false);
  assert.equal(seesMeeting(v(['poc']), ['mof', 'maff']), true);
  assert.equal(seesMeeting(v(['ciso']), 'all'), true);
});

test('an indicator seen by another organisation: named only when attributed and not TLP:RED', () => {
  const r = (orgId: number, share: string, tlp: string) => ({ orgId, share, tlp });
  assert.equal(sightingView(v(['poc']), r(MAFF.id, 'none', 'red')), 'full');
  assert.equal(sightingView(v(['poc']), r(3, 'attributed', 'amber')), 'attributed');
  assert.equal(sightingView(v(['poc']), r(3, 'attributed', 'red')), 'count');
  assert.equal(sightingView(v(['poc']), r(3, 'anonymized', 'clear')), 'count');
  assert.equal(sightingView(v(['approver'], COORD), r(3, 'none', 'red')), 'full');
  assert.equal(sightingView(v([]), r(MAFF.id, 'attributed', 'clear')), 'none');
});

const text = (over: Partial<FinalText> = {}): FinalText => ({
  title: 't',
  body: 'b',
  severity: 'high',
  tlp: 'amber',
  audience: 'maff,mof',
  recipients: null,
  named: [],
  ...over,
});

test('the final-text key changes with every part of what recipients read, and only with that', () => {
  const base = finalTextKey(text());
  assert.equal(finalTextKey(text()), base);
  for (const over of [
    { title: 't ' },
    { body: 'B' },
    { severity: 'low' },
    { tlp: 'green' as Tlp },
    { audience: 'maff' },
    { recipients: 'console:a' },
    { named: [{ code: 'mof', nameJa: '財務省', nameEn: 'Ministry of Finance' }] },
    { kind: 'info' },
    { confidentiality: 2 },
    { handling: 'no-copy' },
  ])
    assert.notEqual(finalTextKey(text(over)), base, JSON.stringify(over));
  // an unmarked warning keeps the key it had before kinds and marks existed: consents given
  // then still cover the same text (the digest of the seven parts alone, computed here)
  assert.equal(finalTextKey(text({ kind: 'warning', confidentiality: null, handling: null })), base);
  assert.equal(
    base,
    createHash('sha256')
      .update(JSON.stringify(['t', 'b', 'high', 'amber', 'maff,mof', '', []]), 'utf8')
      .digest('hex'),
  );
  assert.notEqual(finalTextKey(text({ confidentiality: 1 })), finalTextKey(text({ confidentiality: 2 })));
  assert.notEqual(finalTextKey(text({ handling: 'no-copy' })), finalTextKey(text({ handling: 'need-to-know' })));
  // no two different texts collide by shifting content between fields
  fc.assert(
    fc.property(fc.string(), fc.string(), fc.string(), fc.string(), (t1, b1, t2, b2) => {
      fc.pre(t1 !== t2 || b1 !== b2);
      return finalTextKey(text({ title: t1, body: b1 })) !== finalTextKey(text({ title: t2, body: b2 }));
    }),
    { seed: 1515, numRuns: 500 },
  );
});

test('a consent covers the advisory only for the text, share, TLP and label it was given to', () => {
  const a = { tlp: 'amber' as Tlp, textKey: 'K' };
  const s = { incidentId: 'INC-1', orgId: 2, share: 'anonymized', tlp: 'amber' as Tlp };
  const given: ConsentOnRecord = { answer: 'given', textKey: 'K', share: 'anonymized', tlp: 'amber', agreedTlp: null };
  assert.equal(sourceConsent(a, s, given), null);
  assert.deepEqual(sourceConsent(a, s, { ...given, answer: 'pending' }), { kind: 'pending' });
  assert.deepEqual(sourceConsent(a, s, { ...given, answer: 'not-needed' }), { kind: 'pending' }, 'old rows');
  assert.deepEqual(sourceConsent(a, s, { ...given, answer: 'declined' }), { kind: 'declined' });
  assert.deepEqual(sourceConsent(a, { ...s, share: 'none' }, given), {
    kind: 'share_changed',
    from: 'anonymized',
    to: 'none',
  });
  assert.deepEqual(sourceConsent(a, { ...s, tlp: 'red' }, given), { kind: 'tlp_changed', from: 'amber', to: 'red' });
  assert.deepEqual(sourceConsent(a, s, { ...given, textKey: 'OLD' }), { kind: 'text_changed' });
  // a TLP:RED report in a TLP:CLEAR advisory: only with agreement to exactly TLP:CLEAR
  const clear = { tlp: 'clear' as Tlp, textKey: 'K' };
  const red = { ...s, tlp: 'red' as Tlp };
  const redGiven = { ...given, tlp: 'red' };
  assert.deepEqual(sourceConsent(clear, red, redGiven), { kind: 'label_not_agreed', source: 'red', advisory: 'clear' });
  assert.deepEqual(sourceConsent(clear, red, { ...redGiven, agreedTlp: 'green' })?.kind, 'label_not_agreed');
  assert.equal(sourceConsent(clear, red, { ...redGiven, agreedTlp: 'clear' }), null);
  // an advisory stricter than the report needs no agreement
  assert.equal(sourceConsent({ tlp: 'red', textKey: 'K' }, s, given), null);
  // the decision holds only when every source is covered
  const d = sharingDecision(a, [
    { ...s, consent: given },
    { ...s, incidentId: 'INC-2', orgId: 3, consent: { ...given, answer: 'pending' } },
  ]);
  assert.equal(d.ok, false);
  assert.deepEqual(
    d.problems.map((p) => p.incidentId),
    ['INC-2'],
  );
  assert.equal(sharingDecision(a, []).ok, true, 'no source, nothing to agree');
});

test('named sources: only organisations whose report is shared attributed now, each once', () => {
  assert.deepEqual(
    namedSourceOrgs([
      { orgId: 2, share: 'attributed' },
      { orgId: 3, share: 'anonymized' },
      { orgId: 2, share: 'attributed' },
      { orgId: 4, share: 'none' },
    ]),
    [2],
  );
});

test('a consent answer: a lower label must be agreed explicitly, and only the advisory’s own', () => {
  const red = [{ incidentId: 'INC-9', orgId: 2, share: 'attributed', tlp: 'red' as Tlp }];
  const amber = [{ incidentId: 'INC-8', orgId: 2, share: 'none', tlp: 'amber' as Tlp }];
  assert.equal(consentAnswerProblem({ tlp: 'clear' }, red, true, null)?.code, 'advisory.consent_needs_tlp');
  assert.deepEqual(consentAnswerProblem({ tlp: 'clear' }, red, true, null)?.params, {
    tlp: 'TLP:CLEAR',
    source: 'TLP:RED',
    incidents: 'INC-9',
    value: 'clear',
  });
  assert.equal(consentAnswerProblem({ tlp: 'clear' }, red, true, 'green')?.code, 'advisory.consent_tlp_mismatch');
  assert.equal(consentAnswerProblem({ tlp: 'clear' }, red, true, 'clear'), null);
  assert.equal(consentAnswerProblem({ tlp: 'clear' }, red, false, null), null, 'declining needs no label');
  assert.equal(consentAnswerProblem({ tlp: 'amber' }, amber, true, null), null);
  assert.equal(consentAnswerProblem({ tlp: 'amber' }, amber, true, 'red')?.code, 'advisory.consent_tlp_mismatch');
});

test('who reads an advisory: NISC all; the audience its copy; sources once submitted; nobody without a role', () => {
  const approved = { status: 'approved', tlp: 'amber', targets: ['maff', 'mlit'] };
  assert.equal(advisoryAccess(v(['coordinator'], COORD), approved, []), 'all');
  assert.equal(advisoryAccess(v(['poc']), approved, []), 'audience');
  assert.equal(advisoryAccess(v(['ciso']), approved, []), 'audience');
  assert.equal(advisoryAccess(v([]), approved, [MAFF.id]), null, 'roles gone: nothing');
  const mof = { id: 3, code: 'mof', coordinator: false };
  assert.equal(advisoryAccess(v(['poc'], mof), approved, []), null);
  assert.equal(advisoryAccess(v(['poc'], mof), approved, [3]), 'source');
  assert.equal(advisoryAccess(v(['poc'], mof), { ...approved, status: 'draft', targets: [] }, [3]), null);
  const red = { status: 'sent', tlp: 'red', targets: ['console:a'] };
  assert.equal(advisoryAccess(v(['poc'], MAFF, 'console:a'), red, []), 'audience');
  assert.equal(advisoryAccess(v(['poc'], MAFF, 'console:b'), red, []), null, 'a RED copy is personal');
});

test('a copy goes only while approved, to a channel its organisation owns among the targets, or to a named RED recipient holding a role', () => {
  const a = { status: 'approved', tlp: 'amber' as Tlp, targets: ['maff'] };
  assert.equal(copyRefusal(a, { kind: 'channel', org: 'maff' }), null);
  assert.equal(copyRefusal({ ...a, status: 'sent' }, { kind: 'channel', org: 'maff' }), null);
  assert.equal(
    copyRefusal({ ...a, status: 'consent' }, { kind: 'channel', org: 'maff' })?.code,
    'sharing.refused_status',
  );
  assert.equal(copyRefusal(a, { kind: 'channel', org: 'mof' })?.code, 'tlp.not_in_audience');
  assert.equal(copyRefusal(a, { kind: 'channel', org: null })?.code, 'sharing.refused_no_owner');
  assert.equal(copyRefusal(a, { kind: 'person', identity: 'x', member: true })?.code, 'tlp.recipients_only_red');
  const red = { status: 'approved', tlp: 'red' as Tlp, targets: ['console:a'] };
  assert.equal(copyRefusal(red, { kind: 'channel', org: 'maff' })?.code, 'tlp.red_no_channels');
  assert.equal(copyRefusal(red, { kind: 'person', identity: 'console:a', member: true }), null);
  assert.equal(copyRefusal(red, { kind: 'person', identity: 'console:b', member: true })?.code, 'tlp.not_a_recipient');
  assert.equal(
    copyRefusal(red, { kind: 'person', identity: 'console:a', member: false })?.code,
    'sharing.refused_no_role',
  );
});

test('a consent request reaches only a current PoC of an organisation still asked, for the current version', () => {
  const a = { status: 'consent', version: 2 };
  const poc = { orgId: 2, roles: new Set<Role>(['poc']) };
  assert.equal(consentRequestAllowed(a, 2, poc, [2]), true);
  assert.equal(consentRequestAllowed(a, 1, poc, [2]), false, 'an older version');
  assert.equal(consentRequestAllowed({ ...a, status: 'review' }, 2, poc, [2]), false);
  assert.equal(consentRequestAllowed(a, 2, { ...poc, roles: new Set<Role>(['ciso']) }, [2]), false);
  assert.equal(consentRequestAllowed(a, 2, poc, [3]), false, 'its organisation has answered');
});
