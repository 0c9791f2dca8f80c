/**
 * After a restore (issue 22 item 2): `npm run restore` leaves a marker in the restored database
 * (`Setting` restore.pending); no process runs the bot on it until the marker is reconciled
 * away — at the first start (default), or by `npm run restore -- --reconcile`:
 *
 * - ids continue after every id already issued: the highest number of each sequence is read
 *   back from the counters, the outbox rows, the audit records, and the bot's own posts in
 *   every channel it posts to since shortly before the newest record the backup holds (ids
 *   posted after the backup exist only there); each counter is raised to at least that;
 * - deliveries whose outcome is unknown (pending or in hand in the backup: sent, perhaps,
 *   after it) go back to pending as retries, so the dispatcher searches the channel for each
 *   before it posts — the check every second attempt and `delivery resend` get;
 * - one audit record (`restore.reconciled`) says what was done, in the transaction that
 *   removes the marker.
 *
 * Two processes starting at once: the first takes the marker (compare-and-set, with an
 * expiry), the other waits until the marker is gone and then starts; a process that died
 * while reconciling leaves its claim to expire and be taken over.
 */
import type { Logger } from 'pino';
import { appendAudit } from '../audit/chain.ts';
import type { Clock } from '../core/clock.ts';
import { PlatformError, type PlatformName, type PlatformSeam } from '../core/platform.ts';
import type { Database } from '../db/client.ts';
import { highestIdsIn } from '../domain/ids.ts';

export const RESTORE_MARKER = 'restore.pending';
/** the last reconciliation: when, and from when the channels were read (`afterRestore`) */
export const RESTORE_RECONCILED = 'restore.reconciled';
/**
 * For this long after a reconciliation, a delivery with a derived id (a job firing again) is
 * searched for in its channel before its first attempt: the jobs that fired between the backup
 * and the restore are overdue at the first start and fire then.
 */
const RECHECK_MS = 24 * 3_600_000;
/** how far before the newest record in the backup the channels are read */
const HISTORY_MARGIN_MS = 3_600_000;
const CLAIM_MS = 120_000;

export interface RestoreMarker {
  restoredAt: string;
  /** the backup file (or `pg_restore`) it came from */
  source: string;
  claimedBy?: string;
  claimUntil?: number;
}

/** Refused to start: a restored database not yet reconciled (or reconciliation failed). */
export class RestorePendingError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RestorePendingError';
  }
}

export async function readRestoreMarker(db: Database): Promise<RestoreMarker | null> {
  const row = await db.prisma.setting.findUnique({ where: { key: RESTORE_MARKER } });
  return row ? (JSON.parse(row.value) as RestoreMarker) : null;
}

export interface ReconcileReport {
  counters: Record<string, { from: number; to: number }>;
  deliveriesToCheck: number;
  channelsRead: number;
  /** channels whose history could not be read (the platform keeps none: the console) */
  notReadable: string[];
}

export interface ReconcileOptions {
  db: Database;
  clock: Clock;
  log: Logger;
  seams: ReadonlyMap<PlatformName, PlatformSeam>;
  workerId: string;
  actor: string;
  /** how long to wait for another process that is reconciling (default 5 minutes) */
  waitMs?: number;
}

/**
 * Reconciles a restored database; null when there is nothing to reconcile (no marker, or
 * another process finished it while this one waited). Throws RestorePendingError when it
 * cannot (a channel's history unreadable: the platform down or the token refused), leaving
 * the marker for the next try.
 */
export async function reconcileRestore(o: ReconcileOptions): Promise<ReconcileReport | null> {
  const { db, log } = o;
  const deadline = Date.now() + (o.waitMs ?? 300_000);
  let claimed: string | null = null;
  let announced = false;
  while (claimed === null) {
    const row = await db.prisma.setting.findUnique({ where: { key: RESTORE_MARKER } });
    if (!row) return null;
    const m = JSON.parse(row.value) as RestoreMarker;
    if (m.claimedBy && (m.claimUntil ?? 0) > Date.now()) {
      if (!announced) log.info({ by: m.claimedBy }, 'restored database: another process is reconciling it; waiting');
      announced = true;
      if (Date.now() > deadline)
        throw new RestorePendingError(`another process (${m.claimedBy}) is still reconciling the restored database`);
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    const mine = JSON.stringify({ ...m, claimedBy: o.workerId, claimUntil: Date.now() + CLAIM_MS });
    const n = await db.prisma.setting.updateMany({
      where: { key: RESTORE_MARKER, value: row.value },
      data: { value: mine },
    });
    if (n.count === 1) claimed = mine;
  }
  const marker = JSON.parse(claimed) as RestoreMarker;
  log.warn({ restoredAt: marker.restoredAt, source: marker.source }, 'restored database: reconciling before start');
  try {
    const report = await collect(o);
    await db.tx(async (tx) => {
      const counters: ReconcileReport['counters'] = {};
      for (const [name, seen] of report.highest) {
        const row = await tx.counter.findUnique({ where: { name } });
        const from = row?.value ?? 0;
        if (seen <= from) continue;
        await tx.counter.upsert({ where: { name }, create: { name, value: seen }, update: { value: seen } });
        counters[name] = { from, to: seen };
      }
      // outcome unknown: retried, so the channel is searched before any post
      const unknown = await tx.delivery.updateMany({
        where: { status: { in: ['pending', 'sending'] } },
        data: { status: 'pending', claimedBy: null, claimExpires: null },
      });
      await tx.delivery.updateMany({ where: { status: 'pending', attempts: 0 }, data: { attempts: 1 } });
      report.result = {
        counters,
        deliveriesToCheck: unknown.count,
        channelsRead: report.channelsRead,
        notReadable: report.notReadable,
      };
      await appendAudit(db, tx, {
        actor: o.actor,
        action: 'restore.reconciled',
        subject: 'database',
        at: o.clock.now(),
        data: { restoredAt: marker.restoredAt, source: marker.source, ...report.result },
      });
      const reconciled = JSON.stringify({ at: o.clock.now().toISOString(), since: report.since.toISOString() });
      await tx.setting.upsert({
        where: { key: RESTORE_RECONCILED },
        create: { key: RESTORE_RECONCILED, value: reconciled },
        update: { value: reconciled },
      });
      const gone = await tx.setting.deleteMany({ where: { key: RESTORE_MARKER, value: claimed as string } });
      if (gone.count !== 1) throw new RestorePendingError('the claim on the restore marker was lost (taken over)');
    });
    const result = report.result as ReconcileReport;
    log.warn(result, 'restored database reconciled');
    return result;
  } catch (e) {
    // leave the marker for the next try, unclaimed
    const back = JSON.stringify({ restoredAt: marker.restoredAt, source: marker.source });
    await db.prisma.setting
      .updateMany({ where: { key: RESTORE_MARKER, value: claimed }, data: { value: back } })
      .catch(() => {});
    if (e instanceof RestorePendingError) throw e;
    throw new RestorePendingError(`reconciling the restored database failed: ${(e as Error).message}`);
  }
}

/**
 * After a reconciliation, for the dispatcher: deliveries with derived ids created between
 * `from` and `until` are searched for in their channel since `since` before their first attempt.
 */
export async function readAfterRestore(db: Database): Promise<{ since: Date; from: Date; until: Date } | null> {
  const row = await db.prisma.setting.findUnique({ where: { key: RESTORE_RECONCILED } });
  if (!row) return null;
  const v = JSON.parse(row.value) as { at: string; since: string };
  const at = new Date(v.at);
  return { since: new Date(v.since), from: at, until: new Date(at.getTime() + RECHECK_MS) };
}

async function collect(o: ReconcileOptions): Promise<{
  highest: Map<string, number>;
  since: Date;
  channelsRead: number;
  notReadable: string[];
  result?: ReconcileReport;
}> {
  const p = o.db.prisma;
  const highest = new Map<string, number>();
  for (const c of await p.counter.findMany()) highest.set(c.name, c.value);
  // the outbox and the audit log, page by page
  for (let cursor: string | undefined; ; ) {
    const rows = await p.delivery.findMany({
      select: { id: true, message: true, refId: true },
      orderBy: { id: 'asc' },
      take: 500,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    for (const r of rows) highestIdsIn(`${r.message}\n${r.refId ?? ''}`, highest);
    if (rows.length < 500) break;
    cursor = rows.at(-1)?.id;
  }
  for (let after = 0; ; ) {
    const rows = await p.auditRecord.findMany({
      where: { seq: { gt: after } },
      select: { seq: true, subject: true, data: true },
      orderBy: { seq: 'asc' },
      take: 1000,
    });
    for (const r of rows) highestIdsIn(`${r.subject}\n${r.data}`, highest);
    if (rows.length < 1000) break;
    after = (rows.at(-1) as { seq: number }).seq;
  }
  // the bot's posts since shortly before the newest record the backup holds
  const [lastAudit, lastDelivery] = await Promise.all([
    p.auditRecord.findFirst({ orderBy: { seq: 'desc' }, select: { at: true } }),
    p.delivery.findFirst({ orderBy: { createdAt: 'desc' }, select: { createdAt: true } }),
  ]);
  const newest = Math.max(lastAudit?.at.getTime() ?? 0, lastDelivery?.createdAt.getTime() ?? 0);
  const since = new Date(Math.max(0, newest - HISTORY_MARGIN_MS));
  const channels = new Set<string>();
  for (const c of await p.orgChannel.findMany({ select: { platform: true, channelId: true } }))
    channels.add(`${c.platform}\u0000${c.channelId}`);
  for (const d of await p.delivery.findMany({
    where: { kind: 'post' },
    distinct: ['platform', 'target'],
    select: { platform: true, target: true },
  }))
    channels.add(`${d.platform}\u0000${d.target}`);
  let channelsRead = 0;
  const notReadable: string[] = [];
  for (const key of channels) {
    const [platform, channel] = key.split('\u0000') as [PlatformName, string];
    const seam = o.seams.get(platform);
    if (!seam) {
      notReadable.push(`${platform}:${channel}`);
      continue;
    }
    let posts: { deliveryId: string; text: string }[] | null;
    try {
      posts = await seam.botPostsSince(channel, since);
    } catch (e) {
      // a channel that is gone (archived, deleted, the bot removed) has nothing to read
      if (e instanceof PlatformError && e.kind === 'permanent') {
        notReadable.push(`${platform}:${channel} (${e.message})`);
        continue;
      }
      throw new RestorePendingError(
        `the history of ${platform} channel ${channel} could not be read (${(e as Error).message}); ids posted since the backup may be in it`,
      );
    }
    if (posts === null) {
      notReadable.push(`${platform}:${channel}`);
      continue;
    }
    channelsRead += 1;
    for (const post of posts) highestIdsIn(post.text, highest);
  }
  return { highest, since, channelsRead, notReadable };
}
