/**
 * Deadline clocks of a report (issue 17): each stage of the deployment's table is due so long
 * after the awareness time (認知日時); before a deadline the reporting organisation is reminded,
 * and when it passes unmet the organisation's CISO and the coordinating office are told, once.
 *
 * "What is overdue and who is told" is {@link dueNotices}: a pure function of the incident's
 * clock input, the table and the time, so an escalation engine (issue 20: primary → deputy →
 * CISO → duty officer) can call it and route `tell` its own way. After downtime it coalesces as
 * issue 16 asks: per clock at most one notice — the escalation once the deadline has passed
 * (no stale reminder), else only the latest reminder whose time has come — and none for a
 * clock already met or stopped (closed, rejected).
 */
import { businessDaysAfter } from './business-days.ts';
import type { Due, ReportPolicy } from './report-policy.ts';
import type { ReportStage } from './report-stages.ts';

const HOUR_MS = 60 * 60 * 1000;
const MINUTE_MS = 60 * 1000;
/** `incident list due=soon`: a running clock due within this long */
export const SOON_MS = 24 * HOUR_MS;

export interface ClockInput {
  /** 認知日時: deadlines count from here */
  awareAt: Date;
  /** the 速報 */
  reportedAt: Date;
  /** the first 続報, if any */
  updateAt: Date | null;
  /** the 確報, if any */
  finalAt: Date | null;
  /** false once the incident is closed or rejected: clocks not met by then stop */
  open: boolean;
}

/** met: on time · late: met after the deadline · running · overdue · stopped: closed unmet */
export type ClockState = 'met' | 'late' | 'running' | 'overdue' | 'stopped';

export interface ReportClock {
  stage: ReportStage;
  dueAt: Date;
  metAt: Date | null;
  state: ClockState;
}

/** Who is told: the reporting organisation (its channel), its CISO(s), the coordinating office. */
export type Recipient = 'organisation' | 'ciso' | 'coordinator';

export interface ClockNotice {
  /** stable identity of this notice for this deadline (job ids and outbox keys are made from it) */
  key: string;
  stage: ReportStage;
  kind: 'remind' | 'escalate';
  /** for a reminder, how long before the deadline (`1d`) */
  offset: string | null;
  /** when it is to be given */
  at: Date;
  dueAt: Date;
  tell: readonly Recipient[];
}

/** The deadline of a rule for an awareness time. */
export function deadlineAt(awareAt: Date, due: Due): Date {
  if (due.unit === 'hours') return new Date(awareAt.getTime() + due.n * HOUR_MS);
  if (due.unit === 'days') return new Date(awareAt.getTime() + due.n * 24 * HOUR_MS);
  return businessDaysAfter(awareAt, due.n);
}

/** When a stage was reached: a 確報 also answers the first 続報's deadline. */
export function metAt(input: ClockInput, stage: ReportStage): Date | null {
  if (stage === 'quick') return input.reportedAt;
  if (stage === 'final') return input.finalAt;
  const times = [input.updateAt, input.finalAt].filter((d): d is Date => d !== null);
  return times.length ? new Date(Math.min(...times.map((d) => d.getTime()))) : null;
}

/** Each clock of the table, in stage order, as it stands at `now`. */
export function reportClocks(input: ClockInput, policy: ReportPolicy, now: Date): ReportClock[] {
  return policy.deadlines.map((rule) => {
    const dueAt = deadlineAt(input.awareAt, rule.due);
    const met = metAt(input, rule.stage);
    let state: ClockState;
    if (met) state = met.getTime() <= dueAt.getTime() ? 'met' : 'late';
    else if (!input.open) state = 'stopped';
    else state = now.getTime() > dueAt.getTime() ? 'overdue' : 'running';
    return { stage: rule.stage, dueAt, metAt: met, state };
  });
}

const stamp = (d: Date) => String(Math.floor(d.getTime() / MINUTE_MS));

/**
 * Every notice the clocks that are neither met nor stopped will give, whenever: what to
 * schedule. Reminders due at or before the 速報 itself are left out (the report's reply says
 * the deadlines; a reminder seconds later would only be noise).
 */
export function plannedNotices(input: ClockInput, policy: ReportPolicy): ClockNotice[] {
  const out: ClockNotice[] = [];
  for (const rule of policy.deadlines) {
    if (metAt(input, rule.stage) || !input.open) continue;
    const dueAt = deadlineAt(input.awareAt, rule.due);
    for (const r of rule.remind) {
      const at = new Date(dueAt.getTime() - r.minutes * MINUTE_MS);
      if (at.getTime() <= input.reportedAt.getTime()) continue;
      out.push({
        key: `${rule.stage}:remind:${r.text}:${stamp(dueAt)}`,
        stage: rule.stage,
        kind: 'remind',
        offset: r.text,
        at,
        dueAt,
        tell: ['organisation'],
      });
    }
    out.push({
      key: `${rule.stage}:escalate:${stamp(dueAt)}`,
      stage: rule.stage,
      kind: 'escalate',
      offset: null,
      at: dueAt,
      dueAt,
      tell: ['ciso', 'coordinator'],
    });
  }
  return out;
}

/**
 * What is to be said at `now`, coalesced: per clock that is neither met nor stopped, its
 * escalation once the deadline has passed, else the latest reminder whose time has come.
 */
export function dueNotices(input: ClockInput, policy: ReportPolicy, now: Date): ClockNotice[] {
  const t = now.getTime();
  const out: ClockNotice[] = [];
  const planned = plannedNotices(input, policy);
  for (const rule of policy.deadlines) {
    const mine = planned.filter((n) => n.stage === rule.stage && n.at.getTime() <= t);
    const escalation = mine.find((n) => n.kind === 'escalate');
    if (escalation) {
      out.push(escalation);
      continue;
    }
    const latest = mine.filter((n) => n.kind === 'remind').sort((a, b) => b.at.getTime() - a.at.getTime())[0];
    if (latest) out.push(latest);
  }
  return out;
}

/** Whether any clock is overdue, or running and due within {@link SOON_MS} (`incident list due=`). */
export function clockFilter(clocks: readonly ReportClock[], due: 'overdue' | 'soon', now: Date): boolean {
  if (due === 'overdue') return clocks.some((c) => c.state === 'overdue');
  return clocks.some((c) => c.state === 'running' && c.dueAt.getTime() - now.getTime() <= SOON_MS);
}
