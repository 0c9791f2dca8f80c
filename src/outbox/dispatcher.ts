/**
 * The dispatcher: claims due deliveries, sends them through the platform seam, and records
 * the outcome. Exactly once across processes and crashes:
 * - a claim is an atomic UPDATE (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's single
 *   writer) with an expiry, so a killed process's claims are taken over;
 * - before any second attempt the channel is searched for a post carrying the delivery id,
 *   so a post that was stored but whose answer was lost is not sent again;
 * - 429 → Retry-After becomes the row's notBefore; a permanent error fails the row; other
 *   errors back off exponentially with jitter.
 */
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import { type OutMessage, PlatformError, type PlatformName, type PlatformSeam } from '../core/platform.ts';
import type { Database } from '../db/client.ts';
import type { Delivery } from '../db/generated/sqlite/client.ts';

export interface DispatcherOptions {
  workerId: string;
  clock: Clock;
  log: Logger;
  claimTtlMs?: number;
  batch?: number;
  /** minimum time between two posts to the same channel */
  perChannelIntervalMs?: number;
  maxAttempts?: number;
  pollMs?: number;
  onOutcome?: (d: Delivery, outcome: 'sent' | 'failed' | 'retry') => void;
  /** called after a row settles (sent or failed), outside the send path */
  onSettled?: (d: Delivery) => Promise<void>;
  /**
   * Re-validates a row just before it is sent (e.g. an advisory's TLP rules against the
   * target as it is now). A returned reason fails the row with that reason instead of sending.
   */
  preSend?: (d: Delivery) => Promise<string | null>;
}

export class Dispatcher {
  private readonly nextAllowed = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;
  private readonly o: Required<Omit<DispatcherOptions, 'onOutcome' | 'onSettled' | 'preSend'>> & DispatcherOptions;

  constructor(
    private readonly db: Database,
    private readonly seams: ReadonlyMap<PlatformName, PlatformSeam>,
    opts: DispatcherOptions,
  ) {
    this.o = {
      claimTtlMs: 120_000,
      batch: 25,
      maxAttempts: 12,
      pollMs: 250,
      ...opts,
      perChannelIntervalMs: opts.perChannelIntervalMs ?? 1000,
    };
  }

  /** Polls until stop(). */
  start(): void {
    this.stopped = false;
    const loop = async () => {
      if (this.stopped) return;
      try {
        await this.runOnce();
      } catch (e) {
        this.o.log.error({ err: e }, 'dispatcher pass failed');
      }
      if (!this.stopped) this.timer = setTimeout(loop, this.o.pollMs);
    };
    this.timer = setTimeout(loop, 0);
  }

  /** Stops polling and waits for the pass in flight; unstarted claims are released. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => 0);
  }

  /** One pass: claim due rows and send them. Returns how many were processed. */
  runOnce(): Promise<number> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Runs passes until nothing is due now (console, tests). */
  async drain(maxPasses = 1000): Promise<void> {
    // a pass already in flight (a kick from inside a transaction) may have looked before that
    // transaction committed: let it finish, then look again
    await this.running?.catch(() => 0);
    for (let i = 0; i < maxPasses; i++) {
      if ((await this.runOnce()) === 0) return;
    }
  }

  private async pass(): Promise<number> {
    const rows = await this.claim();
    if (rows.length === 0) return 0;
    const byTarget = new Map<string, Delivery[]>();
    for (const r of rows) {
      const k = `${r.platform}:${r.target}`;
      byTarget.set(k, [...(byTarget.get(k) ?? []), r]);
    }
    await Promise.all(
      [...byTarget.entries()].map(async ([key, list]) => {
        for (const d of list) {
          if (this.stopped) {
            await this.release(d);
            continue;
          }
          await this.pace(key);
          // the claim may have expired while this row waited (pacing, slow sends before it):
          // renew it, or drop the row if another process has taken it over
          if (!(await this.renew(d))) continue;
          await this.sendOne(d);
          this.nextAllowed.set(key, Date.now() + this.o.perChannelIntervalMs);
        }
      }),
    );
    return rows.length;
  }

  private async pace(key: string): Promise<void> {
    const wait = (this.nextAllowed.get(key) ?? 0) - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }

  private async claim(): Promise<Delivery[]> {
    const now = this.o.clock.now();
    const expires = new Date(now.getTime() + this.o.claimTtlMs);
    const lock = this.db.provider === 'postgresql' ? 'FOR UPDATE SKIP LOCKED' : '';
    return this.db.tx(async (tx) => {
      const due = await this.db.query<{ id: string }>(
        tx,
        `SELECT id FROM "Delivery"
          WHERE (status = 'pending' AND "notBefore" <= ?) OR (status = 'sending' AND "claimExpires" < ?)
          ORDER BY "notBefore", "createdAt" LIMIT ? ${lock}`,
        now,
        now,
        this.o.batch,
      );
      if (due.length === 0) return [];
      const ids = due.map((r) => r.id);
      await tx.delivery.updateMany({
        where: { id: { in: ids } },
        data: {
          status: 'sending',
          claimedBy: this.o.workerId,
          claimedAt: now,
          claimExpires: expires,
          attempts: { increment: 1 },
        },
      });
      return tx.delivery.findMany({
        where: { id: { in: ids } },
        orderBy: [{ notBefore: 'asc' }, { createdAt: 'asc' }],
      });
    });
  }

  /** Extends this process's claim on `d`; false when the claim is no longer ours. */
  private async renew(d: Delivery): Promise<boolean> {
    const now = this.o.clock.now();
    const n = await this.db.prisma.delivery.updateMany({
      where: { id: d.id, status: 'sending', claimedBy: this.o.workerId, attempts: d.attempts },
      data: { claimExpires: new Date(now.getTime() + this.o.claimTtlMs) },
    });
    if (n.count === 0) this.o.log.warn({ delivery: d.id }, 'claim lost before sending (taken over); skipped');
    return n.count === 1;
  }

  private async release(d: Delivery): Promise<void> {
    await this.db.prisma.delivery.updateMany({
      where: { id: d.id, status: 'sending', claimedBy: this.o.workerId },
      data: { status: 'pending', claimedBy: null, claimExpires: null, attempts: { decrement: 1 } },
    });
  }

  private async sendOne(d: Delivery): Promise<void> {
    const seam = this.seams.get(d.platform as PlatformName);
    if (!seam) return this.finish(d, { status: 'failed', error: `platform ${d.platform} is not configured` });
    const msg = JSON.parse(d.message) as OutMessage;
    try {
      const refused = this.o.preSend ? await this.o.preSend(d) : null;
      if (refused) return this.finish(d, { status: 'failed', error: refused });
      if (d.kind === 'update') {
        const original = d.updatesId ? await this.db.prisma.delivery.findUnique({ where: { id: d.updatesId } }) : null;
        if (!original) return this.finish(d, { status: 'failed', error: 'the post to update does not exist' });
        if (original.status === 'pending' || original.status === 'sending') {
          return this.finish(d, { status: 'pending', notBefore: new Date(this.o.clock.now().getTime() + 5000) });
        }
        if (original.status !== 'sent' || !original.messageRef)
          return this.finish(d, { status: 'failed', error: 'the post was never delivered' });
        const [channel, ref] = splitRef(original);
        await seam.update(channel, ref, msg, original.id);
        return this.finish(d, { status: 'sent', messageRef: original.messageRef });
      }
      if (d.attempts > 1) {
        // An earlier attempt may have reached the platform with its answer lost.
        const found = await seam.findByDeliveryId(
          d.kind === 'dm' ? 'dm' : 'post',
          d.target,
          d.id,
          new Date(d.createdAt.getTime() - 60_000),
        );
        if (found) return this.finish(d, { status: 'sent', messageRef: `${found.channel}|${found.ref}` });
      }
      if (d.kind === 'dm') {
        const r = await seam.dm(d.target, msg, d.id);
        return this.finish(d, { status: 'sent', messageRef: `${r.channel}|${r.ref}` });
      }
      const r = await seam.post(d.target, msg, d.id);
      return this.finish(d, { status: 'sent', messageRef: `${d.target}|${r.ref}` });
    } catch (e) {
      const now = this.o.clock.now().getTime();
      if (e instanceof PlatformError && e.kind === 'rate_limited') {
        const wait = Math.max(e.retryAfterMs ?? 1000, 250);
        this.nextAllowed.set(`${d.platform}:${d.target}`, Date.now() + wait);
        return this.finish(d, { status: 'pending', notBefore: new Date(now + wait), error: 'rate_limited' });
      }
      if (e instanceof PlatformError && e.kind === 'permanent')
        return this.finish(d, { status: 'failed', error: e.message });
      if (d.attempts >= this.o.maxAttempts)
        return this.finish(d, { status: 'failed', error: String((e as Error).message ?? e) });
      const backoff = Math.min(300_000, 1000 * 2 ** (d.attempts - 1)) * (0.7 + Math.random() * 0.6);
      this.o.log.warn({ delivery: d.id, attempt: d.attempts, err: (e as Error).message }, 'delivery failed; retrying');
      return this.finish(d, {
        status: 'pending',
        notBefore: new Date(now + backoff),
        error: String((e as Error).message ?? e),
      });
    }
  }

  private async finish(
    d: Delivery,
    r: { status: 'sent' | 'failed' | 'pending'; messageRef?: string; error?: string; notBefore?: Date },
  ): Promise<void> {
    const now = this.o.clock.now();
    // Only the current claimant may settle the row (a takeover after expiry wins otherwise).
    const n = await this.db.prisma.delivery.updateMany({
      where: { id: d.id, status: 'sending', claimedBy: this.o.workerId, attempts: d.attempts },
      data: {
        status: r.status,
        claimedBy: null,
        claimExpires: null,
        ...(r.messageRef ? { messageRef: r.messageRef, sentAt: now } : {}),
        ...(r.error !== undefined ? { error: r.error } : r.status === 'sent' ? { error: null } : {}),
        ...(r.notBefore ? { notBefore: r.notBefore } : {}),
      },
    });
    if (n.count === 0) return;
    const outcome = r.status === 'pending' ? 'retry' : r.status;
    this.o.onOutcome?.(d, outcome);
    if (r.status !== 'pending' && this.o.onSettled) {
      await this.o
        .onSettled({ ...d, status: r.status })
        .catch((e) => this.o.log.error({ err: e, delivery: d.id }, 'settle hook failed'));
    }
  }
}

function splitRef(d: Delivery): [channel: string, ref: string] {
  const ref = d.messageRef ?? '';
  const i = ref.indexOf('|');
  return i < 0 ? [d.target, ref] : [ref.slice(0, i), ref.slice(i + 1)];
}
