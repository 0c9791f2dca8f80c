/**
 * What the STIX and MISP exporters read from an incident, and the helpers both share:
 * deterministic UUIDs (so that re-exporting gives the same ids) and anonymisation.
 */

import { createHash } from 'node:crypto';
import { HANDLING_MARKS } from '../handling.ts';
import type { IndicatorType } from '../indicators.ts';
import { namesOf, redactNames } from '../names.ts';

/** Incident severity as reported. */
export type Severity = 'low' | 'medium' | 'high' | 'critical';

/** TLP 2.0 label, lower case as in MISP's `tlp` taxonomy. */
export type TlpLevel = 'clear' | 'green' | 'amber' | 'amber+strict' | 'red';

/** One indicator of the incident, already in canonical form (see `normalizeIndicator`). */
export interface ExportIndicator {
  type: IndicatorType;
  value: string;
  addedAt: Date;
}

/**
 * An incident as the exporters see it. When `anonymized` is true the reporting organisation
 * is never named: the identity is "Anonymous ministry" and its name and code are removed
 * from the free text.
 */
export interface IncidentExport {
  /** `INC-<fiscal year>-<4 digits>`, e.g. `INC-2026-0001`. */
  id: string;
  orgCode: string;
  orgNameEn: string;
  /** the Japanese name and short names: also removed from the text when anonymised */
  orgNameJa?: string;
  orgShortNames?: readonly string[];
  anonymized: boolean;
  /** One of targeted-email, malware, unauthorized-access, dos, defacement, data-leak, phishing, scan, p2p-file-sharing, lost-media, other. */
  category: string;
  /** Reference Security Incident Taxonomy class and type, e.g. `{ class: 'fraud', type: 'phishing' }`. */
  rsit: { class: string; type: string };
  summary: string;
  severity: Severity;
  tlp: TlpLevel;
  /** 機密性 1–3 (統一基準の格付) and 取扱制限 codes (src/domain/handling.ts): marked beside TLP */
  confidentiality?: number | null;
  handling?: readonly string[];
  status: string;
  detectedAt: Date;
  occurredAt: Date | null;
  reportedAt: Date;
  updatedAt: Date;
  actions: string | null;
  indicators: ExportIndicator[];
  /** the report items (issue 17) that leave the system; absent in exports made before them */
  report?: ExportReport;
}

/**
 * The report items an export carries. The reporter's contact (所属・氏名・電話) never leaves
 * the bot: it is a person's data, and an export is made to be passed on.
 */
export interface ExportReport {
  /** quick 速報 · update 続報 · final 確報 */
  stage: 'quick' | 'update' | 'final';
  /** 続報 so far */
  updates: number;
  /** 認知日時 */
  awareAt: Date | null;
  found: string | null;
  damage: string | null;
  personal: 'none' | 'yes' | 'unknown' | null;
  records: number | null;
  hosts: number | null;
  impact: string | null;
  cause: string | null;
  plan: string | null;
  /** police, ppc, jpcert, other, none */
  notified: readonly string[] | null;
  public: 'yes' | 'no' | 'undecided' | null;
}

/** The free-text report items, with the English label both exporters give them. */
export const REPORT_TEXTS = [
  ['found', 'How it was found'],
  ['damage', 'Damage'],
  ['impact', 'Impact on work and services'],
  ['cause', 'Presumed cause'],
  ['plan', 'Next steps'],
] as const satisfies readonly (readonly [keyof ExportReport, string])[];

const NOTIFIED_EN: Readonly<Record<string, string>> = {
  police: 'police',
  ppc: 'Personal Information Protection Commission',
  jpcert: 'JPCERT/CC',
  other: 'others',
  none: 'nobody yet',
};

/**
 * The structured report items as English `label: value` lines (personal data, hosts,
 * notifications, disclosure), in form order; nothing for items not given.
 */
export function reportFacts(r: ExportReport): string[] {
  const out: string[] = [];
  if (r.personal)
    out.push(
      `Personal data involved: ${r.personal === 'unknown' ? 'not known yet' : r.personal}${
        r.personal === 'yes' && r.records !== null ? ` (${r.records} records)` : ''
      }`,
    );
  if (r.hosts !== null) out.push(`Hosts affected: ${r.hosts}`);
  if (r.notified?.length) out.push(`Notified: ${r.notified.map((n) => NOTIFIED_EN[n] ?? n).join(', ')}`);
  if (r.public) out.push(`To be made public: ${r.public === 'undecided' ? 'not decided' : r.public}`);
  return out;
}

/** `quick report`, `follow-up report no. 2`, `final report` (docs/glossary.md). */
export function stageName(r: ExportReport): string {
  return r.stage === 'quick'
    ? 'quick report'
    : r.stage === 'final'
      ? 'final report'
      : `follow-up report no. ${r.updates}`;
}

/** The name used for the reporting organisation of an anonymised incident. */
export const ANONYMOUS_ORG_NAME = 'Anonymous ministry';

/**
 * Namespace of this product's name-based UUIDs. Fixed for good: changing it changes every
 * id ever exported, and consumers would see duplicates instead of updates.
 */
export const CSIRT_POC_BOT_NAMESPACE = 'e027a56e-baf7-4b30-ac0d-6a30b8469792';

/** Name-based UUID, version 5 (SHA-1), as RFC 9562 §5.5 defines it. */
export function uuidV5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new RangeError(`not a UUID: ${namespace}`);
  const bytes = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A UUID of this product for `parts`, joined so that no two part lists collide. */
export function productUuid(...parts: string[]): string {
  return uuidV5(CSIRT_POC_BOT_NAMESPACE, JSON.stringify(parts));
}

/**
 * The free text of an incident as it may leave the system: for an anonymised incident, every
 * name of the organisation (its code, Japanese and English names, short names), however spelt
 * — full-width, with invisible characters inside, with other dashes (src/domain/names.ts) — is
 * replaced by {@link ANONYMOUS_ORG_NAME}. A description in other words (the ministry's
 * building, a system's name) remains the reporter's responsibility.
 */
export function shareableText(incident: IncidentExport, text: string): string {
  if (!incident.anonymized) return text;
  const names = namesOf({
    code: incident.orgCode,
    nameJa: incident.orgNameJa ?? '',
    nameEn: incident.orgNameEn,
    short: incident.orgShortNames ?? [],
  });
  return redactNames(text, names, ANONYMOUS_ORG_NAME);
}

/** Display name of the reporting organisation, honouring anonymisation. */
export function reporterName(incident: IncidentExport): string {
  return incident.anonymized ? ANONYMOUS_ORG_NAME : incident.orgNameEn;
}

/**
 * The handling marks beside TLP as the exporters name them: the 機密性 class and each 取扱制限
 * mark, in Japanese as officials write them and in English, with the machine tag MISP carries.
 */
export function handlingMarks(incident: IncidentExport): { statement: string; tag: string }[] {
  const out: { statement: string; tag: string }[] = [];
  if (incident.confidentiality)
    out.push({
      statement: `機密性${incident.confidentiality} (Confidentiality class ${incident.confidentiality}, Japanese government unified standards)`,
      tag: `${MARK_NAMESPACE}:confidentiality="${incident.confidentiality}"`,
    });
  for (const code of incident.handling ?? []) {
    const m = HANDLING_MARKS.find((x) => x.code === code);
    if (!m) continue;
    out.push({
      statement: `取扱制限: ${m.ja} (Handling: ${m.en})`,
      tag: `${MARK_NAMESPACE}:handling="${m.code}"`,
    });
  }
  return out;
}

/** The MISP tag namespace of the handling marks (no public taxonomy carries them). */
export const MARK_NAMESPACE = 'jp-gov-unified-standards';
