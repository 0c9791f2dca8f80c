/**
 * How incidents read in chat: labels, the channel posts (new report, status change,
 * correlation alert) and the timeline. Indicators are always shown defanged.
 *
 * TLP:RED: a channel is never "named recipients only", so a TLP:RED incident's posts carry
 * only its id, category, severity and what happened (reported / new status), and point to
 * `/csirt incident show <id>`, which checks who is asking.
 */

import type { OutMessage } from '../core/platform.ts';
import type { Block } from '../core/reply.ts';
import { type DateStyle, formatDateTime } from '../domain/dates.ts';
import { categoryLabel } from '../domain/incident-categories.ts';
import { defang } from '../domain/indicators.ts';
import { orgLabel } from '../domain/org-names.ts';
import type { ReportContents } from '../domain/report-contents.ts';
import type { StageStep } from '../domain/report-stages.ts';
import { keyOf, type Locale, type Translate } from '../i18n/index.ts';
import { contentsOf, contentValue, fieldList } from './incident-clock-format.ts';
import { handlingLine, markFields } from './marks-format.ts';

/** The report-item columns of an incident row (incident-items.ts). */
type ReportContentColumns = {
  awareAt: Date | null;
  contact: string | null;
  found: string | null;
  damage: string | null;
  personal: string | null;
  records: number | null;
  hosts: number | null;
  impact: string | null;
  cause: string | null;
  plan: string | null;
  notified: string | null;
  disclosure: string | null;
  updates: number;
};

export interface IncidentView extends Partial<ReportContentColumns> {
  id: string;
  category: string;
  summary: string;
  severity: string;
  tlp: string;
  share: string;
  confidentiality: number | null;
  /** 取扱制限 as stored (src/domain/handling.ts) */
  handling?: string | null;
  systemId: string | null;
  detectedAt: Date;
  occurredAt: Date | null;
  actions: string | null;
  status: string;
  stage: string;
  createdAt: Date;
  /** shortNames: the stored JSON list, where the view needs it (exports) */
  org: { code: string; nameJa: string; nameEn: string; shortNames?: string };
}

export interface IndicatorView {
  type: string;
  value: string;
}

export const orgName = orgLabel;

export const tlpLabel = (tlp: string) => `TLP:${tlp.toUpperCase()}`;

export function indicatorList(list: readonly IndicatorView[]): string {
  return list.map((i) => `${i.type} ${defang(i.value)}`).join('\n');
}

/** The label/value pairs of an incident, in the order of the report form. */
export function incidentFields(inc: IncidentView, inds: readonly IndicatorView[], t: Translate, style: DateStyle) {
  const locale = style.locale;
  const f: [string, string][] = [
    [t('incident.f.org'), orgName(inc.org, locale)],
    [t('incident.f.category'), categoryLabel(inc.category, locale)],
    [t('incident.f.severity'), t(keyOf('incident.severity.', inc.severity))],
    ['TLP', tlpLabel(inc.tlp)],
    ...markFields(t, inc),
    [t('incident.f.summary'), inc.summary],
    [t('incident.f.detected'), formatDateTime(inc.detectedAt, style)],
  ];
  if (inc.occurredAt) f.push([t('incident.f.occurred'), formatDateTime(inc.occurredAt, style)]);
  if (inc.awareAt && inc.awareAt.getTime() !== inc.detectedAt.getTime())
    f.push([t('incident.f.awareness'), formatDateTime(inc.awareAt, style)]);
  if (inc.systemId) f.push([t('incident.f.system'), inc.systemId]);
  if (inc.actions) f.push([t('incident.f.actions'), inc.actions]);
  f.push([t('incident.f.share'), t(keyOf('incident.share.', inc.share))]);
  if (inds.length) f.push([t('incident.f.indicators'), indicatorList(inds)]);
  return f;
}

function redBlocks(inc: IncidentView, t: Translate, locale: Locale, extra: [string, string][]): Block[] {
  return [
    {
      kind: 'fields',
      fields: [
        [t('incident.f.category'), categoryLabel(inc.category, locale)],
        [t('incident.f.severity'), t(keyOf('incident.severity.', inc.severity))],
        ['TLP', tlpLabel(inc.tlp)],
        ...markFields(t, inc),
        ...extra,
      ],
    },
    { kind: 'context', text: t('incident.post.red', { id: inc.id }) },
  ];
}

/** The post for a new report (to NISC's channel and the reporter's organisation channel). */
export function newReportPost(
  inc: IncidentView,
  inds: readonly IndicatorView[],
  t: Translate,
  style: DateStyle,
): OutMessage {
  const locale = style.locale;
  const heading: Block = {
    kind: 'heading',
    text: t('incident.post.new', { id: inc.id, stage: t(keyOf('incident.stage.', inc.stage)) }),
  };
  const readMore = `incident show ${inc.id}`;
  if (inc.tlp === 'red') return { blocks: [heading, ...redBlocks(inc, t, locale, [])], readMore };
  return {
    blocks: [
      heading,
      { kind: 'fields', fields: incidentFields(inc, inds, t, style) },
      { kind: 'context', text: t('incident.post.more', { id: inc.id }) },
    ],
    readMore,
  };
}

/** The post for a status change. */
export function statusPost(
  inc: IncidentView,
  change: { from: string; to: string; actor: string; note: string | null },
  t: Translate,
  locale: Locale,
): OutMessage {
  const heading: Block = { kind: 'heading', text: t('incident.post.status', { id: inc.id }) };
  const move: [string, string] = [
    t('incident.f.status'),
    `${t(keyOf('incident.status.', change.from))} → ${t(keyOf('incident.status.', change.to))}`,
  ];
  const readMore = `incident show ${inc.id}`;
  if (inc.tlp === 'red') return { blocks: [heading, ...redBlocks(inc, t, locale, [move])], readMore };
  const fields: [string, string][] = [
    [t('incident.f.org'), orgName(inc.org, locale)],
    [t('incident.f.category'), categoryLabel(inc.category, locale)],
    [t('incident.f.severity'), t(keyOf('incident.severity.', inc.severity))],
    move,
    [t('incident.f.by'), change.actor],
  ];
  if (change.note) fields.push([t('incident.f.note'), change.note]);
  return {
    blocks: [heading, { kind: 'fields', fields }, { kind: 'context', text: t('incident.post.more', { id: inc.id }) }],
    readMore,
  };
}

/** NISC's correlation alert: one indicator seen in reports of several organisations. */
export function correlationPost(
  indicator: IndicatorView,
  incidents: readonly { id: string; tlp: string; org: { code: string } }[],
  orgCount: number,
  t: Translate,
): OutMessage {
  const red = incidents.some((i) => i.tlp === 'red');
  const value = red ? t('incident.correlation.withheld') : `${indicator.type} ${defang(indicator.value)}`;
  return {
    blocks: [
      { kind: 'heading', text: t('incident.correlation.title', { count: orgCount }) },
      {
        kind: 'fields',
        fields: [
          [t('incident.f.indicator'), value],
          [t('incident.correlation.incidents'), incidents.map((i) => `${i.id} (${i.org.code})`).join(', ')],
        ],
      },
    ],
  };
}

export interface EventView {
  at: Date;
  actor: string;
  kind: string;
  data: Record<string, unknown>;
}

/** One line of the timeline: what happened, in the reader's language. */
export function eventText(e: EventView, t: Translate, style: DateStyle): string {
  const d = e.data;
  const list = (v: unknown) =>
    fieldList((Array.isArray(v) ? v : []).map(String), t, style.locale) || t('incident.ev.none');
  const when = (v: unknown) => formatDateTime(new Date(String(v)), style);
  switch (e.kind) {
    case 'stage':
      return d.stage === 'final'
        ? t('incident.ev.stage_final', { fields: list(d.fields) })
        : t('incident.ev.stage_update', { n: Number(d.n ?? 0), fields: list(d.fields) });
    case 'content':
      return t('incident.ev.content', { fields: list(d.fields) });
    case 'awareness':
      return t('incident.ev.awareness', { from: when(d.from), to: when(d.to) });
    case 'clock': {
      const stage = t(keyOf('incident.stage_of.', d.stage));
      return d.kind === 'remind'
        ? t('incident.ev.clock_remind', { stage, due: when(d.due) })
        : t('incident.ev.clock_escalate', {
            stage,
            due: when(d.due),
            told: (Array.isArray(d.told) ? d.told : []).join(', ') || '-',
          });
    }
    case 'reported':
      return t('incident.ev.reported', { org: String(d.org ?? ''), count: Number(d.indicators ?? 0) });
    case 'status':
      return t('incident.ev.status', {
        from: t(keyOf('incident.status.', d.from)),
        to: t(keyOf('incident.status.', d.to)),
      });
    case 'note':
      return t('incident.ev.note', { text: String(d.text ?? '') });
    case 'indicator':
      return t('incident.ev.indicator', { value: `${d.type} ${defang(String(d.value ?? ''))}` });
    case 'field': {
      // TLP labels are written in capitals and never translated
      const show = (v: unknown) => {
        if (d.field === 'tlp') return `TLP:${String(v).toUpperCase()}`;
        if (d.field === 'confidentiality')
          return v ? t('marks.confidentiality', { level: Number(v) }) : t('marks.none');
        if (d.field === 'handling') return handlingLine(t, v ? String(v) : null) || t('marks.none');
        return t(keyOf('incident.', `${d.field}.${v}`));
      };
      return t('incident.ev.field', { field: t(keyOf('incident.f.', d.field)), from: show(d.from), to: show(d.to) });
    }
    default:
      return e.kind;
  }
}

/**
 * The post for a 続報 or the 確報: what it brings (the items it set, a status move), to the
 * coordinating office's channel and the organisation's own. TLP:RED: the stage and the id only.
 */
export function stagePost(
  inc: IncidentView & ReportContentColumns,
  step: Extract<StageStep, { ok: true }>,
  changes: readonly string[],
  move: { from: string; to: string; actor: string; note: string | null } | null,
  t: Translate,
  style: DateStyle,
): OutMessage {
  const locale = style.locale;
  const stage = step.step === 'update' ? t('incident.stage.nth', { n: step.n }) : t('incident.stage.final');
  const heading: Block = { kind: 'heading', text: t('incident.post.stage', { id: inc.id, stage }) };
  const moved: [string, string][] = move
    ? [
        [
          t('incident.f.status'),
          `${t(keyOf('incident.status.', move.from))} → ${t(keyOf('incident.status.', move.to))}`,
        ],
      ]
    : [];
  if (inc.tlp === 'red') return { blocks: [heading, ...redBlocks(inc, t, locale, moved)] };
  const c: ReportContents = contentsOf(inc as Parameters<typeof contentsOf>[0]);
  const fields: [string, string][] = [
    [t('incident.f.org'), orgName(inc.org, locale)],
    [t('incident.f.category'), categoryLabel(inc.category, locale)],
    [t('incident.f.severity'), t(keyOf('incident.severity.', inc.severity))],
    // every copy carries its label and the handling marks beside it
    ['TLP', tlpLabel(inc.tlp)],
    ...markFields(t, inc),
    ...moved,
  ];
  for (const f of changes) {
    if (f === 'awareness' && inc.awareAt) fields.push([t('incident.f.awareness'), formatDateTime(inc.awareAt, style)]);
    const v = f in c ? contentValue(c, f as keyof ReportContents, t, locale) : null;
    if (v !== null) fields.push([t(keyOf('incident.f.', f)), v]);
  }
  if (move?.note) fields.push([t('incident.f.note'), move.note]);
  return {
    blocks: [heading, { kind: 'fields', fields }, { kind: 'context', text: t('incident.post.more', { id: inc.id }) }],
  };
}
