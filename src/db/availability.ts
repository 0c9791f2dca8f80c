/**
 * The database going away and coming back (issue 16, item 9).
 *
 * When a statement fails because the database cannot be reached (PostgreSQL restarting, the
 * network gone), the database is marked unavailable and one probe asks it every `probeMs`
 * until it answers. Meanwhile:
 * - work waits for it instead of failing (up to `waitMs`, 30 s): a statement that never
 *   reached the server, and a read, are sent again once it is back; a transaction is run again
 *   from the start by `db.tx`. So an acknowledged command, a delivery's outcome, a reminder
 *   firing, simply finish late;
 * - `/healthz` answers 503 at once (`available` is false);
 * - a platform request that must be journalled before it is acknowledged is refused with
 *   "please try again" at once (src/inbox/journal.ts `admit`), instead of waiting past the
 *   platform's deadline.
 * A write outside a transaction whose connection broke while it ran is not sent again (it may
 * have been applied); its caller sees the error.
 */

import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQuery } from '@prisma/driver-adapter-utils';
import { wrapAdapter } from './adapter-wrap.ts';
import { startDeadline } from './reserved-lane.ts';

/** The error seen by work that waited for the database longer than it may. */
export class DatabaseUnavailable extends Error {
  /** `detail`: what the connection pool looked like when it gave up (for the log) */
  constructor(
    override readonly cause?: unknown,
    readonly detail?: string,
  ) {
    super(detail ? `the database cannot be reached (${detail})` : 'the database cannot be reached');
    this.name = 'DatabaseUnavailable';
  }
}

/** The code and message of an error from a driver adapter (or Prisma, which carries them along). */
function describe(e: unknown): string {
  const err = e as { code?: unknown; message?: unknown; cause?: Record<string, unknown> };
  const c = err?.cause;
  return [err?.code, err?.message, c?.kind, c?.code, c?.originalCode, c?.originalMessage].map(String).join(' ');
}

/** The connection could not be had: nothing was sent, trying again is safe for any statement. */
const NOT_SENT =
  /DatabaseNotReachable|ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|57P03|the database system is (starting up|shutting down|not yet accepting)|timeout exceeded when trying to connect|P1001/;
/** The connection broke, or the server is going down: a statement in flight may or may not have run. */
const BROKEN =
  /ConnectionClosed|ECONNRESET|EPIPE|ETIMEDOUT|57P01|57P02|\b08\d{3}\b|Connection terminated|terminating connection|Client has encountered a connection error|Connection closed|P1017/;

export function unavailable(e: unknown): 'not-sent' | 'broken' | null {
  if (e instanceof DatabaseUnavailable) return 'not-sent';
  const d = describe(e);
  if (NOT_SENT.test(d)) return 'not-sent';
  if (BROKEN.test(d)) return 'broken';
  return null;
}

/**
 * The database could not be had and nothing of the statement ran: waited past the time allowed
 * (`DatabaseUnavailable`, also after a transaction's retries ran out), or refused before sending.
 */
export function databaseAway(e: unknown): boolean {
  for (let x = e, depth = 0; x && depth < 4; depth++) {
    if (x instanceof DatabaseUnavailable || unavailable(x) === 'not-sent') return true;
    x = (x as { cause?: unknown }).cause;
  }
  return false;
}

/** a statement that only reads: sent again after its connection broke */
export const READ = /^\s*(SELECT|WITH\b(?![\s\S]*\b(INSERT|UPDATE|DELETE)\b))/i;

export class Availability {
  private up = true;
  private back: Promise<void> | null = null;
  private probing = false;
  /** asks the database (set by the connection) */
  probe: () => Promise<unknown> = async () => {};

  constructor(private readonly o: { probeMs?: number; waitMs?: number } = {}) {}

  /** false from a failure to reach the database until a probe gets an answer */
  get available(): boolean {
    return this.up;
  }

  /** How long work waits for the database to come back. */
  get waitMs(): number {
    return this.o.waitMs ?? 30_000;
  }

  /** Asks the database now (no waiting): false while it is away. */
  async check(): Promise<boolean> {
    if (!this.up) return false;
    try {
      await this.probe();
      return true;
    } catch (e) {
      if (unavailable(e)) this.lost();
      return false;
    }
  }

  /** A statement found the database unreachable. */
  lost(): void {
    if (!this.up) return;
    this.up = false;
    let resolve = () => {};
    this.back = new Promise<void>((r) => {
      resolve = r;
    });
    void this.poll(resolve);
  }

  private async poll(resolve: () => void): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      // the first probe at once: a connection that broke (a pooled one the server cut while it
      // restarted) does not mean the database is still away, and every request refused in the
      // meantime is a person told to try again for nothing
      for (let first = true; ; first = false) {
        if (!first) await new Promise((r) => setTimeout(r, this.o.probeMs ?? 250).unref());
        try {
          await this.probe();
          break;
        } catch {}
      }
      this.up = true;
      this.back = null;
      resolve();
    } finally {
      this.probing = false;
    }
  }

  /** Resolves when the database answers again; rejects with DatabaseUnavailable after `ms`. */
  async until(ms: number): Promise<void> {
    if (this.up || !this.back) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.back,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new DatabaseUnavailable()), Math.max(0, ms));
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Runs `f` (one statement, or the start of a transaction), waiting for the database while
   * it is away; sent again after a failure when that is safe (`rerun`: a read, or the start of
   * a transaction; any statement that never reached the server). While the database is up, `f`
   * runs at once (no promise of ours before it: every statement goes through here).
   */
  run<T>(f: () => Promise<T>, rerun: boolean, by?: number): Promise<T> {
    const until = Math.min(Date.now() + this.waitMs, by ?? Number.POSITIVE_INFINITY);
    if (!this.up) return this.retry(f, rerun, until);
    let first: Promise<T>;
    try {
      first = f();
    } catch (e) {
      first = Promise.reject(e);
    }
    return first.catch((e: unknown) => {
      this.failed(e, rerun, until);
      return this.retry(f, rerun, until);
    });
  }

  /** After a failure of `f`: throws unless it is to be sent again (the database is then marked away). */
  private failed(e: unknown, rerun: boolean, until: number): void {
    const u = unavailable(e);
    if (!u) throw e;
    this.lost();
    if ((u === 'broken' && !rerun) || Date.now() >= until) throw e;
  }

  private async retry<T>(f: () => Promise<T>, rerun: boolean, until: number): Promise<T> {
    for (;;) {
      await this.until(until - Date.now());
      try {
        return await f();
      } catch (e) {
        this.failed(e, rerun, until);
      }
    }
  }
}

/**
 * A driver adapter factory whose connections wait for the database while it is away (above).
 * Built on Prisma's public driver adapter interface.
 */
export function guardedFactory(
  inner: SqlDriverAdapterFactory,
  availability: Availability,
  /** how to ask the database (default: a statement through the adapter itself) */
  probe?: () => Promise<unknown>,
): SqlDriverAdapterFactory {
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    async connect(): Promise<SqlDriverAdapter> {
      const a = await inner.connect();
      availability.probe = probe ?? (() => a.queryRaw({ sql: 'SELECT 1', args: [], argTypes: [] }));
      return wrapAdapter(a, {
        queryRaw: (q: SqlQuery) => availability.run(() => a.queryRaw(q), READ.test(q.sql)),
        executeRaw: (q: SqlQuery) => availability.run(() => a.executeRaw(q), false),
        startTransaction: (level) => availability.run(() => a.startTransaction(level), true, startDeadline()),
      });
    },
  };
}
