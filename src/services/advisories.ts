/**
 * Advisories (PRODUCT.md §5): draft → consent → review → approved → sent, or rejected /
 * withdrawn. Every change of state is audited in its own transaction, together with the outbox
 * rows and jobs it causes. Delivery mechanics live in advisory-delivery.ts, views in
 * advisory-view.ts.
 */
import type { Caller } from '../core/command.ts';
import { type Bilingual, UserError } from '../core/errors.ts';
import { MAIL } from '../core/platform.ts';
import type { Reply } from '../core/reply.ts';
import type { Tx } from '../db/client.ts';
import type { Advisory, Delivery } from '../db/generated/sqlite/client.ts';
import { lockRow } from '../db/row-lock.ts';
import { type AdvisoryKind, DEFAULT_KIND, expectsAck } from '../domain/advisory-kind.ts';
import { type AdvisoryEvent, copiesOutcome, declineReason, mayApprove, nextStatus } from '../domain/advisory-status.ts';
import { dateStyle, formatDateTime } from '../domain/dates.ts';
import { fiscalYearOf } from '../domain/fiscal-year.ts';
import {
  handlingCodes,
  handlingText,
  marksBelowSources,
  storeHandling,
  strictestConfidentiality,
} from '../domain/handling.ts';
import { canonicalId } from '../domain/ids.ts';
import { decide } from '../domain/reminder-policy.ts';
import { consentAnswerProblem, needsLowerLabel } from '../domain/sharing.ts';
import type { Tlp } from '../domain/tlp.ts';
import { codeKey, keyOf, t as translate, translator } from '../i18n/index.ts';
import type { SettleCause } from '../outbox/dispatcher.ts';
import type { JobHandler } from '../scheduler/scheduler.ts';
import { cancelJobs } from '../scheduler/scheduler.ts';
import {
  ADVISORY_REF,
  audienceOf,
  DEFAULT_REMINDERS,
  describeTargets,
  ESCALATION_REF,
  enqueueBroadcast,
  NOTICE_REF,
  REMINDER_JOB,
  REMINDER_REF,
  type ReminderPolicy,
  resolveTargets,
  settleIfDone,
  splitList,
  type Targets,
  targetKeys,
  versionKey,
  withdrawCopies,
} from './advisory-delivery.ts';
import { ESCALATION_JOB, escalationJobHandler, guardEscalation, scheduleEscalation } from './advisory-escalation.ts';
import { approvalPrompt, kindWord, reminderMessage } from './advisory-format.ts';
import { guardDelivery, guardNotice, SHARING_REFUSED } from './advisory-guard.ts';
import { enqueueMailCopy } from './advisory-mail.ts';
import {
  askConsent,
  markAsked,
  reasonsText,
  reconsent,
  sharingState,
  staleProblems,
  staleSources,
  tellDrafter,
} from './advisory-sharing.ts';
import { statusView } from './advisory-view.ts';
import { audit, type ServiceDeps } from './context.ts';
import { coordinatingOrg } from './coordinating-org.ts';
import { DUTY_REVIEW, dutyOfficer } from './duty.ts';
import { nextId } from './ids.ts';
import { channelOf, postToOrg, tellPerson } from './notify.ts';
import { refuseNamedSources } from './org-names.ts';

export interface DraftInput {
  title: string;
  body: string;
  severity: string;
  tlp: Tlp;
  /** 注意喚起 (default) or 情報提供 */
  kind?: AdvisoryKind;
  /** 機密性 1–3; default: the strictest of the sources (none when no source is marked) */
  confidentiality?: number;
  /** 取扱制限 codes (src/domain/handling.ts); default: every mark the sources carry */
  handling?: string[];
  /** `all`, organisation codes, or null when omitted */
  audience: 'all' | string[] | null;
  sources: string[];
  recipients: string[];
  /** 訓練: an exercise advisory (src/services/exercise.ts); its sources are exercise reports only */
  exercise?: boolean;
}

/** What `draft` tells its drafter: where it would go, and which sources must agree to a lower label. */
export interface Drafted {
  id: string;
  kind: AdvisoryKind;
  confidentiality: number | null;
  handling: string | null;
  targets: string[];
  lower: { incident: string; tlp: Tlp }[];
}

/** `approve`: sent on its way, or sent back to the consent step because a source changed. */
export type Approval = { kind: Bilingual } & (
  | { status: 'approved' | 'sent'; targets: string[]; deliveries: number }
  | { status: 'consent'; reasons: string }
);

type AckTarget = { id: number; code: string } | { identity: string; locale: string | null };

export class AdvisoryService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly reminders: ReminderPolicy = DEFAULT_REMINDERS,
  ) {}

  private get db() {
    return this.deps.db;
  }
  /** Whether the advisory `rawId` is an exercise (false when there is none): replies mark it. */
  async isExercise(rawId: string): Promise<boolean> {
    const a = await this.db.prisma.advisory.findUnique({
      where: { id: canonicalId(rawId, 'ADV') },
      select: { exercise: true },
    });
    return a?.exercise === true;
  }

  async draft(caller: Caller, input: DraftInput): Promise<Drafted> {
    const me = registered(caller);
    return this.db.tx(async (tx) => {
      const dist = { tlp: input.tlp, audience: input.audience ?? [], recipients: input.recipients, kind: input.kind };
      const targets = await resolveTargets(tx, dist);
      const sources: {
        incidentId: string;
        orgId: number;
        share: string;
        tlp: Tlp;
        confidentiality: number | null;
        handling: string | null;
      }[] = [];
      for (const raw of new Set(input.sources.map((s) => canonicalId(s, 'INC')))) {
        const inc = await tx.incident.findUnique({ where: { id: raw } });
        if (!inc) throw new UserError('advisory.source_not_found', { incident: raw });
        // an exercise and a real report never meet in one advisory
        if (inc.exercise && !input.exercise) throw new UserError('exercise.not_a_source', { id: inc.id });
        if (!inc.exercise && input.exercise) throw new UserError('exercise.real_source', { id: inc.id });
        sources.push({
          incidentId: inc.id,
          orgId: inc.orgId,
          share: inc.share,
          tlp: inc.tlp as Tlp,
          confidentiality: inc.confidentiality,
          handling: inc.handling,
        });
      }
      await refuseNamedSources(tx, input, sources);
      const confidentiality = input.confidentiality ?? strictestConfidentiality(sources);
      const handling =
        input.handling === undefined
          ? storeHandling(sources.flatMap((s) => handlingCodes(s.handling)))
          : storeHandling(input.handling);
      refuseWeakerMarks({ confidentiality, handling, kind: input.kind ?? DEFAULT_KIND }, sources, caller.locale);
      const id = await nextId(this.db, tx, 'ADV', fiscalYearOf(this.deps.clock.now()));
      await tx.advisory.create({
        data: {
          id,
          fiscalYear: fiscalYearOf(this.deps.clock.now()),
          title: input.title,
          body: input.body,
          severity: input.severity,
          tlp: input.tlp,
          kind: input.kind ?? DEFAULT_KIND,
          confidentiality,
          handling,
          audience: input.audience === 'all' ? 'all' : (input.audience ?? []).join(','),
          recipients: input.recipients.length ? input.recipients.join(',') : null,
          status: 'draft',
          exercise: input.exercise ?? false,
          drafterId: me,
          createdAt: this.deps.clock.now(),
          sources: {
            create: sources.map((s) => ({
              incidentId: s.incidentId,
              orgId: s.orgId,
              share: s.share,
              tlp: s.tlp,
              consent: 'pending',
            })),
          },
        },
      });
      await this.audit(tx, caller.identity, 'advisory.draft', id, {
        tlp: input.tlp,
        kind: input.kind ?? DEFAULT_KIND,
        confidentiality,
        handling,
        audience: input.audience ?? [],
        recipients: input.recipients,
        sources: sources.map((s) => s.incidentId),
        ...(input.exercise ? { exercise: true } : {}),
      });
      return {
        id,
        kind: input.kind ?? DEFAULT_KIND,
        confidentiality,
        handling,
        targets: await describeTargets(tx, this.deps.platforms, targets, caller.locale),
        lower: sources
          .filter((s) => needsLowerLabel(input.tlp, s.tlp))
          .map((s) => ({ incident: s.incidentId, tlp: s.tlp })),
      };
    });
  }

  /**
   * Every source organisation is asked to consent to the exact final text, whatever its report's
   * `share` (attributed and anonymised alike); with no source, the advisory goes to review.
   */
  async submit(caller: Caller, rawId: string): Promise<{ status: string; consentOrgs: string[]; kind: Bilingual }> {
    return this.db.tx(async (tx) => {
      const a0 = await this.load(tx, rawId, true);
      this.move(a0, 'submit');
      await this.resolve(tx, a0);
      const s0 = await sharingState(tx, a0);
      await refuseNamedSources(tx, a0, s0.sources);
      refuseWeakerMarks(a0, s0.sources, caller.locale);
      const now = this.deps.clock.now();
      const a = await tx.advisory.update({ where: { id: a0.id }, data: { status: 'consent', submittedAt: now } });
      await markAsked(tx, a, s0, s0.sources);
      const orgs = await askConsent(this.deps, tx, a, await sharingState(tx, a), true);
      await this.audit(tx, caller.identity, 'advisory.submit', a.id, { consentFrom: orgs });
      if (orgs.length === 0) await this.toReview(tx, a);
      return { status: orgs.length === 0 ? 'review' : 'consent', consentOrgs: orgs, kind: kindWord(a) };
    });
  }

  /**
   * A source organisation's answer, recorded for the text, the report states and the label as
   * they are now. Anyone else — not a source, or asked nothing yet — is told the advisory does
   * not exist. An answer to an older version of the request (the text or a report changed since)
   * is refused, and so is `yes` without `tlp=` where the advisory's label is lower than a report's.
   */
  async consent(
    caller: Caller,
    rawId: string,
    yes: boolean,
    opts: { tlp?: Tlp; version?: number } = {},
  ): Promise<{ status: string; reasons?: string; kind: Bilingual }> {
    return this.db.tx(async (tx) => {
      const a = await this.load(tx, rawId, true);
      const org = caller.org;
      const s = await sharingState(tx, a);
      const mine = org ? s.sources.filter((x) => x.orgId === org.id) : [];
      if (!org || mine.length === 0 || a.status === 'draft') throw new UserError('advisory.not_found', { id: a.id });
      if (a.status !== 'consent') throw this.badStatus(a, 'consent');
      if (opts.version !== undefined && opts.version !== a.version)
        throw new UserError('advisory.consent_stale', {
          id: a.id,
          version: opts.version,
          current: a.version,
          kind: kindWord(a),
        });
      // the text or a report changed since the request by a path that did not ask again (an
      // organisation renamed, a hand edit): an answer now would be to a text nobody was shown
      const stale = staleProblems(s);
      if (stale.length > 0) {
        await reconsent(this.deps, tx, a, s, caller.identity);
        // the caller is told only what concerns their own reports (another source's change is
        // theirs to know, and may be all that tells an anonymous source exists)
        const own = stale.filter((p) => p.orgId === org.id);
        return {
          status: 'restarted',
          reasons: own.length ? reasonsText(translator(caller.locale), s, own) : '',
          kind: kindWord(a),
        };
      }
      const open = mine.filter((x) => s.decision.problems.some((p) => p.incidentId === x.incidentId));
      if (open.length === 0) throw new UserError('advisory.consent_done', { id: a.id, kind: kindWord(a) });
      const problem = consentAnswerProblem({ tlp: a.tlp as Tlp }, mine, yes, opts.tlp ?? null);
      if (problem) throw new UserError(codeKey(problem.code), { ...problem.params, id: a.id, kind: kindWord(a) });
      const now = this.deps.clock.now();
      for (const x of mine) {
        await tx.advisorySource.update({
          where: { advisoryId_incidentId: { advisoryId: a.id, incidentId: x.incidentId } },
          data: {
            consent: yes ? 'given' : 'declined',
            share: x.share,
            tlp: x.tlp,
            textKey: s.textKey,
            agreedTlp: yes ? (opts.tlp ?? null) : null,
            decidedBy: caller.personId,
            decidedAt: now,
          },
        });
      }
      await this.audit(tx, caller.identity, 'advisory.consent', a.id, {
        org: org.code,
        answer: yes ? 'yes' : 'no',
        incidents: mine.map((x) => x.incidentId),
        version: a.version,
        text: s.textKey,
        ...(yes && opts.tlp ? { tlp: opts.tlp } : {}),
      });
      if (!yes) {
        // a code, never words: shown in the reader's language (src/services/advisory-view.ts)
        const reason = declineReason(org.code);
        this.move(a, 'decline');
        await tx.advisory.update({ where: { id: a.id }, data: { status: 'rejected', reason, endedBy: 'source' } });
        await this.audit(tx, 'system', 'advisory.declined', a.id, { org: org.code });
        await this.closeNotices(tx, a);
        await tellDrafter(this.deps, tx, a, 'declined', { ja: org.nameJa, en: org.nameEn });
        return { status: 'rejected', kind: kindWord(a) };
      }
      if (!(await sharingState(tx, a)).decision.ok) return { status: 'consent', kind: kindWord(a) };
      await this.toReview(tx, a);
      return { status: 'review', kind: kindWord(a) };
    });
  }

  /**
   * Four eyes, the TLP rules against the directory as it is now, the anonymity check, and the
   * sharing decision against every source as it is now: when a source changed since its
   * consent, the advisory goes back to the consent step instead (committed), and the approver
   * is told why.
   */
  async approve(caller: Caller, rawId: string): Promise<Approval> {
    return this.db.tx(async (tx) => {
      const a = await this.load(tx, rawId, true);
      this.move(a, 'approve');
      if (!mayApprove(caller.personId, a.drafterId))
        throw new UserError('advisory.four_eyes', { id: a.id, kind: kindWord(a) });
      const targets = await this.resolve(tx, a);
      const s = await sharingState(tx, a);
      await refuseNamedSources(tx, a, s.sources);
      refuseWeakerMarks(a, s.sources, caller.locale);
      if (!s.decision.ok) {
        await reconsent(this.deps, tx, a, s, caller.identity);
        return {
          status: 'consent',
          reasons: reasonsText(translator(caller.locale), s, s.decision.problems),
          kind: kindWord(a),
        };
      }
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
        ja: s.named.map((o) => o.nameJa),
        en: s.named.map((o) => o.nameEn),
      });
      // an organisation with no channel on a platform the bot runs on gets its copy by e-mail
      if (targets.kind === 'channels')
        for (const o of targets.orgs)
          for (const platform of this.deps.platforms)
            if (!(await channelOf(tx, o, platform))) {
              await enqueueMailCopy(this.deps, tx, approved, o.id, 'no_channel');
              break;
            }
      await this.audit(tx, caller.identity, 'advisory.approve', a.id, {
        targets: targetKeys(targets),
        deliveries: n,
        version: a.version,
        text: s.textKey,
      });
      // rows that could not even be queued (no channel) are already settled
      const sent = await this.settleIfDone(tx, a.id);
      return {
        targets: await describeTargets(tx, this.deps.platforms, targets, caller.locale),
        deliveries: n,
        status: sent ? 'sent' : 'approved',
        kind: kindWord(a),
      };
    });
  }

  /**
   * A source report's `share` or TLP changed (in the caller's transaction): every advisory still
   * open on it whose consents no longer cover it goes back to the consent step. Returns the ids.
   */
  async sourceChanged(tx: Tx, incidentId: string, actor: string): Promise<{ id: string; kind: string }[]> {
    const links = await tx.advisorySource.findMany({ where: { incidentId }, select: { advisoryId: true } });
    const moved: { id: string; kind: string }[] = [];
    for (const { advisoryId } of links) {
      await lockRow(this.db, tx, 'Advisory', advisoryId);
      const a = await tx.advisory.findUnique({ where: { id: advisoryId } });
      if (!a || !['consent', 'review', 'approved'].includes(a.status)) continue;
      const s = await sharingState(tx, a);
      if (staleSources(s).length === 0 && s.decision.problems.every((p) => p.problem.kind === 'pending')) continue;
      await reconsent(this.deps, tx, a, s, actor);
      moved.push({ id: a.id, kind: a.kind });
    }
    return moved;
  }

  async reject(caller: Caller, rawId: string, reason: string): Promise<{ kind: Bilingual }> {
    return this.db.tx(async (tx) => {
      const a = await this.load(tx, rawId, true);
      this.move(a, 'reject');
      if (!mayApprove(caller.personId, a.drafterId))
        throw new UserError('advisory.four_eyes', { id: a.id, kind: kindWord(a) });
      await tx.advisory.update({ where: { id: a.id }, data: { status: 'rejected', reason, endedBy: 'approver' } });
      await this.audit(tx, caller.identity, 'advisory.reject', a.id, { reason });
      await this.closeNotices(tx, a);
      await tellDrafter(this.deps, tx, a, 'rejected', reason);
      return { kind: kindWord(a) };
    });
  }

  async withdraw(
    caller: Caller,
    rawId: string,
  ): Promise<{ cancelled: number; updated: number; jobs: number; kind: Bilingual }> {
    return this.db.tx(async (tx) => {
      const a = await this.load(tx, rawId, true);
      this.move(a, 'withdraw');
      await tx.advisory.update({ where: { id: a.id }, data: { status: 'withdrawn' } });
      const copies = await withdrawCopies(this.deps, tx, a);
      const jobs = await cancelJobs(tx, ADVISORY_REF, a.id);
      await this.closeNotices(tx, a);
      await this.audit(tx, caller.identity, 'advisory.withdraw', a.id, { from: a.status, ...copies, jobs });
      return { ...copies, jobs, kind: kindWord(a) };
    });
  }

  async ack(caller: Caller, rawId: string): Promise<{ org: string; kind: Bilingual }> {
    return this.db.tx(async (tx) => {
      const a = await this.load(tx, rawId);
      const org = caller.org;
      const frozen = splitList(a.targets);
      const addressed = a.tlp === 'red' ? frozen.includes(caller.identity) : !!org && frozen.includes(org.code);
      // people outside the audience learn nothing about the advisory, not even its status
      if (!org || !addressed) throw new UserError('advisory.not_found', { id: a.id });
      if (a.status !== 'approved' && a.status !== 'sent') throw this.badStatus(a, 'ack');
      if (!expectsAck(a)) throw new UserError('advisory.ack_not_expected', { id: a.id });
      const prior = await tx.advisoryAck.findUnique({
        where: { advisoryId_orgId: { advisoryId: a.id, orgId: org.id } },
      });
      if (prior) {
        const by = await tx.person.findUnique({ where: { id: prior.personId } });
        throw new UserError('advisory.already_acked', {
          id: a.id,
          kind: kindWord(a),
          by: by?.identity ?? '?',
          at: formatDateTime(prior.at, dateStyle(caller.locale, caller.calendar)),
        });
      }
      await tx.advisoryAck.create({
        data: { advisoryId: a.id, orgId: org.id, personId: caller.personId as number, at: this.deps.clock.now() },
      });
      await this.audit(tx, caller.identity, 'advisory.ack', a.id, { org: org.code });
      if ((await this.unacked(tx, a)).length === 0) await cancelJobs(tx, ADVISORY_REF, a.id);
      return { org: org.code, kind: kindWord(a) };
    });
  }

  /**
   * `advisory list` (the coordinating office's roles, who see every advisory): the newest 50,
   * optionally of one status, with what the list shows (kind, status and who ended a rejection).
   */
  async list(caller: Caller, status?: string): Promise<Advisory[]> {
    registered(caller);
    return this.db.prisma.advisory.findMany({
      where: status ? { status } : {},
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: 50,
    });
  }

  async status(caller: Caller, rawId: string): Promise<Reply> {
    const id = canonicalId(rawId, 'ADV');
    await this.settle(id);
    return this.db.tx(async (tx) => {
      const a = await this.load(tx, id);
      return statusView(tx, this.deps, caller, a, await sharingState(tx, a));
    });
  }

  /**
   * Dispatcher pre-send check (null: send it): a copy or ack reminder only while the advisory's
   * TLP rules and its sharing decision hold against the directory and the sources as they are
   * now; a consent request only to a current PoC of an organisation still asked, for the current
   * version; the approval prompt only while that version waits for approval.
   */
  preSend(d: Delivery): Promise<string | null> {
    if (d.refType === ADVISORY_REF || d.refType === REMINDER_REF)
      return guardDelivery(this.db, d, d.refType === ADVISORY_REF);
    if (d.refType === NOTICE_REF) return guardNotice(this.db, d);
    if (d.refType === ESCALATION_REF) return guardEscalation(this.db, d, this.deps.clock.now());
    return Promise.resolve(null);
  }

  /**
   * Dispatcher settle hook: the last copy settled moves the advisory to `sent`; a copy refused
   * because the sharing decision no longer holds sends the advisory back to the consent step.
   */
  async onDeliverySettled(d: Delivery, cause?: SettleCause): Promise<void> {
    if (d.refType !== ADVISORY_REF || !d.refId || d.kind === 'update') return;
    // a chat copy the platform refused for good goes by e-mail, before the advisory can settle
    if (d.status === 'failed' && cause === 'permanent' && d.platform !== MAIL && d.kind === 'post' && d.orgId !== null)
      await this.mailInstead(d, d.refId, d.orgId);
    await this.settle(d.refId);
  }

  /** The e-mail copy for a chat copy that failed for good, while the advisory is still being sent. */
  private mailInstead(d: Delivery, id: string, orgId: number): Promise<unknown> {
    return this.db.tx(async (tx) => {
      await lockRow(this.db, tx, 'Advisory', id);
      const a = await tx.advisory.findUnique({ where: { id } });
      if (a?.status !== 'approved') return null;
      return enqueueMailCopy(this.deps, tx, a, orgId, 'chat_failed', {
        id: d.id,
        platform: d.platform,
        error: d.error,
      });
    });
  }

  /** On start: advisories whose last copy settled while no process could record it. */
  async reconcile(): Promise<number> {
    const open = await this.db.prisma.advisory.findMany({ where: { status: 'approved' }, select: { id: true } });
    let n = 0;
    for (const { id } of open) if (await this.settle(id)) n++;
    return n;
  }

  /**
   * One locked transaction decides what the copies settled so far mean. Asked of every settled
   * copy, not only of the refused one: when the copies settle together, the last to settle may be
   * another one (refused for its channel, or delivered), and calling the advisory sent then would
   * leave the refusal unanswered (found by the model test on SQLite: all copies failed, one for
   * sharing, and the advisory was marked sent). A copy refused because the sharing decision no
   * longer holds sends the advisory back to consent; else the last copy settled makes it `sent`.
   * The lock makes two copies settling at once (two dispatchers) decide one after the other:
   * before it, both could send it back to consent, or one call it sent past the refusal.
   */
  private settle(id: string): Promise<boolean> {
    return this.db.tx(async (tx) => {
      // locked and read directly: an error of the database ends the transaction (db.tx retries
      // it), it is never taken for "nothing to settle"
      await lockRow(this.db, tx, 'Advisory', id);
      const a = await tx.advisory.findUnique({ where: { id } });
      if (a?.status !== 'approved') return false;
      // all the copies in one statement: one snapshot (read committed gives each statement its own)
      const copies = await tx.delivery.findMany({
        where: { refType: ADVISORY_REF, refId: id },
        select: { status: true, error: true },
      });
      const outcome = copiesOutcome(
        copies.map((c) => ({ status: c.status, refusedForSharing: !!c.error?.startsWith(SHARING_REFUSED) })),
      );
      if (outcome === 'source_changed') {
        const s = await sharingState(tx, a);
        // a source's share or TLP changed, or its marks were raised above the advisory's
        if (!s.decision.ok || marksBelowSources(a, s.sources)) {
          await reconsent(this.deps, tx, a, s, 'system');
          return false;
        }
      }
      if (outcome === null) return false;
      return this.settleIfDone(tx, id);
    });
  }

  /** `approved` → `sent` once every copy settled: the ack reminders and the escalation's first steps are scheduled. */
  private async settleIfDone(tx: Tx, id: string): Promise<boolean> {
    const sent = await settleIfDone(this.deps, tx, id, this.reminders, (t, ...r) => this.audit(t, 'system', ...r));
    if (!sent) return false;
    const a = await tx.advisory.findUniqueOrThrow({ where: { id } });
    await scheduleEscalation(this.deps, tx, a, a.sentAt ?? this.deps.clock.now());
    return true;
  }

  jobHandlers(): Record<string, JobHandler> {
    return {
      [REMINDER_JOB]: (tx, job, now) => this.remind(tx, String(job.args.advisoryId), Number(job.args.n), now),
      [ESCALATION_JOB]: escalationJobHandler(this.deps),
    };
  }

  /** The ack reminder job: only to targets without an ack when it fires, in its transaction. */
  private async remind(tx: Tx, id: string, n: number, now: Date): Promise<'done' | 'skipped'> {
    const a = await tx.advisory.findUnique({ where: { id } });
    // 情報提供 asks for no acknowledgement: nothing to remind of (no job is scheduled for one;
    // this holds for a job scheduled by hand or before the kind existed)
    if (!a || !expectsAck(a)) return 'skipped';
    // the reminder policy (src/domain/reminder-policy.ts): nothing once withdrawn or all acknowledged
    const targets = a.status === 'sent' ? await this.targetsWithAck(tx, a) : [];
    const d = decide(REMINDER_JOB, a, targets, now);
    if (!d.send) return 'skipped';
    const open = targets.filter((_, k) => d.actions[k] !== 'none').map((x) => x.target);
    const ref = { type: REMINDER_REF, id };
    const key = `advisory:${id}:ack-reminder:${n}`;
    for (const target of open) {
      if ('identity' in target) await tellPerson(this.deps, tx, target, (t) => reminderMessage(t, a, n), key, ref);
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
    const coord = await coordinatingOrg(tx);
    if (!coord) throw new UserError('org.no_coordinator');
    const targets = await this.resolve(tx, a);
    const lines = await describeTargets(tx, this.deps.platforms, targets, this.deps.locale);
    const prompt = (t: Parameters<typeof approvalPrompt>[0]) => approvalPrompt(t, a, lines);
    // the duty officer (当番者) first, as a direct message: only while they hold approver in the
    // office, never the drafter (four eyes); the dispatcher checks both again before sending
    const officer = await dutyOfficer(tx, this.deps.clock.now());
    if (officer && mayApprove(officer.id, a.drafterId)) {
      const person = await tx.person.findUniqueOrThrow({ where: { id: officer.id } });
      // a duty officer the bot has no chat for gets it by e-mail when they have an address
      await tellPerson(this.deps, tx, person, prompt, `${versionKey(a)}:${DUTY_REVIEW}`, {
        type: NOTICE_REF,
        id: a.id,
      });
    }
    await postToOrg(this.deps, tx, coord, prompt, `${versionKey(a)}:review`, { type: NOTICE_REF, id: a.id });
  }

  /** Consent requests and approval prompts not yet sent have nothing left to ask. */
  private async closeNotices(tx: Tx, a: Advisory): Promise<void> {
    await tx.delivery.updateMany({
      where: { refType: NOTICE_REF, refId: a.id, status: 'pending', kind: { not: 'update' } },
      data: { status: 'cancelled', error: 'closed' },
    });
  }

  private resolve(tx: Tx, a: Advisory): Promise<Targets> {
    return resolveTargets(tx, {
      tlp: a.tlp,
      audience: audienceOf(a),
      recipients: splitList(a.recipients),
      kind: a.kind,
    });
  }

  /**
   * The advisory `rawId` names. `lock`: its row is locked first, until the transaction ends
   * (PostgreSQL; SQLite's transaction then holds the write lock), so that two transactions that
   * move it — two answers, an answer and a source's change, two copies settling — read it one
   * after the other and each decides on what the other wrote (tests/e2e/advisory-settle-race).
   */
  private async load(tx: Tx, rawId: string, lock = false): Promise<Advisory> {
    const id = canonicalId(rawId, 'ADV');
    if (lock) await lockRow(this.db, tx, 'Advisory', id);
    const a = await tx.advisory.findUnique({ where: { id } });
    if (!a) throw new UserError('advisory.not_found', { id });
    return a;
  }

  private move(a: Advisory, event: AdvisoryEvent): void {
    if (!nextStatus(a.status, event)) throw this.badStatus(a, event);
  }

  private badStatus(a: Advisory, action: string): UserError {
    return new UserError(keyOf('advisory.is_', a.status), {
      id: a.id,
      action: actionWord(action),
      kind: kindWord(a),
    });
  }

  private audit(tx: Tx, actor: string, action: string, subject: string, data: Record<string, unknown>) {
    return audit(this.deps, tx, actor, action, subject, data);
  }
}

/**
 * Refuses an advisory marked less strictly than one of its sources as they are now: a 機密性
 * below a source's, or a source's 取扱制限 mark missing. Asked at draft, at submit and at
 * approval (a source's marks may have been raised in between).
 */
function refuseWeakerMarks(
  a: { confidentiality: number | null; handling: string | null; kind: string },
  sources: readonly { incidentId: string; confidentiality: number | null; handling: string | null }[],
  locale: 'ja' | 'en',
): void {
  const below = marksBelowSources(a, sources);
  if (!below) return;
  if (below.weaker.length > 0) {
    const level = strictestConfidentiality(below.weaker) as number;
    throw new UserError('advisory.confidentiality_below_source', {
      incidents: below.weaker.map((s) => s.incidentId).join(', '),
      level,
      value: level,
      kind: kindWord(a),
    });
  }
  throw new UserError('advisory.handling_below_source', {
    incidents: below.holders.map((s) => s.incidentId).join(', '),
    marks: handlingText(storeHandling(below.missing), locale),
    value: storeHandling([...handlingCodes(a.handling), ...below.missing]) ?? '',
    kind: kindWord(a),
  });
}

function registered(c: Caller): number {
  if (c.personId === null) throw new UserError('auth.unregistered');
  return c.personId;
}

/** The command a refused event corresponds to, as the user typed it. */
/** The refused step as the reader's language names it (承認 / approving), never the command word. */
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
function actionWord(action: string): Bilingual {
  const k = keyOf('advisory.action.', ACTION_WORD[action] ?? action);
  return { ja: translate('ja', k), en: translate('en', k) };
}
