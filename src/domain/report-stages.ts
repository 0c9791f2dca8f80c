/**
 * Report stages as the government practises them: 速報 (the first report, as fast as possible)
 * → 続報 (updates by the reporting organisation, numbered 第1報, 第2報, …) → 確報 (the final
 * report, when the reporter marks it final and the deployment's required items are filled).
 * What the coordinating office adds (notes, triage) is a note, never a stage. After the 確報
 * the reporter may still add to the record; that is a note too.
 */

export const REPORT_STAGES = ['quick', 'update', 'final'] as const;
/** quick 速報 · update 続報 · final 確報 */
export type ReportStage = (typeof REPORT_STAGES)[number];

export interface StageState {
  stage: ReportStage;
  /** 続報 so far: the next one is 第(updates+1)報 */
  updates: number;
}

/** Who makes a change: the organisation the incident belongs to, or anyone else (the office). */
export type ChangeBy = 'reporting-org' | 'other';

export type StageStep =
  /** a note: the stage does not move */
  | { ok: true; step: 'note' }
  /** the nth 続報 */
  | { ok: true; step: 'update'; n: number }
  /** the 確報 */
  | { ok: true; step: 'final' }
  | { ok: false; code: 'incident.final_not_reporter' | 'incident.already_final' }
  | { ok: false; code: 'incident.final_missing'; missing: readonly string[] };

/**
 * The stage a change makes. `final`: the reporter marks it final (`final=yes`); `missing`: the
 * items the 確報 would still lack after this change (see missingForFinal).
 */
export function stageStep(s: StageState, by: ChangeBy, final: boolean, missing: readonly string[]): StageStep {
  if (final) {
    if (by !== 'reporting-org') return { ok: false, code: 'incident.final_not_reporter' };
    if (s.stage === 'final') return { ok: false, code: 'incident.already_final' };
    if (missing.length > 0) return { ok: false, code: 'incident.final_missing', missing };
    return { ok: true, step: 'final' };
  }
  if (by === 'reporting-org' && s.stage !== 'final') return { ok: true, step: 'update', n: s.updates + 1 };
  return { ok: true, step: 'note' };
}

/** The state after a step. */
export function afterStep(s: StageState, step: StageStep): StageState {
  if (!step.ok || step.step === 'note') return s;
  if (step.step === 'update') return { stage: 'update', updates: step.n };
  return { stage: 'final', updates: s.updates };
}
