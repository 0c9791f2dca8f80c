/**
 * The writes of a batch of reports (src/db/group-commit.ts), one multi-row statement per table
 * for all its members (issue #19, item 7): each member's write only computes its rows
 * (`ReportRows`: the incident, its event, its indicators, its posts, its clock jobs, its audit
 * record), and the batch's end writes them, in the order the one-at-a-time path wrote them.
 *
 * Why: every statement costs the bot's one thread its query plan, the driver and the mapping
 * (and a round trip on PostgreSQL); a batch of 8 wrote ~8×17 statements, now ~17.
 *
 * Indicators: the correlation rule needs each report's earlier sightings, including those of
 * the reports before it in the same batch. They are read once for all the batch's indicators,
 * before its links are written, and carried forward member by member in JS
 * (src/domain/correlation.ts); an alert's list of incidents is read after the links are
 * written, and each alert keeps only the links of the reports up to its own.
 */

import { canonicalJson } from '../audit/canonical-json.ts';
import { type AuditEntry, appendAuditMany } from '../audit/chain.ts';
import type { Tx } from '../db/client.ts';
import type { Incident } from '../db/generated/sqlite/client.ts';
import { chunks, placeholders } from '../db/rows.ts';
import { type Alert, batchAlerts, type Sightings } from '../domain/correlation.ts';
import type { Normalized as Indicator } from '../domain/indicators.ts';
import { enqueueMany } from '../outbox/outbox.ts';
import { type NewJob, scheduleJobs } from '../scheduler/scheduler.ts';
import type { ServiceDeps } from './context.ts';
import { coordinatingOrgInTx } from './coordinating-org.ts';
import { correlationPost } from './incident-format.ts';
import { type OrgPost, type OrgRef, orgPosts } from './notify.ts';

/** One report's rows, computed by its member's write, written by `writeReports` with the others. */
export interface ReportRows {
  incident: Incident;
  /** its 'reported' event */
  event: { at: Date; actor: string; data: Record<string, unknown> };
  /** its indicators, distinct, in value order (the order the one-at-a-time path links them) */
  indicators: readonly Indicator[];
  /** when its indicators are linked */
  linkedAt: Date;
  /** its post to the coordinating office's channel and to its own organisation's (once when the same) */
  post: { own: OrgRef; build: OrgPost['build']; key: string };
  /** its clock jobs (src/services/incident-clocks.ts) */
  jobs: NewJob[];
}

/** What a batch's members leave for its end. */
export interface ReportBatch {
  reports: ReportRows[];
  /** appended last: the audit head's lock is taken last */
  audits: AuditEntry[];
}

export const openReportBatch = (): ReportBatch => ({ reports: [], audits: [] });

/** Every column of Incident (the compiler checks that none is missing), in the INSERT's order. */
const INCIDENT_COLUMNS = Object.keys({
  id: 1,
  fiscalYear: 1,
  orgId: 1,
  reporterId: 1,
  category: 1,
  summary: 1,
  severity: 1,
  tlp: 1,
  share: 1,
  confidentiality: 1,
  handling: 1,
  systemId: 1,
  detectedAt: 1,
  occurredAt: 1,
  actions: 1,
  awareAt: 1,
  contact: 1,
  found: 1,
  damage: 1,
  personal: 1,
  records: 1,
  hosts: 1,
  impact: 1,
  cause: 1,
  plan: 1,
  notified: 1,
  disclosure: 1,
  status: 1,
  stage: 1,
  updates: 1,
  updateAt: 1,
  finalAt: 1,
  exercise: 1,
  createdAt: 1,
  updatedAt: 1,
} satisfies Record<keyof Incident, 1>) as (keyof Incident)[];

/** Writes the batch's rows: one statement per table (per chunk of rows), then its audit records. */
export async function writeReports(deps: ServiceDeps, tx: Tx, batch: ReportBatch): Promise<void> {
  const { db } = deps;
  const reports = batch.reports;
  // every member refused by its check: nothing to write (its audit records are the reports')
  if (reports.length === 0) return;
  for (const c of chunks(reports, INCIDENT_COLUMNS.length)) {
    await db.execute(
      tx,
      `INSERT INTO "Incident" (${INCIDENT_COLUMNS.map((k) => `"${k}"`).join(', ')})
         VALUES ${placeholders(c.length, INCIDENT_COLUMNS.length)}`,
      ...c.flatMap((r) => INCIDENT_COLUMNS.map((k) => r.incident[k])),
    );
  }
  for (const c of chunks(reports, 5)) {
    await db.execute(
      tx,
      `INSERT INTO "IncidentEvent" ("incidentId", "at", "actor", "kind", "data") VALUES ${placeholders(c.length, 5)}`,
      ...c.flatMap((r) => [r.incident.id, r.event.at, r.event.actor, 'reported', canonicalJson(r.event.data)]),
    );
  }
  const alerts = await linkIndicators(deps, tx, reports);
  const alertPosts = await correlationPosts(deps, tx, reports, alerts);
  const coord = await coordinatingOrgInTx(tx);
  const posts: OrgPost[] = [];
  for (const [i, r] of reports.entries()) {
    // as one at a time: a report's correlation alerts, then its own posts
    posts.push(...(alertPosts.get(i) ?? []));
    const to = [...(coord ? [coord] : []), ...(!coord || coord.id !== r.post.own.id ? [r.post.own] : [])];
    for (const org of to)
      posts.push({ org, build: r.post.build, key: r.post.key, ref: { type: 'incident', id: r.incident.id } });
  }
  if (posts.length > 0) {
    await enqueueMany(tx, await orgPosts(deps, tx, posts), deps.clock.now());
    deps.kick();
  }
  const jobs = reports.flatMap((r) => r.jobs);
  for (const c of chunks(jobs, 7)) await scheduleJobs(db, tx, c);
  await appendAuditMany(db, tx, batch.audits);
}

/**
 * Upserts the batch's indicators and links them to its incidents; returns the correlation
 * alerts (three statements for the batch, none without indicators).
 */
async function linkIndicators(
  deps: ServiceDeps,
  tx: Tx,
  reports: readonly ReportRows[],
): Promise<(Alert & { indicator: Indicator })[]> {
  const { db } = deps;
  // each value once (PostgreSQL refuses to update a row twice in one statement), in value
  // order: two transactions lock the rows they share in the same order
  const first = new Map<string, { ind: Indicator; at: Date }>();
  for (const r of reports)
    for (const ind of r.indicators) if (!first.has(ind.value)) first.set(ind.value, { ind, at: r.linkedAt });
  if (first.size === 0) return [];
  const values = [...first.values()].sort((a, b) =>
    a.ind.value < b.ind.value ? -1 : a.ind.value > b.ind.value ? 1 : 0,
  );
  const idOf = new Map<string, number>();
  for (const c of chunks(values, 3)) {
    const rows = await db.query<{ id: number | bigint; value: string }>(
      tx,
      `INSERT INTO "Indicator" ("type", "value", "createdAt") VALUES ${placeholders(c.length, 3)}
         ON CONFLICT ("value") DO UPDATE SET "type" = excluded."type" RETURNING id, value`,
      ...c.flatMap((v) => [v.ind.type, v.ind.value, v.at]),
    );
    for (const row of rows) idOf.set(row.value, Number(row.id));
  }
  const valueOfId = new Map([...idOf].map(([v, id]) => [id, v]));
  const ids = [...idOf.values()];
  // the real reports' earlier sightings of each, by organisation (before this batch's links)
  const sightings: Sightings = new Map();
  for (const c of chunks(ids, 1)) {
    const rows = await db.query<{ indicatorId: number | bigint; orgId: number | bigint; n: number | bigint }>(
      tx,
      `SELECT l."indicatorId", l."orgId", COUNT(*) AS n
         FROM "IncidentIndicator" l JOIN "Incident" i ON i.id = l."incidentId"
         WHERE l."indicatorId" IN (${c.map(() => '?').join(', ')}) AND NOT i.exercise
         GROUP BY l."indicatorId", l."orgId"`,
      ...c,
    );
    for (const row of rows) {
      const ind = Number(row.indicatorId);
      const orgs = sightings.get(ind) ?? new Map<number, number>();
      orgs.set(Number(row.orgId), Number(row.n));
      sightings.set(ind, orgs);
    }
  }
  const idsOf = (r: ReportRows) => r.indicators.map((i) => idOf.get(i.value) as number);
  const links = reports.flatMap((r) =>
    idsOf(r).map((indicatorId) => [r.incident.id, indicatorId, r.incident.orgId, r.linkedAt]),
  );
  for (const c of chunks(links, 4)) {
    await db.execute(
      tx,
      `INSERT INTO "IncidentIndicator" ("incidentId", "indicatorId", "orgId", "addedAt") VALUES ${placeholders(c.length, 4)}`,
      ...c.flat(),
    );
  }
  return batchAlerts(
    sightings,
    reports.map((r) => ({ orgId: r.incident.orgId, exercise: r.incident.exercise, indicatorIds: idsOf(r) })),
  ).map((a) => ({ ...a, indicator: (first.get(valueOfId.get(a.indicatorId) as string) as { ind: Indicator }).ind }));
}

/**
 * The correlation alerts' posts to the coordinating office, by member: each names the
 * incidents linked to its indicator up to its member's report (read once for all the alerts).
 */
async function correlationPosts(
  deps: ServiceDeps,
  tx: Tx,
  reports: readonly ReportRows[],
  alerts: readonly (Alert & { indicator: Indicator })[],
): Promise<Map<number, OrgPost[]>> {
  const out = new Map<number, OrgPost[]>();
  if (alerts.length === 0) return out;
  const coord = await coordinatingOrgInTx(tx);
  if (!coord) return out;
  type Link = {
    indicatorId: number | bigint;
    incidentId: string;
    orgId: number | bigint;
    tlp: string;
    code: string | null;
  };
  const linksOf = new Map<number, Link[]>();
  // by indicator: all of one indicator's links in one chunk, in their order
  for (const c of chunks([...new Set(alerts.map((a) => a.indicatorId))], 1)) {
    const rows = await deps.db.query<Link>(
      tx,
      `SELECT l."indicatorId", l."incidentId", l."orgId", i.tlp, o.code
         FROM "IncidentIndicator" l JOIN "Incident" i ON i.id = l."incidentId"
           LEFT JOIN "Organization" o ON o.id = l."orgId"
         WHERE l."indicatorId" IN (${c.map(() => '?').join(', ')}) AND NOT i.exercise
         ORDER BY l."addedAt", l."incidentId"`,
      ...c,
    );
    for (const l of rows) {
      const id = Number(l.indicatorId);
      linksOf.set(id, [...(linksOf.get(id) ?? []), l]);
    }
  }
  const memberOf = new Map(reports.map((r, i) => [r.incident.id, i]));
  for (const a of alerts) {
    // what the alert's report saw: the links of earlier transactions and of the batch's reports up to its own
    const links = (linksOf.get(a.indicatorId) ?? []).filter((l) => (memberOf.get(l.incidentId) ?? -1) <= a.member);
    const orgCount = new Set(links.map((l) => Number(l.orgId))).size;
    if (orgCount < 2) continue;
    const incidents = links.map((l) => ({ id: l.incidentId, tlp: l.tlp, org: { code: l.code ?? '?' } }));
    const posts = out.get(a.member) ?? [];
    posts.push({
      org: coord,
      build: (t) => correlationPost(a.indicator, incidents, orgCount, t),
      key: `correlation:${a.indicatorId}:${orgCount}`,
      ref: { type: 'indicator', id: String(a.indicatorId) },
    });
    out.set(a.member, posts);
  }
  return out;
}
