/**
 * The escalation engine's step-runner, shared by the advisory escalation
 * (src/services/advisory-escalation.ts) and the report deadline chase
 * (src/services/report-chase.ts); the rule itself is src/domain/escalation.ts.
 *
 * A chain belongs to one subject (an advisory and an organisation; an incident and a deadline)
 * and is known by its prefix: each step's scheduler job is `<prefix>:<step>` (unique, so a step
 * fires once across processes), each message's dedupe key `<prefix>:<step>:<role>:<identity>`
 * (the outbox never writes one twice). `runSteps` does one pass of the job: who holds each role
 * now, who was told already, `escalate`, one audit record per step taken or skipped, one
 * message per person told — a direct message, or by e-mail to a person whose chat the bot does
 * not run on and who has an address (`tellPerson`, audited with `email`) — and the next step's job.
 */
import type { OutMessage } from '../core/platform.ts';
import type { Database, Tx } from '../db/client.ts';
import type { Delivery, Organization } from '../db/generated/sqlite/client.ts';
import type { DateStyle } from '../domain/dates.ts';
import {
  type Candidate,
  type EscalationChain,
  type EscalationRole,
  escalate,
  parseChain,
} from '../domain/escalation.ts';
import type { Translate } from '../i18n/index.ts';
import { scheduleJob } from '../scheduler/scheduler.ts';
import { audit, type ServiceDeps } from './context.ts';
import { type Holder, holdersOf } from './escalation-roles.ts';
import { byMailOnly, recipientOf, splitIdentity, tellPerson } from './notify.ts';

/** One kind of chain: its job, the refType of its jobs and of its messages, its audit action. */
export interface ChainKind {
  /** the scheduler job's kind */
  job: string;
  /** the jobs' refType (what cancels them: a withdrawal, a stopped clock) */
  jobRef: string;
  /** the messages' refType (what the dispatcher's guard is chosen by) */
  messageRef: string;
  /** the audit action of each step */
  action: string;
  /** the deployment's chain */
  chain: (deps: ServiceDeps) => EscalationChain;
}

/** The chain of a setting, or the default's (a default that does not parse: none). */
export function chainOr(setting: EscalationChain | undefined, fallback: string): EscalationChain {
  if (setting) return setting;
  const d = parseChain(fallback);
  return d.ok ? d.chain : [];
}

/** One subject's chain: its prefix, its jobs' ref id and data (the step is added). */
export interface ChainOf {
  prefix: string;
  refId: string;
  data: Record<string, unknown>;
}

export function scheduleStep(
  db: Database,
  tx: Tx,
  kind: ChainKind,
  c: ChainOf,
  step: number,
  dueAt: Date,
): Promise<void> {
  return scheduleJob(db, tx, {
    id: `${c.prefix}:${step}`,
    kind: kind.job,
    dueAt,
    data: { ...c.data, step },
    refType: kind.jobRef,
    refId: c.refId,
  });
}

/** What one pass of a chain's job needs besides the chain. */
export interface StepPass extends ChainOf {
  org: Organization;
  acknowledged: boolean;
  settled: boolean;
  /** may this holder of `role` know of the subject (TLP) */
  mayKnow: (role: EscalationRole, identity: string) => boolean;
  /** the audit subject and what every record of the chain carries */
  subject: string;
  auditBase: Record<string, unknown>;
  /** the message of step `step` (1-based) of `steps` to a holder of `role` */
  message: (role: EscalationRole, step: number, steps: number) => (t: Translate, dates: DateStyle) => OutMessage;
}

/** The step `index` of a chain came due at `now`: takes it (and the skipped ones before it). */
export async function runSteps(
  deps: ServiceDeps,
  tx: Tx,
  kind: ChainKind,
  pass: StepPass,
  index: number,
  now: Date,
): Promise<void> {
  const chain = kind.chain(deps);
  const holders: Partial<Record<EscalationRole, Candidate[]>> = {};
  const people = new Map<string, Holder>();
  for (const step of chain.slice(index)) {
    const list = await holdersOf(tx, step.role, pass.org, now);
    for (const p of list) people.set(p.identity, p);
    holders[step.role] = list.map((p) => ({
      identity: p.identity,
      chat: deps.platforms.includes(splitIdentity(p.identity)[0]),
      mail: byMailOnly(deps, p),
      mayKnow: pass.mayKnow(step.role, p.identity),
    }));
  }
  const sent = await tx.delivery.findMany({
    where: { refType: kind.messageRef, refId: pass.refId, dedupeKey: { startsWith: `${pass.prefix}:` } },
    select: { platform: true, target: true, dedupeKey: true },
  });
  const told = new Set(sent.map(recipientOf));
  const e = escalate(chain, index, now, {
    acknowledged: pass.acknowledged,
    settled: pass.settled,
    holders,
    told,
  });
  for (const o of e.outcomes) {
    const step = o.index + 1;
    if ('skipped' in o) {
      await audit(deps, tx, 'system', kind.action, pass.subject, {
        ...pass.auditBase,
        step,
        role: o.role,
        skipped: o.skipped,
      });
      continue;
    }
    const email: string[] = [];
    for (const identity of o.to) {
      const person = people.get(identity) as Holder;
      const build = pass.message(o.role, step, chain.length);
      const r = await tellPerson(deps, tx, person, build, `${pass.prefix}:${step}:${o.role}`, {
        type: kind.messageRef,
        id: pass.refId,
      });
      if (r.by === 'email') email.push(identity);
    }
    // a person the bot has no chat for was told by e-mail: said (`email`), not skipped
    await audit(deps, tx, 'system', kind.action, pass.subject, {
      ...pass.auditBase,
      step,
      role: o.role,
      to: o.to,
      ...(email.length > 0 ? { email } : {}),
    });
  }
  if (e.next) await scheduleStep(deps.db, tx, kind, pass, e.next.index, e.next.dueAt);
}

/**
 * A chain's message as its dedupe key says (`<prefix>:<step>:<role>:<identity>`), or null when
 * the key is not one of `prefix`'s (a regular expression source).
 */
export function messageStep(
  d: Pick<Delivery, 'dedupeKey' | 'platform' | 'target'>,
  prefix: string,
): { rest: string[]; role: EscalationRole; identity: string } | null {
  const m = new RegExp(`^${prefix}:(\\d+):([a-z]+):(.+)$`).exec(d.dedupeKey);
  if (!m) return null;
  const groups = m.slice(1);
  const rest = groups.slice(0, -3);
  const role = groups.at(-2) as EscalationRole;
  return { rest, role, identity: recipientOf(d) };
}

export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
