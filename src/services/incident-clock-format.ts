/**
 * How report contents, stages and deadline clocks read (issue 17): the grouped items of
 * `incident show`, the clock lines, the reminder and escalation posts. Text only: the rules are
 * in src/domain (report-contents, report-stages, report-clocks).
 */
import type { OutMessage } from '../core/platform.ts';
import type { Block } from '../core/reply.ts';
import type { Incident } from '../db/generated/sqlite/client.ts';
import { type DateStyle, formatDateTime } from '../domain/dates.ts';
import { orgLabel as orgName } from '../domain/org-names.ts';
import type { ClockNotice, ReportClock } from '../domain/report-clocks.ts';
import {
  CONTENT_GROUPS,
  type ContentField,
  type Disclosure,
  missingForFinal,
  type Personal,
  type ReportContents,
  readNotified,
} from '../domain/report-contents.ts';
import type { Due, ReportPolicy } from '../domain/report-policy.ts';
import type { ReportStage } from '../domain/report-stages.ts';
import { keyOf, type Locale, type Translate } from '../i18n/index.ts';

type ContentColumns = Pick<
  Incident,
  | 'contact'
  | 'found'
  | 'damage'
  | 'personal'
  | 'records'
  | 'hosts'
  | 'impact'
  | 'cause'
  | 'actions'
  | 'plan'
  | 'notified'
  | 'disclosure'
>;

/** The report items of an incident row. */
export function contentsOf(i: ContentColumns): ReportContents {
  return {
    contact: i.contact,
    found: i.found,
    damage: i.damage,
    personal: (i.personal as Personal | null) ?? null,
    records: i.records,
    hosts: i.hosts,
    impact: i.impact,
    cause: i.cause,
    actions: i.actions,
    plan: i.plan,
    notified: readNotified(i.notified),
    public: (i.disclosure as Disclosure | null) ?? null,
  };
}

/** Field labels joined the way each language lists them (`ioc` reads as the indicators). */
export function fieldList(fields: readonly string[], t: Translate, locale: Locale): string {
  return fields.map((f) => t(keyOf('incident.f.', f === 'ioc' ? 'indicators' : f))).join(locale === 'ja' ? '、' : ', ');
}

/** One item as text, or null when not given. */
export function contentValue(c: ReportContents, f: ContentField, t: Translate, locale: Locale): string | null {
  const v = c[f];
  if (v === null || v === undefined || v === '') return null;
  switch (f) {
    case 'personal':
      return t(keyOf('incident.personal.', v));
    case 'public':
      return t(keyOf('incident.public.', v));
    case 'notified':
      return (v as string[]).map((n) => t(keyOf('incident.notified.', n))).join(locale === 'ja' ? '、' : ', ');
    case 'records':
      return t('incident.count', { count: String(v) });
    case 'hosts':
      return t('incident.hosts_count', { count: String(v) });
    default:
      return String(v);
  }
}

/** The report items as headed groups of label/value pairs (groups with nothing given are left out). */
export function contentBlocks(c: ReportContents, t: Translate, locale: Locale): Block[] {
  const out: Block[] = [];
  for (const g of CONTENT_GROUPS) {
    const fields: [string, string][] = [];
    for (const f of g.fields) {
      const v = contentValue(c, f, t, locale);
      if (v !== null) fields.push([t(`incident.f.${f}`), v]);
    }
    if (fields.length)
      out.push({ kind: 'heading', text: t(keyOf('incident.group.', g.key)) }, { kind: 'fields', fields });
  }
  return out;
}

const MINUTE_MS = 60_000;

/** A length of time for people: `2日3時間`, `5時間12分`, `40分` (never negative). */
export function durationText(ms: number, t: Translate): string {
  const m = Math.max(0, Math.floor(ms / MINUTE_MS));
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  if (d > 0) return t('duration.days_hours', { d, h });
  if (h > 0) return t('duration.hours_minutes', { h, m: m % 60 });
  return t('duration.minutes', { m });
}

export function ruleText(due: Due, t: Translate): string {
  const key = due.unit === 'hours' ? 'rule.hours' : due.unit === 'days' ? 'rule.days' : 'rule.business_days';
  return t(key, { n: due.n });
}

export function stageLabel(stage: ReportStage, t: Translate): string {
  return t(`incident.stage_of.${stage}`);
}

/** One line per clock, for `incident show`. */
export function clockLines(clocks: readonly ReportClock[], now: Date, t: Translate, style: DateStyle): string[] {
  return clocks.map((c) => {
    const at = c.metAt ? formatDateTime(c.metAt, style) : '';
    const state =
      c.state === 'met'
        ? t('incident.clock.met', { at })
        : c.state === 'late'
          ? t('incident.clock.late', { at })
          : c.state === 'running'
            ? t('incident.clock.running', { left: durationText(c.dueAt.getTime() - now.getTime(), t) })
            : c.state === 'overdue'
              ? t('incident.clock.overdue', { over: durationText(now.getTime() - c.dueAt.getTime(), t) })
              : t('incident.clock.stopped');
    return t('incident.clock.line', {
      stage: stageLabel(c.stage, t),
      due: formatDateTime(c.dueAt, style),
      state,
    });
  });
}

/** The items the 確報 still lacks, by the deployment's table. */
export function clockMissing(i: ContentColumns, policy: ReportPolicy): ContentField[] {
  return missingForFinal(contentsOf(i), policy.finalRequires);
}

/**
 * A reminder (to the reporting organisation) or an escalation (to the coordinating office, the
 * CISO, or — when the office itself reported — its own channel). Only the id, the organisation,
 * the stage and the deadline: nothing a TLP:RED incident may not show in a channel.
 */
export function clockPost(
  t: Translate,
  style: DateStyle,
  inc: Pick<Incident, 'id' | 'awareAt' | 'detectedAt'> & { org: { code: string; nameJa: string; nameEn: string } },
  notice: ClockNotice,
  missing: readonly ContentField[],
  audience: 'organisation' | 'ciso' | 'coordinator',
  rule: Due,
  /** for the coordinating office's copy: the organisation has no CISO to tell */
  noCiso = false,
): OutMessage {
  const p = {
    id: inc.id,
    org: orgName(inc.org, style.locale),
    stage: stageLabel(notice.stage, t),
    due: formatDateTime(notice.dueAt, style),
    aware: formatDateTime(inc.awareAt ?? inc.detectedAt, style),
    rule: ruleText(rule, t),
  };
  const blocks: Block[] = [];
  if (notice.kind === 'remind') {
    blocks.push(
      { kind: 'heading', text: t('clock.remind.title', p) },
      { kind: 'text', text: t('clock.remind.body', p) },
    );
    if (notice.stage === 'final') blocks.push({ kind: 'text', text: t('clock.remind.final', p) });
  } else {
    const body =
      audience === 'ciso'
        ? 'clock.escalate.body.ciso'
        : audience === 'coordinator'
          ? 'clock.escalate.body.coordinator'
          : 'clock.escalate.body.organisation';
    blocks.push({ kind: 'heading', text: t('clock.escalate.title', p) }, { kind: 'text', text: t(body, p) });
    if (noCiso && audience === 'coordinator') blocks.push({ kind: 'context', text: t('clock.no_ciso') });
  }
  if (notice.stage === 'final' && missing.length)
    blocks.push({ kind: 'context', text: t('clock.missing', { fields: fieldList(missing, t, style.locale) }) });
  return { blocks };
}
