/** Reading incidents within what the caller may see (rules in incident-access.ts). */
import type { Caller } from '../core/command.ts';
import { UserError } from '../core/errors.ts';
import type { Incident } from '../db/generated/sqlite/client.ts';
import { canonicalId } from '../domain/ids.ts';
import { normalizeIndicator } from '../domain/indicators.ts';
import { sightingView } from '../domain/sharing.ts';
import type { ServiceDeps } from './context.ts';
import { sees, seesAll } from './incident-access.ts';
import type { EventView, IncidentView, IndicatorView } from './incident-format.ts';

export const PAGE_SIZE = 20;

export interface ListFilter {
  status?: string;
  org?: string;
  category?: string;
  since?: Date;
  page?: number;
}

type OrgLite = { id: number; code: string; nameJa: string; nameEn: string; shortNames: string };

export interface IncidentDetail {
  incident: IncidentView & Incident;
  reporter: string;
  indicators: (IndicatorView & { addedAt: Date })[];
  events: EventView[];
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

export class IncidentQueries {
  constructor(private readonly deps: ServiceDeps) {}

  private get prisma() {
    return this.deps.db.prisma;
  }

  private async orgs(ids: number[]): Promise<Map<number, OrgLite>> {
    const list = await this.prisma.organization.findMany({ where: { id: { in: [...new Set(ids)] } } });
    return new Map(list.map((o) => [o.id, o]));
  }

  async list(caller: Caller, f: ListFilter) {
    const where: Record<string, unknown> = {};
    if (seesAll(caller)) {
      if (f.org) {
        const o = await this.prisma.organization.findUnique({ where: { code: f.org } });
        if (!o) throw new UserError('org.not_found', { org: f.org });
        where.orgId = o.id;
      }
    } else {
      if (!caller.org) throw new UserError('report.no_org');
      if (f.org && f.org !== caller.org.code) throw new UserError('incident.own_org_only');
      where.orgId = caller.org.id;
    }
    if (f.status) where.status = f.status;
    if (f.category) where.category = f.category;
    if (f.since) where.createdAt = { gte: f.since };
    const total = await this.prisma.incident.count({ where });
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const page = Math.min(Math.max(1, f.page ?? 1), pages);
    const rows = await this.prisma.incident.findMany({
      where,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      skip: (page - 1) * PAGE_SIZE,
      take: PAGE_SIZE,
    });
    const orgs = await this.orgs(rows.map((r) => r.orgId));
    return { total, page, pages, rows: rows.map((r) => ({ ...r, org: orgs.get(r.orgId) as OrgLite })) };
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
    return {
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
    const all = ind.incidents.map((l) => ({ i: l.incident, view: sightingView(caller, l.incident) }));
    const others = all.filter((x) => x.view === 'attributed' || x.view === 'count');
    return {
      ...empty,
      visible: all.filter((x) => x.view === 'full').map((x) => sight(x.i)),
      otherOrgs: new Set(others.map((x) => x.i.orgId)).size,
      attributed: others.filter((x) => x.view === 'attributed').map((x) => sight(x.i)),
    };
  }
}
