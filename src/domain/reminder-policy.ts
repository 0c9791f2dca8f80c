/**
 * After downtime, no storm: the one policy that decides which reminder is sent when its time
 * has come — on time, or late because no bot process ran (docs/reminders.md).
 *
 * Every kind of reminder is a row of REMINDER_POLICY. A reminder has a subject (a meeting, an
 * advisory, a campaign, a fiscal year's readiness deadline), several steps (7 days before,
 * 1 day before, …; each a scheduler job of the row's kind) and recipients (organisations, or
 * people). The rules, the same for every row:
 *
 * 1. Of the steps of one subject overdue together, only the latest is sent; the earlier ones
 *    are superseded (`latestOverdue`, applied by the scheduler to every kind in the table). So
 *    each recipient gets at most one reminder per subject after downtime, the most recent one.
 * 2. Nothing is sent for a subject that is settled (cancelled, closed, withdrawn, every
 *    recipient done), past its due date or already started (`decide`, called by every handler
 *    with the subject as it is when the step fires).
 * 3. Each recipient gets what the row says for them: nothing (they are done), a plain reminder,
 *    or one that asks for their answer (`decide`'s actions, in the recipients' order).
 *
 * Pure: no clock (the caller passes now), no I/O.
 */
import { fiscalYearEnd } from './fiscal-year.ts';

/** What one recipient gets from a step: nothing, a plain reminder, or one that asks for an answer. */
export type RecipientAction = 'none' | 'plain' | 'ask';

/** Why a step that came due sends nothing. */
export type SkipReason = 'superseded' | 'settled' | 'past-due' | 'started';

export type Decision = { send: true; actions: RecipientAction[] } | { send: false; reason: SkipReason };

interface Row<Subject, Recipient> {
  /** what is reminded of, and who is reminded (for docs/reminders.md) */
  about: { subject: string; recipients: string; steps: string };
  /** nothing is left to remind of */
  settled(s: Subject): boolean;
  /** the moment after which a reminder is pointless (a due date, a deadline), or none */
  dueAt(s: Subject): Date | null;
  /** the moment the subject begins (a meeting's start): at and after it nothing is sent */
  startsAt(s: Subject): Date | null;
  /** what a recipient gets */
  recipient(r: Recipient): RecipientAction;
}

const row = <S, R>(r: Row<S, R>): Row<S, R> => r;

/** One row per scheduler job kind that is a reminder. */
export const REMINDER_POLICY = {
  'meeting.reminder': row<{ status: string; startAt: Date }, { answered: boolean }>({
    about: {
      subject: 'a PoC meeting',
      recipients: 'each invited organisation',
      steps: 'the offsets before the start (default 7d, 1d, 1h)',
    },
    settled: (m) => m.status !== 'scheduled',
    dueAt: () => null,
    startsAt: (m) => m.startAt,
    // those who answered are reminded of the meeting without being asked again
    recipient: (o) => (o.answered ? 'plain' : 'ask'),
  }),
  'advisory.ack-reminder': row<{ status: string }, { acknowledged: boolean }>({
    about: {
      subject: 'an advisory sent',
      recipients: 'each target (organisation or TLP:RED recipient)',
      steps: '24 h after sending, then daily, 3 at most',
    },
    settled: (a) => a.status !== 'sent',
    dueAt: () => null,
    startsAt: () => null,
    recipient: (t) => (t.acknowledged ? 'none' : 'ask'),
  }),
  'campaign.reminder': row<{ status: string; dueDate: Date }, { complete: boolean }>({
    about: {
      subject: 'an inspection campaign',
      recipients: 'each organisation of its audience',
      steps: '7 days and 1 day before the due date, 10:00',
    },
    settled: (c) => c.status !== 'open',
    // the due date is the end of the due day (Tokyo)
    dueAt: (c) => c.dueDate,
    startsAt: () => null,
    recipient: (o) => (o.complete ? 'none' : 'ask'),
  }),
  'readiness.reminder': row<{ fiscalYear: number }, { ready: boolean }>({
    about: {
      subject: "a fiscal year's CSIRT readiness deadline (31 March)",
      recipients: 'each organisation',
      steps: '30 days and 7 days before the deadline, 10:00',
    },
    settled: () => false,
    dueAt: (r) => fiscalYearEnd(r.fiscalYear),
    startsAt: () => null,
    recipient: (o) => (o.ready ? 'none' : 'ask'),
  }),
} as const;

export type ReminderKind = keyof typeof REMINDER_POLICY;
type RowOf<K extends ReminderKind> = (typeof REMINDER_POLICY)[K];
export type SubjectOf<K extends ReminderKind> = Parameters<RowOf<K>['settled']>[0];
export type RecipientOf<K extends ReminderKind> = Parameters<RowOf<K>['recipient']>[0];

export function isReminderKind(kind: string): kind is ReminderKind {
  return Object.hasOwn(REMINDER_POLICY, kind);
}

/**
 * Rules 2 and 3: whether a step of `kind` that came due sends anything now, and what each of
 * `recipients` gets. Settled first, then started, then past due; a step whose every recipient
 * is done is settled too.
 */
export function decide<K extends ReminderKind>(
  kind: K,
  subject: SubjectOf<K>,
  recipients: readonly RecipientOf<K>[],
  now: Date,
): Decision {
  const r = REMINDER_POLICY[kind] as unknown as Row<SubjectOf<K>, RecipientOf<K>>;
  if (r.settled(subject)) return { send: false, reason: 'settled' };
  const starts = r.startsAt(subject);
  if (starts && now.getTime() >= starts.getTime()) return { send: false, reason: 'started' };
  const due = r.dueAt(subject);
  if (due && now.getTime() > due.getTime()) return { send: false, reason: 'past-due' };
  const actions = recipients.map((x) => r.recipient(x));
  if (!actions.some((a) => a !== 'none')) return { send: false, reason: 'settled' };
  return { send: true, actions };
}

/** A step of a reminder as the scheduler holds it: one pending job. */
export interface Step {
  id: string;
  kind: string;
  /** the subject (refType and refId of the job); steps without one are never coalesced */
  subject: string | null;
  dueAt: Date;
}

/**
 * Rule 1: of `steps` (pending, of any kinds and subjects), the ids of those overdue at `now`
 * that a later overdue step of the same kind and subject supersedes. Only reminder kinds of
 * the table coalesce; ties (same due time) keep the greatest id.
 */
export function supersededSteps(steps: readonly Step[], now: Date): Set<string> {
  const latest = new Map<string, Step>();
  const overdue = steps.filter(
    (s) => s.subject !== null && isReminderKind(s.kind) && s.dueAt.getTime() <= now.getTime(),
  );
  for (const s of overdue) {
    const key = `${s.kind}\u0000${s.subject}`;
    const cur = latest.get(key);
    const [a, b] = [s.dueAt.getTime(), cur?.dueAt.getTime() ?? Number.NEGATIVE_INFINITY];
    if (!cur || a > b || (a === b && s.id > cur.id)) {
      latest.set(key, s);
    }
  }
  return new Set(overdue.filter((s) => latest.get(`${s.kind}\u0000${s.subject}`) !== s).map((s) => s.id));
}
