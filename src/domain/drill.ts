/**
 * Reachability drills (疎通確認): who answered a drill's check and how fast, and the reach rate
 * of the organisations within a window. Pure.
 *
 * Times are counted from the drill's start (the moment the coordinating office sent the check,
 * in the same transaction that queued every message), not from each message's delivery: the
 * drill measures how long the office waits for an answer, delivery delays included.
 *
 * An organisation counts as reached within a window when any one of its PoCs answered within
 * it. An organisation with no PoC registered when the drill started is unreachable: it is
 * listed (never dropped) and counts in the denominator of every rate.
 */

/** The windows `drill status` and the export report, in minutes. */
export const DRILL_WINDOWS_MIN = [15, 60] as const;
/** How long a drill takes answers after its start. */
export const DRILL_OPEN_MS = 24 * 60 * 60_000;

export interface DrillPocInput {
  /** milliseconds from the drill's start to the answer, or null when not answered */
  answeredAfterMs: number | null;
}

export interface DrillOrgInput {
  pocs: readonly DrillPocInput[];
}

/** How one organisation fared. */
export type OrgReach =
  /** no PoC was registered when the drill started: nobody to send to */
  | { kind: 'no-poc' }
  /** sent, and nobody has answered */
  | { kind: 'unanswered'; pocs: number }
  /** the first of its PoCs answered after `firstMs`; `answered` of `pocs` answered */
  | { kind: 'answered'; pocs: number; answered: number; firstMs: number };

/** An organisation's reach from its PoCs' answers. */
export function orgReach(o: DrillOrgInput): OrgReach {
  if (o.pocs.length === 0) return { kind: 'no-poc' };
  const times = o.pocs.map((p) => p.answeredAfterMs).filter((t): t is number => t !== null && Number.isFinite(t));
  if (times.length === 0) return { kind: 'unanswered', pocs: o.pocs.length };
  return { kind: 'answered', pocs: o.pocs.length, answered: times.length, firstMs: Math.max(0, Math.min(...times)) };
}

/** Whether the organisation was reached within `windowMs` of the start. */
export function reachedWithin(r: OrgReach, windowMs: number): boolean {
  return r.kind === 'answered' && r.firstMs <= windowMs;
}

/** The share (0..1) of organisations reached within `windowMs`; 0 for no organisation. */
export function reachRate(orgs: readonly OrgReach[], windowMs: number): number {
  if (orgs.length === 0) return 0;
  return orgs.filter((r) => reachedWithin(r, windowMs)).length / orgs.length;
}

/** Reached and total, within `windowMs`: `3/5`. */
export function reachCount(orgs: readonly OrgReach[], windowMs: number): { reached: number; total: number } {
  return { reached: orgs.filter((r) => reachedWithin(r, windowMs)).length, total: orgs.length };
}

/** A rate as a whole percentage, rounded down (a rate never reads better than it was): `60%`. */
export function percent(rate: number): string {
  const p = Math.floor(Math.max(0, Math.min(1, rate)) * 100 + 1e-9);
  return `${p}%`;
}

/** An answer time as `m:ss` (`h:mm:ss` from an hour): 125 000 ms → `2:05`. */
export function elapsedText(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
