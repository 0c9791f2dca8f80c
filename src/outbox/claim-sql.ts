/**
 * The dispatcher's search for the rows a claim may take, as SQL common table expressions.
 *
 * A claim takes at most one row per channel (`platform:target`), and never one of a channel that
 * is paced or has a row in hand, nor of a platform held back (429, refused credentials). The
 * search used to read the claimable rows in due order and leave out those of such channels one by
 * one: with a backlog of thousands of posts waiting for one paced channel (the coordinating
 * office's, 1 a second), every claim read through the backlog before it reached another
 * channel's row — 0.17 ms with no backlog, 9.5 ms behind 20,000 rows (SQLite, in memory), on
 * every claim, after every report.
 *
 * Now it visits channels, not rows, on the index (status, platform, target, notBefore,
 * createdAt):
 * - `ch`: the channels with pending rows, one index seek each (a skip scan: from one channel to
 *   the next above it), whatever their backlog;
 * - `cand`: for each channel that can take a post, its first two due rows in due order (one seek:
 *   the second says whether it has more), and the rows whose claim has expired (a crashed
 *   process's; few: at most one batch per process).
 * Its cost grows with the number of channels that have pending rows, not with the rows waiting.
 *
 * Columns of `cand`: id, platform, target, notBefore, createdAt. Placeholders are `?`, in the
 * order of `params`. On PostgreSQL the rows are locked as read (FOR UPDATE SKIP LOCKED: two
 * processes pick different rows); the `WITH` must be `WITH RECURSIVE`.
 */
import type { Provider } from '../db/client.ts';

const COLUMNS = 'id, platform, target, "notBefore", "createdAt"';

/**
 * A row a claim may take, as the search below finds them: due and pending, or claimed by a
 * process whose claim has expired (two placeholders: now, now). The claim's UPDATE checks it again.
 */
export const CLAIMABLE = `((status = 'pending' AND "notBefore" <= ?) OR (status = 'sending' AND "claimExpires" < ?))`;

/** The search's common table expressions and their parameters. */
export interface ClaimSql {
  ctes: string;
  params: unknown[];
}

export interface ClaimSearch {
  now: Date;
  /** platforms held back: none of their channels */
  held: readonly string[];
  /** `platform:target` of channels left out */
  excluded: readonly string[];
}

export function claimCandidates(provider: Provider, s: ClaimSearch): ClaimSql {
  const pg = provider === 'postgresql';
  const open = (p: string) =>
    [
      s.held.length ? `${p}platform NOT IN (${s.held.map(() => '?').join(', ')})` : '',
      s.excluded.length ? `(${p}platform || ':' || ${p}target) NOT IN (${s.excluded.map(() => '?').join(', ')})` : '',
    ].filter(Boolean);
  const where = (p: string, first: boolean) => {
    const c = open(p);
    return c.length ? `${first ? 'WHERE' : 'AND'} ${c.join(' AND ')}` : '';
  };
  const filterParams = [...s.held, ...s.excluded];
  // the next channel above (platform, target): the next target on the same platform, else the
  // first of the next platform (two seeks; a row comparison on both columns is not one on SQLite).
  // PostgreSQL: of the two (at most one row each), the lower; a UNION ALL promises no order
  const sameNext = (cols: string) => `SELECT ${cols} FROM "Delivery"
      WHERE status = 'pending' AND platform = ch.platform AND target > ch.target ORDER BY target LIMIT 1`;
  const platformNext = (cols: string) => `SELECT ${cols} FROM "Delivery"
      WHERE status = 'pending' AND platform > ch.platform ORDER BY platform, target LIMIT 1`;
  const channels = pg
    ? `ch AS (
        (SELECT platform, target FROM "Delivery" WHERE status = 'pending' ORDER BY platform, target LIMIT 1)
        UNION ALL
        SELECT n.platform, n.target FROM ch CROSS JOIN LATERAL (
          SELECT * FROM ((${sameNext('platform, target')}) UNION ALL (${platformNext('platform, target')})) u
            ORDER BY platform, target LIMIT 1) n
      )`
    : `ch(platform, target) AS (
        SELECT * FROM (SELECT platform, target FROM "Delivery" WHERE status = 'pending' ORDER BY platform, target LIMIT 1)
        UNION ALL
        SELECT d.platform, d.target FROM ch JOIN "Delivery" d ON d.id = coalesce((${sameNext('id')}), (${platformNext('id')}))
      )`;
  const firstDue = (cols: string) => `SELECT ${cols} FROM "Delivery"
      WHERE status = 'pending' AND platform = ch.platform AND target = ch.target AND "notBefore" <= ?
      ORDER BY "notBefore", "createdAt" LIMIT 2`;
  const expired = `SELECT ${COLUMNS} FROM "Delivery"
      WHERE status = 'sending' AND "claimExpires" < ? ${where('', false)}`;
  const candidates = pg
    ? `cand AS (
        SELECT c.* FROM ch CROSS JOIN LATERAL (${firstDue(COLUMNS)} FOR UPDATE SKIP LOCKED) c ${where('ch.', true)}
        UNION ALL
        SELECT * FROM (${expired} FOR UPDATE SKIP LOCKED) x
      )`
    : `cand AS (
        SELECT d.id, d.platform, d.target, d."notBefore", d."createdAt" FROM ch JOIN "Delivery" d ON d.id IN (${firstDue('id')})
          ${where('ch.', true)}
        UNION ALL
        ${expired}
      )`;
  // the order of the placeholders as written: the first due rows' `now`, the channels' filter,
  // the expired claims' `now` and their filter
  return { ctes: `${channels}, ${candidates}`, params: [s.now, ...filterParams, s.now, ...filterParams] };
}
