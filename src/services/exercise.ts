/**
 * Exercise mode (訓練, issue 20 item 4), for incident reports, advisories and PoC meetings:
 * `report|advisory draft|meeting schedule … exercise=yes` make an exercise. An exercise incident is marked 【訓練】/[EXERCISE] on every post, reply and export, never counted in a
 * figure, never correlated with real reports' indicators (src/services/incident-indicators.ts)
 * and never a source of an advisory; `exercise purge <INC-id>` removes it after the drill.
 *
 * An exercise meeting is marked the same way in every notice, reply and calendar entry; an
 * exercise advisory in every copy, consent request, approval prompt, reminder, mail and reply, it
 * is left out of the dashboard's figures and takes exercise reports only as its sources.
 *
 * The purge reuses retention's mechanism (src/audit/redact.ts): the incident, its timeline,
 * indicator links (and indicators no report names any more), its jobs and the outbox's copies go;
 * its audit records stay in the chain, redacted with the reason `exercise` and attested by an
 * `audit.redact` record, after an `exercise.purge` record that says who purged what — so
 * `audit:verify` still passes and the chain shows the purge.
 */
import { appendAudit, REDACT_ACTION, redactedData } from '../audit/chain.ts';
import { redactAudit } from '../audit/redact.ts';
import type { Caller } from '../core/command.ts';
import { UserError } from '../core/errors.ts';
import type { OutMessage } from '../core/platform.ts';
import type { Block } from '../core/reply.ts';
import { canonicalId } from '../domain/ids.ts';
import { seesEveryOrg } from '../domain/sharing.ts';
import { keyOf, type Translate } from '../i18n/index.ts';
import type { ServiceDeps } from './context.ts';

/** 【訓練】 / [EXERCISE]: the mark every exercise text starts with. */
export function exerciseMark(t: Translate): string {
  return t('exercise.mark');
}

/** `text` with the exercise mark in front when `exercise`. */
export function marked(t: Translate, exercise: boolean, text: string): string {
  return exercise ? `${exerciseMark(t)} ${text}` : text;
}

/** What an exercise can be. */
export type ExerciseKind = 'incident' | 'meeting' | 'advisory';

/** The line that opens every post or reply about an exercise: 【訓練】これは訓練です。… */
export function exerciseNotice(t: Translate, kind: ExerciseKind): string {
  return t(keyOf('exercise.notice.', kind));
}

/** A post or reply about an exercise: its first heading marked, and a line saying it is one first. */
export function markMessage<M extends Pick<OutMessage, 'blocks'>>(
  t: Translate,
  exercise: boolean,
  msg: M,
  kind: ExerciseKind = 'incident',
): M {
  if (!exercise) return msg;
  let done = false;
  const blocks: Block[] = msg.blocks.map((b) => {
    if (done || b.kind !== 'heading') return b;
    done = true;
    return b.text.startsWith(exerciseMark(t)) ? b : { ...b, text: marked(t, true, b.text) };
  });
  return { ...msg, blocks: [{ kind: 'context', text: exerciseNotice(t, kind) }, ...blocks] };
}

/** The outbox rows about a record: an advisory's copies, prompts and mails are `advisory…` rows. */
function refOf(refType: 'incident' | 'meeting' | 'advisory') {
  return refType === 'advisory' ? { refType: { startsWith: 'advisory' } } : { refType };
}

export class ExerciseService {
  constructor(private readonly deps: ServiceDeps) {}

  /** Removes an exercise's records (an incident, advisory or meeting); a real one is refused (nothing written). */
  async purge(caller: Caller, rawId: string): Promise<{ id: string; audit: number; deliveries: number }> {
    if (!seesEveryOrg(caller)) throw new UserError('auth.forbidden', { command: 'exercise purge' });
    const id = canonicalId(rawId, ['INC', 'MTG', 'ADV']);
    const db = this.deps.db;
    return db.tx(async (tx) => {
      // the audit head's lock first, as retention takes it: the records to redact are all there
      await db.execute(tx, 'UPDATE "AuditHead" SET seq = seq WHERE id = 1');
      let refType: 'incident' | 'meeting' | 'advisory';
      let about: Record<string, unknown>;
      if (id.startsWith('ADV-')) {
        refType = 'advisory';
        const a = await tx.advisory.findUnique({ where: { id } });
        if (!a) throw new UserError('advisory.not_found', { id: rawId });
        if (!a.exercise) throw new UserError('exercise.not_exercise', { id });
        await tx.advisorySource.deleteMany({ where: { advisoryId: id } });
        await tx.advisoryAck.deleteMany({ where: { advisoryId: id } });
        await tx.job.deleteMany({ where: { refId: id } });
        await tx.advisory.delete({ where: { id } });
        about = { kind: 'advisory', status: a.status };
      } else if (id.startsWith('MTG-')) {
        refType = 'meeting';
        const m = await tx.meeting.findUnique({ where: { id } });
        if (!m) throw new UserError('meeting.not_found', { id: rawId });
        if (!m.exercise) throw new UserError('exercise.not_exercise', { id });
        await tx.meetingRsvp.deleteMany({ where: { meetingId: id } });
        await tx.job.deleteMany({ where: { refId: id } });
        await tx.meeting.delete({ where: { id } });
        about = { kind: 'meeting', invite: m.invite };
      } else {
        refType = 'incident';
        const inc = await tx.incident.findUnique({ where: { id } });
        if (!inc) throw new UserError('incident.not_found', { id: rawId });
        if (!inc.exercise) throw new UserError('exercise.not_exercise', { id });
        if (await tx.advisorySource.count({ where: { incidentId: id } }))
          throw new UserError('exercise.in_advisory', { id });
        const links = await tx.incidentIndicator.findMany({ where: { incidentId: id }, select: { indicatorId: true } });
        await tx.incidentEvent.deleteMany({ where: { incidentId: id } });
        await tx.incidentIndicator.deleteMany({ where: { incidentId: id } });
        await tx.job.deleteMany({ where: { refId: id } });
        await tx.incident.delete({ where: { id } });
        const indIds = [...new Set(links.map((l) => l.indicatorId))];
        if (indIds.length) await tx.indicator.deleteMany({ where: { id: { in: indIds }, incidents: { none: {} } } });
        about = { kind: 'incident', orgId: inc.orgId };
      }
      // the outbox's copies: a pending one is not sent any more
      await tx.delivery.updateMany({
        where: { ...refOf(refType), refId: id, status: 'pending' },
        data: { status: 'cancelled', error: 'exercise purged' },
      });
      const gone = await tx.delivery.deleteMany({
        where: { ...refOf(refType), refId: id, status: { in: ['sent', 'failed', 'cancelled'] } },
      });
      const records = await tx.auditRecord.findMany({
        where: { subject: id, action: { not: REDACT_ACTION }, data: { not: redactedData('exercise') } },
        select: { seq: true },
        orderBy: { seq: 'asc' },
      });
      const now = this.deps.clock.now();
      await appendAudit(db, tx, {
        actor: caller.identity,
        action: 'exercise.purge',
        subject: id,
        at: now,
        data: { ...about, deliveries: gone.count, auditRedacted: records.length },
      });
      const n = await redactAudit(db, tx, {
        actor: caller.identity,
        at: now,
        reason: 'exercise',
        context: { purged: id },
        records: records.map((r) => ({ seq: r.seq })),
      });
      return { id, audit: n, deliveries: gone.count };
    });
  }
}
