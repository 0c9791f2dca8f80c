/**
 * Advisories (PRODUCT.md §5): draft → consent → review → approved → sent, or rejected /
 * withdrawn. Every change of state is audited in its own transaction, together with the outbox
 * rows and jobs it causes. Delivery mechanics live in advisory-delivery.ts, views in
 * advisory-view.ts.
 */
import type { Caller } from '../core/command.ts';
import { UserError } from '../core/errors.ts';
import type { Reply } from '../core/reply.ts';
import type { Tx } from '../db/client.ts';
import type { Advisory, AdvisorySource, Delivery } from '../db/generated/sqlite/client.ts';
import { type AdvisoryEvent, nextStatus } from '../domain/advisory-status.ts';
import { dateStyle, formatDateTime } from '../domain/dates.ts';
import { fiscalYearOf } from '../domain/fiscal-year.ts';
import { canonicalId } from '../domain/ids.ts';
import { decide } from '../domain/reminder-policy.ts';
import type { Tlp } from '../domain/tlp.ts';
import type { JobHandler } from '../scheduler/scheduler.ts';
import { cancelJobs } from '../scheduler/scheduler.ts';
import {
  ADVISORY_REF,
  audienceOf,
  DEFAULT_REMINDERS,
  describeTargets,
  enqueueBroadcast,
  guardDelivery,
  NOTICE_REF,
  REMINDER_JOB,
  REMINDER_REF,
  type ReminderPolicy,
  resolveTargets,
  settleIfDone,
  splitList,
  type Targets,
  targetKeys,
  withdrawCopies,
} from './advisory-delivery.ts';
import { approvalPrompt, closedNotice, consentRequest, reminderMessage } from './advisory-format.ts';
import { statusView } from './advisory-view.ts';
import { audit, type ServiceDeps } from './context.ts';
import { findCoordinator } from './directory-names.ts';
import { nextId } from './ids.ts';
import { dmPerson, postToOrg } from './notify.ts';
import { refuseNamedSources } from './org-names.ts';

export interface DraftInput {
  title: string;
  body: string;
  severity: string;
  tlp: Tlp;
  /** `all`, organisation codes, or null when omitted */
  audience: 'all' | string[] | null;
  sources: string[];
  recipients: string[];
}

type Source = AdvisorySource & { org: { id: number; code: string; nameJa: string; nameEn: string } };

type AckTarget = { id: number; code: string } | { identity: string; locale: string | null };

export class AdvisoryService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly reminders: ReminderPolicy = DEFAULT_REMINDERS,
  ) {}

  private get db() {
    return this.deps.db;
  }

  async draft(caller: Caller, input: DraftInput): Promise<{ id: string; targets: string[] }> {
    const me = registered(caller);
    return this.db.tx(async (tx) => {
      const dist = { tlp: input.tlp, audience: input.audience ?? [], recipients: input.recipients };
      const targets = await resolveTargets(tx, dist);
      const sources: { incidentId: string; orgId: number; share: string }[] = [];
      for (const raw of new Set(input.sources.map((s) => canonicalId(s, 'INC')))) {
        const inc = await tx.incident.findUnique({ where: { id: raw } });
        if (!inc) throw new UserError('advisory.source_not_found', { incident: raw });
        sources.push({ incidentId: inc.id, orgId: inc.orgId, share: inc.share });
      }
      await refuseNamedSources(tx, input, sources);
      const id = await nextId(this.db, tx, 'ADV', fiscalYearOf(this.deps.clock.now()));
      await tx.advisory.create({
        data: {
          id,
          fiscalYear: fiscalYearOf(this.deps.clock.now()),
          title: input.title,
          body: input.body,
          severity: input.severity,
          tlp: input.tlp,
          audience: input.audience === 'all' ? 'all' : (input.audience ?? []).join(','),
          recipients: input.recipients.length ? input.recipients.join(',') : null,
          status: 'draft',
          drafterId: me,
          createdAt: this.deps.clock.now(),
          sources: { create: sources.map((s) => ({ ...s, consent: consentFor(s.share) })) },
        },
      });
      await this.audit(tx, caller.identity, 'advisory.draft', id, {
        tlp: input.tlp,
        audience: input.audience ?? [],
        recipients: input.recipients,
        sources: sources.map((s) => s.incidentId),
      });
      return { id, targets: await describeTargets(tx, this.deps.platforms, targets, caller.locale) };
    });
  }

  async submit(caller: Caller, rawId: string): Promise<{ status: string; consentOrgs: string[] }> {
    return this.db.tx(async (tx) => {
      const a = await this.load(tx, rawId);
      this.move(a, 'submit');
      await this.resolve(tx, a);
      // consent is decided by the reports' share as it is now, not as it was at draft
      for (const s of await this.sources(tx, a.id)) {
        const inc = await tx.incident.findUnique({ where: { id: s.incidentId } });
        const share = inc?.share ?? s.share;
        const consent = s.consent === 'given' ? 'given' : consentFor(share);
        if (share !== s.share || consent !== s.consent) {
          await tx.advisorySource.update({
            where: { advisoryId_incidentId: { advisoryId: a.id, incidentId: s.incidentId } },
            data: { share, consent },
          });
        }
      }
      const now = this.deps.clock.now();
      await tx.advisory.update({ where: { id: a.id }, data: { status: 'consent', submittedAt: now } });
      const sources = await this.sources(tx, a.id);
      const pending = sources.filter((s) => s.consent === 'pending');
      const byOrg = new Map<number, Source[]>();
      for (const s of pending) byOrg.set(s.orgId, [...(byOrg.get(s.orgId) ?? []), s]);
      const audienceText = await this.audienceText(tx, a);
      for (const list of byOrg.values()) {
        const org = (list[0] as Source).org;
        const pocs = await tx.person.findMany({ where: { orgId: org.id, roles: { some: { role: 'poc' } } } });
        if (pocs.length === 0) throw new UserError('advisory.source_no_poc', { org: org.code });
        const incidents = list.map((s) => s.incidentId);
        for (const p of pocs) {
          await dmPerson(
            this.deps,
            tx,
            p,
            (t) => consentRequest(t, a, incidents, audienceText),
            `advisory:${a.id}:consent`,
            { type: NOTICE_REF, id: a.id },
          );
        }
      }
      const orgs = [...byOrg.values()].map((l) => (l[0] as Source).org.code);
      await this.audit(tx, caller.identity, 'advisory.submit', a.id, { consentFrom: orgs });
      if (orgs.length === 0) await this.toReview(tx, a);
      return { status: orgs.length === 0 ? 'review' : 'consent', consentOrgs: orgs };
    });
  }

  async consent(caller: Caller, rawId: string, yes: boolean): Promise<{ status: string }> {
    return this.db.tx(async (tx) => {
      const a = await this.load(tx, rawId);
      const org = caller.org;
      const mine = org ? (await this.sources(tx, a.id)).filter((s) => s.orgId === org.id) : [];
      if (!org || mine.length === 0) throw new UserError('advisory.not_source', { id: a.id });
      if (a.status !== 'consent') throw this.badStatus(a, 'consent');
      const open = mine.filter((s) => s.consent === 'pending');
      if (open.length === 0) throw new UserError('advisory.consent_done', { id: a.id });
      const now = this.deps.clock.now();
      await tx.advisorySource.updateMany({
        where: { advisoryId: a.id, orgId: org.id, consent: 'pending' },
        data: { consent: yes ? 'given' : 'declined', decidedBy: caller.personId, decidedAt: now },
      });
      await this.audit(tx, caller.identity, 'advisory.consent', a.id, {
        org: org.code,
        answer: yes ? 'yes' : 'no',
        incidents: open.map((s) => s.incidentId),
      });
      if (!yes) {
        const reason = `declined by ${org.code}`;
        this.move(a, 'decline');
        await tx.advisory.update({ where: { id: a.id }, data: { status: 'rejected', reason } });
        await this.audit(tx, 'system', 'advisory.declined', a.id, { org: org.code });
        await this.closeNotices(tx, a);
        await this.tellDrafter(tx, a, 'declined', reason);
        return { status: 'rejected' };
      }
      const left = await tx.advisorySource.count({ where: { advisoryId: a.id, consent: 'pending' } });
      if (left > 0) return { status: 'consent' };
      await this.toReview(tx, a);
      return { status: 'review' };
    });
  }

  async approve(caller: Caller, rawId: string): Promise<{ targets: string[]; deliveries: number; status: string }> {
    return this.db.tx(async (tx) => {
      const a = await this.load(tx, rawId);
      this.move(a, 'approve');
      if (caller.personId === a.drafterId) throw new UserError('advisory.four_eyes', { id: a.id });
      const targets = await this.resolve(tx, a);
      const sources = await this.sources(tx, a.id);
      await refuseNamedSources(tx, a, sources);
      const attributed = sources.filter((s) => s.share === 'attributed');
      const now = this.deps.clock.now();
      const approved = await tx.advisory.update({
        where: { id: a.id },
        data: {
          status: 'approved',
          approverId: caller.personId,
          approvedAt: now,
          targets: targetKeys(targets).join(','),
        },
      });
      const n = await enqueueBroadcast(this.deps, tx, approved, targets, {
        ja: unique(attributed.map((s) => s.org.nameJa)),
        en: unique(attributed.map((s) => s.org.nameEn)),
      });
      await this.audit(tx, caller.identity, 'advisory.approve', a.id, {
        targets: targetKeys(targets),
        deliveries: n,
      });
      // rows that could not even be queued (no channel) are already settled
      const sent = await settleIfDone(this.deps, tx, a.id, this.reminders, (t, ...r) => this.audit(t, 'system', ...r));
      return {
        targets: await describeTargets(tx, this.deps.platforms, targets, caller.locale),
        deliveries: n,
        status: sent ? 'sent' : 'approved',
      };
    });
  }

  async reject(caller: Caller, rawId: string, reason: string): Promise<void> {
    await this.db.tx(async (tx) => {
      const a = await this.load(tx, rawId);
      this.move(a, 'reject');
      if (caller.personId === a.drafterId) throw new UserError('advisory.four_eyes', { id: a.id });
      await tx.advisory.update({ where: { id: a.id }, data: { status: 'rejected', reason } });
      await this.audit(tx, caller.identity, 'advisory.reject', a.id, { reason });
      await this.closeNotices(tx, a);
      await this.tellDrafter(tx, a, 'rejected', reason);
    });
  }

  async withdraw(caller: Caller, rawId: string): Promise<{ cancelled: number; updated: number; jobs: number }> {
    return this.db.tx(async (tx) => {
      const a = await this.load(tx, rawId);
      this.move(a, 'withdraw');
      await tx.advisory.update({ where: { id: a.id }, data: { status: 'withdrawn' } });
      const copies = await withdrawCopies(this.deps, tx, a);
      const jobs = await cancelJobs(tx, ADVISORY_REF, a.id);
      await this.closeNotices(tx, a);
      await this.audit(tx, caller.identity, 'advisory.withdraw', a.id, { from: a.status, ...copies, jobs });
      return { ...copies, jobs };
    });
  }

  async ack(caller: Caller, rawId: string): Promise<{ org: string }> {
    return this.db.tx(async (tx) => {
      const a = await this.load(tx, rawId);
      const org = caller.org;
      const frozen = splitList(a.targets);
      const addressed = a.tlp === 'red' ? frozen.includes(caller.identity) : !!org && frozen.includes(org.code);
      // people outside the audience learn nothing about the advisory, not even its status
      if (!org || !addressed) throw new UserError('advisory.not_found', { id: a.id });
      if (a.status !== 'approved' && a.status !== 'sent') throw this.badStatus(a, 'ack');
      const prior = await tx.advisoryAck.findUnique({
        where: { advisoryId_orgId: { advisoryId: a.id, orgId: org.id } },
      });
      if (prior) {
        const by = await tx.person.findUnique({ where: { id: prior.personId } });
        throw new UserError('advisory.already_acked', {
          id: a.id,
          by: by?.identity ?? '?',
          at: formatDateTime(prior.at, dateStyle(caller.locale, caller.calendar)),
        });
      }
      await tx.advisoryAck.create({
        data: { advisoryId: a.id, orgId: org.id, personId: caller.personId as number, at: this.deps.clock.now() },
      });
      await this.audit(tx, caller.identity, 'advisory.ack', a.id, { org: org.code });
      if ((await this.unacked(tx, a)).length === 0) await cancelJobs(tx, ADVISORY_REF, a.id);
      return { org: org.code };
    });
  }

  async status(caller: Caller, rawId: string): Promise<Reply> {
    const id = canonicalId(rawId, 'ADV');
    await this.settle(id);
    return this.db.tx(async (tx) => {
      const a = await this.load(tx, id);
      return statusView(tx, this.deps, caller, a, await this.sources(tx, a.id));
    });
  }

  /** Dispatcher pre-send guard for advisory copies and reminders (null: send it). */
  preSend(d: Delivery): Promise<string | null> {
    if (d.refType !== ADVISORY_REF && d.refType !== REMINDER_REF) return Promise.resolve(null);
    return guardDelivery(this.db, d);
  }

  /** Dispatcher settle hook: the last copy settled moves the advisory to `sent`. */
  async onDeliverySettled(d: Delivery): Promise<void> {
    if (d.refType === ADVISORY_REF && d.refId && d.kind !== 'update') await this.settle(d.refId);
  }

  /** On start: advisories whose last copy settled while no process could record it. */
  async reconcile(): Promise<number> {
    const open = await this.db.prisma.advisory.findMany({ where: { status: 'approved' }, select: { id: true } });
    let n = 0;
    for (const { id } of open) if (await this.settle(id)) n++;
    return n;
  }

  jobHandlers(): Record<string, JobHandler> {
    return {
      [REMINDER_JOB]: (tx, job, now) => this.remind(tx, String(job.args.advisoryId), Number(job.args.n), now),
    };
  }

  private settle(id: string): Promise<boolean> {
    return this.db.tx((tx) =>
      settleIfDone(this.deps, tx, id, this.reminders, (t, ...r) => this.audit(t, 'system', ...r)),
    );
  }

  /** The ack reminder job: only to targets without an ack when it fires, in its transaction. */
  private async remind(tx: Tx, id: string, n: number, now: Date): Promise<'done' | 'skipped'> {
    const a = await tx.advisory.findUnique({ where: { id } });
    if (!a) return 'skipped';
    // the reminder policy (src/domain/reminder-policy.ts): nothing once withdrawn or all acknowledged
    const targets = a.status === 'sent' ? await this.targetsWithAck(tx, a) : [];
    const d = decide(REMINDER_JOB, a, targets, now);
    if (!d.send) return 'skipped';
    const open = targets.filter((_, k) => d.actions[k] !== 'none').map((x) => x.target);
    const ref = { type: REMINDER_REF, id };
    const key = `advisory:${id}:ack-reminder:${n}`;
    for (const target of open) {
      if ('identity' in target) await dmPerson(this.deps, tx, target, (t) => reminderMessage(t, a, n), key, ref);
      else await postToOrg(this.deps, tx, target, (t) => reminderMessage(t, a, n), key, ref);
    }
    const names = open.map((o) => ('identity' in o ? o.identity : o.code));
    await this.audit(tx, 'system', 'advisory.ack_reminder', id, { n, to: names });
    return 'done';
  }

  /** Targets (organisations, or TLP:RED recipients) whose organisation has not acknowledged. */
  private async unacked(tx: Tx, a: Advisory): Promise<AckTarget[]> {
    return (await this.targetsWithAck(tx, a)).filter((x) => !x.acknowledged).map((x) => x.target);
  }

  /** Every target (organisations, or TLP:RED recipients) and whether its organisation has acknowledged. */
  private async targetsWithAck(tx: Tx, a: Advisory): Promise<{ target: AckTarget; acknowledged: boolean }[]> {
    const acked = new Set((await tx.advisoryAck.findMany({ where: { advisoryId: a.id } })).map((x) => x.orgId));
    const keys = splitList(a.targets);
    if (a.tlp === 'red') {
      const people = await tx.person.findMany({ where: { identity: { in: keys } }, orderBy: { id: 'asc' } });
      return people.map((p) => ({ target: p, acknowledged: p.orgId !== null && acked.has(p.orgId) }));
    }
    const orgs = await tx.organization.findMany({ where: { code: { in: keys } }, orderBy: { id: 'asc' } });
    return orgs.map((o) => ({ target: o, acknowledged: acked.has(o.id) }));
  }

  private async toReview(tx: Tx, a: Advisory): Promise<void> {
    this.move({ ...a, status: 'consent' }, 'consented');
    await tx.advisory.update({ where: { id: a.id }, data: { status: 'review' } });
    await this.audit(tx, 'system', 'advisory.review', a.id, {});
    const coord = await findCoordinator(tx);
    if (!coord) throw new UserError('org.no_coordinator');
    const targets = await this.resolve(tx, a);
    const lines = await describeTargets(tx, this.deps.platforms, targets, this.deps.locale);
    await postToOrg(this.deps, tx, coord, (t) => approvalPrompt(t, a, lines), `advisory:${a.id}:review`, {
      type: NOTICE_REF,
      id: a.id,
    });
  }

  private async tellDrafter(tx: Tx, a: Advisory, key: 'declined' | 'rejected', reason: string): Promise<void> {
    const drafter = await tx.person.findUnique({ where: { id: a.drafterId } });
    if (!drafter) return;
    await dmPerson(this.deps, tx, drafter, (t) => closedNotice(t, a, key, reason), `advisory:${a.id}:${key}`, {
      type: NOTICE_REF,
      id: a.id,
    });
  }

  /** Consent requests and approval prompts not yet sent have nothing left to ask. */
  private async closeNotices(tx: Tx, a: Advisory): Promise<void> {
    await tx.delivery.updateMany({
      where: { refType: NOTICE_REF, refId: a.id, status: 'pending', kind: { not: 'update' } },
      data: { status: 'cancelled', error: 'closed' },
    });
  }

  private resolve(tx: Tx, a: Advisory): Promise<Targets> {
    return resolveTargets(tx, { tlp: a.tlp, audience: audienceOf(a), recipients: splitList(a.recipients) });
  }

  private async audienceText(tx: Tx, a: Advisory): Promise<string> {
    const ts = await this.resolve(tx, a);
    return ts.kind === 'people' ? ts.people.map((p) => p.identity).join(', ') : ts.orgs.map((o) => o.code).join(', ');
  }

  private async sources(tx: Tx, id: string): Promise<Source[]> {
    const rows = await tx.advisorySource.findMany({ where: { advisoryId: id }, orderBy: { incidentId: 'asc' } });
    const orgs = await tx.organization.findMany({
      where: { id: { in: unique(rows.map((r) => String(r.orgId))).map(Number) } },
    });
    return rows.map((r) => {
      const o = orgs.find((x) => x.id === r.orgId);
      return { ...r, org: { id: r.orgId, code: o?.code ?? '?', nameJa: o?.nameJa ?? '?', nameEn: o?.nameEn ?? '?' } };
    });
  }

  private async load(tx: Tx, rawId: string): Promise<Advisory> {
    const id = canonicalId(rawId, 'ADV');
    const a = await tx.advisory.findUnique({ where: { id } });
    if (!a) throw new UserError('advisory.not_found', { id });
    return a;
  }

  private move(a: Advisory, event: AdvisoryEvent): void {
    if (!nextStatus(a.status, event)) throw this.badStatus(a, event);
  }

  private badStatus(a: Advisory, action: string): UserError {
    return new UserError(`advisory.is_${a.status}`, { id: a.id, action: ACTION_WORD[action] ?? action });
  }

  private audit(tx: Tx, actor: string, action: string, subject: string, data: Record<string, unknown>) {
    return audit(this.deps, tx, actor, action, subject, data);
  }
}

function consentFor(share: string): string {
  return share === 'none' ? 'pending' : 'not-needed';
}

function registered(c: Caller): number {
  if (c.personId === null) throw new UserError('auth.unregistered');
  return c.personId;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** The command a refused event corresponds to, as the user typed it. */
const ACTION_WORD: Record<string, string> = {
  submit: 'submit',
  consented: 'consent',
  decline: 'consent',
  consent: 'consent',
  approve: 'approve',
  reject: 'reject',
  withdraw: 'withdraw',
  ack: 'ack',
};
