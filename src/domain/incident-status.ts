/**
 * The incident status workflow (PRODUCT.md §4), declared as data:
 *
 *   reported → triaging → contained → resolved → closed
 *        └──────────┴── rejected
 *
 * Who may make each move:
 * - `coordinator`: the coordinating office's incident handlers — the roles `admin` and
 *   `coordinator` (PRODUCT.md §1: coordinators "see and triage every incident"; approvers see
 *   everything but change nothing);
 * - `reporter`: a `poc` of the organisation the incident belongs to.
 * The coordinating office alone triages, rejects and closes; the reporting organisation records
 * containment and resolution (the office may record them too, e.g. from a phone call).
 */

export const STATUSES = ['reported', 'triaging', 'contained', 'resolved', 'closed', 'rejected'] as const;
export type IncidentStatus = (typeof STATUSES)[number];

export type StatusActor = 'coordinator' | 'reporter';

export interface Transition {
  from: readonly IncidentStatus[];
  to: IncidentStatus;
  by: readonly StatusActor[];
}

export const TRANSITIONS: readonly Transition[] = [
  { from: ['reported'], to: 'triaging', by: ['coordinator'] },
  { from: ['reported', 'triaging'], to: 'contained', by: ['reporter', 'coordinator'] },
  { from: ['reported', 'triaging', 'contained'], to: 'resolved', by: ['reporter', 'coordinator'] },
  { from: ['resolved'], to: 'closed', by: ['coordinator'] },
  { from: ['reported', 'triaging'], to: 'rejected', by: ['coordinator'] },
];

/** Terminal statuses: nothing moves out of them. */
export const FINAL: readonly IncidentStatus[] = ['closed', 'rejected'];

export function isStatus(v: string): v is IncidentStatus {
  return (STATUSES as readonly string[]).includes(v);
}

export type TransitionCheck =
  | { ok: true }
  | { ok: false; code: 'incident.bad_transition' | 'incident.transition_forbidden' };

/** Whether `actors` (what the caller counts as for this incident) may move `from` → `to`. */
export function checkTransition(
  from: IncidentStatus,
  to: IncidentStatus,
  actors: ReadonlySet<StatusActor>,
): TransitionCheck {
  const t = TRANSITIONS.find((x) => x.to === to && x.from.includes(from));
  if (!t) return { ok: false, code: 'incident.bad_transition' };
  if (!t.by.some((a) => actors.has(a))) return { ok: false, code: 'incident.transition_forbidden' };
  return { ok: true };
}

/** The statuses `from` may move to (for error messages and help). */
export function nextStatuses(from: IncidentStatus): IncidentStatus[] {
  return TRANSITIONS.filter((t) => t.from.includes(from)).map((t) => t.to);
}

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const TLPS = ['clear', 'green', 'amber', 'amber+strict', 'red'] as const;
export const SHARES = ['none', 'anonymized', 'attributed'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type Tlp = (typeof TLPS)[number];
export type Share = (typeof SHARES)[number];
