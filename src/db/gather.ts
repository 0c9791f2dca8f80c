/**
 * When a batch of group commit (group-commit.ts) that is not full waits for more members — the
 * rule in one place, pure.
 *
 * The wait (`gatherMs`) is for a stream of reports below the process's capacity: at 200/s paced
 * a report comes every 5 ms, and a batch that waits 10 ms takes ~2 more instead of starting with
 * one (the ack's p99 fell from 48-55 to 29-38 ms on SQLite). At the maximum it only cost: the
 * batch waited while the reports that would join it could not come (282-290 done/s against
 * 363-366 without the wait, quick bench, quiet, 2026-12-04).
 *
 * Where members come from: the commands the process works on (the command journal's `turn`,
 * src/inbox/journal.ts, 8 at once on SQLite). A member can still come by waiting only when
 * - a turn is free: a request arriving now starts at once and may bring one, or
 * - a command holding a turn is not queued in the batch yet: it may be on its way to the batch,
 *   or end and free its turn.
 * So the batch starts at once when every turn is taken and every command holding one is already
 * queued (waiting cannot bring anything), and also when commands wait for a turn: the process is
 * then at its capacity, new work arrives faster than it is done, and the members that come while
 * this batch is written make the next one (the batches are back to back, no wait needed to fill
 * them). Chosen over the arrival rate against the batch's time: the journal's counts say what is
 * true now, a rate says what was true on average a moment ago, and at the switch between paced
 * and saturated (a burst) it is the now that matters.
 */

/** The commands a process works on, as the command journal counts them (`CommandJournal.load`). */
export interface IntakeLoad {
  /** commands holding a turn */
  working: number;
  /** commands waiting for a turn */
  waiting: number;
  /** turns at once */
  concurrency: number;
}

/** Where a batch's members come from (the command journal); watched while a batch waits. */
export interface Intake {
  readonly load: IntakeLoad;
  /** calls `fn` whenever a command starts waiting for a turn (the process reached its capacity) */
  onWait(fn: () => void): void;
}

export interface GatherState {
  /** members queued for the batch */
  queued: number;
  /** the most the batch takes (`max`, or what fits in `holdMs`) */
  most: number;
  /** the intake's counts; unknown (members from elsewhere): a member may come */
  load?: IntakeLoad;
}

/** How long the batch waits for more members, in ms; 0: it starts now. */
export function gatherWait(gatherMs: number | undefined, s: GatherState): number {
  if (gatherMs === undefined || gatherMs <= 0) return 0;
  if (s.queued >= s.most) return 0; // full
  const l = s.load;
  if (!l) return gatherMs;
  if (l.waiting > 0) return 0; // at capacity
  if (l.working >= l.concurrency && l.working <= s.queued) return 0; // nothing left to come
  return gatherMs;
}
