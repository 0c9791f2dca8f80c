/**
 * Indicators: stored once per normalised value, linked to incidents, and correlated across
 * organisations. When an indicator's links span a new number of organisations (2, 3, …),
 * NISC's channel gets one alert naming the incidents; the outbox dedupeKey
 * `correlation:<indicatorId>:<orgCount>` makes a repeat a no-op.
 *
 * Concurrency: the indicator row is upserted with ON CONFLICT … DO UPDATE, which locks it
 * until commit on PostgreSQL (SQLite takes the database write lock first), so two reports of
 * the same indicator are serialised and the second one counts the first one's organisation.
 * Indicators are processed in value order so that two reports never wait on each other in
 * opposite orders.
 */
import { canonicalJson } from '../audit/canonical-json.ts';
import type { Tx } from '../db/client.ts';
import type { Normalized as Indicator } from '../domain/indicators.ts';
import type { ServiceDeps } from './context.ts';
import { coordinatingOrg } from './coordinating-org.ts';
import { correlationPost } from './incident-format.ts';
import { postToOrg } from './notify.ts';

export async function attachIndicators(
  deps: ServiceDeps,
  tx: Tx,
  incident: { id: string; orgId: number; exercise?: boolean },
  indicators: readonly Indicator[],
  actor: string,
  withEvents: boolean,
  /** the incident was created in this transaction: it has no links yet (one query less each) */
  created = false,
): Promise<Indicator[]> {
  const added: Indicator[] = [];
  const now = deps.clock.now();
  for (const ind of [...indicators].sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))) {
    const rows = await deps.db.query<{ id: number | bigint }>(
      tx,
      'INSERT INTO "Indicator" ("type", "value", "createdAt") VALUES (?, ?, ?) ON CONFLICT ("value") DO UPDATE SET "type" = excluded."type" RETURNING id',
      ind.type,
      ind.value,
      now,
    );
    const indicatorId = Number(rows[0]?.id);
    const key = { incidentId_indicatorId: { incidentId: incident.id, indicatorId } };
    if (!created && (await tx.incidentIndicator.findUnique({ where: key }))) continue;
    // the organisation's earlier real reports of it (an exercise's link is no sighting), and how
    // many organisations have reported it: one statement, and the links are read only when
    // there is something to correlate
    const [seen] = await tx.$queryRaw<{ mine: number | bigint | null; orgs: number | bigint }[]>`
      SELECT SUM(CASE WHEN l."orgId" = ${incident.orgId} THEN 1 ELSE 0 END) AS mine, COUNT(DISTINCT l."orgId") AS orgs
        FROM "IncidentIndicator" l JOIN "Incident" i ON i.id = l."incidentId"
        WHERE l."indicatorId" = ${indicatorId} AND NOT i.exercise`;
    const seenBefore = Number(seen?.mine ?? 0);
    await tx.$executeRaw`INSERT INTO "IncidentIndicator" ("incidentId", "indicatorId", "orgId", "addedAt")
      VALUES (${incident.id}, ${indicatorId}, ${incident.orgId}, ${now})`;
    added.push(ind);
    if (withEvents) {
      await tx.incidentEvent.create({
        data: { incidentId: incident.id, at: now, actor, kind: 'indicator', data: canonicalJson(ind) },
      });
    }
    // an exercise's indicators are never correlated (nor counted with real reports': above);
    // this report makes the organisations `orgs + 1` when its organisation had not reported it
    if (seenBefore === 0 && !incident.exercise && Number(seen?.orgs ?? 0) + 1 >= 2)
      await correlate(deps, tx, indicatorId, ind);
  }
  return added;
}

/** Alerts NISC when the indicator's reports now span a number of organisations not alerted yet. */
async function correlate(deps: ServiceDeps, tx: Tx, indicatorId: number, ind: Indicator): Promise<void> {
  const links = await tx.incidentIndicator.findMany({
    where: { indicatorId, incident: { exercise: false } },
    include: { incident: { select: { id: true, tlp: true } } },
    orderBy: [{ addedAt: 'asc' }, { incidentId: 'asc' }],
  });
  const orgIds = [...new Set(links.map((l) => l.orgId))];
  const orgCount = orgIds.length;
  if (orgCount < 2) return;
  const coord = await coordinatingOrg(tx);
  if (!coord) return;
  const orgs = new Map(
    (await tx.organization.findMany({ where: { id: { in: orgIds } } })).map((o) => [o.id, { code: o.code }]),
  );
  const incidents = links.map((l) => ({ ...l.incident, org: orgs.get(l.orgId) ?? { code: '?' } }));
  await postToOrg(
    deps,
    tx,
    coord,
    (t) => correlationPost(ind, incidents, orgCount, t),
    `correlation:${indicatorId}:${orgCount}`,
    { type: 'indicator', id: String(indicatorId) },
  );
}
