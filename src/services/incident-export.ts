/**
 * `incident export`: the incident as the export module's input, then a STIX 2.1 bundle or a
 * MISP event as a .json attachment. The reporting organisation is named only when its report
 * carries `attributed` consent or the caller belongs to it (an export is made to be passed on).
 */
import type { Caller } from '../core/command.ts';
import type { Attachment } from '../core/reply.ts';
import type { IncidentExport } from '../domain/export/incident-export.ts';
import { toMispEvent } from '../domain/export/misp.ts';
import { toStixBundle } from '../domain/export/stix.ts';
import { CATEGORIES } from '../domain/incident-categories.ts';
import type { IncidentDetail } from './incident-queries.ts';

export function exportInput(d: IncidentDetail, caller: Caller): IncidentExport {
  const i = d.incident;
  const named = i.share === 'attributed' || caller.org?.id === i.orgId;
  return {
    id: i.id,
    summary: i.summary,
    category: i.category,
    rsit: CATEGORIES.find((c) => c.code === i.category)?.rsit ?? { class: 'other', type: 'undetermined' },
    severity: i.severity,
    tlp: i.tlp,
    status: i.status,
    createdAt: i.createdAt,
    detectedAt: i.detectedAt,
    occurredAt: i.occurredAt,
    org: named ? { code: i.org.code, name: i.org.nameEn } : null,
    indicators: d.indicators,
  };
}

export function exportAttachment(d: IncidentDetail, caller: Caller, format: 'stix' | 'misp'): Attachment {
  const input = exportInput(d, caller);
  const doc = format === 'stix' ? toStixBundle(input) : toMispEvent(input);
  return {
    filename: `${d.incident.id}.${format}.json`,
    mime: 'application/json',
    data: Buffer.from(`${JSON.stringify(doc, null, 2)}\n`).toString('base64'),
  };
}
