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
 * A person whose chat the bot does not run on is skipped (`no_chat`): there is no e-mail address
 * for people (issue 20 item 5 is not built).
 */
import type { OutMessage, PlatformName } from '../core/platform.ts';
import type { Database, Tx } from '../db/client.ts';
import type { Advisory, Delivery, Organization } from '../db/generated/sqlite/client.ts';
import { expectsAck } from '../domain/advisory-kind.ts';
import {
  type Candidate,
  DEFAULT_ESCALATION_CHAIN,
  type EscalationChain,
  type EscalationRole,
  escalate,
  firstStepDue,
  parseChain,
} from '../domain/escalation.ts';
import { keyOf, type Translate } from '../i18n/index.ts';
import { type JobHandler, scheduleJob } from '../scheduler/scheduler.ts';
import { ADVISORY_REF, ESCALATION_REF, splitList } from './advisory-delivery.ts';
import { kindWord, label } from './advisory-format.ts';
import { audit, type ServiceDeps } from './context.ts';
import { type Holder, holdersOf, holdsRole } from './escalation-roles.ts';
import { markMessage } from './exercise.ts';
import { dmPerson, splitIdentity } from './notify.ts';

export const ESCALATION_JOB = 'advisory.escalate';

const DEFAULT = parseChain(DEFAULT_ESCALATION_CHAIN);

export function chainOf(deps: Pick<ServiceDeps, 'escalation'>): EscalationChain {
  return deps.escalation ?? (DEFAULT.ok ? DEFAULT.chain : []);
}

/** The prefix of every job id and message key of one organisation's chain for one advisory. */
const prefix = (id: string, org: string) => `advisory:${id}:esc:${org}`;

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
  for (const o of orgs) await scheduleStep(deps.db, tx, a.id, o.code, 0, due);
  return orgs.length;
}

function scheduleStep(db: Database, tx: Tx, id: string, org: string, step: number, dueAt: Date): Promise<void> {
  return scheduleJob(db, tx, {
    id: `${prefix(id, org)}:${step}`,
    kind: ESCALATION_JOB,
    dueAt,
    data: { advisoryId: id, org, step },
    refType: ADVISORY_REF,
    refId: id,
  });
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
    const chain = chainOf(deps);
    const a = await tx.advisory.findUnique({ where: { id } });
    const org = await tx.organization.findUnique({ where: { code } });
    if (!a || !org || !Number.isInteger(index)) return 'skipped';
    const acknowledged = (await tx.advisoryAck.count({ where: { advisoryId: id, orgId: org.id } })) > 0;
    const settled = a.status !== 'sent' || !expectsAck(a);
    if (acknowledged || settled) return 'skipped';
    const holders: Partial<Record<EscalationRole, Candidate[]>> = {};
    const people = new Map<string, Holder>();
    for (const step of chain.slice(index)) {
      const list = await holdersOf(tx, step.role, org, now);
      for (const p of list) people.set(p.identity, p);
      holders[step.role] = list.map((p) => ({
        identity: p.identity,
        chat: deps.platforms.includes(splitIdentity(p.identity)[0]),
        mayKnow: mayKnow(a, step.role, p.identity),
      }));
    }
    const sent = await tx.delivery.findMany({
      where: { refType: ESCALATION_REF, refId: id, dedupeKey: { startsWith: `${prefix(id, code)}:` } },
      select: { platform: true, target: true },
    });
    const told = new Set(sent.map((d) => `${d.platform}:${d.target}`));
    const e = escalate(chain, index, now, { acknowledged, settled, holders, told });
    const name = { ja: org.nameJa, en: org.nameEn };
    for (const o of e.outcomes) {
      const step = o.index + 1;
      if ('skipped' in o) {
        await audit(deps, tx, 'system', 'advisory.escalate', id, { org: code, step, role: o.role, skipped: o.skipped });
        continue;
      }
      for (const identity of o.to) {
        const person = people.get(identity) as Holder;
        const build = (t: Translate) => escalationMessage(t, a, name, o.role, step, chain.length);
        await dmPerson(deps, tx, person, build, `${prefix(id, code)}:${step}:${o.role}`, { type: ESCALATION_REF, id });
      }
      await audit(deps, tx, 'system', 'advisory.escalate', id, { org: code, step, role: o.role, to: o.to });
    }
    if (e.next) await scheduleStep(deps.db, tx, id, code, e.next.index, e.next.dueAt);
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
 * and for TLP:RED still a named recipient or the duty officer.
 */
export async function guardEscalation(db: Database, d: Delivery, now: Date): Promise<string | null> {
  if (d.kind === 'update' || !d.refId) return null;
  const p = db.prisma;
  const a = await p.advisory.findUnique({ where: { id: d.refId } });
  if (!a) return 'refused: advisory not found';
  if (a.status !== 'sent') return `refused: advisory is ${a.status}`;
  // advisory:<id>:esc:<org>:<step>:<role>:<identity>
  const m = new RegExp(`^advisory:${escapeRe(a.id)}:esc:([^:]+):(\\d+):([a-z]+):`).exec(d.dedupeKey);
  if (!m) return 'refused: not an escalation message';
  const [, code, , role] = m as unknown as [string, string, string, EscalationRole];
  const org = await p.organization.findUnique({ where: { code } });
  if (!org) return 'refused: organisation not found';
  if ((await p.advisoryAck.count({ where: { advisoryId: a.id, orgId: org.id } })) > 0)
    return 'refused: acknowledged meanwhile';
  const identity = `${d.platform as PlatformName}:${d.target}`;
  if (!mayKnow(a, role, identity)) return 'refused (TLP): not a named recipient';
  if (!(await holdsRole(p, role, org, identity, now))) return `refused: no longer holds the role (${role})`;
  return null;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
