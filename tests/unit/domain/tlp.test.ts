import assert from 'node:assert/strict';
import { test } from 'vitest';
import { checkDistribution, isTlp, TLPS, targetAllowed, tlpLabel } from '../../../src/domain/tlp.ts';

test('labels are TLP 2.0 in capitals; legacy white is not a TLP', () => {
  assert.deepEqual(TLPS.map(tlpLabel), ['TLP:CLEAR', 'TLP:GREEN', 'TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED']);
  assert.equal(isTlp('white'), false);
  assert.equal(isTlp('amber+strict'), true);
});

test('clear and green: audience=all or a list; recipients refused', () => {
  for (const tlp of ['clear', 'green'] as const) {
    assert.deepEqual(checkDistribution({ tlp, audience: 'all', recipients: [] }), {
      ok: true,
      reach: { kind: 'channels', orgs: 'all' },
    });
    assert.deepEqual(checkDistribution({ tlp, audience: ['maff', 'maff', 'mof'], recipients: [] }), {
      ok: true,
      reach: { kind: 'channels', orgs: ['maff', 'mof'] },
    });
    const r = checkDistribution({ tlp, audience: ['maff'], recipients: ['console:a'] });
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.violation.code, 'tlp.recipients_only_red');
  }
});

test('amber and amber+strict: audience=all is refused (never trimmed), a list is required', () => {
  for (const tlp of ['amber', 'amber+strict'] as const) {
    const all = checkDistribution({ tlp, audience: 'all', recipients: [] });
    assert.deepEqual(all, { ok: false, violation: { code: 'tlp.amber_no_all', params: { tlp: tlpLabel(tlp) } } });
    const none = checkDistribution({ tlp, audience: [], recipients: [] });
    assert.equal(!none.ok && none.violation.code, 'tlp.audience_required');
    assert.equal(checkDistribution({ tlp, audience: ['env'], recipients: [] }).ok, true);
  }
});

test('red: never a channel; named recipients required', () => {
  const ok = checkDistribution({ tlp: 'red', audience: [], recipients: ['console:a', 'console:b'] });
  assert.deepEqual(ok, { ok: true, reach: { kind: 'people', people: ['console:a', 'console:b'] } });
  for (const audience of ['all', ['maff']] as const) {
    const r = checkDistribution({ tlp: 'red', audience, recipients: ['console:a'] });
    assert.equal(!r.ok && r.violation.code, 'tlp.red_no_channels');
  }
  const r = checkDistribution({ tlp: 'red', audience: [], recipients: [] });
  assert.equal(!r.ok && r.violation.code, 'tlp.red_needs_recipients');
});

test('dispatch-time check of one target', () => {
  const amber = { tlp: 'amber' as const, orgs: ['maff', 'env'], recipients: [] };
  assert.equal(targetAllowed(amber, { kind: 'channel', org: 'maff' }), null);
  assert.equal(targetAllowed(amber, { kind: 'channel', org: 'mof' })?.code, 'tlp.not_in_audience');
  assert.equal(targetAllowed(amber, { kind: 'person', identity: 'console:a' })?.code, 'tlp.recipients_only_red');
  const red = { tlp: 'red' as const, orgs: [], recipients: ['console:a'] };
  assert.equal(targetAllowed(red, { kind: 'person', identity: 'console:a' }), null);
  assert.equal(targetAllowed(red, { kind: 'person', identity: 'console:b' })?.code, 'tlp.not_a_recipient');
  assert.equal(targetAllowed(red, { kind: 'channel', org: 'maff' })?.code, 'tlp.red_no_channels');
});
