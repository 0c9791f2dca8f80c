/**
 * Shared reads of the inspection services: who may see what, campaigns and their audience,
 * and the risk profiles of an organisation's systems for one campaign.
 */
import type { Caller } from '../core/command.ts';
import { UserError } from '../core/errors.ts';
import type { Prisma$, Tx } from '../db/client.ts';
import type { Campaign, CheckAnswer, Organization, System } from '../db/generated/sqlite/client.ts';
import { type Catalog, catalog } from '../domain/catalog.ts';
import { parseId } from '../domain/ids.ts';
import type { AnswerStatus, Confidentiality, Exposure, SystemProfile } from '../domain/risk.ts';
import { seesEveryOrg } from '../domain/sharing.ts';

export type Runner = Tx | Prisma$;

/** The caller as the inspection rules see them. */
export interface Viewer {
  identity: string;
  personId: number | null;
  /** a NISC role (admin, coordinator, approver): sees every organisation */
  nisc: boolean;
  admin: boolean;
  org: { id: number; code: string } | null;
}

export function viewerOf(c: Caller): Viewer {
  return {
    identity: c.identity,
    personId: c.personId,
    nisc: seesEveryOrg(c),
    admin: c.roles.has('admin'),
    org: c.org ? { id: c.org.id, code: c.org.code } : null,
  };
}

export function audienceOf(c: Pick<Campaign, 'audience'>): string[] {
  return c.audience.split(',').filter(Boolean);
}

/**
 * A campaign the viewer may see: NISC roles see every campaign, a ministry's people those whose
 * audience includes their organisation. Unknown and invisible ids fail alike.
 */
export async function visibleCampaign(db: Runner, v: Viewer, id: string): Promise<Campaign> {
  const norm = parseId(id, 'CMP');
  const c = norm ? await db.campaign.findUnique({ where: { id: norm } }) : null;
  if (!c || (!v.nisc && !(v.org && audienceOf(c).includes(v.org.code)))) {
    throw new UserError('check.campaign_not_found', { id });
  }
  return c;
}

/** The newest campaign the viewer may see (for one organisation when given), or null. */
export async function latestCampaign(db: Runner, v: Viewer, orgCode?: string): Promise<Campaign | null> {
  const code = orgCode ?? (v.nisc ? undefined : v.org?.code);
  if (!v.nisc && !code) return null;
  const all = await db.campaign.findMany({ orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
  return all.find((c) => code === undefined || audienceOf(c).includes(code)) ?? null;
}

/**
 * The organisation whose results the viewer asks for: NISC roles any (by code), a ministry's
 * people only their own. Another ministry's code fails exactly like an unknown one.
 */
export async function visibleOrg(db: Runner, v: Viewer, code: string | undefined): Promise<Organization> {
  if (v.nisc) {
    if (!code) throw new UserError('check.org_required');
    const o = await db.organization.findUnique({ where: { code } });
    if (!o) throw new UserError('org.not_found', { org: code });
    return o;
  }
  if (!v.org || (code !== undefined && code !== v.org.code)) {
    throw new UserError('check.org_not_visible', { org: code ?? '-' });
  }
  return db.organization.findUniqueOrThrow({ where: { id: v.org.id } });
}

/** Audience organisations of a campaign, in directory order. */
export async function audienceOrgs(db: Runner, c: Pick<Campaign, 'audience'>): Promise<Organization[]> {
  return db.organization.findMany({ where: { code: { in: audienceOf(c) } }, orderBy: { id: 'asc' } });
}

/** One organisation's systems with their answers to one campaign. */
export interface OrgAnswers {
  org: Organization;
  systems: System[];
  answers: CheckAnswer[];
  profiles: SystemProfile[];
  /** answered (item, system) pairs, `na` included */
  answered: number;
  /** items × systems */
  total: number;
}

export async function orgAnswers(db: Runner, c: Campaign, orgs: readonly Organization[]): Promise<OrgAnswers[]> {
  const cat = catalog(c.catalogVersion);
  const ids = orgs.map((o) => o.id);
  const systems = await db.system.findMany({ where: { orgId: { in: ids } }, orderBy: { id: 'asc' } });
  const answers = await db.checkAnswer.findMany({ where: { campaignId: c.id, orgId: { in: ids } } });
  return orgs.map((org) => {
    const sys = systems.filter((s) => s.orgId === org.id);
    const ans = answers.filter((a) => a.orgId === org.id);
    const profiles = sys.map((s) => profileOf(s, ans, cat));
    const answered = profiles.reduce((n, p) => n + Object.keys(p.answers).length, 0);
    return { org, systems: sys, answers: ans, profiles, answered, total: sys.length * cat.items.length };
  });
}

export function profileOf(s: System, answers: readonly CheckAnswer[], cat: Catalog): SystemProfile {
  const known = new Set(cat.items.map((i) => i.id));
  const map: Partial<Record<string, AnswerStatus>> = {};
  for (const a of answers) if (a.systemId === s.id && known.has(a.itemId)) map[a.itemId] = a.status as AnswerStatus;
  return {
    id: s.id,
    confidentiality: s.confidentiality as Confidentiality,
    exposure: s.exposure as Exposure,
    answers: map,
  };
}

/** Finished: at least one system, and every item answered for every system. */
export const complete = (a: Pick<OrgAnswers, 'answered' | 'total'>): boolean => a.total > 0 && a.answered >= a.total;
