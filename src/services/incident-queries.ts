/** Reading incidents within what the caller may see (rules in incident-access.ts). */
import type { Caller } from '../core/command.ts';
import { UserError } from '../core/errors.ts';
import type { Database } from '../db/client.ts';
import type { Incident } from '../db/generated/sqlite/client.ts';
import { type DateStyle, dateStyle, formatDateTime } from '../domain/dates.ts';
import { canonicalId } from '../domain/ids.ts';
import { FINAL } from '../domain/incident-status.ts';
import { normalizeIndicator } from '../domain/indicators.ts';
import { clockFilter, type ReportClock, reportClocks } from '../domain/report-clocks.ts';
import { sightingView } from '../domain/sharing.ts';
import { type Translate, translator } from '../i18n/index.ts';
import type { ServiceDeps } from './context.ts';
import { sees, seesAll } from './incident-access.ts';
import { ruleText, stageLabel } from './incident-clock-format.ts';
import { type ClockFields, clockInput } from './incident-clock-input.ts';
import type { EventView, IncidentView, IndicatorView } from './incident-format.ts';

export const PAGE_SIZE = 20;

export interface ListFilter {
  status?: string;
  org?: string;
  category?: string;
  since?: Date;
  page?: number;
  /** only incidents with a clock overdue, or due within 24 hours */
  due?: 'overdue' | 'soon';
  /** exercises only (訓練); without it, real incidents only: an exercise never counts in a figure */
  exercise?: boolean;
}

type OrgLite = { id: number; code: string; nameJa: string; nameEn: string; shortNames: string };

export interface IncidentDetail {
  incident: IncidentView & Incident;
  reporter: string;
  indicators: (IndicatorView & { addedAt: Date })[];
  events: EventView[];
  /** the deadline clocks as they stand now */
  clocks: ReportClock[];
  /** what the clocks count from: `認知日時 … から起算（最初の続報: 3開庁日以内、…）` */
  basis: string;
}

export interface IocSighting {
  id: string;
  org: OrgLite;
  status: string;
  category: string;
  createdAt: Date;
}

export interface IocCheck {
  indicator: IndicatorView;
  /** incidents the caller may see */
  visible: IocSighting[];
  /** for a ministry user: other organisations that saw it (count only) */
  otherOrgs: number;
  /** for a ministry user: other organisations' incidents whose reporters consented to attribution */
  attributed: IocSighting[];
}

export interface IncidentMatrixRow {
  orgId: number;
  byStatus: Record<string, number>;
  total: number;
  /** open incidents with a clock past its deadline */
  overdue: number;
  /** open incidents with a clock due within 24 hours (and none overdue) */
  soon: number;
}

export interface IncidentMatrix {
  rows: IncidentMatrixRow[];
  /** the organisations the caller is limited to; null = every organisation */
  orgIds: number[] | null;
}

/**
 * The scope (IncidentQueries.scope) as a SQL condition. The scope says the organisation and
 * whether exercises; anything else in it would be a rule this SQL leaves out: refused loudly.
 */
function scopeSql(where: Record<string, unknown>): { sql: string; params: unknown[] } {
  const unknown = Object.keys(where).filter((k) => k !== 'orgId' && k !== 'exercise');
  if (unknown.length) throw new Error(`the incident scope grew ${unknown.join(', ')}: teach scopeSql to say it`);
  if (typeof where.exercise !== 'boolean') throw new Error('the incident scope must say exercise');
  if (where.orgId === undefined) return { sql: 'exercise = ?', params: [where.exercise] };
  return { sql: 'exercise = ? AND "orgId" = ?', params: [where.exercise, where.orgId] };
}

/** What the overview reads of an open incident: its organisation and its clock columns. */
type OpenClockRow = ClockFields & { orgId: number };

const date = (v: unknown): Date => (v instanceof Date ? v : new Date(v as string | number));
const dateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : date(v));

/** A raw row as both providers answer it (dates as Date, or as text or epoch milliseconds). */
function openClockRow(r: Record<keyof OpenClockRow, unknown>): OpenClockRow {
  return {
    orgId: Number(r.orgId),
    awareAt: dateOrNull(r.awareAt),
    detectedAt: date(r.detectedAt),
    createdAt: date(r.createdAt),
    updateAt: dateOrNull(r.updateAt),
    finalAt: dateOrNull(r.finalAt),
    status: String(r.status),
    stage: String(r.stage),
  };
}

/**
 * Incidents counted per organisation and status within the scope `where` (IncidentQueries.scope),
 * in the database from the index Incident(exercise, orgId, status): the overview's matrix.
 */
export async function incidentCounts(db: Database, where: Record<string, unknown>) {
  const { sql, params } = scopeSql(where);
  return db.query<{ orgId: unknown; status: string; n: unknown }>(
    db.prisma,
    `SELECT "orgId" AS "orgId", status, COUNT(*) AS n FROM "Incident" WHERE ${sql} GROUP BY "orgId", status`,
    ...params,
  );
}

/**
 * The organisation and clock columns of the open incidents within the scope `where`, read as
 * plain rows (a Prisma findMany of ~2,000 rows cost 3 times as much on PostgreSQL).
 */
export async function openClockRows(db: Database, where: Record<string, unknown>): Promise<OpenClockRow[]> {
  const { sql, params } = scopeSql(where);
  const rows = await db.query<Record<keyof OpenClockRow, unknown>>(
    db.prisma,
    `SELECT "orgId", "awareAt", "detectedAt", "createdAt", "updateAt", "finalAt", status, stage FROM "Incident"
     WHERE ${sql} AND stage <> ? AND status NOT IN (${FINAL.map(() => '?').join(', ')})`,
    ...params,
    'final',
    ...FINAL,
  );
  return rows.map(openClockRow);
}

const ms = (d: Date | null) => (d === null ? '' : d.getTime());

/**
 * The deadline state of an open incident as of the current minute, computed once per minute per
 * distinct clock input (the dashboard's overview asks it of every open incident at each view).
 */
class DueMemo {
  private minute = -1;
  private readonly memo = new Map<string, 'overdue' | 'soon' | null>();

  at(now: Date) {
    const minute = Math.floor(now.getTime() / 60_000);
    if (minute !== this.minute) {
      this.minute = minute;
      this.memo.clear();
    }
    const at = new Date(minute * 60_000);
    return (i: ClockFields, compute: (at: Date) => 'overdue' | 'soon' | null) => {
      // ~2,000 keys a view: one string, no arrays on the way
      const key = `${ms(i.awareAt)}|${ms(i.detectedAt)}|${ms(i.createdAt)}|${ms(i.updateAt)}|${ms(i.finalAt)}|${i.status}|${i.stage}`;
      let v = this.memo.get(key);
      if (v === undefined) {
        v = compute(at);
        this.memo.set(key, v);
      }
      return v;
    };
  }
}

export class IncidentQueries {
  private readonly dueMemo = new DueMemo();

  constructor(private readonly deps: ServiceDeps) {}

  private get prisma() {
    return this.deps.db.prisma;
  }

  private async orgs(ids: number[]): Promise<Map<number, OrgLite>> {
    const list = await this.prisma.organization.findMany({ where: { id: { in: [...new Set(ids)] } } });
    return new Map(list.map((o) => [o.id, o]));
  }

  /** The incidents the caller may see (of `org` when given): the one scope of every listing. */
  private async scope(caller: Caller, org: string | undefined, exercise = false): Promise<Record<string, unknown>> {
    const where: Record<string, unknown> = {};
    if (seesAll(caller)) {
      if (org) {
        const o = await this.prisma.organization.findUnique({ where: { code: org } });
        if (!o) throw new UserError('org.not_found', { org });
        where.orgId = o.id;
      }
    } else {
      if (!caller.org) throw new UserError('report.no_org');
      if (org && org !== caller.org.code) throw new UserError('incident.own_org_only');
      where.orgId = caller.org.id;
    }
    // exercises (訓練) only when asked for: never in a figure (the dashboard's counts included)
    where.exercise = exercise;
    return where;
  }

  /**
   * Incidents by organisation and status, with each organisation's open deadline clocks
   * (overdue, due within 24 hours), within what `list` would show the caller (the dashboard).
   */
  async matrix(caller: Caller, org?: string): Promise<IncidentMatrix> {
    const where = await this.scope(caller, org);
    // counted in the database; beside it, the clock columns of the open incidents
    const [counts, open] = await Promise.all([incidentCounts(this.deps.db, where), openClockRows(this.deps.db, where)]);
    const now = this.deps.clock.now();
    const cells = new Map<number, IncidentMatrixRow>();
    const row = (orgId: number) => {
      const had = cells.get(orgId);
      if (had) return had;
      const r: IncidentMatrixRow = { orgId, byStatus: {}, total: 0, overdue: 0, soon: 0 };
      cells.set(orgId, r);
      return r;
    };
    for (const c of counts) {
      const r = row(Number(c.orgId));
      r.byStatus[c.status] = Number(c.n);
      r.total += Number(c.n);
    }
    const due = this.dueMemo.at(now);
    for (const i of open) {
      const state = due(i, (at) => {
        const clocks = reportClocks(clockInput(i), this.deps.reportPolicy, at);
        return clockFilter(clocks, 'overdue', at) ? 'overdue' : clockFilter(clocks, 'soon', at) ? 'soon' : null;
      });
      if (state) row(i.orgId)[state]++;
    }
    return { rows: [...cells.values()], orgIds: where.orgId === undefined ? null : [where.orgId as number] };
  }

  async list(caller: Caller, f: ListFilter) {
    const where = await this.scope(caller, f.org, f.exercise === true);
    if (f.status) where.status = f.status;
    if (f.category) where.category = f.category;
    if (f.since) where.createdAt = { gte: f.since };
    const now = this.deps.clock.now();
    const clocks = (i: Incident) => reportClocks(clockInput(i), this.deps.reportPolicy, now);
    let total: number;
    let page: number;
    let pages: number;
    let rows: Incident[];
    if (f.due) {
      // only incidents whose clocks still run can match: not final, not closed or rejected
      const due = f.due;
      const candidates = await this.prisma.incident.findMany({
        where: { ...where, stage: { not: 'final' }, status: { notIn: [...FINAL] } },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      });
      const matching = candidates.filter((i) => clockFilter(clocks(i), due, now));
      total = matching.length;
      pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
      page = Math.min(Math.max(1, f.page ?? 1), pages);
      rows = matching.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    } else {
      total = await this.prisma.incident.count({ where });
      pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
      page = Math.min(Math.max(1, f.page ?? 1), pages);
      rows = await this.prisma.incident.findMany({
        where,
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        skip: (page - 1) * PAGE_SIZE,
        take: PAGE_SIZE,
      });
    }
    const orgs = await this.orgs(rows.map((r) => r.orgId));
    return {
      total,
      page,
      pages,
      rows: rows.map((r) => ({ ...r, org: orgs.get(r.orgId) as OrgLite, clocks: clocks(r) })),
    };
  }

  /** What the clocks count from, in the caller's language. */
  private basis(inc: Incident, t: Translate, style: DateStyle): string {
    const rules = this.deps.reportPolicy.deadlines
      .filter((d) => d.stage !== 'quick')
      .map((d) => `${stageLabel(d.stage, t)}: ${ruleText(d.due, t)}`);
    return t('incident.clock.basis', {
      aware: formatDateTime(inc.awareAt ?? inc.detectedAt, style),
      rule: rules.join(style.locale === 'ja' ? '、' : ', '),
    });
  }

  /** The incident with everything about it; another organisation's id is `not found`. */
  async show(caller: Caller, rawId: string): Promise<IncidentDetail> {
    const id = canonicalId(rawId, 'INC');
    const inc = await this.prisma.incident.findUnique({
      where: { id },
      include: {
        events: { orderBy: { id: 'asc' } },
        indicators: { include: { indicator: true }, orderBy: [{ addedAt: 'asc' }, { indicatorId: 'asc' }] },
      },
    });
    if (!inc || !sees(caller, inc.orgId)) throw new UserError('incident.not_found', { id: rawId });
    const org = (await this.orgs([inc.orgId])).get(inc.orgId) as OrgLite;
    const reporter = await this.prisma.person.findUnique({ where: { id: inc.reporterId } });
    const t = translator(caller.locale);
    return {
      clocks: reportClocks(clockInput(inc), this.deps.reportPolicy, this.deps.clock.now()),
      basis: this.basis(inc, t, dateStyle(caller.locale, caller.calendar)),
      incident: { ...inc, org },
      reporter: reporter?.identity ?? '?',
      indicators: inc.indicators.map((l) => ({ type: l.indicator.type, value: l.indicator.value, addedAt: l.addedAt })),
      events: inc.events.map((e) => ({ at: e.at, actor: e.actor, kind: e.kind, data: JSON.parse(e.data) })),
    };
  }

  /**
   * Where an indicator was seen. NISC roles: every incident. Others: their own organisation's
   * incidents, the number of other organisations, and — only where those reports consented to
   * `attributed` sharing and are not TLP:RED — which organisation and incident.
   */
  async iocCheck(caller: Caller, raw: string): Promise<IocCheck> {
    const n = normalizeIndicator(raw);
    if (!n.ok) throw new UserError('ioc.invalid', { value: raw });
    const empty: IocCheck = { indicator: n.indicator, visible: [], otherOrgs: 0, attributed: [] };
    const ind = await this.prisma.indicator.findUnique({
      where: { value: n.indicator.value },
      include: { incidents: { include: { incident: true }, orderBy: [{ addedAt: 'asc' }, { incidentId: 'asc' }] } },
    });
    if (!ind) return empty;
    const orgs = await this.orgs(ind.incidents.map((l) => l.orgId));
    const sight = (i: Incident): IocSighting => ({
      id: i.id,
      org: orgs.get(i.orgId) as OrgLite,
      status: i.status,
      category: i.category,
      createdAt: i.createdAt,
    });
    // an exercise's sightings are never shown with real ones (no correlation, src/services/exercise.ts)
    const all = ind.incidents
      .filter((l) => !l.incident.exercise)
      .map((l) => ({ i: l.incident, view: sightingView(caller, l.incident) }));
    const others = all.filter((x) => x.view === 'attributed' || x.view === 'count');
    return {
      ...empty,
      visible: all.filter((x) => x.view === 'full').map((x) => sight(x.i)),
      otherOrgs: new Set(others.map((x) => x.i.orgId)).size,
      attributed: others.filter((x) => x.view === 'attributed').map((x) => sight(x.i)),
    };
  }
}
