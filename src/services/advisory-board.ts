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

export async function advisoryBoard(deps: ServiceDeps, caller: Caller, latest = 15): Promise<AdvisoryBoard> {
  const db = deps.db.prisma;
  const released = await db.advisory.findMany({
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
  // sources do not matter here: the board is about copies received (access `all` or `audience`)
  const visible = released.filter((a) => {
    const access = advisoryAccess(caller, { status: a.status, tlp: a.tlp, targets: splitList(a.targets) }, []);
    return access === 'all' || access === 'audience';
  });
  // an addressed organisation's people see their own row only
  const all = seesEveryOrg(caller);
  const ids = visible.map((a) => a.id);
  const [deliveries, acks] = ids.length
    ? await Promise.all([
        db.delivery.groupBy({
          by: ['refId', 'orgId', 'status'],
          where: { refType: ADVISORY_REF, refId: { in: ids }, orgId: { not: null } },
          _count: { _all: true },
        }),
        db.advisoryAck.findMany({ where: { advisoryId: { in: ids } }, select: { advisoryId: true, orgId: true } }),
      ])
    : [[], []];
  // per advisory and organisation: sent (any copy sent), failed (a copy failed, none sent)
  const state = new Map<string, Map<number, { sent: boolean; failed: boolean }>>();
  for (const d of deliveries) {
    if (!d.refId || d.orgId === null) continue;
    if (!all && d.orgId !== caller.org?.id) continue;
    const m = state.get(d.refId) ?? new Map<number, { sent: boolean; failed: boolean }>();
    state.set(d.refId, m);
    const s = m.get(d.orgId) ?? { sent: false, failed: false };
    if (d.status === 'sent') s.sent = true;
    if (d.status === 'failed') s.failed = true;
    m.set(d.orgId, s);
  }
  const acked = new Set(acks.map((a) => `${a.advisoryId}|${a.orgId}`));
  const rows = new Map<number, BoardOrgRow>();
  const latestRows: BoardAdvisory[] = [];
  for (const a of visible) {
    const asksAck = expectsAck(a);
    const orgs = state.get(a.id) ?? new Map();
    let delivered = 0;
    let acknowledged = 0;
    for (const [orgId, s] of orgs) {
      const r = rows.get(orgId) ?? { orgId, addressed: 0, delivered: 0, failed: 0, acknowledged: 0, awaiting: 0 };
      rows.set(orgId, r);
      r.addressed++;
      if (s.sent) {
        r.delivered++;
        delivered++;
      } else if (s.failed) r.failed++;
      if (asksAck) {
        if (acked.has(`${a.id}|${orgId}`)) {
          r.acknowledged++;
          acknowledged++;
        } else if (s.sent) r.awaiting++;
      }
    }
    if (latestRows.length < latest)
      latestRows.push({
        id: a.id,
        title: a.title,
        kind: a.kind,
        tlp: a.tlp,
        status: a.status,
        sentAt: a.sentAt,
        orgs: orgs.size,
        delivered,
        acknowledged,
        asksAck,
      });
  }
  return { orgs: [...rows.values()], latest: latestRows };
}
