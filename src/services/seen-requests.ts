/**
 * Remembers platform request keys (replayed signatures, retried deliveries) in the database,
 * so that several bot processes behind one load balancer agree on what was already seen.
 */
import type { Clock } from '../core/clock.ts';
import type { Database, Prisma$, Tx } from '../db/client.ts';

export class SeenRequests {
  private inserts = 0;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /**
   * Records several keys in one statement (one commit on the request path); returns the keys
   * that were new (or whose earlier record had expired).
   */
  async firstTimeMany(
    entries: readonly { key: string; expiresAt: Date }[],
    runner: Tx | Prisma$ = this.db.prisma,
  ): Promise<Set<string>> {
    if (entries.length === 0) return new Set();
    const now = this.clock.now();
    const rows = await this.db.query<{ key: string }>(
      runner,
      `INSERT INTO "SeenRequest" ("key", "expiresAt") VALUES ${entries.map(() => '(?, ?)').join(', ')}
         ON CONFLICT ("key") DO UPDATE SET "expiresAt" = excluded."expiresAt"
         WHERE "SeenRequest"."expiresAt" < ?
         RETURNING "key"`,
      ...entries.flatMap((e) => [e.key, e.expiresAt]),
      now,
    );
    if (++this.inserts % 500 === 0) this.db.afterCommit(() => this.purge().catch(() => {}));
    return new Set(rows.map((r) => r.key));
  }

  /** Deletes expired keys; returns how many. */
  purge(): Promise<number> {
    return this.db.execute(this.db.prisma, 'DELETE FROM "SeenRequest" WHERE "expiresAt" < ?', this.clock.now());
  }
}
