/**
 * Deliveries that need a person (issue 22 item 1): a delivery that failed for good is shown to
 * the coordinating office in its channel (`notifyDeliveryFailure`, the one function an e-mail
 * fallback will call too); `delivery list [failed|pending]` and `delivery resend <id>|failed`
 * (administrators, audited). A resent row goes back to the dispatcher, which searches the
 * channel's history for the row's id before any second attempt: a post that had in fact
 * landed is recorded as sent, not posted twice.
 */
import { UserError } from '../core/errors.ts';
import type { PlatformName } from '../core/platform.ts';
import type { Tx } from '../db/client.ts';
import type { Delivery } from '../db/generated/sqlite/client.ts';
import { formatDateTime } from '../domain/dates.ts';
import { keyOf, type Translate } from '../i18n/index.ts';
import { MAIL_UNCERTAIN } from '../outbox/mail-marks.ts';
import { channelKey } from '../outbox/outbox.ts';
import { audit, postStyle, type ServiceDeps } from './context.ts';
import { CHANNEL_MOVED, channelOf, postToOrg } from './notify.ts';

/** the refType of the notices themselves: a notice that fails is not announced again */
export const FAILURE_NOTICE_REF = 'delivery.failure';
const LIST_LIMIT = 50;

export type DeliveryState = 'failed' | 'pending';

/** A failure's reason in plain words (the stored code kept in parentheses where it helps support). */
export function failureReason(t: Translate, error: string | null): string {
  if (!error) return t('delivery.reason.unknown');
  if (error === 'no_channel') return t('delivery.reason.no_channel');
  if (error === CHANNEL_MOVED) return t('delivery.reason.channel_moved');
  if (error.startsWith(MAIL_UNCERTAIN)) return t('delivery.reason.mail_uncertain');
  if (error === 'platform_not_connected' || /^platform \S+ is not configured$/.test(error))
    return t('delivery.reason.not_connected');
  const gaveUp = /^gave_up_after_(\d+)h: (.*)$/s.exec(error);
  if (gaveUp) return t('delivery.reason.gave_up', { hours: gaveUp[1] as string, detail: gaveUp[2] as string });
  return t('delivery.reason.refused', { detail: error });
}

/**
 * Posts the notice of one failed delivery to the coordinating office's channel, in `tx`. One
 * notice per failure (a row resent and failing again is announced again); none for a notice.
 */
export async function notifyDeliveryFailure(deps: ServiceDeps, tx: Tx, d: Delivery): Promise<boolean> {
  if (d.status !== 'failed' || d.refType === FAILURE_NOTICE_REF) return false;
  const office = await tx.organization.findFirst({ where: { coordinator: true }, orderBy: { id: 'asc' } });
  if (!office) return false;
  const style = postStyle(deps);
  await postToOrg(
    deps,
    tx,
    office,
    (t) => ({
      blocks: [
        { kind: 'heading', text: t('delivery.failed.title') },
        { kind: 'text', text: t('delivery.failed.body') },
        {
          kind: 'fields',
          fields: [
            [t('delivery.f.to'), destination(t, d)],
            [t('delivery.f.about'), subject(t, d)],
            [t('delivery.f.reason'), failureReason(t, d.error)],
            [t('delivery.f.created'), formatDateTime(d.createdAt, style)],
            [t('delivery.f.id'), d.id],
          ],
        },
        { kind: 'code', text: `/csirt delivery resend ${d.id}` },
        { kind: 'context', text: t('delivery.failed.resend_safe') },
      ],
    }),
    `delivery:failed:${d.id}:${d.attempts}:${d.resentBy ?? ''}`,
    { type: FAILURE_NOTICE_REF, id: d.id },
  );
  return true;
}

function destination(t: Translate, d: Pick<Delivery, 'kind' | 'platform' | 'target'>): string {
  const where = d.kind === 'dm' ? t('delivery.to_dm', { target: d.target }) : d.target;
  return `${t(keyOf('delivery.platform.', d.platform))} ${where}`;
}

function subject(t: Translate, d: Pick<Delivery, 'kind' | 'refType' | 'refId'>): string {
  const what = d.refType ? `${d.refType}${d.refId ? ` ${d.refId}` : ''}` : t('delivery.about_none');
  return d.kind === 'update' ? t('delivery.about_update', { what }) : what;
}

export interface DeliveryRow {
  id: string;
  status: string;
  destination: string;
  about: string;
  /** failed: why; pending: the last error and when it is tried next */
  detail: string;
  createdAt: Date;
}

export class DeliveryService {
  constructor(private readonly deps: ServiceDeps) {}

  /** The dispatcher's settle hook: a delivery failed for good is shown to the office. */
  async onSettled(d: Delivery): Promise<void> {
    if (d.status !== 'failed' || d.refType === FAILURE_NOTICE_REF) return;
    await this.deps.db.tx(async (tx) => {
      const row = await tx.delivery.findUnique({ where: { id: d.id } });
      if (row) await notifyDeliveryFailure(this.deps, tx, row);
    });
  }

  async list(t: Translate, state: DeliveryState): Promise<{ rows: DeliveryRow[]; total: number }> {
    const where = state === 'failed' ? { status: 'failed' } : { status: { in: ['pending', 'sending'] } };
    const [rows, total] = await Promise.all([
      this.deps.db.prisma.delivery.findMany({ where, orderBy: { createdAt: 'desc' }, take: LIST_LIMIT }),
      this.deps.db.prisma.delivery.count({ where }),
    ]);
    const style = postStyle(this.deps, 'ja');
    return {
      total,
      rows: rows.map((d) => ({
        id: d.id,
        status: d.status,
        destination: destination(t, d),
        about: subject(t, d),
        detail:
          d.status === 'failed'
            ? failureReason(t, d.error)
            : t('delivery.next_try', {
                at: formatDateTime(d.notBefore, style),
                attempts: d.attempts,
                error: d.error ?? '—',
              }),
        createdAt: d.createdAt,
      })),
    };
  }

  /**
   * Sends failed deliveries again: one by id (or its first 8+ characters), or every failed one.
   * Each goes back to pending with a new retry horizon; a post to an organisation whose channel
   * was missing is addressed to the channel set now. Refused, with nothing written, when the
   * row is not failed or still has no channel.
   */
  async resend(actor: string, which: string): Promise<{ ids: string[]; skipped: { id: string; reason: string }[] }> {
    const { db, clock } = this.deps;
    const out = await db.tx(async (tx) => {
      const now = clock.now();
      let rows: Delivery[];
      if (which === 'failed') {
        rows = await tx.delivery.findMany({
          // (a NULL refType is not "another" refType in SQL: said explicitly)
          where: { status: 'failed', OR: [{ refType: null }, { refType: { not: FAILURE_NOTICE_REF } }] },
          orderBy: { createdAt: 'asc' },
        });
        if (rows.length === 0) throw new UserError('delivery.none_failed');
      } else {
        const id = which.toLowerCase();
        const found = await tx.delivery.findMany({ where: { id: { startsWith: id } }, take: 2 });
        if (found.length === 0) throw new UserError('delivery.not_found', { id: which });
        if (found.length > 1) throw new UserError('delivery.ambiguous', { id: which });
        const d = found[0] as Delivery;
        if (d.status !== 'failed') throw new UserError('delivery.not_failed', { id: d.id, status: d.status });
        rows = [d];
      }
      const ids: string[] = [];
      const skipped: { id: string; reason: string }[] = [];
      const channels = new Set<string>();
      for (const d of rows) {
        let target = d.target;
        if (d.error === 'no_channel' && d.orgId !== null) {
          const org = await tx.organization.findUnique({ where: { id: d.orgId } });
          const ch = org ? await channelOf(tx, org, d.platform as PlatformName) : null;
          if (!ch) {
            if (which !== 'failed') throw new UserError('delivery.still_no_channel', { org: org?.code ?? '?' });
            skipped.push({ id: d.id, reason: 'no_channel' });
            continue;
          }
          target = ch;
        }
        const n = await tx.delivery.updateMany({
          where: { id: d.id, status: 'failed' },
          data: {
            status: 'pending',
            target,
            notBefore: now,
            retryFrom: now,
            resentBy: actor,
            claimedBy: null,
            claimExpires: null,
          },
        });
        if (n.count !== 1) continue;
        await audit(this.deps, tx, actor, 'delivery.resend', d.id, {
          platform: d.platform,
          target,
          previousError: d.error,
          attempts: d.attempts,
          ...(d.refType ? { ref: `${d.refType}:${d.refId ?? ''}` } : {}),
        });
        ids.push(d.id);
        channels.add(channelKey({ platform: d.platform, target }));
      }
      if (ids.length === 0 && skipped.length > 0) throw new UserError('delivery.none_resendable');
      // once committed; the channels of the rows resent (naming none would claim over every channel)
      this.deps.kick([...channels]);
      return { ids, skipped };
    });
    return out;
  }
}
