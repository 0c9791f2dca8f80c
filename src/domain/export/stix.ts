/**
 * An incident as a STIX 2.1 bundle: the reporting identity, the `incident`, and per
 * indicator an `indicator` (pattern), an `observed-data` with its SCO, and the
 * relationships between them — every object marked with the official TLP 2.0 marking.
 *
 * Ids are name-based UUIDs, so exporting the same incident again gives the same ids and
 * consumers update objects instead of duplicating them. SCO ids follow STIX 2.1 §2.9
 * (UUIDv5 over the JCS form of the ID contributing properties, in the STIX namespace).
 */
import type { IndicatorType } from '../indicators.ts';
import {
  type ExportIndicator,
  handlingMarks,
  type IncidentExport,
  productUuid,
  REPORT_TEXTS,
  reporterName,
  reportFacts,
  shareableText,
  stageName,
  type TlpLevel,
  uuidV5,
} from './incident-export.ts';

/** Any STIX 2.1 object: the common properties every exported object has, plus the rest. */
export interface StixObject {
  type: string;
  id: string;
  spec_version: '2.1';
  [property: string]: unknown;
}

/** A STIX 2.1 bundle (which, unlike in 2.0, has no `spec_version`). */
export interface StixBundle {
  type: 'bundle';
  id: string;
  objects: StixObject[];
}

/** The OASIS extension definition that TLP 2.0 marking definitions carry. */
const TLP2_EXTENSION_ID = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';

/** Official TLP 2.0 marking-definition ids (oasis-open/cti-stix-common-objects, tlp-2.0). */
export const TLP2_MARKING_IDS: Readonly<Record<TlpLevel, string>> = {
  clear: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  green: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  amber: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'amber+strict': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  red: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
};

/** STIX 2.1 §2.9: the namespace for deterministic SCO ids. */
export const STIX_SCO_NAMESPACE = '00abedb4-aa42-466c-9c01-fed23315a9b7';

const SCO_TYPES: Readonly<Record<IndicatorType, string>> = {
  ipv4: 'ipv4-addr',
  ipv6: 'ipv6-addr',
  domain: 'domain-name',
  url: 'url',
  email: 'email-addr',
  md5: 'file',
  sha1: 'file',
  sha256: 'file',
};

/** Fixed `created`/`modified` of identities, whose content is fully determined by their id. */
const IDENTITY_TIMESTAMP = '2026-01-01T00:00:00.000Z';

const HASH_NAMES: Partial<Record<IndicatorType, string>> = { md5: 'MD5', sha1: 'SHA-1', sha256: 'SHA-256' };

/** The TLP 2.0 marking definition exactly as OASIS publishes it. */
export function tlpMarkingDefinition(level: TlpLevel): StixObject {
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id: TLP2_MARKING_IDS[level],
    created: '2022-10-01T00:00:00.000Z',
    name: `TLP:${level.toUpperCase()}`,
    extensions: { [TLP2_EXTENSION_ID]: { extension_type: 'property-extension', tlp_2_0: level } },
  };
}

/**
 * The handling marks beside TLP (機密性, 取扱制限) as STIX 2.1 statement markings (§7.2.1.3),
 * one per mark; ids are name-based, so every export of the same mark names the same object.
 */
export function handlingMarkings(incident: IncidentExport): StixObject[] {
  return handlingMarks(incident).map((m) => ({
    type: 'marking-definition',
    spec_version: '2.1',
    id: `marking-definition--${productUuid('marking', m.statement)}`,
    created: IDENTITY_TIMESTAMP,
    name: m.statement,
    definition_type: 'statement',
    definition: { statement: m.statement },
  }));
}

/**
 * The STIX comparison expression matching `indicator`, e.g. `[ipv4-addr:value = '1.2.3.4']`
 * or `[file:hashes.'SHA-256' = '…']`, with `\` and `'` escaped in the string literal.
 */
export function stixPattern(indicator: { type: IndicatorType; value: string }): string {
  const literal = `'${indicator.value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const hash = HASH_NAMES[indicator.type];
  const path = hash ? `file:hashes.${hash === 'MD5' ? hash : `'${hash}'`}` : `${SCO_TYPES[indicator.type]}:value`;
  return `[${path} = ${literal}]`;
}

/** The STIX cyber-observable for an indicator, with its deterministic id. */
export function stixObservable(indicator: { type: IndicatorType; value: string }, markingRefs: string[]): StixObject {
  const type = SCO_TYPES[indicator.type];
  const hash = HASH_NAMES[indicator.type];
  const contributing = hash ? { hashes: { [hash]: indicator.value } } : { value: indicator.value };
  // With a single key at each level JSON.stringify already yields the RFC 8785 (JCS) form.
  const id = `${type}--${uuidV5(STIX_SCO_NAMESPACE, JSON.stringify(contributing))}`;
  return { type, spec_version: '2.1', id, ...contributing, object_marking_refs: markingRefs };
}

/** The incident as a STIX 2.1 bundle. Pure: the same incident always gives the same JSON. */
export function toStixBundle(incident: IncidentExport): StixBundle {
  const marks = handlingMarkings(incident);
  const markingRefs = [TLP2_MARKING_IDS[incident.tlp], ...marks.map((m) => m.id)];
  const reported = incident.reportedAt.toISOString();
  const modified = latest(incident.reportedAt, incident.updatedAt).toISOString();
  const anonymous = incident.anonymized;
  const identity: StixObject = {
    type: 'identity',
    spec_version: '2.1',
    // The name is part of the id: a renamed organisation is a new identity, so an id never
    // stands for two different contents under the same fixed timestamp.
    id: `identity--${anonymous ? productUuid('identity', 'anonymous') : productUuid('identity', incident.orgCode, incident.orgNameEn)}`,
    created: IDENTITY_TIMESTAMP,
    modified: IDENTITY_TIMESTAMP,
    name: reporterName(incident),
    identity_class: 'organization',
    sectors: ['government-national'],
    object_marking_refs: markingRefs,
  };
  const common = { spec_version: '2.1' as const, created_by_ref: identity.id, object_marking_refs: markingRefs };
  const incidentObject: StixObject = {
    type: 'incident',
    id: `incident--${productUuid(incident.id, 'incident')}`,
    ...common,
    created: reported,
    modified,
    name: `${incident.id} (${incident.category})`,
    description: describe(incident),
    labels: [
      incident.category,
      `severity:${incident.severity}`,
      `rsit:${incident.rsit.class}="${incident.rsit.type}"`,
      ...(incident.report ? [`report-stage:${incident.report.stage}`] : []),
    ],
    external_references: [{ source_name: 'csirt-poc-bot', external_id: incident.id }],
  };
  const objects: StixObject[] = [tlpMarkingDefinition(incident.tlp), ...marks, identity, incidentObject];
  const seen = new Set<string>();
  for (const ioc of incident.indicators) {
    const key = `${ioc.type} ${ioc.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    objects.push(...indicatorObjects(incident, ioc, incidentObject.id, common));
  }
  return { type: 'bundle', id: `bundle--${productUuid(incident.id, 'bundle', modified)}`, objects };
}

function indicatorObjects(
  incident: IncidentExport,
  ioc: ExportIndicator,
  incidentId: string,
  common: { spec_version: '2.1'; created_by_ref: string; object_marking_refs: string[] },
): StixObject[] {
  const at = ioc.addedAt.toISOString();
  const name = (kind: string) => `${kind}--${productUuid(incident.id, kind, ioc.type, ioc.value)}`;
  const observable = stixObservable(ioc, common.object_marking_refs);
  const firstObserved = incident.occurredAt ?? incident.detectedAt;
  const indicator: StixObject = {
    type: 'indicator',
    id: name('indicator'),
    ...common,
    created: at,
    modified: at,
    name: `${ioc.type}: ${ioc.value}`,
    indicator_types: ['malicious-activity'],
    pattern: stixPattern(ioc),
    pattern_type: 'stix',
    pattern_version: '2.1',
    valid_from: at,
  };
  const observed: StixObject = {
    type: 'observed-data',
    id: name('observed-data'),
    ...common,
    created: at,
    modified: at,
    first_observed: earliest(firstObserved, incident.detectedAt).toISOString(),
    last_observed: latest(firstObserved, incident.detectedAt).toISOString(),
    number_observed: 1,
    object_refs: [observable.id],
  };
  const relationship = (kind: string, type: string, target: string): StixObject => ({
    type: 'relationship',
    id: `relationship--${productUuid(incident.id, kind, ioc.type, ioc.value)}`,
    ...common,
    created: at,
    modified: at,
    relationship_type: type,
    source_ref: indicator.id,
    target_ref: target,
  });
  return [
    indicator,
    observable,
    observed,
    relationship('indicates', 'indicates', incidentId),
    relationship('based-on', 'based-on', observed.id),
  ];
}

/** The summary, then each report item given (free text made shareable), one paragraph each. */
function describe(incident: IncidentExport): string {
  const parts = [shareableText(incident, incident.summary)];
  const r = incident.report;
  const given = (v: string | null | undefined): v is string => v !== null && v !== undefined && v.trim() !== '';
  if (r) {
    parts.push(`Report stage: ${stageName(r)}`);
    for (const [key, label] of REPORT_TEXTS)
      if (given(r[key])) parts.push(`${label}: ${shareableText(incident, r[key])}`);
  }
  if (given(incident.actions)) parts.push(`Actions taken: ${shareableText(incident, incident.actions)}`);
  if (r) {
    const facts = reportFacts(r);
    if (facts.length) parts.push(facts.join('\n'));
  }
  return parts.join('\n\n');
}

function latest(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}

function earliest(a: Date, b: Date): Date {
  return a.getTime() <= b.getTime() ? a : b;
}
