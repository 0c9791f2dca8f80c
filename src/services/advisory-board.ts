/**
 * The dashboard's picture of released advisories: per organisation, how many were addressed to
 * it, delivered, failed, acknowledged and still awaited; and the newest advisories with their
 * counts. Which advisories, and which organisations' rows, a person sees is `advisoryAccess`
 * (src/domain/sharing.ts), the rule `advisory status` asks: the coordinating office's roles
 * everything, an addressed organisation its own row of the advisories sent to it.
 */
import type { Caller } from '../core/command.ts';
import { expectsAck } from '../domain/advisory-kind.ts';
import { advisoryAccess, seesEveryOrg } from '../domain/sharing.ts';
import { ADVISORY_REF, splitList } from './advisory-delivery.ts';
import type { ServiceDeps } from './context.ts';

export interface BoardOrgRow {
  orgId: number;
  addressed: number;
  delivered: number;
  failed: number;
  /** of those that ask for one */
  acknowledged: number;
  awaiting: number;
}

export interface BoardAdvisory {
  id: string;
  title: string;
  kind: string;
  tlp: string;
  status: string;
  sentAt: Date | null;
  orgs: number;
  delivered: number;
  acknowledged: number;
  asksAck: boolean;
}

export interface AdvisoryBoard {
  orgs: BoardOrgRow[];
  latest: BoardAdvisory[];
}

/** Every advisory released to its audience (exercises apart), newest first: what the board counts. */
export function releasedAdvisories(deps: Pick<ServiceDeps, 'db'>) {
  return deps.db.prisma.advisory.findMany({
    // an exercise (訓練) is in no figure (src/services/exercise.ts)
    where: { targets: { not: null }, exercise: false },
    select: {
      id: true,
      title: true,
      kind: true,
      tlp: true,
      status: true,
      targets: true,
      sentAt: true,
      createdAt: true,
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
  });
}

export async function advisoryBoard(deps: ServiceDeps, caller: Caller, latest = 15): Promise<AdvisoryBoard> {
  const db = deps.db.prisma;
  const released = await releasedAdvisories(deps);
  // sources do not matter here: the board is about copies received (access `all` or `audience`)
  const visible = released.filter((a) => {
    const access = advisoryAccess(caller, { status: a.status, tlp: a.tlp, targets: splitList(a.targets) }, []);
    return access === 'all' || access === 'audience';
  });
  // counted in the database (tens of thousands of copies would otherwise cross into JavaScript):
  // per advisory and organisation whether a copy was sent, or failed with none sent, and
  // whether the organisation acknowledged; then summed per organisation and advisory kind
  const ownOrg = seesEveryOrg(caller) ? null : (caller.org?.id ?? -1);
  const ids = visible.map((a) => a.id);
  const everyOne = visible.length === released.length;
  const pairs = (idFilter: readonly string[] | null) => {
    const where = [`d."refType" = ?`, `d."orgId" IS NOT NULL`];
    const params: unknown[] = [ADVISORY_REF];
    if (ownOrg !== null) {
      where.push(`d."orgId" = ?`);
      params.push(ownOrg);
    }
    if (idFilter) {
      where.push(`d."refId" IN (${idFilter.map(() => '?').join(', ') || 'NULL'})`);
      params.push(...idFilter);
    }
    const sql = `SELECT d."refId" AS "refId", d."orgId" AS "orgId",
        MAX(CASE WHEN d.status = 'sent' THEN 1 ELSE 0 END) AS sent,
        MAX(CASE WHEN d.status = 'failed' THEN 1 ELSE 0 END) AS failed
      FROM "Delivery" d WHERE ${where.join(' AND ')} GROUP BY d."refId", d."orgId"`;
    return { sql, params };
  };
  const perOrg = pairs(everyOne ? null : ids);
  const newest = visible.slice(0, latest);
  const perAdv = pairs(newest.map((a) => a.id));
  // the two counts are independent: on PostgreSQL they run at once, each on a connection
  const [orgRows, advRows] = await Promise.all([
    deps.db.query<{
      orgId: number;
      kind: string;
      addressed: unknown;
      delivered: unknown;
      failed: unknown;
      acked: unknown;
      awaiting: unknown;
    }>(
      db,
      `SELECT x."orgId" AS "orgId", a.kind AS kind, COUNT(*) AS addressed, SUM(x.sent) AS delivered,
       SUM(CASE WHEN x.sent = 0 AND x.failed = 1 THEN 1 ELSE 0 END) AS failed,
       SUM(CASE WHEN k."orgId" IS NOT NULL THEN 1 ELSE 0 END) AS acked,
       SUM(CASE WHEN x.sent = 1 AND k."orgId" IS NULL THEN 1 ELSE 0 END) AS awaiting
     FROM (${perOrg.sql}) x
     JOIN "Advisory" a ON a.id = x."refId" AND a.exercise = ?
     LEFT JOIN "AdvisoryAck" k ON k."advisoryId" = x."refId" AND k."orgId" = x."orgId"
     GROUP BY x."orgId", a.kind`,
      ...perOrg.params,
      false,
    ),
    newest.length
      ? deps.db.query<{ refId: string; orgs: unknown; delivered: unknown; acked: unknown }>(
          db,
          `SELECT x."refId" AS "refId", COUNT(*) AS orgs, SUM(x.sent) AS delivered,
           SUM(CASE WHEN k."orgId" IS NOT NULL THEN 1 ELSE 0 END) AS acked
         FROM (${perAdv.sql}) x
         LEFT JOIN "AdvisoryAck" k ON k."advisoryId" = x."refId" AND k."orgId" = x."orgId"
         GROUP BY x."refId"`,
          ...perAdv.params,
        )
      : [],
  ]);
  const rows = new Map<number, BoardOrgRow>();
  for (const g of orgRows) {
    const orgId = Number(g.orgId);
    const r = rows.get(orgId) ?? { orgId, addressed: 0, delivered: 0, failed: 0, acknowledged: 0, awaiting: 0 };
    rows.set(orgId, r);
    r.addressed += Number(g.addressed);
    r.delivered += Number(g.delivered);
    r.failed += Number(g.failed);
    if (expectsAck({ kind: g.kind })) {
      r.acknowledged += Number(g.acked);
      r.awaiting += Number(g.awaiting);
    }
  }
  const byAdv = new Map(advRows.map((r) => [r.refId, r]));
  const latestRows: BoardAdvisory[] = newest.map((a) => {
    const r = byAdv.get(a.id);
    return {
      id: a.id,
      title: a.title,
      kind: a.kind,
      tlp: a.tlp,
      status: a.status,
      sentAt: a.sentAt,
      orgs: Number(r?.orgs ?? 0),
      delivered: Number(r?.delivered ?? 0),
      acknowledged: Number(r?.acked ?? 0),
      asksAck: expectsAck(a),
    };
  });
  return { orgs: [...rows.values()], latest: latestRows };
}
