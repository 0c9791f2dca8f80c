/**
 * Figures from the audit log (issue 21 item 4), pure: per organisation and month, the time from
 * detection to the 速報 (the report), from the 速報 to the 確報, and from an advisory's sending to
 * each organisation's acknowledgement, as median and 90th percentile. Every interval keeps the
 * sequence numbers of the audit records it was measured between, so an inspector can check
 * each figure against the (hash-chained) log.
 */
import { tokyoWallTime } from './tokyo-time.ts';

export interface AuditEvent {
  seq: number;
  at: Date;
  action: string;
  subject: string;
  data: Record<string, unknown>;
}

export const MEASURES = ['detect_to_quick', 'quick_to_final', 'sent_to_ack'] as const;
export type Measure = (typeof MEASURES)[number];

/** The audit actions the figures read. */
export const FIGURE_ACTIONS = ['incident.report', 'incident.update', 'advisory.sent', 'advisory.ack'] as const;

export interface Interval {
  org: string;
  /** YYYY-MM, Japan time, of the 速報 (incident measures) or of the sending (advisories) */
  month: string;
  measure: Measure;
  subject: string;
  /** the audit record the interval starts at; null when it starts at a time the record states (detection) */
  fromSeq: number | null;
  toSeq: number;
  from: Date;
  to: Date;
  hours: number;
}

export interface Figure {
  org: string;
  month: string;
  measure: Measure;
  n: number;
  median: number;
  p90: number;
}

const month = (d: Date) => {
  const w = tokyoWallTime(d);
  return `${w.year}-${String(w.month).padStart(2, '0')}`;
};

const dateOf = (v: unknown): Date | null => {
  if (typeof v !== 'string') return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
};

function interval(
  org: string,
  m: string,
  measure: Measure,
  subject: string,
  fromSeq: number | null,
  from: Date,
  toSeq: number,
  to: Date,
): Interval {
  return {
    org,
    month: m,
    measure,
    subject,
    fromSeq,
    toSeq,
    from,
    to,
    hours: (to.getTime() - from.getTime()) / 3_600_000,
  };
}

/** Every measurable interval, in the order of the records that end them. */
export function intervals(events: readonly AuditEvent[]): Interval[] {
  const out: Interval[] = [];
  const reports = new Map<string, { org: string; seq: number; at: Date }>();
  const finals = new Set<string>();
  const sent = new Map<string, { seq: number; at: Date }>();
  const acked = new Set<string>();
  for (const e of [...events].sort((a, b) => a.seq - b.seq)) {
    if (e.action === 'incident.report' && typeof e.data.org === 'string') {
      const r = { org: e.data.org, seq: e.seq, at: e.at };
      reports.set(e.subject, r);
      const detected = dateOf(e.data.detectedAt) ?? dateOf(e.data.awareAt);
      if (detected && detected.getTime() <= e.at.getTime())
        out.push(interval(r.org, month(e.at), 'detect_to_quick', e.subject, null, detected, e.seq, e.at));
    } else if (e.action === 'incident.update' && e.data.step === 'final') {
      const r = reports.get(e.subject);
      if (r && !finals.has(e.subject)) {
        finals.add(e.subject);
        out.push(interval(r.org, month(r.at), 'quick_to_final', e.subject, r.seq, r.at, e.seq, e.at));
      }
    } else if (e.action === 'advisory.sent') {
      if (!sent.has(e.subject)) sent.set(e.subject, { seq: e.seq, at: e.at });
    } else if (e.action === 'advisory.ack' && typeof e.data.org === 'string') {
      const s = sent.get(e.subject);
      const key = `${e.subject}|${e.data.org}`;
      if (s && !acked.has(key)) {
        acked.add(key);
        out.push(interval(e.data.org, month(s.at), 'sent_to_ack', e.subject, s.seq, s.at, e.seq, e.at));
      }
    }
  }
  return out;
}

/** The median (the mean of the two middle values when even) of sorted values. */
export function median(sorted: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const mid = Math.floor(n / 2);
  return n % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The nearest-rank percentile of sorted values: the smallest value with at least p% at or below it. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** Median and p90 per organisation, month and measure (sorted by those). */
export function figures(list: readonly Interval[]): Figure[] {
  const groups = new Map<string, { org: string; month: string; measure: Measure; hours: number[] }>();
  for (const i of list) {
    const k = `${i.org}|${i.month}|${i.measure}`;
    const g = groups.get(k) ?? { org: i.org, month: i.month, measure: i.measure, hours: [] };
    groups.set(k, g);
    g.hours.push(i.hours);
  }
  return [...groups.values()]
    .map((g) => {
      const s = [...g.hours].sort((a, b) => a - b);
      return { org: g.org, month: g.month, measure: g.measure, n: s.length, median: median(s), p90: percentile(s, 90) };
    })
    .sort(
      (a, b) =>
        a.org.localeCompare(b.org) ||
        a.month.localeCompare(b.month) ||
        MEASURES.indexOf(a.measure) - MEASURES.indexOf(b.measure),
    );
}
