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
import { chunks, MAX_PARAMS, placeholders } from '../db/rows.ts';
import { type Alert, batchAlerts, type Sightings } from '../domain/correlation.ts';
import type { Normalized as Indicator } from '../domain/indicators.ts';
import { claimableChannels, deliveryRows, enqueueMany } from '../outbox/outbox.ts';
import { JOB_PARAMS, jobRows, type NewJob, scheduleJobs } from '../scheduler/scheduler.ts';
import type { ServiceDeps } from './context.ts';
import { coordinatorWithChannels } from './coordinating-org.ts';
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
  const values = indicatorValues(reports);
  const links = reports.reduce((n, r) => n + r.indicators.length, 0);
  const params = reports.length * (INCIDENT_COLUMNS.length + 5) + values.length * 3 + links * 4;
  const found =
    db.provider === 'postgresql' && params <= MAX_PARAMS
      ? await writeRowsAtOnce(deps, tx, reports, values)
      : await writeRowsApart(deps, tx, reports, values);
  const alerts = found ? alertsOf(reports, values, found) : [];
  // the coordinating office and the channels of every organisation the batch posts to, at once
  const { coord, channels } = await coordinatorWithChannels(
    db,
    tx,
    [...new Set(reports.map((r) => r.post.own.id))],
    deps.platforms,
  );
  const alertPosts = await correlationPosts(deps, tx, reports, alerts, coord);
  const posts: OrgPost[] = [];
  for (const [i, r] of reports.entries()) {
    // as one at a time: a report's correlation alerts, then its own posts
    posts.push(...(alertPosts.get(i) ?? []));
    const to = [...(coord ? [coord] : []), ...(!coord || coord.id !== r.post.own.id ? [r.post.own] : [])];
    for (const org of to)
      posts.push({ org, build: r.post.build, key: r.post.key, ref: { type: 'incident', id: r.incident.id } });
  }
  // the posts and the clock jobs go with the audit head's update when they fit in one statement
  // (PostgreSQL: a round trip less each, in the one transaction all report batches wait for),
  // else alone; nothing reads their ids back
  const writes: { sql: string; params: readonly unknown[] }[] = [];
  let room = MAX_PARAMS / 2;
  if (posts.length > 0) {
    const es = await orgPosts(deps, tx, posts, channels);
    const rows = db.provider === 'postgresql' ? await deliveryRows(tx, es, deps.clock.now()) : null;
    if (rows && rows.params.length <= room) {
      writes.push(rows);
      room -= rows.params.length;
    } else await enqueueMany(tx, es, deps.clock.now());
    // with the channels: a kick for channels all in hand or paced costs no claim
    deps.kick(claimableChannels(es));
  }
  const jobs = reports.flatMap((r) => r.jobs);
  if (jobs.length > 0 && jobs.length * JOB_PARAMS <= room) writes.push(jobRows(jobs));
  else for (const c of chunks(jobs, JOB_PARAMS)) await scheduleJobs(db, tx, c);
  await appendAuditMany(db, tx, batch.audits, writes);
}

/** The batch's indicators, each once, in value order: two transactions lock the rows they share in the same order. */
type Values = { ind: Indicator; at: Date }[];

function indicatorValues(reports: readonly ReportRows[]): Values {
  // each value once (PostgreSQL refuses to update a row twice in one statement), first sighting's time
  const first = new Map<string, { ind: Indicator; at: Date }>();
  for (const r of reports)
    for (const ind of r.indicators) if (!first.has(ind.value)) first.set(ind.value, { ind, at: r.linkedAt });
  return [...first.values()].sort((a, b) => (a.ind.value < b.ind.value ? -1 : a.ind.value > b.ind.value ? 1 : 0));
}

/** What the indicators' statements found: each value's id, and the earlier real sightings by organisation. */
interface Found {
  idOf: Map<string, number>;
  sightings: Sightings;
}

/** the links of every report: incident, indicator value, organisation, time */
const linkRows = (reports: readonly ReportRows[]) =>
  reports.flatMap((r) => r.indicators.map((i) => [r.incident.id, i.value, r.incident.orgId, r.linkedAt] as const));

const incidentValues = (reports: readonly ReportRows[]) =>
  reports.flatMap((r) => INCIDENT_COLUMNS.map((k) => r.incident[k]));
const eventValues = (reports: readonly ReportRows[]) =>
  reports.flatMap((r) => [r.incident.id, r.event.at, r.event.actor, 'reported', canonicalJson(r.event.data)]);

// The statements of a batch's rows, for n rows: the same texts whether they run one by one
// (`writeRowsApart`) or in WITH clauses (`writeRowsAtOnce`).
const insertIncidents = (n: number) =>
  `INSERT INTO "Incident" (${INCIDENT_COLUMNS.map((k) => `"${k}"`).join(', ')})
    VALUES ${placeholders(n, INCIDENT_COLUMNS.length)}`;
const insertEvents = (n: number) =>
  `INSERT INTO "IncidentEvent" ("incidentId", "at", "actor", "kind", "data") VALUES ${placeholders(n, 5)}`;
const upsertIndicators = (n: number) =>
  `INSERT INTO "Indicator" ("type", "value", "createdAt") VALUES ${placeholders(n, 3)}
    ON CONFLICT ("value") DO UPDATE SET "type" = excluded."type" RETURNING id, value`;
const upsertValues = (values: Values) => values.flatMap((v) => [v.ind.type, v.ind.value, v.at]);
/** the real reports' earlier sightings of n indicators, by organisation */
const selectSightings = (n: number) =>
  `SELECT l."indicatorId", l."orgId", COUNT(*) AS n
    FROM "IncidentIndicator" l JOIN "Incident" i ON i.id = l."incidentId"
    WHERE l."indicatorId" IN (${Array.from({ length: n }, () => '?').join(', ')}) AND NOT i.exercise
    GROUP BY l."indicatorId", l."orgId"`;
const insertLinks = (n: number) =>
  `INSERT INTO "IncidentIndicator" ("incidentId", "indicatorId", "orgId", "addedAt") VALUES ${placeholders(n, 4)}`;
const linkValues = (links: ReturnType<typeof linkRows>, idOf: Map<string, number>) =>
  links.flatMap(([incident, value, org, at]) => [incident, idOf.get(value), org, at]);

/**
 * One statement per table (per chunk): the incidents, their events, the indicators' upsert,
 * the earlier sightings (read before the batch's links are written), the links.
 */
async function writeRowsApart(
  deps: ServiceDeps,
  tx: Tx,
  reports: readonly ReportRows[],
  values: Values,
): Promise<Found | null> {
  const { db } = deps;
  for (const c of chunks(reports, INCIDENT_COLUMNS.length)) {
    await db.execute(tx, insertIncidents(c.length), ...incidentValues(c));
  }
  for (const c of chunks(reports, 5)) {
    await db.execute(tx, insertEvents(c.length), ...eventValues(c));
  }
  if (values.length === 0) return null;
  const idOf = new Map<string, number>();
  for (const c of chunks(values, 3)) {
    const rows = await db.query<{ id: number | bigint; value: string }>(
      tx,
      upsertIndicators(c.length),
      ...upsertValues(c),
    );
    for (const row of rows) idOf.set(row.value, Number(row.id));
  }
  // the real reports' earlier sightings of each, by organisation (before this batch's links)
  const sightings: Sightings = new Map();
  for (const c of chunks([...idOf.values()], 1)) {
    const rows = await db.query<SightingRow>(tx, selectSightings(c.length), ...c);
    for (const row of rows) addSighting(sightings, row);
  }
  for (const c of chunks(linkRows(reports), 4)) {
    await db.execute(tx, insertLinks(c.length), ...linkValues(c, idOf));
  }
  return { idOf, sightings };
}

/**
 * PostgreSQL: the same writes and reads as `writeRowsApart` in two statements, not five (its
 * round trips are most of a report's cost there: each is a wait for the server and a turn of
 * the event loop). Data-modifying WITH clauses each run once, on their statement's snapshot.
 *
 * 1. the incidents, their events (WITH clauses) and the indicators' upsert, which returns their
 *    ids and holds their rows' locks to the commit;
 * 2. the links (a WITH clause) and the earlier sightings: the read is on the statement's
 *    snapshot, so it sees the links before this batch's, as `writeRowsApart`'s read does.
 *
 * Not one statement: its snapshot would be taken before the upsert waits for another
 * transaction holding one of the indicators (an `incident update` linking it), and the
 * sightings read would miss that transaction's links once it commits: no correlation alert on
 * either side. A statement started after the upsert sees them
 * (tests/e2e/report-batch.test.ts, "a link committed while the report waits").
 */
async function writeRowsAtOnce(
  deps: ServiceDeps,
  tx: Tx,
  reports: readonly ReportRows[],
  values: Values,
): Promise<Found | null> {
  const { db } = deps;
  const incidents = insertIncidents(reports.length);
  const events = insertEvents(reports.length);
  if (values.length === 0) {
    await db.execute(tx, `WITH i AS (${incidents}) ${events}`, ...incidentValues(reports), ...eventValues(reports));
    return null;
  }
  const idOf = new Map<string, number>();
  const rows = await db.query<{ id: number | bigint; value: string }>(
    tx,
    `WITH i AS (${incidents}), e AS (${events}) ${upsertIndicators(values.length)}`,
    ...incidentValues(reports),
    ...eventValues(reports),
    ...upsertValues(values),
  );
  for (const row of rows) idOf.set(row.value, Number(row.id));
  const ids = [...idOf.values()];
  const links = linkRows(reports);
  const sightings: Sightings = new Map();
  const found = await db.query<SightingRow>(
    tx,
    `WITH links AS (${insertLinks(links.length)}) ${selectSightings(ids.length)}`,
    ...linkValues(links, idOf),
    ...ids,
  );
  for (const row of found) addSighting(sightings, row);
  return { idOf, sightings };
}

type SightingRow = { indicatorId: number | bigint; orgId: number | bigint; n: number | bigint };

function addSighting(sightings: Sightings, row: SightingRow): void {
  const ind = Number(row.indicatorId);
  const orgs = sightings.get(ind) ?? new Map<number, number>();
  orgs.set(Number(row.orgId), Number(row.n));
  sightings.set(ind, orgs);
}

/** The batch's correlation alerts, member by member (src/domain/correlation.ts). */
function alertsOf(reports: readonly ReportRows[], values: Values, found: Found): (Alert & { indicator: Indicator })[] {
  const { idOf, sightings } = found;
  const indicatorOf = new Map(values.map((v) => [idOf.get(v.ind.value) as number, v.ind]));
  return batchAlerts(
    sightings,
    reports.map((r) => ({
      orgId: r.incident.orgId,
      exercise: r.incident.exercise,
      indicatorIds: r.indicators.map((i) => idOf.get(i.value) as number),
    })),
  ).map((a) => ({ ...a, indicator: indicatorOf.get(a.indicatorId) as Indicator }));
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
  coord: OrgRef | null,
): Promise<Map<number, OrgPost[]>> {
  const out = new Map<number, OrgPost[]>();
  if (alerts.length === 0 || !coord) return out;
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
