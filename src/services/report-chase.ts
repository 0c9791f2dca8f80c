/**
 * Overdue report deadlines chased with the escalation engine (issue 20 item 2, second half;
 * the rule: src/domain/escalation.ts). When a deadline clock of a report passes unmet, the clock
 * tells the CISO and the coordinating office once (src/services/incident-clocks.ts); from then
 * on the reporting organisation's people are asked, one step at a time, along the deployment's
 * REPORT_ESCALATION_CHAIN (default `primary:1h,deputy:2h,duty:2h`), until that stage is
 * reported (or the incident is closed, or the deadline moved).
 *
 * One job per (incident, deadline, step), `incident:<id>:chase:<notice key>:<step>` (refType
 * `incident-clock`, so a stopped clock's cancellation takes them too); the job re-checks in its
 * transaction, with the incident locked as the clock does, that the notice is still due
 * (`dueNotices`: overdue, same deadline, incident open); direct messages refType
 * `incident-chase`, re-checked by the dispatcher just before sending (`guardChase`); each step
 * audited `incident.chase`.
 */
import type { OutMessage } from '../core/platform.ts';
import type { Tx } from '../db/client.ts';
import type { Delivery, Incident } from '../db/generated/sqlite/client.ts';
import { type DateStyle, formatDateTime } from '../domain/dates.ts';
import { DEFAULT_REPORT_ESCALATION_CHAIN, type EscalationRole, firstStepDue } from '../domain/escalation.ts';
import { type ClockNotice, dueNotices } from '../domain/report-clocks.ts';
import type { ReportStage } from '../domain/report-stages.ts';
import { keyOf, type Translate } from '../i18n/index.ts';
import type { JobHandler } from '../scheduler/scheduler.ts';
import type { ServiceDeps } from './context.ts';
import { holdsRole } from './escalation-roles.ts';
import { type ChainKind, type ChainOf, chainOr, messageStep, runSteps, scheduleStep } from './escalation-steps.ts';
import { markMessage } from './exercise.ts';
import { stageLabel } from './incident-clock-format.ts';
import { clockInput } from './incident-clock-input.ts';
import { addressStillTheirs } from './notify.ts';

export const CHASE_JOB = 'incident.chase';
export const CHASE_REF = 'incident-chase';
const CLOCK_REF = 'incident-clock';

const KIND: ChainKind = {
  job: CHASE_JOB,
  jobRef: CLOCK_REF,
  messageRef: CHASE_REF,
  action: 'incident.chase',
  chain: (deps) => chainOr(deps.reportEscalation, DEFAULT_REPORT_ESCALATION_CHAIN),
};

/** One deadline's chase (the prefix of its job ids and message keys). */
const chainFor = (id: string, key: string): ChainOf => ({
  prefix: `incident:${id}:chase:${key}`,
  refId: id,
  data: { incident: id, key },
});

/** A deadline passed unmet (the clock's escalation has just been given): the chase's first step. */
export async function scheduleChase(deps: ServiceDeps, tx: Tx, id: string, notice: ClockNotice, now: Date) {
  const due = firstStepDue(KIND.chain(deps), now);
  if (!due || notice.kind !== 'escalate') return;
  await scheduleStep(deps.db, tx, KIND, chainFor(id, notice.key), 0, due);
}

/** The clock's escalation notice `key` is still due for the incident as it is now. */
function stillOverdue(deps: ServiceDeps, inc: Incident, key: string, now: Date): ClockNotice | null {
  return (
    dueNotices(clockInput(inc), deps.reportPolicy, now).find((n) => n.key === key && n.kind === 'escalate') ?? null
  );
}

export function chaseJobHandler(deps: ServiceDeps): JobHandler {
  return async (tx, job, now) => {
    const id = String(job.args.incident);
    const key = String(job.args.key);
    const index = Number(job.args.step);
    // locked like incident update: a 続報 committing meanwhile is seen, never chased over
    await deps.db.execute(tx, 'UPDATE "Incident" SET id = id WHERE id = ?', id);
    const inc = await tx.incident.findUnique({ where: { id } });
    if (!inc || !Number.isInteger(index)) return 'skipped';
    const notice = stillOverdue(deps, inc, key, now);
    if (!notice) return 'skipped';
    const org = await tx.organization.findUniqueOrThrow({ where: { id: inc.orgId } });
    await runSteps(
      deps,
      tx,
      KIND,
      {
        ...chainFor(id, key),
        org,
        acknowledged: false,
        settled: false,
        // the organisation's own people and the coordinating office see its reports
        mayKnow: () => true,
        subject: id,
        auditBase: { stage: notice.stage, due: notice.dueAt.toISOString() },
        message: (role, step, steps) => (t: Translate, dates: DateStyle) =>
          chaseMessage(t, dates, inc, org, notice.stage, notice.dueAt, role, step, steps),
      },
      index,
      now,
    );
    return 'done';
  };
}

export function chaseMessage(
  t: Translate,
  dates: DateStyle,
  inc: Pick<Incident, 'id' | 'exercise'>,
  org: { nameJa: string; nameEn: string },
  stage: ReportStage,
  dueAt: Date,
  role: EscalationRole,
  step: number,
  steps: number,
): OutMessage {
  const p = {
    id: inc.id,
    org: { ja: org.nameJa, en: org.nameEn },
    stage: stageLabel(stage, t),
    due: formatDateTime(dueAt, dates),
    role: t(keyOf('escalation.role.', role)),
  };
  const body = role === 'ciso' ? 'ciso' : role === 'duty' ? 'duty' : 'poc';
  const msg: OutMessage = {
    blocks: [
      { kind: 'heading', text: t('clock.escalate.title', p) },
      { kind: 'text', text: t(keyOf('chase.body.', body), p) },
      { kind: 'context', text: t('chase.step', { step, steps }) },
    ],
    actions: [{ label: t('chase.show_button'), command: `incident show ${inc.id}` }],
  };
  return markMessage(t, inc.exercise, msg, 'incident');
}

/**
 * The dispatcher's last word on a chase message (null: send it): the deadline still passed
 * unmet (same deadline, incident open), the person still holding the step's role.
 */
export async function guardChase(deps: ServiceDeps, d: Delivery): Promise<string | null> {
  if (d.refType !== CHASE_REF || d.kind === 'update' || !d.refId) return null;
  const p = deps.db.prisma;
  const inc = await p.incident.findUnique({ where: { id: d.refId } });
  if (!inc) return 'refused: incident not found';
  // incident:<id>:chase:<stage>:escalate:<minute>:<step>:<role>:<identity>
  const m = messageStep(d, 'incident:[^:]+:chase:([a-z]+:escalate:\\d+)');
  if (!m) return 'refused: not a chase message';
  const { rest, role, identity } = m;
  const now = deps.clock.now();
  if (!stillOverdue(deps, inc, rest[0] as string, now)) return 'refused: reported meanwhile';
  const org = await p.organization.findUniqueOrThrow({ where: { id: inc.orgId } });
  if (!(await holdsRole(p, role, org, identity, now))) return `refused: no longer holds the role (${role})`;
  return addressStillTheirs(p, d);
}
