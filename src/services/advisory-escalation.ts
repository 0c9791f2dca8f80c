/**
 * Escalation until acknowledged (issue 20 item 2) on the scheduler and the outbox. The rule is
 * src/domain/escalation.ts; here: who holds each role now, the jobs, the direct messages, the
 * audit records, and the dispatcher's last check.
 *
 * - When an advisory that asks for acknowledgement becomes `sent`, each of its organisations
 *   gets one job for the chain's first step (`advisory:<id>:esc:<org>:0`, kind
 *   `advisory.escalate`, refType `advisory` so that a withdrawal cancels it).
 * - The job, in its transaction, reads the advisory, the organisation's acknowledgement and who
 *   holds each role now (not when it was scheduled), takes its step (`escalate`): skipped steps
 *   are audited with their reason, the step that tells people writes one direct message per
 *   person through the outbox (refType `advisory-escalation`) and is audited with them, and
 *   the job of the next step is scheduled from now. A job fires once across processes (the
 *   scheduler), and each message carries a key the outbox never writes twice.
 * - The dispatcher asks `guardEscalation` just before sending: still `sent`, still not
 *   acknowledged, the person still holding the role, TLP:RED still only to a named recipient
 *   (or the duty officer). An acknowledgement between the job and the send wins.
 *
 * Who holds each role: src/services/escalation-roles.ts.
 * The step-runner both chains share: src/services/escalation-steps.ts.
 * A person whose chat the bot does not run on gets the step by e-mail when they have an address
 * (`person set <user> email=`; the same guard, and the address still theirs), else is skipped
 * (`no_chat`).
 */
import type { OutMessage } from '../core/platform.ts';
import type { Database, Tx } from '../db/client.ts';
import type { Advisory, Delivery, Organization } from '../db/generated/sqlite/client.ts';
import { expectsAck } from '../domain/advisory-kind.ts';
import {
  DEFAULT_ESCALATION_CHAIN,
  type EscalationChain,
  type EscalationRole,
  firstStepDue,
} from '../domain/escalation.ts';
import { keyOf, type Translate } from '../i18n/index.ts';
import type { JobHandler } from '../scheduler/scheduler.ts';
import { ADVISORY_REF, ESCALATION_REF, splitList } from './advisory-delivery.ts';
import { kindWord, label } from './advisory-format.ts';
import type { ServiceDeps } from './context.ts';
import { holdsRole } from './escalation-roles.ts';
import {
  type ChainKind,
  type ChainOf,
  chainOr,
  escapeRe,
  messageStep,
  runSteps,
  scheduleStep,
} from './escalation-steps.ts';
import { markMessage } from './exercise.ts';
import { addressStillTheirs } from './notify.ts';

export const ESCALATION_JOB = 'advisory.escalate';

export function chainOf(deps: Pick<ServiceDeps, 'escalation'>): EscalationChain {
  return chainOr(deps.escalation, DEFAULT_ESCALATION_CHAIN);
}

const KIND: ChainKind = {
  job: ESCALATION_JOB,
  jobRef: ADVISORY_REF,
  messageRef: ESCALATION_REF,
  action: 'advisory.escalate',
  chain: chainOf,
};

/** One organisation's chain for one advisory (the prefix of its job ids and message keys). */
const chainFor = (id: string, org: string): ChainOf => ({
  prefix: `advisory:${id}:esc:${org}`,
  refId: id,
  data: { advisoryId: id, org },
});

/**
 * The organisations of a sent advisory whose acknowledgement is awaited: its audience, or for
 * TLP:RED the organisations of its named recipients.
 */
async function awaitedOrgs(tx: Tx, a: Advisory): Promise<Organization[]> {
  const keys = splitList(a.targets);
  if (a.tlp !== 'red') return tx.organization.findMany({ where: { code: { in: keys } }, orderBy: { id: 'asc' } });
  const people = await tx.person.findMany({ where: { identity: { in: keys } }, select: { orgId: true } });
  const ids = [...new Set(people.map((p) => p.orgId).filter((x): x is number => x !== null))];
  return tx.organization.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } });
}

/** When an advisory becomes `sent`: the first step's job for each organisation (idempotent). */
export async function scheduleEscalation(deps: ServiceDeps, tx: Tx, a: Advisory, sentAt: Date): Promise<number> {
  const due = firstStepDue(chainOf(deps), sentAt);
  if (!due || !expectsAck(a)) return 0;
  const orgs = await awaitedOrgs(tx, a);
  for (const o of orgs) await scheduleStep(deps.db, tx, KIND, chainFor(a.id, o.code), 0, due);
  return orgs.length;
}

/** May this person know of the advisory at all (TLP:RED: a named recipient; the duty officer: the office's own). */
function mayKnow(a: Pick<Advisory, 'tlp' | 'targets'>, role: EscalationRole, identity: string): boolean {
  return a.tlp !== 'red' || role === 'duty' || splitList(a.targets).includes(identity);
}

/** The scheduler job: one step (and the skipped ones before it) of one organisation's chain. */
export function escalationJobHandler(deps: ServiceDeps): JobHandler {
  return async (tx, job, now) => {
    const id = String(job.args.advisoryId);
    const code = String(job.args.org);
    const index = Number(job.args.step);
    const a = await tx.advisory.findUnique({ where: { id } });
    const org = await tx.organization.findUnique({ where: { code } });
    if (!a || !org || !Number.isInteger(index)) return 'skipped';
    const acknowledged = (await tx.advisoryAck.count({ where: { advisoryId: id, orgId: org.id } })) > 0;
    const settled = a.status !== 'sent' || !expectsAck(a);
    if (acknowledged || settled) return 'skipped';
    const name = { ja: org.nameJa, en: org.nameEn };
    await runSteps(
      deps,
      tx,
      KIND,
      {
        ...chainFor(id, code),
        org,
        acknowledged,
        settled,
        mayKnow: (role, identity) => mayKnow(a, role, identity),
        subject: id,
        auditBase: { org: code },
        message: (role, step, steps) => (t: Translate) => escalationMessage(t, a, name, role, step, steps),
      },
      index,
      now,
    );
    return 'done';
  };
}

/** The direct message of a step: the advisory's id and title only, and that 受領確認 is awaited. */
export function escalationMessage(
  t: Translate,
  a: Pick<Advisory, 'id' | 'title' | 'tlp' | 'kind' | 'exercise'>,
  org: { ja: string; en: string },
  role: EscalationRole,
  step: number,
  steps: number,
): OutMessage {
  const body = role === 'ciso' ? 'ciso' : role === 'duty' ? 'duty' : 'poc';
  const msg: OutMessage = {
    blocks: [
      { kind: 'heading', text: `${label(a)} ${t('escalation.heading', { org })}` },
      {
        kind: 'text',
        text: t(keyOf('escalation.body.', body), {
          org,
          kind: kindWord(a),
          id: a.id,
          title: a.title,
          role: t(keyOf('escalation.role.', role)),
        }),
      },
      { kind: 'context', text: t('escalation.step', { step, steps }) },
    ],
    actions:
      body === 'poc'
        ? [{ label: t('advisory.ack_button'), command: `advisory ack ${a.id}`, style: 'primary' }]
        : body === 'duty'
          ? [{ label: t('escalation.status_button'), command: `advisory status ${a.id}` }]
          : [],
  };
  return markMessage(t, a.exercise === true, msg, 'advisory');
}

/**
 * The dispatcher's last word on an escalation message (null: send it): the advisory still
 * `sent`, the organisation still not acknowledged, the person still holding the step's role,
 * and for TLP:RED still a named recipient or the duty officer; an e-mail's address still the
 * person's.
 */
export async function guardEscalation(db: Database, d: Delivery, now: Date): Promise<string | null> {
  if (d.kind === 'update' || !d.refId) return null;
  const p = db.prisma;
  const a = await p.advisory.findUnique({ where: { id: d.refId } });
  if (!a) return 'refused: advisory not found';
  if (a.status !== 'sent') return `refused: advisory is ${a.status}`;
  // advisory:<id>:esc:<org>:<step>:<role>:<identity>
  const m = messageStep(d, `advisory:${escapeRe(a.id)}:esc:([^:]+)`);
  if (!m) return 'refused: not an escalation message';
  const { rest, role, identity } = m;
  const org = await p.organization.findUnique({ where: { code: rest[0] as string } });
  if (!org) return 'refused: organisation not found';
  if ((await p.advisoryAck.count({ where: { advisoryId: a.id, orgId: org.id } })) > 0)
    return 'refused: acknowledged meanwhile';
  if (!mayKnow(a, role, identity)) return 'refused (TLP): not a named recipient';
  if (!(await holdsRole(p, role, org, identity, now))) return `refused: no longer holds the role (${role})`;
  return addressStillTheirs(p, d);
}
