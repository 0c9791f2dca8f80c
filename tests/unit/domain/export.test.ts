import assert from 'node:assert/strict';
import { test } from 'vitest';
import {
  ANONYMOUS_ORG_NAME,
  type IncidentExport,
  type TlpLevel,
  uuidV5,
} from '../../../src/domain/export/incident-export.ts';
import { MISP_ATTRIBUTE_TYPES, toMispEvent } from '../../../src/domain/export/misp.ts';
import { STIX_SCO_NAMESPACE, type StixObject, stixPattern, toStixBundle } from '../../../src/domain/export/stix.ts';
import { mispProblems, patternProblems, stixProblems } from './export-spec-checks.ts';

const at = (s: string) => new Date(s);
const ORG_NAME = 'Ministry of Economy, Trade and Industry';

const INCIDENT: IncidentExport = {
  id: 'INC-2026-0001',
  orgCode: 'meti',
  orgNameEn: ORG_NAME,
  anonymized: false,
  category: 'phishing',
  rsit: { class: 'fraud', type: 'phishing' },
  summary: `Phishing mail impersonating the ${ORG_NAME} (METI) help desk`,
  severity: 'high',
  tlp: 'amber',
  status: 'triaging',
  detectedAt: at('2026-04-09T16:30:00.000Z'),
  occurredAt: at('2026-04-09T14:00:00.000Z'),
  reportedAt: at('2026-04-09T17:00:00.000Z'),
  updatedAt: at('2026-04-10T02:15:30.250Z'),
  actions: 'Blocked the URL at the meti proxy; staff warned.',
  indicators: [
    { type: 'ipv4', value: '192.0.2.1', addedAt: at('2026-04-09T17:00:00.000Z') },
    { type: 'ipv6', value: '2001:db8::1', addedAt: at('2026-04-09T17:00:00.000Z') },
    { type: 'domain', value: 'evil.example.com', addedAt: at('2026-04-09T17:00:00.000Z') },
    { type: 'url', value: "https://evil.example.com/it's\\here?q=1", addedAt: at('2026-04-09T17:00:00.000Z') },
    { type: 'email', value: 'Help.Desk@evil.example.com', addedAt: at('2026-04-09T17:00:00.000Z') },
    { type: 'md5', value: 'd41d8cd98f00b204e9800998ecf8427e', addedAt: at('2026-04-10T02:15:30.250Z') },
    { type: 'sha1', value: 'da39a3ee5e6b4b0d3255bfef95601890afd80709', addedAt: at('2026-04-10T02:15:30.250Z') },
    {
      type: 'sha256',
      value: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      addedAt: at('2026-04-10T02:15:30.250Z'),
    },
  ],
};
const ANONYMIZED: IncidentExport = { ...INCIDENT, anonymized: true };
const byType = (objects: StixObject[], type: string) => objects.filter((o) => o.type === type);

// The marking definitions exactly as OASIS publishes them (cti-stix-common-objects,
// extension-definition-specifications/tlp-2.0).
const OASIS_TLP2: Record<TlpLevel, string> = {
  clear: '94868c89-83c2-464b-929b-a1a8aa3c8487',
  green: 'bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  amber: '55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'amber+strict': '939a9414-2ddd-4d32-a0cd-375ea402b003',
  red: 'e828b379-4e03-4974-9ac4-e53a884c97c1',
};

test('uuidV5 matches the RFC 4122 / Python uuid5 reference value', () => {
  // uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org') in the Python documentation
  assert.equal(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org'), '886313e1-3b8a-5372-9b90-0c9aee199e5d');
});

test('STIX: the bundle passes every specification check', () => {
  assert.deepEqual(stixProblems(toStixBundle(INCIDENT) as unknown as Record<string, unknown>), []);
});

test('STIX: one indicator, observed-data, SCO and two relationships per IoC', () => {
  const { objects } = toStixBundle(INCIDENT);
  assert.equal(byType(objects, 'indicator').length, 8);
  assert.equal(byType(objects, 'observed-data').length, 8);
  assert.equal(byType(objects, 'relationship').length, 16);
  assert.equal(byType(objects, 'incident').length, 1);
  assert.equal(byType(objects, 'identity').length, 1);
  assert.equal(byType(objects, 'marking-definition').length, 1);
  const incidentId = byType(objects, 'incident')[0]?.id;
  for (const r of byType(objects, 'relationship').filter((o) => o.relationship_type === 'indicates')) {
    assert.equal(r.target_ref, incidentId);
    assert.match(String(r.source_ref), /^indicator--/);
  }
});

test('STIX: patterns for every indicator type, with quotes and backslashes escaped', () => {
  const expected = [
    "[ipv4-addr:value = '192.0.2.1']",
    "[ipv6-addr:value = '2001:db8::1']",
    "[domain-name:value = 'evil.example.com']",
    "[url:value = 'https://evil.example.com/it\\'s\\\\here?q=1']",
    "[email-addr:value = 'Help.Desk@evil.example.com']",
    "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",
    "[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']",
    "[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']",
  ];
  assert.deepEqual(
    INCIDENT.indicators.map((i) => stixPattern(i)),
    expected,
  );
  for (const p of expected) assert.deepEqual(patternProblems(p), []);
  assert.notDeepEqual(patternProblems("[url:value = 'it's']"), []);
});

test('STIX: SCO ids are the §2.9 deterministic ids', () => {
  const { objects } = toStixBundle(INCIDENT);
  const ipv4 = byType(objects, 'ipv4-addr')[0];
  assert.equal(ipv4?.id, `ipv4-addr--${uuidV5(STIX_SCO_NAMESPACE, '{"value":"192.0.2.1"}')}`);
  const sha1 = byType(objects, 'file').find((o) => JSON.stringify(o.hashes).includes('SHA-1'));
  assert.equal(
    sha1?.id,
    `file--${uuidV5(STIX_SCO_NAMESPACE, '{"hashes":{"SHA-1":"da39a3ee5e6b4b0d3255bfef95601890afd80709"}}')}`,
  );
});

for (const level of Object.keys(OASIS_TLP2) as TlpLevel[]) {
  test(`STIX: TLP:${level.toUpperCase()} uses the official marking and marks every object`, () => {
    const bundle = toStixBundle({ ...INCIDENT, tlp: level });
    assert.deepEqual(stixProblems(bundle as unknown as Record<string, unknown>), []);
    const id = `marking-definition--${OASIS_TLP2[level]}`;
    assert.deepEqual(byType(bundle.objects, 'marking-definition'), [
      {
        type: 'marking-definition',
        spec_version: '2.1',
        id,
        created: '2022-10-01T00:00:00.000Z',
        name: `TLP:${level.toUpperCase()}`,
        extensions: {
          'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d': {
            extension_type: 'property-extension',
            tlp_2_0: level,
          },
        },
      },
    ]);
    for (const o of bundle.objects.filter((x) => x.type !== 'marking-definition')) {
      assert.deepEqual(o.object_marking_refs, [id], o.id);
    }
  });
}

test('STIX: re-exporting gives the same JSON, and an update keeps the object ids', () => {
  assert.equal(JSON.stringify(toStixBundle(INCIDENT)), JSON.stringify(toStixBundle(structuredClone(INCIDENT))));
  const ids = (i: IncidentExport) => toStixBundle(i).objects.map((o) => o.id);
  const later = { ...INCIDENT, updatedAt: at('2026-04-12T00:00:00.000Z'), status: 'contained' };
  assert.deepEqual(ids(later), ids(INCIDENT));
  assert.notEqual(toStixBundle(later).id, toStixBundle(INCIDENT).id);
});

test('STIX: the same IoC in two incidents shares its SCO but not its SDOs', () => {
  const a = toStixBundle(INCIDENT).objects;
  const b = toStixBundle({ ...INCIDENT, id: 'INC-2026-0002' }).objects;
  assert.equal(byType(a, 'ipv4-addr')[0]?.id, byType(b, 'ipv4-addr')[0]?.id);
  assert.notEqual(byType(a, 'indicator')[0]?.id, byType(b, 'indicator')[0]?.id);
});

test('STIX: duplicates, no indicators, odd dates still give a valid bundle', () => {
  const cases: IncidentExport[] = [
    { ...INCIDENT, indicators: [...INCIDENT.indicators, ...INCIDENT.indicators] },
    { ...INCIDENT, indicators: [] },
    { ...INCIDENT, occurredAt: null, actions: null },
    { ...INCIDENT, occurredAt: at('2026-04-11T00:00:00.000Z'), updatedAt: at('2026-04-01T00:00:00.000Z') },
  ];
  for (const c of cases) assert.deepEqual(stixProblems(toStixBundle(c) as unknown as Record<string, unknown>), []);
  assert.equal(byType(toStixBundle(cases[0] as IncidentExport).objects, 'indicator').length, 8);
});

test('STIX: attributed incidents name the organisation; the checker catches broken refs', () => {
  const bundle = toStixBundle(INCIDENT);
  assert.equal(byType(bundle.objects, 'identity')[0]?.name, ORG_NAME);
  const broken = structuredClone(bundle);
  const rel = byType(broken.objects, 'relationship')[0] as StixObject;
  rel.target_ref = 'incident--00000000-0000-4000-8000-000000000000';
  assert.ok(stixProblems(broken as unknown as Record<string, unknown>).some((p) => p.includes('not in the bundle')));
});

test('anonymized: the organisation is named nowhere, in STIX or MISP', () => {
  for (const json of [JSON.stringify(toStixBundle(ANONYMIZED)), JSON.stringify(toMispEvent(ANONYMIZED))]) {
    assert.ok(!json.toLowerCase().includes(ORG_NAME.toLowerCase()), 'English name leaked');
    assert.doesNotMatch(json, /\bmeti\b/i, 'organisation code leaked');
    assert.ok(json.includes(ANONYMOUS_ORG_NAME));
  }
  const identity = byType(toStixBundle(ANONYMIZED).objects, 'identity')[0];
  assert.equal(identity?.name, ANONYMOUS_ORG_NAME);
  assert.equal(identity?.identity_class, 'organization');
  const other = toStixBundle({ ...ANONYMIZED, orgCode: 'mof', orgNameEn: 'Ministry of Finance' });
  assert.equal(byType(other.objects, 'identity')[0]?.id, identity?.id, 'identity id must not depend on the org');
  assert.deepEqual(stixProblems(toStixBundle(ANONYMIZED) as unknown as Record<string, unknown>), []);
});

test('anonymized: every name of the organisation, however spelt, is removed from the free text', () => {
  const spelt = {
    ...ANONYMIZED,
    orgNameJa: '経済産業省',
    orgShortNames: ['経産省'],
    summary: 'ＭＥＴＩ の端末と 経\u200B産省 の委託先、経済 産業省 本省',
    actions: 'me\u00ADti-CSIRT に連絡、M\u0415TI（キリル文字の Е）も',
  };
  for (const json of [JSON.stringify(toStixBundle(spelt)), JSON.stringify(toMispEvent(spelt))]) {
    for (const leak of ['ＭＥＴＩ', '経', '産業省', 'me\u00ADti', 'M\u0415TI'])
      assert.ok(!json.includes(leak), `${leak} leaked: ${json.slice(0, 400)}`);
    assert.ok(json.includes(`${ANONYMOUS_ORG_NAME}-CSIRT`));
  }
});

test('MISP: the event passes every core-format check', () => {
  assert.deepEqual(mispProblems(toMispEvent(INCIDENT) as unknown as { Event: Record<string, unknown> }), []);
});

test('MISP: event fields, tags and attributes', () => {
  const { Event: e } = toMispEvent(INCIDENT);
  assert.equal(e.date, '2026-04-10'); // 2026-04-09T16:30Z is 01:30 on the 10th in Tokyo
  assert.equal(e.threat_level_id, '1');
  assert.equal(e.analysis, '1');
  assert.equal(e.distribution, '0');
  assert.equal(e.published, false);
  assert.equal(e.timestamp, String(Date.parse('2026-04-10T02:15:30Z') / 1000));
  assert.deepEqual(e.Tag, [{ name: 'tlp:amber' }, { name: 'rsit:fraud="phishing"' }]);
  const iocs = e.Attribute.filter((a) => a.to_ids);
  assert.deepEqual(
    iocs.map((a) => [a.type, a.category, a.value]),
    INCIDENT.indicators.map((i) => [MISP_ATTRIBUTE_TYPES[i.type].type, MISP_ATTRIBUTE_TYPES[i.type].category, i.value]),
  );
  assert.deepEqual(
    iocs.map((a) => a.type),
    ['ip-dst', 'ip-dst', 'domain', 'url', 'email-src', 'md5', 'sha1', 'sha256'],
  );
  assert.ok(e.Attribute.some((a) => a.type === 'target-org' && a.value === ORG_NAME && !a.to_ids));
  assert.ok(e.Attribute.some((a) => a.type === 'comment' && a.category === 'Other'));
});

test('MISP: TLP, severity and status mappings', () => {
  const ev = (over: Partial<IncidentExport>) => toMispEvent({ ...INCIDENT, ...over }).Event;
  const tlp: [TlpLevel, string][] = [
    ['clear', '3'],
    ['green', '1'],
    ['amber', '0'],
    ['amber+strict', '0'],
    ['red', '0'],
  ];
  for (const [level, distribution] of tlp) {
    const e = ev({ tlp: level });
    assert.equal(e.distribution, distribution);
    assert.equal(e.Tag[0]?.name, `tlp:${level}`);
    assert.deepEqual(mispProblems({ Event: e as unknown as Record<string, unknown> }), []);
  }
  assert.deepEqual(
    (['critical', 'high', 'medium', 'low'] as const).map((severity) => ev({ severity }).threat_level_id),
    ['1', '1', '2', '3'],
  );
  assert.deepEqual(
    ['reported', 'triaging', 'contained', 'resolved', 'closed', 'rejected', 'unknown'].map(
      (status) => ev({ status }).analysis,
    ),
    ['0', '1', '1', '2', '2', '2', '0'],
  );
  assert.equal(
    ev({ rsit: { class: 'malicious-code', type: 'infected-system' } }).Tag[1]?.name,
    'rsit:malicious-code="infected-system"',
  );
  assert.notDeepEqual(mispProblems({ Event: { ...ev({}), Tag: [{ name: 'rsit:fraud="nope"' }] } as never }), []);
});

test('MISP: deterministic uuids, and a long multi-line summary becomes a short one-line info', () => {
  assert.equal(JSON.stringify(toMispEvent(INCIDENT)), JSON.stringify(toMispEvent(structuredClone(INCIDENT))));
  const e = toMispEvent({ ...INCIDENT, summary: `line one\nline two ${'x'.repeat(400)}` }).Event;
  assert.ok([...e.info].length <= 256 && !e.info.includes('\n'));
  assert.ok(e.info.startsWith('INC-2026-0001 (phishing): line one line two'));
  assert.deepEqual(mispProblems({ Event: e as unknown as Record<string, unknown> }), []);
});

test('MISP: anonymized events carry no target-org attribute', () => {
  const e = toMispEvent(ANONYMIZED).Event;
  assert.ok(!e.Attribute.some((a) => a.type === 'target-org'));
  assert.deepEqual(mispProblems({ Event: e as unknown as Record<string, unknown> }), []);
});

const REPORT: NonNullable<IncidentExport['report']> = {
  stage: 'update',
  updates: 2,
  awareAt: at('2026-04-09T16:00:00.000Z'),
  found: 'The METI help desk noticed odd log-ins',
  damage: 'Mail of 3 staff read',
  personal: 'yes',
  records: 1200,
  hosts: 4,
  impact: null,
  cause: 'Reused password',
  plan: '',
  notified: ['police', 'ppc'],
  public: 'undecided',
};

test('report items (issue 17): STIX labels the stage and describes what maps; MISP comments and counters; both pass the spec checks', () => {
  const inc = { ...INCIDENT, report: REPORT };
  const stix = toStixBundle(inc);
  assert.deepEqual(stixProblems(stix as unknown as Record<string, unknown>), []);
  const incident = byType(stix.objects, 'incident')[0];
  assert.ok(((incident?.labels ?? []) as string[]).includes('report-stage:update'));
  const d = String(incident?.description);
  for (const line of [
    'Report stage: follow-up report no. 2',
    'How it was found: The METI help desk noticed odd log-ins',
    'Damage: Mail of 3 staff read',
    'Presumed cause: Reused password',
    'Personal data involved: yes (1200 records)',
    'Hosts affected: 4',
    'Notified: police, Personal Information Protection Commission',
    'To be made public: not decided',
  ])
    assert.ok(d.includes(line), `${line} in ${d}`);
  assert.ok(!d.includes('Next steps') && !d.includes('Impact on'), 'items not given are left out');

  const misp = toMispEvent(inc);
  assert.deepEqual(mispProblems(misp as unknown as { Event: Record<string, unknown> }), []);
  const attrs = misp.Event.Attribute;
  const by = (comment: string) => attrs.filter((a) => a.comment === comment).map((a) => `${a.type}:${a.value}`);
  assert.deepEqual(by('Presumed cause'), ['comment:Reused password']);
  assert.deepEqual(by('Records of personal data involved'), ['counter:1200']);
  assert.deepEqual(by('Hosts affected'), ['counter:4']);
  assert.equal(by('Personal data, notifications and disclosure').length, 1);
  // a count of records means nothing without personal=yes
  const none = toMispEvent({ ...inc, report: { ...REPORT, personal: 'none' } });
  assert.equal(none.Event.Attribute.filter((a) => a.comment === 'Records of personal data involved').length, 0);
  // ids stay stable: exporting again gives the same JSON
  assert.equal(JSON.stringify(toMispEvent(inc)), JSON.stringify(misp));
});

test('report items of an anonymised incident lose the organisation’s names too', () => {
  const inc = { ...ANONYMIZED, report: REPORT };
  for (const json of [JSON.stringify(toStixBundle(inc)), JSON.stringify(toMispEvent(inc))]) {
    assert.ok(!/METI/.test(json), json.slice(0, 300));
    assert.ok(json.includes(`The ${ANONYMOUS_ORG_NAME} help desk`));
  }
});
