/**
 * Escalation until acknowledged (issue 20 item 2): an advisory an organisation has not
 * acknowledged goes, one step at a time, along a chain kept as data per deployment
 * (ESCALATION_CHAIN, default `primary:24h,deputy:4h,ciso:4h,duty:2h`): the organisation's
 * primary contact, its deputy, its CISO, then the coordinating office's duty officer.
 *
 * The rules, decided here and nowhere else:
 * 1. Each step waits its time after the previous one actually went out (the first: after the
 *    advisory was sent). After downtime, or a clock moved ten days ahead, the chain therefore
 *    resumes one step at a time — the next person gets their full wait — and never sends every
 *    overdue step at once (no storm, and nobody is skipped over for a wait they never had).
 * 2. Nothing once the organisation has acknowledged, or the advisory is no longer `sent`
 *    (withdrawn): the chain stops for good.
 * 3. A step whose role nobody holds now (no deputy, no CISO, nobody on duty, the role removed
 *    after the step was scheduled), whose holder may not know of the advisory (TLP:RED: only its
 *    named recipients, and the duty officer of the office that sent it), whose holder was
 *    already told at an earlier step, or who has no chat the bot runs on and no e-mail address
 *    (issue 20 item 5: with one, the step goes by e-mail), is skipped, with its
 *    reason, and the next step is taken at once in the same pass: its wait was for a person who
 *    was never asked.
 * 4. Each step at most once, in the chain's order (the scheduler job of a step is unique).
 *
 * Pure: no clock (the caller passes now), no I/O.
 */

export const ESCALATION_ROLES = ['primary', 'deputy', 'ciso', 'duty'] as const;
export type EscalationRole = (typeof ESCALATION_ROLES)[number];

export interface EscalationStep {
  role: EscalationRole;
  /** how long after the previous step (the first: after sending) this one is taken */
  afterMs: number;
}
export type EscalationChain = readonly EscalationStep[];

export const DEFAULT_ESCALATION_CHAIN = 'primary:24h,deputy:4h,ciso:4h,duty:2h';
/** a report deadline passed unmet: the CISO and the office were told at the deadline (src/services/report-chase.ts) */
export const DEFAULT_REPORT_ESCALATION_CHAIN = 'primary:1h,deputy:2h,duty:2h';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const UNIT_MS: Record<string, number> = { m: MINUTE, h: HOUR, d: DAY };
/** at least a minute, at most 30 days between two steps */
const MIN_WAIT = MINUTE;
const MAX_WAIT = 30 * DAY;

export type ChainProblem =
  | { code: 'bad_step'; step: string }
  | { code: 'unknown_role'; role: string }
  | { code: 'repeated_role'; role: string }
  | { code: 'bad_wait'; step: string };

/**
 * Reads ESCALATION_CHAIN: `off` (no escalation), or steps `<role>:<wait>` separated by commas,
 * a role at most once, waits like `30m`, `4h`, `2d` (1 minute to 30 days). Full-width letters
 * and digits are read as their ASCII forms (NFKC); anything else (zero-width or bidi characters
 * included) is refused.
 */
export function parseChain(text: string): { ok: true; chain: EscalationChain } | { ok: false; problem: ChainProblem } {
  const s = text.normalize('NFKC').trim().toLowerCase();
  if (s === 'off') return { ok: true, chain: [] };
  const chain: EscalationStep[] = [];
  for (const raw of s.split(',')) {
    const step = raw.trim();
    const m = /^([a-z]+):(\d{1,6})([mhd])$/.exec(step);
    if (!m) return { ok: false, problem: { code: 'bad_step', step } };
    const role = m[1] as string;
    if (!(ESCALATION_ROLES as readonly string[]).includes(role))
      return { ok: false, problem: { code: 'unknown_role', role } };
    if (chain.some((c) => c.role === role)) return { ok: false, problem: { code: 'repeated_role', role } };
    const afterMs = Number(m[2]) * (UNIT_MS[m[3] as string] as number);
    if (afterMs < MIN_WAIT || afterMs > MAX_WAIT) return { ok: false, problem: { code: 'bad_wait', step } };
    chain.push({ role: role as EscalationRole, afterMs });
  }
  return { ok: true, chain };
}

/** The chain as ESCALATION_CHAIN would write it (for views and logs). */
export function chainText(chain: EscalationChain): string {
  if (chain.length === 0) return 'off';
  const wait = (ms: number) =>
    ms % DAY === 0 ? `${ms / DAY}d` : ms % HOUR === 0 ? `${ms / HOUR}h` : `${ms / MINUTE}m`;
  return chain.map((s) => `${s.role}:${wait(s.afterMs)}`).join(',');
}

/** When the first step is due for an advisory sent at `sentAt` (null: no chain). */
export function firstStepDue(chain: EscalationChain, sentAt: Date): Date | null {
  const first = chain[0];
  return first ? new Date(sentAt.getTime() + first.afterMs) : null;
}

/** A person who holds a step's role now. */
export interface Candidate {
  identity: string;
  /** the person's chat is one the bot runs on (else no direct message can reach them) */
  chat: boolean;
  /** else: the person has an e-mail address and e-mail is set up (the message goes by e-mail) */
  mail?: boolean;
  /** may know of the advisory (TLP:RED: a named recipient, or the duty officer) */
  mayKnow: boolean;
}

export type EscalationSkip = 'nobody' | 'not_a_recipient' | 'already_told' | 'no_chat';

export interface EscalationState {
  /** the organisation has acknowledged */
  acknowledged: boolean;
  /** the advisory is no longer waiting for acknowledgements (withdrawn, or asks for none) */
  settled: boolean;
  /** who holds each role now (roles missing: nobody) */
  holders: Partial<Record<EscalationRole, readonly Candidate[]>>;
  /** identities already told at earlier steps of this organisation's chain */
  told: ReadonlySet<string>;
}

export type StepOutcome =
  | { index: number; role: EscalationRole; to: string[] }
  | { index: number; role: EscalationRole; skipped: EscalationSkip };

export interface Escalation {
  /** the steps taken in this pass, in order: skipped ones, then at most one that told people */
  outcomes: StepOutcome[];
  /** the step to schedule next, or null (the chain ended or stopped) */
  next: { index: number; dueAt: Date } | null;
  /** why nothing was done: the organisation acknowledged, or the advisory is settled */
  stopped: 'acknowledged' | 'settled' | null;
}

/**
 * The step `index` of `chain` came due at `now`: what happens (rules 2 and 3), and which step
 * comes next and when (rule 1).
 */
export function escalate(chain: EscalationChain, index: number, now: Date, s: EscalationState): Escalation {
  if (s.settled) return { outcomes: [], next: null, stopped: 'settled' };
  if (s.acknowledged) return { outcomes: [], next: null, stopped: 'acknowledged' };
  const outcomes: StepOutcome[] = [];
  let i = index;
  for (; i < chain.length; i++) {
    const role = (chain[i] as EscalationStep).role;
    const holders = s.holders[role] ?? [];
    const known = holders.filter((c) => c.mayKnow);
    const fresh = known.filter((c) => !s.told.has(c.identity));
    const reachable = fresh.filter((c) => c.chat || c.mail === true);
    let skipped: EscalationSkip | null = null;
    if (holders.length === 0) skipped = 'nobody';
    else if (known.length === 0) skipped = 'not_a_recipient';
    else if (fresh.length === 0) skipped = 'already_told';
    else if (reachable.length === 0) skipped = 'no_chat';
    if (skipped) {
      outcomes.push({ index: i, role, skipped });
      continue;
    }
    outcomes.push({ index: i, role, to: [...new Set(reachable.map((c) => c.identity))] });
    break;
  }
  const after = chain[i + 1];
  const next = i < chain.length && after ? { index: i + 1, dueAt: new Date(now.getTime() + after.afterMs) } : null;
  return { outcomes, next, stopped: null };
}
