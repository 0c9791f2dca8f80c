/**
 * `incident export`: the incident as the export module's input, then a STIX 2.1 bundle or a
 * MISP event as a .json attachment. The reporting organisation is named only when its report
 * carries `attributed` consent or the caller belongs to it (an export is made to be passed on).
 * Its free text is cleaned of control and bidi characters first (src/domain/text.ts), whatever
 * the stored row holds.
 */
import type { Caller } from '../core/command.ts';
import type { Attachment } from '../core/reply.ts';
import type { ExportReport, IncidentExport, Severity, TlpLevel } from '../domain/export/incident-export.ts';
import { toMispEvent } from '../domain/export/misp.ts';
import { toStixBundle } from '../domain/export/stix.ts';
import { handlingCodes } from '../domain/handling.ts';
import { CATEGORIES } from '../domain/incident-categories.ts';
import type { IndicatorType } from '../domain/indicators.ts';
import { readNotified } from '../domain/report-contents.ts';
import { cleanText } from '../domain/text.ts';
import type { IncidentDetail } from './incident-queries.ts';
import { decodeShortNames } from './org-names.ts';

/** free text as it may leave the system (src/domain/text.ts) */
const clean = (v: string | null) => (v === null ? null : cleanText(v));

export function exportInput(d: IncidentDetail, caller: Caller): IncidentExport {
  const i = d.incident;
  return {
    id: i.id,
    orgCode: i.org.code,
    orgNameEn: cleanText(i.org.nameEn),
    orgNameJa: cleanText(i.org.nameJa),
    orgShortNames: decodeShortNames(i.org.shortNames),
    anonymized: !(i.share === 'attributed' || caller.org?.id === i.orgId),
    category: i.category,
    rsit: CATEGORIES.find((c) => c.code === i.category)?.rsit ?? { class: 'other', type: 'undetermined' },
    // an exercise says so in every export, in both languages (src/services/exercise.ts)
    summary: `${i.exercise ? '[EXERCISE] 【訓練】 ' : ''}${cleanText(i.summary)}`,
    severity: i.severity as Severity,
    tlp: i.tlp as TlpLevel,
    confidentiality: i.confidentiality,
    handling: handlingCodes(i.handling),
    status: i.status,
    detectedAt: i.detectedAt,
    occurredAt: i.occurredAt,
    reportedAt: i.createdAt,
    updatedAt: i.updatedAt,
    actions: i.actions === null ? null : cleanText(i.actions),
    indicators: d.indicators.map((x) => ({ type: x.type as IndicatorType, value: x.value, addedAt: x.addedAt })),
    report: {
      stage: i.stage as ExportReport['stage'],
      updates: i.updates,
      awareAt: i.awareAt,
      found: clean(i.found),
      damage: clean(i.damage),
      personal: (i.personal as ExportReport['personal']) ?? null,
      records: i.records,
      hosts: i.hosts,
      impact: clean(i.impact),
      cause: clean(i.cause),
      plan: clean(i.plan),
      notified: readNotified(i.notified),
      public: (i.disclosure as ExportReport['public']) ?? null,
    },
  };
}

export function exportAttachment(d: IncidentDetail, caller: Caller, format: 'stix' | 'misp'): Attachment {
  const input = exportInput(d, caller);
  const doc = format === 'stix' ? toStixBundle(input) : toMispEvent(input);
  return {
    filename: `${d.incident.exercise ? 'EXERCISE-' : ''}${d.incident.id}.${format}.json`,
    mime: 'application/json',
    data: Buffer.from(`${JSON.stringify(doc, null, 2)}\n`).toString('base64'),
  };
}
