/**
 * An incident as a MISP event in the MISP core format (draft-dulaunoy-misp-core-format):
 * one attribute per indicator, tagged with the `tlp` and `rsit` taxonomies.
 *
 * Mappings chosen here:
 * - threat_level_id: critical and high → 1 (High), medium → 2, low → 3.
 * - analysis: reported → 0 (Initial); triaging, contained → 1 (Ongoing); resolved, closed,
 *   rejected → 2 (Complete).
 * - distribution follows TLP: clear → 3 (All communities), green → 1 (This community),
 *   amber, amber+strict, red → 0 (Your organisation only); attributes inherit (5).
 * - date is the Asia/Tokyo calendar date of detection.
 * - Report items (issue 17): each free-text item given is a `comment` attribute labelled as
 *   the STIX description labels it; records and hosts are `counter` attributes; personal data,
 *   notifications and disclosure one `comment` of facts. The reporter's contact is never
 *   exported.
 * - Instance-local fields (`id`, `event_id`, `Org`, `Orgc`) are left to the importing
 *   instance; the reporting organisation, when not anonymised, is a `target-org` attribute.
 */

import { tokyoDate } from '../fiscal-year.ts';
import type { IndicatorType } from '../indicators.ts';
import {
  handlingMarks,
  type IncidentExport,
  productUuid,
  REPORT_TEXTS,
  reportFacts,
  type Severity,
  shareableText,
  type TlpLevel,
} from './incident-export.ts';

/** A MISP attribute as exported (core format §Attribute). */
export interface MispAttribute {
  uuid: string;
  type: string;
  category: string;
  value: string;
  to_ids: boolean;
  distribution: '5';
  sharing_group_id: '0';
  timestamp: string;
  deleted: false;
  comment: string;
}

/** A MISP event as exported (core format §Event), wrapped as MISP expects on import. */
export interface MispEvent {
  Event: {
    uuid: string;
    info: string;
    date: string;
    threat_level_id: '1' | '2' | '3' | '4';
    analysis: '0' | '1' | '2';
    distribution: '0' | '1' | '2' | '3';
    sharing_group_id: '0';
    published: false;
    timestamp: string;
    Attribute: MispAttribute[];
    Tag: { name: string }[];
  };
}

/** MISP attribute type and category for each indicator type. */
export const MISP_ATTRIBUTE_TYPES: Readonly<Record<IndicatorType, { type: string; category: string }>> = {
  ipv4: { type: 'ip-dst', category: 'Network activity' },
  ipv6: { type: 'ip-dst', category: 'Network activity' },
  domain: { type: 'domain', category: 'Network activity' },
  url: { type: 'url', category: 'Network activity' },
  email: { type: 'email-src', category: 'Payload delivery' },
  md5: { type: 'md5', category: 'Payload delivery' },
  sha1: { type: 'sha1', category: 'Payload delivery' },
  sha256: { type: 'sha256', category: 'Payload delivery' },
};

const THREAT_LEVELS: Readonly<Record<Severity, '1' | '2' | '3'>> = { critical: '1', high: '1', medium: '2', low: '3' };
const DISTRIBUTIONS: Readonly<Record<TlpLevel, '0' | '1' | '3'>> = {
  clear: '3',
  green: '1',
  amber: '0',
  'amber+strict': '0',
  red: '0',
};
const ANALYSIS: Readonly<Record<string, '0' | '1' | '2'>> = {
  reported: '0',
  triaging: '1',
  contained: '1',
  resolved: '2',
  closed: '2',
  rejected: '2',
};
const MAX_INFO = 256;

/** The `tlp` taxonomy tag, e.g. `tlp:amber+strict`. */
export function tlpTag(level: TlpLevel): string {
  return `tlp:${level}`;
}

/** The `rsit` taxonomy tag, e.g. `rsit:fraud="phishing"`. */
export function rsitTag(rsit: { class: string; type: string }): string {
  return `rsit:${rsit.class}="${rsit.type}"`;
}

/** The incident as a MISP event. Pure: the same incident always gives the same JSON. */
export function toMispEvent(incident: IncidentExport): MispEvent {
  const updated = Math.max(incident.updatedAt.getTime(), incident.reportedAt.getTime());
  const attributes: MispAttribute[] = [];
  const attribute = (
    key: string[],
    fields: Omit<MispAttribute, 'uuid' | 'distribution' | 'sharing_group_id' | 'deleted'>,
  ) =>
    attributes.push({
      uuid: productUuid(incident.id, 'misp-attribute', ...key),
      distribution: '5',
      sharing_group_id: '0',
      deleted: false,
      ...fields,
    });
  const seen = new Set<string>();
  for (const ioc of incident.indicators) {
    const { type, category } = MISP_ATTRIBUTE_TYPES[ioc.type];
    if (seen.has(`${type} ${ioc.value}`)) continue;
    seen.add(`${type} ${ioc.value}`);
    attribute([type, ioc.value], {
      type,
      category,
      value: ioc.value,
      to_ids: true,
      timestamp: unixSeconds(ioc.addedAt.getTime()),
      comment: '',
    });
  }
  if (!incident.anonymized) {
    attribute(['target-org'], {
      type: 'target-org',
      category: 'Targeting data',
      value: incident.orgNameEn,
      to_ids: false,
      timestamp: unixSeconds(incident.reportedAt.getTime()),
      comment: 'Reporting organisation',
    });
  }
  if (incident.actions !== null && incident.actions.trim() !== '') {
    attribute(['actions'], {
      type: 'comment',
      category: 'Other',
      value: shareableText(incident, incident.actions),
      to_ids: false,
      timestamp: unixSeconds(updated),
      comment: 'Actions taken',
    });
  }
  const r = incident.report;
  if (r) {
    const at = unixSeconds(updated);
    for (const [key, label] of REPORT_TEXTS) {
      const v = r[key];
      if (v === null || v.trim() === '') continue;
      attribute([key], {
        type: 'comment',
        category: 'Other',
        value: shareableText(incident, v),
        to_ids: false,
        timestamp: at,
        comment: label,
      });
    }
    const counters = [
      ['records', r.personal === 'yes' ? r.records : null, 'Records of personal data involved'],
      ['hosts', r.hosts, 'Hosts affected'],
    ] as const;
    for (const [key, n, label] of counters) {
      if (n === null) continue;
      attribute([key], {
        type: 'counter',
        category: 'Other',
        value: String(n),
        to_ids: false,
        timestamp: at,
        comment: label,
      });
    }
    const facts = reportFacts(r);
    if (facts.length)
      attribute(['report-facts'], {
        type: 'comment',
        category: 'Other',
        value: facts.join('\n'),
        to_ids: false,
        timestamp: at,
        comment: 'Personal data, notifications and disclosure',
      });
  }
  return {
    Event: {
      uuid: productUuid(incident.id, 'misp-event'),
      info: info(incident),
      date: isoDate(incident.detectedAt),
      threat_level_id: THREAT_LEVELS[incident.severity],
      analysis: ANALYSIS[incident.status] ?? '0',
      distribution: DISTRIBUTIONS[incident.tlp],
      sharing_group_id: '0',
      published: false,
      timestamp: unixSeconds(updated),
      Attribute: attributes,
      Tag: [
        { name: tlpTag(incident.tlp) },
        ...handlingMarks(incident).map((m) => ({ name: m.tag })),
        { name: rsitTag(incident.rsit) },
      ],
    },
  };
}

// The core format asks for a single line of at most 256 characters.
function info(incident: IncidentExport): string {
  const text = `${incident.id} (${incident.category}): ${shareableText(incident, incident.summary)}`
    .replace(/\s+/g, ' ')
    .trim();
  const chars = [...text];
  return chars.length <= MAX_INFO ? text : `${chars.slice(0, MAX_INFO - 1).join('')}…`;
}

function isoDate(at: Date): string {
  const { year, month, day } = tokyoDate(at);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function unixSeconds(ms: number): string {
  return String(Math.floor(ms / 1000));
}
