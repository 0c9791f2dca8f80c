/**
 * The audit chain's anchor (issue 22 item 3, docs/operations.md "Tamper evidence"): every day
 * at 09:00 JST, and on demand (`audit anchor`), the chain's head is appended as a record of
 * its own (`audit.anchor`), then posted to the coordinating office's channel through the
 * outbox and appended to the anchor file. Both copies live outside the database, so a
 * truncated or rewritten chain no longer matches them (`npm run audit:verify -- --expect`).
 */
import { type Anchor, appendAnchor, formatAnchor } from '../audit/anchor.ts';
import type { Tx } from '../db/client.ts';
import { formatDateTime } from '../domain/dates.ts';
import { formatTokyoIsoDate, tokyoInstant, tokyoWallTime } from '../domain/tokyo-time.ts';
import { type JobHandler, scheduleJob } from '../scheduler/scheduler.ts';
import { audit, postStyle, type ServiceDeps } from './context.ts';
import { postToOrg } from './notify.ts';

export const ANCHOR_JOB = 'audit.anchor';

export interface AnchorResult extends Anchor {
  at: Date;
  /** the coordinating office it was posted to; null when none is registered (the file still has it) */
  office: { nameJa: string; nameEn: string } | null;
}

/** The next daily anchor time strictly after `now`, at `at` (HH:MM) Japan time. */
export function nextAnchorTime(now: Date, at = '09:00'): Date {
  const [h, m] = at.split(':').map(Number) as [number, number];
  const w = tokyoWallTime(now);
  const today = tokyoInstant(w.year, w.month, w.day, h, m);
  return today.getTime() > now.getTime() ? today : tokyoInstant(w.year, w.month, w.day + 1, h, m);
}

export class AuditAnchorService {
  constructor(
    private readonly deps: ServiceDeps,
    /** the append-only anchor file (src/audit/anchor.ts anchorFilePath) */
    private readonly file: string,
    /** AUDIT_ANCHOR_AT: the daily time (HH:MM, Japan time), or off */
    private readonly dailyAt: string = '09:00',
  ) {}

  get filePath(): string {
    return this.file;
  }

  /**
   * Schedules the next daily anchor unless one is pending (idempotent; run at start). With
   * AUDIT_ANCHOR_AT=off the pending one is cancelled; a changed time moves it.
   */
  async ensureDaily(): Promise<void> {
    const { db } = this.deps;
    await db.tx(async (tx) => {
      const pending = await tx.job.findMany({ where: { kind: ANCHOR_JOB, status: 'pending' } });
      const want = this.dailyAt === 'off' ? null : nextAnchorTime(this.deps.clock.now(), this.dailyAt);
      const keep = pending.filter((j) => want && j.dueAt.getTime() === want.getTime());
      for (const j of pending)
        if (!keep.includes(j))
          await tx.job.updateMany({ where: { id: j.id, status: 'pending' }, data: { status: 'cancelled' } });
      if (want && keep.length === 0) await this.scheduleNext(tx, this.deps.clock.now());
    });
  }

  /** On demand: anchors the head now; the file is written before this returns. */
  async anchorNow(actor: string): Promise<AnchorResult> {
    const r = await this.deps.db.tx((tx) => this.anchorIn(tx, actor, 'demand'));
    await this.writeFile(r);
    return r;
  }

  jobHandlers(): Record<string, JobHandler> {
    return {
      [ANCHOR_JOB]: async (tx, _job, now) => {
        const r = await this.anchorIn(tx, 'system', 'daily');
        if (this.dailyAt !== 'off') await this.scheduleNext(tx, now);
        // outside the transaction, once it has committed: an anchor of a rolled-back head would be false
        this.deps.db.afterCommit(() =>
          this.writeFile(r).catch((e) =>
            this.deps.log.error({ err: e, file: this.file }, 'audit anchor file not written'),
          ),
        );
        return 'done';
      },
    };
  }

  private async scheduleNext(tx: Tx, now: Date): Promise<void> {
    const at = nextAnchorTime(now, this.dailyAt);
    await scheduleJob(this.deps.db, tx, {
      id: `audit:anchor:${formatTokyoIsoDate(at)}:${this.dailyAt.replace(':', '')}`,
      kind: ANCHOR_JOB,
      dueAt: at,
      refType: 'audit',
      refId: 'anchor',
    });
  }

  /**
   * Appends the `audit.anchor` record, reads the head it made (the head row is locked by the
   * append until commit, so nothing can come between) and posts it to the coordinating office.
   */
  private async anchorIn(tx: Tx, actor: string, why: 'daily' | 'demand'): Promise<AnchorResult> {
    const { db, clock } = this.deps;
    const at = clock.now();
    const seq = await audit(this.deps, tx, actor, 'audit.anchor', 'audit', { why });
    const [head] = await db.query<{ seq: number | bigint; hash: string }>(
      tx,
      'SELECT seq, hash FROM "AuditHead" WHERE id = 1',
    );
    if (!head || Number(head.seq) !== seq) throw new Error('audit head moved inside its own transaction');
    const anchor: Anchor = { seq, hash: head.hash };
    const office = await tx.organization.findFirst({ where: { coordinator: true }, orderBy: { id: 'asc' } });
    if (office) {
      await postToOrg(
        this.deps,
        tx,
        office,
        (t) => ({
          blocks: [
            { kind: 'heading', text: t('audit.anchor.title') },
            {
              kind: 'text',
              text: t('audit.anchor.body', {
                at: formatDateTime(at, postStyle(this.deps)),
                seq: anchor.seq,
                hash: anchor.hash,
              }),
            },
            { kind: 'code', text: `npm run audit:verify -- --expect ${formatAnchor(anchor)}` },
            { kind: 'context', text: t('audit.anchor.keep') },
          ],
        }),
        // the hash too: after a restore the chain may reach this seq again with another head,
        // whose anchor must be posted (a daily anchor's id is derived from this key)
        `audit:anchor:${anchor.seq}:${anchor.hash}`,
        { type: 'audit', id: 'anchor' },
      );
    } else {
      this.deps.log.warn({ anchor: formatAnchor(anchor) }, 'audit anchor not posted: no coordinating organisation');
    }
    return { ...anchor, at, office: office ? { nameJa: office.nameJa, nameEn: office.nameEn } : null };
  }

  private async writeFile(r: AnchorResult): Promise<void> {
    await appendAnchor(this.file, r, r.at);
    this.deps.log.info({ anchor: formatAnchor(r), file: this.file }, 'audit chain anchored');
  }
}
