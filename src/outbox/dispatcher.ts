/**
 * The dispatcher: claims due deliveries, sends them through the platform seam, and records
 * the outcome. Exactly once across processes and crashes:
 * - a claim is an atomic UPDATE (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's single
 *   writer) with an expiry, so a killed process's claims are taken over; it is committed and
 *   durable before its post (the attempt it counts is what makes the next one search);
 * - the outcome (`finish`) may be written late: on SQLite just before the next claim's UPDATE,
 *   whose fsync it shares, or with the other outcomes of the same turn (`finishLater`); one
 *   lost in a crash leaves the row
 *   claimed, taken over once the claim expires, and the search below finds its post;
 * - before any second attempt the channel is searched for a post carrying the delivery id,
 *   so a post that was stored but whose answer was lost is not sent again; after a restore,
 *   so is the channel before the first attempt of a delivery a job made again (its id derived
 *   from its dedupe key, so the post made before the restore carries it: `afterRestore`);
 * - a permanent error fails the row; other errors back off exponentially with jitter (at most
 *   5 minutes apart) for the retry horizon (default 72 h from the row's creation: an outage of
 *   the platform is waited out), after which the row fails;
 * - an authentication failure (the bot's token revoked or expired) is not the row's fault: the
 *   row goes back untouched, the platform is stopped (no claims) and reported once (error log,
 *   `onAuth`: a metric and /healthz), then probed every `authProbeMs`; the first send that
 *   succeeds resumes it;
 * - a 429 holds back the whole platform (its rate limits are per app/token: Mattermost limits
 *   per token, Slack per app and method, and its per-channel and workspace-wide limits answer
 *   the same 429 without saying which) until Retry-After, and the row goes back to pending
 *   without spending an attempt: the platform refused the call, so nothing was posted and
 *   there is nothing to search for;
 * - an update the platform refuses to make (a post older than its edit window) is posted as a
 *   follow-up to the post instead; the update row then records the follow-up's ref.
 *
 * Flow: rows are claimed only for channels that can take a post now (none of its rows in hand,
 * its pacing interval over) and platforms not held back by a 429, at most one per channel per
 * claim, so no claim waits on pacing. Each claimed row is sent as soon as it is claimed,
 * independently of the others (no barrier at the end of a batch); when nothing more is ready
 * the flow sleeps until the first channel known to have more rows becomes ready again, or a
 * send finishes, or a kick arrives.
 *
 * State: per channel one record (rows in hand, when it may post again, whether more rows are
 * known to wait), per platform the end of its 429 hold, and the send tasks in flight.
 */
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import { type Carrier, type OutMessage, PlatformError, type PlatformSeam } from '../core/platform.ts';
import type { Database, Prisma$, Tx } from '../db/client.ts';
import type { Delivery } from '../db/generated/sqlite/client.ts';
import { CLAIMABLE, type ClaimSql, claimCandidates } from './claim-sql.ts';
import { channelKey, isDerivedDeliveryId } from './outbox.ts';

export interface DispatcherOptions {
  workerId: string;
  clock: Clock;
  log: Logger;
  claimTtlMs?: number;
  batch?: number;
  /** minimum time between two posts to the same channel */
  perChannelIntervalMs?: number;
  /** a row failing transiently keeps being retried until this long after it was created (default 72 h) */
  retryHorizonMs?: number;
  /** while a platform refuses the bot's credentials, one attempt this often (default 60 s) */
  authProbeMs?: number;
  /** a platform's credentials refused (`reason`) or accepted again (null); once per change, per process */
  onAuth?: (platform: string, reason: string | null) => void;
  pollMs?: number;
  onOutcome?: (d: Delivery, outcome: 'sent' | 'failed' | 'retry') => void;
  /**
   * called after a row settles (sent or failed), outside the send path; `cause` says why a row
   * failed: `permanent` when the platform refused it for good (the e-mail fallback's trigger),
   * `refused` when the pre-send check or the dispatcher refused it, `gave_up` past the horizon
   */
  onSettled?: (d: Delivery, cause?: SettleCause) => Promise<void>;
  /**
   * Re-validates a row just before it is sent (e.g. an advisory's TLP rules against the
   * target as it is now). A returned reason fails the row with that reason instead of sending.
   */
  preSend?: (d: Delivery) => Promise<string | null>;
  /**
   * After a restore (src/services/restore.ts `readAfterRestore`): a delivery with a derived id
   * created between `from` and `until` is looked for in its channel since `since` before its
   * first attempt. Such a delivery was made again by a job that had fired between the backup
   * and the restore, and its post may be in the channel already.
   */
  afterRestore?: { since: Date; from: Date; until: Date } | null;
}

/** Why a row settled as it did (see `onSettled`). */
export type SettleCause = 'sent' | 'permanent' | 'refused' | 'gave_up';

/**
 * A channel whose interval ends within this much is claimed with the ones ready now and waits
 * the rest before sending (the sends of one round end a few ms apart: one claim, not one each).
 */
const READY_SLACK_MS = 250;
/** above this many channels in hand or paced, the claim stops listing them and filters in memory */
const MAX_EXCLUDED = 500;

/** What the flow knows of one channel (`platform:target`). */
interface ChannelState {
  /** rows claimed by this process and not yet settled */
  inHand: number;
  /** Date.now() before which the channel takes no post (pacing) */
  readyAt: number;
  /** seen with more due rows than the one claimed: worth waking up for */
  more: boolean;
}

export class Dispatcher {
  private readonly channels = new Map<string, ChannelState>();
  /** per platform: the end of its 429 hold, on `clock` (as the rows' notBefore) */
  private readonly held = new Map<string, number>();
  private readonly tasks = new Set<Promise<void>>();
  /** per claimed row in hand: its channel's record (let go once its send has an outcome) */
  private readonly rowsInHand = new Map<string, ChannelState>();
  /** finishes waiting to be written (SQLite: with the next claim, in its commit) */
  private finishing: QueuedFinish[] = [];
  private flushSoon = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;
  /** set by a kick during a flow: look again before finishing */
  private dirty = false;
  /** the flow is in its loop (not yet past its last look): it will act on a channel marked `more` */
  private looping = false;
  private wake: (() => void) | undefined;
  /** per platform whose credentials were refused: why and since when (clock ms) */
  private readonly unauthorized = new Map<string, { reason: string; since: number }>();
  private readonly o: Required<
    Omit<DispatcherOptions, 'onOutcome' | 'onSettled' | 'preSend' | 'onAuth' | 'afterRestore'>
  > &
    DispatcherOptions;
  private readonly slackMs: number;

  constructor(
    private readonly db: Database,
    private readonly seams: ReadonlyMap<Carrier, PlatformSeam>,
    opts: DispatcherOptions,
  ) {
    this.o = {
      claimTtlMs: 120_000,
      batch: 25,
      retryHorizonMs: 72 * 3_600_000,
      authProbeMs: 60_000,
      pollMs: 250,
      ...opts,
      perChannelIntervalMs: opts.perChannelIntervalMs ?? 1000,
    };
    this.slackMs = Math.min(READY_SLACK_MS, Math.floor(this.o.perChannelIntervalMs / 4));
  }

  /** The platforms whose credentials are refused now, with the reason and since when. */
  authFailures(): { platform: string; reason: string; since: Date }[] {
    return [...this.unauthorized].map(([platform, u]) => ({ platform, reason: u.reason, since: new Date(u.since) }));
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

  /** Stops polling and waits for the sends in flight; claimed rows not yet sent are released. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    await this.running?.catch(() => 0);
  }

  /**
   * One flow: sends every row due now, each channel at its pace, and returns when none is left
   * (or stop()). Returns how many rows were claimed. A call during a flow joins it and makes it
   * look again before finishing (rows committed after its last look).
   *
   * `channels` (`platform:target`): the channels of the rows just committed, when the caller
   * knows them. When the flow runs and every one of them is in hand, paced or held, a claim now
   * could take none of them: they are only marked as having more rows, and the flow claims them
   * when they are ready (as it does for a channel whose claim saw a second row). A kick after
   * each report batch otherwise cost one claim each, most finding nothing (PostgreSQL: 2,507
   * claims for 1,051 rows, 37 % of the server's time in a bench, each reading the backlog).
   * No channel at all (`[]`: the rows just written are all undeliverable) is no reason to look.
   */
  runOnce(channels?: readonly string[]): Promise<number> {
    if (channels && channels.length === 0) return this.running ?? Promise.resolve(0);
    if (this.running) {
      if (this.looping && channels && channels.length > 0 && channels.every((key) => this.blockedNow(key))) {
        for (const key of channels) this.channel(key).more = true;
        // not a look: only when to look next may have changed
        this.wake?.();
        return this.running;
      }
      this.dirty = true;
      this.wake?.();
      return this.running;
    }
    this.running = this.flow().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Runs flows until nothing is due now (console, tests). */
  async drain(maxPasses = 1000): Promise<void> {
    // a flow already running (a kick from inside a transaction) may have looked before that
    // transaction committed: let it finish, then look again
    await this.running?.catch(() => 0);
    for (let i = 0; i < maxPasses; i++) {
      if ((await this.runOnce()) === 0) return;
    }
  }

  /**
   * Sends everything due for `platform` now, then waits for its rows due within `withinMs`
   * (a retry after a transient error, an update waiting for its post) and sends those too —
   * each wait until the next row's own time, never a fixed sleep. Returns how many of its rows
   * are still pending after that (due later; another start sends them). The console calls it
   * before it exits.
   */
  async settle(platform: Carrier, withinMs: number): Promise<number> {
    const end = Date.now() + withinMs;
    for (;;) {
      await this.drain();
      const next = await this.db.prisma.delivery.findFirst({
        where: { platform, status: 'pending' },
        orderBy: { notBefore: 'asc' },
        select: { notBefore: true },
      });
      if (!next) return 0;
      const wait = Math.max(next.notBefore.getTime() - this.o.clock.now().getTime(), 0);
      if (this.stopped || Date.now() + wait > end) {
        return this.db.prisma.delivery.count({ where: { platform, status: 'pending' } });
      }
      // due now but not claimable yet (its channel is paced): the pacing interval is the wait
      await new Promise((r) => setTimeout(r, wait > 0 ? wait : this.o.perChannelIntervalMs || this.o.pollMs));
    }
  }

  private async flow(): Promise<number> {
    let claimed = 0;
    this.looping = true;
    try {
      let look = true;
      // the first look is a kick's (or a poll's): rows may have come for a channel left out
      let first = true;
      let lookedAt = 0;
      for (;;) {
        if (this.stopped) break;
        let claimedNow = -1;
        if (look || this.dirty) {
          const kicked = this.dirty || first;
          first = false;
          lookedAt = Date.now();
          this.dirty = false;
          const { rows, full, blocked } = await this.claim();
          claimed += rows.length;
          claimedNow = rows.length;
          for (const d of rows) this.launch(d);
          // new rows may be waiting for a channel left out as in hand or paced: look when it is
          // ready (in hand too: without it a row kicked while its channel had a row in hand
          // waited for the next poll)
          if (kicked) for (const key of blocked) this.channel(key).more = true;
          if (full) continue; // more may be ready now
        }
        if (this.stopped) break;
        // the first channel known to have more rows, none in hand, its platform not held: when it is ready again
        let next = Number.POSITIVE_INFINITY;
        const clockNow = this.o.clock.now().getTime();
        for (const [key, c] of this.channels) {
          if (!c.more || c.inHand > 0 || (this.held.get(platformOf(key)) ?? 0) > clockNow) continue;
          next = Math.min(next, c.readyAt);
        }
        // a look that found nothing to claim is not repeated at once for a channel it could have
        // claimed (no busy loop); one it left out as paced is looked at when ready (from now on
        // instead of the next poll: a row kicked for a paced channel waited up to pollMs)
        if (claimedNow === 0 && next <= lookedAt + this.slackMs) next = Date.now() + this.o.pollMs;
        if (this.dirty) continue;
        if (this.tasks.size === 0 && next === Number.POSITIVE_INFINITY) break;
        // wake when that channel is ready (the claim then takes the ones ready soon after too),
        // and look at least every pollMs while sends are in flight (rows from other processes)
        const wait = Math.min(next - Date.now(), this.o.pollMs);
        if (wait <= 0) {
          look = true;
          continue;
        }
        // a send ending only changes when to look next (its channel is paced now), unless kicked
        const woke = await this.sleep(wait);
        look = !woke;
      }
    } finally {
      this.looping = false;
      await Promise.all([...this.tasks]);
    }
    return claimed;
  }

  /** Until `ms` pass (false), or a send ends, a kick or stop() (true), whichever first. */
  private sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const t = setTimeout(
        () => {
          this.wake = undefined;
          resolve(false);
        },
        Math.max(0, ms),
      );
      this.wake = () => {
        this.wake = undefined;
        clearTimeout(t);
        resolve(true);
      };
    });
  }

  /**
   * The channel can take no row now, as `claim` decides it: a row of it in hand, its pacing
   * not over within the slack, or its platform held (429, refused credentials).
   */
  private blockedNow(key: string): boolean {
    const c = this.channels.get(key);
    if (c && busy(c, Date.now() + this.slackMs)) return true;
    return (this.held.get(platformOf(key)) ?? 0) > this.o.clock.now().getTime();
  }

  /** The channel's record, made on first use. */
  private channel(key: string): ChannelState {
    let c = this.channels.get(key);
    if (!c) {
      c = { inHand: 0, readyAt: 0, more: false };
      this.channels.set(key, c);
    }
    return c;
  }

  /** Sends one claimed row in its own task; the flow goes on claiming meanwhile. */
  private launch(d: Delivery): void {
    const key = channelKey(d);
    const c = this.channel(key);
    c.inHand += 1;
    this.rowsInHand.set(d.id, c);
    const task = this.deliver(key, d)
      .catch((e) => this.o.log.error({ err: e, delivery: d.id }, 'delivery task failed'))
      .finally(() => {
        this.letGo(d);
        this.tasks.delete(task);
        this.wake?.();
      });
    this.tasks.add(task);
  }

  /**
   * The row is no longer in hand: its send has an outcome (its finish may still wait to be
   * written), so its channel may take the next post. Once per claimed row.
   */
  private letGo(d: Delivery): void {
    const c = this.rowsInHand.get(d.id);
    if (!c) return;
    this.rowsInHand.delete(d.id);
    c.inHand -= 1;
    this.wake?.();
  }

  private async deliver(key: string, d: Delivery): Promise<void> {
    const wait = this.channel(key).readyAt - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (this.stopped) return this.release(d);
    await this.sendOne(d, key);
  }

  /** The channel may not take another post for `ms` from now (never shortens a longer wait). */
  private holdOff(key: string, ms: number): void {
    const c = this.channel(key);
    c.readyAt = Math.max(c.readyAt, Date.now() + ms);
  }

  /**
   * Claims due rows of channels that can take a post now, at most one per channel, up to
   * `batch`. `full`: more channels had a due row than one claim takes. `blocked`: the
   * channels left out because a row of theirs is in hand or they are paced.
   */
  private async claim(): Promise<{ rows: Delivery[]; full: boolean; blocked: ReadonlySet<string> }> {
    const now = this.o.clock.now();
    const expires = new Date(now.getTime() + this.o.claimTtlMs);
    const soon = Date.now() + this.slackMs;
    const blocked = new Set<string>();
    for (const [key, c] of this.channels) {
      if (busy(c, soon)) blocked.add(key);
      else if (!c.more && c.readyAt <= Date.now()) this.channels.delete(key); // nothing to remember
    }
    for (const [platform, until] of this.held) if (until <= now.getTime()) this.held.delete(platform);
    const heldPlatforms = [...this.held.keys()];
    const excluded = blocked.size <= MAX_EXCLUDED ? [...blocked] : [];
    const search = claimCandidates(this.db.provider, { now, held: heldPlatforms, excluded });
    // The claim is a search (`claimCandidates`: per channel that can take a post, its first two
    // due rows), then one conditional UPDATE … RETURNING of the rows picked: the UPDATE takes a
    // row only while it is still claimable, so a row another process claimed between the two
    // statements is left to it. On SQLite they run alone, without a transaction (no
    // BEGIN/COMMIT, no read-back of the rows: a claim costs two statements, it cost five after
    // every report); not as one UPDATE, which would take the write lock at every look, even one
    // that finds nothing (the idle poll, 4 a second). On PostgreSQL the claim is one statement
    // (`claimAtOnce`), or, with more blocked channels than the SQL lists, both in one
    // transaction with the rows locked (SKIP LOCKED).
    const pick = async (runner: Tx | Prisma$) => {
      const candidates = await this.db.query<{ id: string; platform: string; target: string }>(
        runner,
        `WITH RECURSIVE ${search.ctes}
          SELECT id, platform, target FROM cand ORDER BY "notBefore", "createdAt"`,
        ...search.params,
      );
      const seen = new Set<string>();
      const ids: string[] = [];
      for (const c of candidates) {
        const key = channelKey(c);
        if (blocked.has(key) || seen.has(key)) {
          this.channel(key).more = true;
          continue;
        }
        seen.add(key);
        if (ids.length < this.o.batch) {
          ids.push(c.id);
          const known = this.channels.get(key);
          if (known) known.more = false;
        } else this.channel(key).more = true;
      }
      // every channel that can take a post was looked at: one that showed no row has nothing more
      for (const [key, c] of this.channels) if (c.more && !blocked.has(key) && !seen.has(key)) c.more = false;
      // SQLite: the finishes waiting to be written are issued just before the claim's UPDATE, in
      // the same turn, so that one fsync covers them and the claim (`finishLater`)
      if (this.db.provider !== 'postgresql') this.writeFinishes(this.takeFinishes());
      // more channels had a row than one claim takes: look again at once
      const full = seen.size > this.o.batch;
      if (ids.length === 0) return { rows: [] as Delivery[], ids, full };
      const rows = await this.db.query<Delivery>(
        runner,
        `UPDATE "Delivery" SET status = 'sending', "claimedBy" = ?, "claimedAt" = ?, "claimExpires" = ?,
            attempts = attempts + 1
          WHERE id IN (${ids.map(() => '?').join(', ')}) AND ${CLAIMABLE}
          RETURNING *`,
        this.o.workerId,
        now,
        expires,
        ...ids,
        now,
        now,
      );
      return { rows, ids, full };
    };
    const picked =
      this.db.provider !== 'postgresql'
        ? await pick(this.db.prisma)
        : excluded.length === blocked.size
          ? await this.claimAtOnce(search, blocked, now, expires)
          : await this.db.tx(pick);
    if (picked.rows.length === 0) return { rows: [], full: false, blocked };
    const rows = picked.rows.sort(
      (a, b) => a.notBefore.getTime() - b.notBefore.getTime() || a.createdAt.getTime() - b.createdAt.getTime(),
    );
    return { rows, full: picked.full || picked.ids.length === this.o.batch, blocked };
  }

  /**
   * PostgreSQL: the claim as one statement, without a transaction around it (BEGIN, search,
   * UPDATE, COMMIT were four round trips per claim). The search locks its candidates (SKIP
   * LOCKED: two processes pick different rows), takes the first of each channel, and the UPDATE
   * takes them in the same statement; each row comes back with how many candidates its channel
   * had and how many channels had one, so `more` and `full` mean what they mean in `pick`. Only
   * when every blocked channel is left out in SQL (`pick` filters in memory beyond MAX_EXCLUDED).
   */
  private async claimAtOnce(
    search: ClaimSql,
    blocked: ReadonlySet<string>,
    now: Date,
    expires: Date,
  ): Promise<{ rows: Delivery[]; ids: string[]; full: boolean }> {
    const got = await this.db.query<Delivery & { claimN: number | bigint; claimTotal: number | bigint }>(
      this.db.prisma,
      `WITH RECURSIVE ${search.ctes}, ranked AS (
          SELECT id, "notBefore", "createdAt",
              ROW_NUMBER() OVER (PARTITION BY platform, target ORDER BY "notBefore", "createdAt") AS rn,
              COUNT(*) OVER (PARTITION BY platform, target) AS n
            FROM cand
        ), heads AS (
          SELECT id, n, "notBefore", "createdAt", COUNT(*) OVER () AS total FROM ranked WHERE rn = 1
        ), chosen AS (
          SELECT id, n, total FROM heads ORDER BY "notBefore", "createdAt" LIMIT ?
        )
        UPDATE "Delivery" d SET status = 'sending', "claimedBy" = ?, "claimedAt" = ?, "claimExpires" = ?,
            attempts = d.attempts + 1
          FROM chosen WHERE d.id = chosen.id
          RETURNING d.*, chosen.n::int AS "claimN", chosen.total::int AS "claimTotal"`,
      ...search.params,
      this.o.batch,
      this.o.workerId,
      now,
      expires,
    );
    const rows: Delivery[] = [];
    let channels = 0;
    const claimedKeys = new Set<string>();
    for (const { claimN, claimTotal, ...d } of got) {
      rows.push(d as Delivery);
      channels = Number(claimTotal);
      const key = channelKey(d);
      claimedKeys.add(key);
      // more rows of this channel were among the candidates: worth waking up for
      if (Number(claimN) > 1) this.channel(key).more = true;
      else {
        const known = this.channels.get(key);
        if (known) known.more = false;
      }
    }
    // as in `pick`: every channel that could take a post was looked at; one known to have more
    // that showed no row has nothing more, unless the batch cut it off
    if (channels <= this.o.batch)
      for (const [key, c] of this.channels) if (c.more && !blocked.has(key) && !claimedKeys.has(key)) c.more = false;
    return { rows, ids: rows.map((r) => r.id), full: channels > this.o.batch };
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

  private async sendOne(d: Delivery, key: string): Promise<void> {
    const seam = this.seams.get(d.platform as Carrier);
    if (!seam)
      return this.finish(d, { status: 'failed', error: `platform ${d.platform} is not configured`, cause: 'refused' });
    const msg = JSON.parse(d.message) as OutMessage;
    let called = false;
    try {
      const refused = this.o.preSend ? await this.o.preSend(d) : null;
      if (refused) return this.finish(d, { status: 'failed', error: refused, cause: 'refused' });
      // A claim taken a while ago (a stall, a slow check) may have expired: renew it, or drop the
      // row if another process has taken it over. A claim taken just now has most of its TTL
      // left (more than twice the send timeout): renewing it would only cost a write per post.
      if (this.o.clock.now().getTime() - (d.claimedAt?.getTime() ?? 0) > this.o.claimTtlMs / 4) {
        if (!(await this.renew(d))) return;
      }
      if (d.kind === 'update') {
        const original = d.updatesId ? await this.db.prisma.delivery.findUnique({ where: { id: d.updatesId } }) : null;
        if (!original)
          return this.finish(d, { status: 'failed', error: 'the post to update does not exist', cause: 'refused' });
        if (original.status === 'pending' || original.status === 'sending') {
          return this.finish(d, { status: 'pending', notBefore: new Date(this.o.clock.now().getTime() + 5000) });
        }
        if (original.status !== 'sent' || !original.messageRef)
          return this.finish(d, { status: 'failed', error: 'the post was never delivered', cause: 'refused' });
        const [channel, ref] = splitRef(original);
        called = true;
        try {
          await seam.update(channel, ref, msg, original.id);
          this.holdOff(key, this.o.perChannelIntervalMs);
          return this.finish(d, { status: 'sent', messageRef: original.messageRef });
        } catch (e) {
          if (!(e instanceof PlatformError && e.kind === 'not_editable')) throw e;
          this.o.log.info({ delivery: d.id, reason: e.message }, 'the platform refused the edit; posting a follow-up');
        }
        // the follow-up is a new post: one whose answer was lost is found again, not doubled
        if (d.attempts > 1) {
          const found = await seam.findByDeliveryId('post', channel, d.id, new Date(d.createdAt.getTime() - 60_000));
          if (found) return this.finish(d, { status: 'sent', messageRef: `${found.channel}|${found.ref}` });
        }
        const r = await seam.followUp(channel, ref, msg, d.id);
        this.holdOff(key, this.o.perChannelIntervalMs);
        return this.finish(d, { status: 'sent', messageRef: `${r.channel}|${r.ref}` });
      }
      const madeAgain = this.madeAgainAfterRestore(d);
      if (d.attempts > 1 || madeAgain) {
        // An earlier attempt may have reached the platform with its answer lost; or the
        // delivery was made again after a restore and posted before it.
        const found = await seam.findByDeliveryId(
          d.kind === 'dm' ? 'dm' : 'post',
          d.target,
          d.id,
          madeAgain ?? new Date(d.createdAt.getTime() - 60_000),
        );
        if (found) return this.finish(d, { status: 'sent', messageRef: `${found.channel}|${found.ref}` });
      }
      called = true;
      if (d.kind === 'dm') {
        const r = await seam.dm(d.target, msg, d.id);
        this.holdOff(key, this.o.perChannelIntervalMs);
        return this.finish(d, { status: 'sent', messageRef: `${r.channel}|${r.ref}` });
      }
      const r = await seam.post(d.target, msg, d.id);
      // paced from the answer (the platform counted the post before it answered), not from
      // when the outcome is recorded
      this.holdOff(key, this.o.perChannelIntervalMs);
      return this.finish(d, { status: 'sent', messageRef: `${d.target}|${r.ref}` });
    } catch (e) {
      const now = this.o.clock.now().getTime();
      if (called) this.holdOff(key, this.o.perChannelIntervalMs);
      if (e instanceof PlatformError && e.kind === 'rate_limited') {
        // the whole platform waits (on the clock the rows' notBefore is on); the flow does not
        // wait for it (the next poll looks again). The platform refused the call: no attempt spent.
        const wait = Math.max(e.retryAfterMs ?? 1000, 250);
        this.held.set(d.platform, Math.max(this.held.get(d.platform) ?? 0, now + wait));
        this.o.log.warn(
          { platform: d.platform, delivery: d.id, retryAfterMs: wait },
          'rate limited; holding the platform',
        );
        return this.finish(d, {
          status: 'pending',
          notBefore: new Date(now + wait),
          error: 'rate_limited',
          unspent: true,
        });
      }
      if (e instanceof PlatformError && e.kind === 'unauthorized') {
        // not this row's fault: it goes back as it was; the platform stops until a probe succeeds
        this.held.set(d.platform, Math.max(this.held.get(d.platform) ?? 0, now + this.o.authProbeMs));
        if (!this.unauthorized.has(d.platform)) {
          this.unauthorized.set(d.platform, { reason: e.message, since: now });
          this.o.log.error(
            { platform: d.platform, reason: e.message, probeMs: this.o.authProbeMs },
            'the platform refused the bot credentials: deliveries stopped for this platform until they are fixed',
          );
          this.o.onAuth?.(d.platform, e.message);
        }
        return this.finish(d, { status: 'pending', unspent: true, untouched: true });
      }
      if (e instanceof PlatformError && (e.kind === 'permanent' || e.kind === 'not_editable'))
        return this.finish(d, { status: 'failed', error: e.message, cause: 'permanent' });
      if (now - (d.retryFrom ?? d.createdAt).getTime() >= this.o.retryHorizonMs)
        return this.finish(d, {
          status: 'failed',
          error: `gave_up_after_${Math.round(this.o.retryHorizonMs / 3_600_000)}h: ${String((e as Error).message ?? e)}`,
          cause: 'gave_up',
        });
      const backoff = Math.min(300_000, 1000 * 2 ** (d.attempts - 1)) * (0.7 + Math.random() * 0.6);
      this.o.log.warn({ delivery: d.id, attempt: d.attempts, err: (e as Error).message }, 'delivery failed; retrying');
      return this.finish(d, {
        status: 'pending',
        notBefore: new Date(now + backoff),
        error: String((e as Error).message ?? e),
      });
    }
  }

  /** For the first attempt of a delivery a job made again after a restore: since when to search. */
  private madeAgainAfterRestore(d: Delivery): Date | null {
    const r = this.o.afterRestore;
    if (!r || d.attempts !== 1 || !isDerivedDeliveryId(d.id)) return null;
    const at = d.createdAt.getTime();
    return at >= r.from.getTime() && at <= r.until.getTime() ? r.since : null;
  }

  /**
   * Writes a finish's UPDATE soon, together with the others that end close by; resolves with the
   * rows it changed once it is committed (and, on SQLite, durable). The row is let go at once: its
   * channel may be claimed again before the finish is written.
   *
   * Why: on SQLite every autocommit write waits for an fdatasync (sqlite-durable.ts), and a
   * delivery cost two, its claim's and its finish's (~4 of a report's ~4 fsyncs). A finish may be
   * late on disk (lost in a crash, its row is claimed again once the claim expires, and the
   * search before the second attempt finds the post), so it need not wait for a fsync of its
   * own: it is issued in the same turn as the next claim's UPDATE, which comes at once when a
   * send ends and its channel has more (that claim must be durable before its post anyway), and
   * sqlite-durable.ts starts one fsync for the statements of a turn; when no claim comes first,
   * the finishes of one turn are issued together on the next (one fsync for them). No
   * transaction: one through Prisma cost more CPU than the fsyncs it saved (measured).
   *
   * PostgreSQL: each finish is one autocommit statement as before (a transaction around several
   * would add BEGIN and COMMIT round trips, and a commit there does not wait for the others'
   * flush: the server groups WAL flushes itself).
   */
  private finishLater(d: Delivery, f: { sql: string; params: unknown[] }): Promise<number> {
    this.letGo(d);
    if (this.db.provider === 'postgresql') return this.db.execute(this.db.prisma, f.sql, ...f.params);
    return new Promise<number>((resolve, reject) => {
      this.finishing.push({ ...f, resolve, reject });
      if (this.flushSoon) return;
      this.flushSoon = true;
      // the next turn: a claim that starts in this one (the flow woken by `letGo`) takes them first
      setImmediate(() => {
        this.flushSoon = false;
        const fs = this.takeFinishes();
        if (fs.length > 0) this.writeFinishes(fs);
      });
    });
  }

  private takeFinishes(): QueuedFinish[] {
    const fs = this.finishing;
    this.finishing = [];
    return fs;
  }

  /**
   * Issues the finishes' UPDATEs one after another in this turn, none awaited before the next: on
   * SQLite one fsync covers them all (sqlite-durable.ts starts it after the turn's statements),
   * and the claim's UPDATE when it is issued in the same turn. Each finish learns how many rows
   * it changed once it is durable, or its own error.
   */
  private writeFinishes(fs: QueuedFinish[]): void {
    for (const f of fs) this.db.execute(this.db.prisma, f.sql, ...f.params).then(f.resolve, f.reject);
  }

  private async finish(
    d: Delivery,
    r: {
      status: 'sent' | 'failed' | 'pending';
      messageRef?: string;
      error?: string;
      notBefore?: Date;
      /** the attempt did not reach the platform (a 429): it is given back */
      unspent?: boolean;
      /** back exactly as it was before the claim (error and due time kept) */
      untouched?: boolean;
      /** why a failed row failed (default: refused) */
      cause?: SettleCause;
    },
  ): Promise<void> {
    const now = this.o.clock.now();
    if (r.status === 'sent' && this.unauthorized.delete(d.platform)) {
      this.held.delete(d.platform);
      this.o.log.info({ platform: d.platform }, 'the platform accepts the bot credentials again: deliveries resumed');
      this.o.onAuth?.(d.platform, null);
      this.wake?.();
    }
    // Only the current claimant may settle the row (a takeover after expiry wins otherwise).
    // raw SQL: one statement after every send, without the query plan and result mapping of
    // the model API
    const set: string[] = ['status = ?', '"claimedBy" = NULL', '"claimExpires" = NULL'];
    const params: unknown[] = [r.status];
    if (r.messageRef) {
      set.push('"messageRef" = ?', '"sentAt" = ?');
      params.push(r.messageRef, now);
    }
    if (r.error !== undefined) {
      set.push('error = ?');
      params.push(r.error);
    } else if (r.status === 'sent') set.push('error = NULL');
    if (r.notBefore) {
      set.push('"notBefore" = ?');
      params.push(r.notBefore);
    }
    if (r.unspent) set.push('attempts = attempts - 1');
    const n = await this.finishLater(d, {
      sql: `UPDATE "Delivery" SET ${set.join(', ')} WHERE id = ? AND status = 'sending' AND "claimedBy" = ? AND attempts = ?`,
      params: [...params, d.id, this.o.workerId, d.attempts],
    });
    if (n === 0 || r.untouched) return;
    const outcome = r.status === 'pending' ? 'retry' : r.status;
    this.o.onOutcome?.(d, outcome);
    if (r.status !== 'pending' && this.o.onSettled) {
      await this.o
        .onSettled({ ...d, status: r.status }, r.status === 'sent' ? 'sent' : (r.cause ?? 'refused'))
        .catch((e) => this.o.log.error({ err: e, delivery: d.id }, 'settle hook failed'));
    }
  }
}

/** A finish's UPDATE, waiting to be written, and who waits for how many rows it changed. */
interface QueuedFinish {
  sql: string;
  params: unknown[];
  resolve: (n: number) => void;
  reject: (e: unknown) => void;
}

function splitRef(d: Delivery): [channel: string, ref: string] {
  const ref = d.messageRef ?? '';
  const i = ref.indexOf('|');
  return i < 0 ? [d.target, ref] : [ref.slice(0, i), ref.slice(i + 1)];
}

const platformOf = (key: string) => key.slice(0, key.indexOf(':'));

/** No claim may take a row of the channel: a row of it is in hand, or its pacing is not over by `soon` (ms). */
const busy = (c: ChannelState, soon: number): boolean => c.inHand > 0 || c.readyAt > soon;
