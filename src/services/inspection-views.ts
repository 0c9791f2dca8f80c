/**
 * Read-only inspection views: completion and residual risk (`check status`), the budget plan
 * (`check plan`) and the CSV rows of `check export`. A ministry's people see their own
 * organisation only; another organisation fails exactly like an unknown one.
 */
import { UserError } from '../core/errors.ts';
import type { Campaign, Organization } from '../db/generated/sqlite/client.ts';
import { greedyPlan, type Plan, plan } from '../domain/budget-plan.ts';
import { type Catalog, catalog } from '../domain/catalog.ts';
import type { CsvCell } from '../domain/csv.ts';
import { type DateStyle, formatDate, formatDateTime } from '../domain/dates.ts';
import {
  type OrganisationRisk,
  organisationRisk,
  type RemediationCandidate,
  remediationCandidates,
  type SystemProfile,
  withAnswers,
} from '../domain/risk.ts';
import { keyOf, translator } from '../i18n/index.ts';
import type { ServiceDeps } from './context.ts';
import { directoryNames } from './directory-names.ts';
import {
  audienceOf,
  audienceOrgs,
  latestCampaign,
  type OrgAnswers,
  orgAnswers,
  type Viewer,
  visibleCampaign,
  visibleOrg,
} from './inspection-data.ts';

export interface OrgStatus extends OrgAnswers {
  risk: OrganisationRisk;
}

export type StatusView =
  | { kind: 'all'; campaign: Campaign; catalog: Catalog; orgs: OrgStatus[] }
  | { kind: 'org'; campaign: Campaign; catalog: Catalog; org: OrgStatus };

export interface PlanSide {
  plan: Plan<RemediationCandidate>;
  /** the organisation's total residual (sum of system scores) with the plan's items implemented */
  after: number;
}

export interface PlanView {
  campaign: Campaign;
  catalog: Catalog;
  org: Organization;
  budget: number;
  candidates: number;
  /** (system, item) pairs not answered yet: not planned */
  unanswered: number;
  before: number;
  exact: PlanSide;
  greedy: PlanSide;
  /** true when greedy picks a different set */
  differs: boolean;
}

/** Sorts by risk, worst first: weakest-link score, then the sum. */
const byRisk = (a: OrgStatus, b: OrgStatus) => b.risk.score - a.risk.score || b.risk.total - a.risk.total;

export class InspectionViews {
  constructor(private readonly deps: ServiceDeps) {}

  private get db() {
    return this.deps.db.prisma;
  }

  private async campaignFor(v: Viewer, id: string | undefined, orgCode?: string): Promise<Campaign> {
    if (id) return visibleCampaign(this.db, v, id);
    const c = await latestCampaign(this.db, v, orgCode);
    if (!c) throw new UserError('check.no_campaign');
    return c;
  }

  /**
   * The newest campaign of the organisation that it has answered (a campaign opened yesterday
   * has no answers yet); the newest one when none is answered.
   */
  private async answeredCampaign(v: Viewer, org: Organization): Promise<Campaign> {
    const last = await this.db.checkAnswer.findFirst({
      where: { orgId: org.id },
      orderBy: [{ campaign: { createdAt: 'desc' } }, { campaignId: 'desc' }],
      select: { campaign: true },
    });
    return last?.campaign ?? this.campaignFor(v, undefined, org.code);
  }

  async status(v: Viewer, id: string | undefined, orgCode: string | undefined): Promise<StatusView> {
    if (v.nisc && !orgCode) {
      const campaign = await this.campaignFor(v, id);
      const cat = catalog(campaign.catalogVersion);
      const data = await orgAnswers(this.db, campaign, await audienceOrgs(this.db, campaign));
      const orgs = data.map((d) => ({ ...d, risk: organisationRisk(d.profiles, cat) })).sort(byRisk);
      return { kind: 'all', campaign, catalog: cat, orgs };
    }
    const org = await visibleOrg(this.db, v, orgCode);
    const campaign = await this.campaignFor(v, id, org.code);
    if (!audienceOf(campaign).includes(org.code)) {
      throw new UserError('check.not_in_audience', { id: campaign.id, org: org.code });
    }
    const cat = catalog(campaign.catalogVersion);
    const [d] = await orgAnswers(this.db, campaign, [org]);
    if (!d) throw new Error('unreachable: one organisation asked, none returned');
    return { kind: 'org', campaign, catalog: cat, org: { ...d, risk: organisationRisk(d.profiles, cat) } };
  }

  /**
   * The exact plan within the budget over the latest campaign's missing and partial answers
   * (cost: the PoC's estimate, else the item's typical cost), and the greedy choice beside it.
   */
  async plan(v: Viewer, budget: number, orgCode: string | undefined): Promise<PlanView> {
    const org = await visibleOrg(this.db, v, orgCode);
    const campaign = await this.answeredCampaign(v, org);
    const cat = catalog(campaign.catalogVersion);
    const [d] = await orgAnswers(this.db, campaign, [org]);
    if (!d) throw new Error('unreachable: one organisation asked, none returned');
    const estimates = new Map<string, number>();
    const open = new Set<string>();
    for (const a of d.answers) {
      const key = `${a.systemId}/${a.itemId}`;
      if (a.status === 'missing' || a.status === 'partial') open.add(key);
      if (a.cost !== null) estimates.set(key, a.cost);
    }
    // only what the PoC said is missing or partial: an unanswered item may well be in place
    const cands = remediationCandidates(d.profiles, cat, estimates).filter((c) => open.has(c.key));
    const after = (p: Plan<RemediationCandidate>) => residualAfter(d.profiles, p.chosen, cat);
    const exact = plan(cands, budget);
    const greedy = greedyPlan(cands, budget);
    const keys = (p: Plan<RemediationCandidate>) =>
      p.chosen
        .map((c) => c.key)
        .sort()
        .join('|');
    return {
      campaign,
      catalog: cat,
      org,
      budget,
      candidates: cands.length,
      unanswered: d.total - d.answered,
      before: organisationRisk(d.profiles, cat).total,
      exact: { plan: exact, after: after(exact) },
      greedy: { plan: greedy, after: after(greedy) },
      differs: keys(exact) !== keys(greedy),
    };
  }

  /**
   * CSV rows (header first) of every answer the viewer may see in a campaign, in the reader's
   * language and date style: headers, organisation and area names, answers and exposure as
   * labels; dates by the date module. Codes people join on (IDs, organisation code) stay.
   */
  async exportRows(
    v: Viewer,
    id: string,
    style: DateStyle,
  ): Promise<{ campaign: Campaign; rows: CsvCell[][]; count: number }> {
    const campaign = await visibleCampaign(this.db, v, id);
    const cat = catalog(campaign.catalogVersion);
    const L = style.locale;
    // catalogue titles may name the coordinating organisation ({coordinator})
    const t = translator(L, await directoryNames(this.db));
    const all = await audienceOrgs(this.db, campaign);
    const orgs = v.nisc ? all : all.filter((o) => o.id === v.org?.id);
    const data = await orgAnswers(this.db, campaign, orgs);
    const ids = [...new Set(data.flatMap((d) => d.answers.map((a) => a.answeredBy)))];
    const people = await this.db.person.findMany({ where: { id: { in: ids } } });
    const who = new Map(people.map((p) => [p.id, p.identity]));
    const order = new Map(cat.items.map((it, i) => [it.id, i]));
    const areaName = new Map(cat.areas.map((a) => [a.id, a[L]]));
    const rows: CsvCell[][] = [EXPORT_COLUMNS.map((c) => t(`csv.${c}`))];
    for (const d of data) {
      for (const s of d.systems) {
        const answers = d.answers
          .filter((a) => a.systemId === s.id)
          .sort((a, b) => (order.get(a.itemId) ?? 999) - (order.get(b.itemId) ?? 999));
        for (const a of answers) {
          const it = cat.items.find((x) => x.id === a.itemId);
          rows.push([
            campaign.id,
            d.org.code,
            L === 'ja' ? d.org.nameJa : d.org.nameEn,
            s.id,
            s.name,
            t('incident.confidentiality', { level: s.confidentiality }),
            t(keyOf('system.exposure_', s.exposure)),
            a.itemId,
            it ? (areaName.get(it.area) ?? it.area) : null,
            it ? t.fill(it[L].title) : null,
            t(keyOf('check.status_', a.status)),
            a.planned ? formatDate(a.planned, style) : null,
            a.cost,
            a.note,
            who.get(a.answeredBy) ?? null,
            formatDateTime(a.updatedAt, style),
          ]);
        }
      }
    }
    return { campaign, rows, count: rows.length - 1 };
  }
}

/** The columns of `check export`, in order; each header is the message `csv.<column>`. */
export const EXPORT_COLUMNS = [
  'campaign',
  'org_code',
  'org',
  'system',
  'system_name',
  'confidentiality',
  'exposure',
  'item',
  'area',
  'item_title',
  'answer',
  'planned',
  'cost',
  'note',
  'answered_by',
  'answered_at',
] as const;

/** The organisation's total residual with the chosen items implemented (combined, not summed). */
function residualAfter(
  profiles: readonly SystemProfile[],
  chosen: readonly RemediationCandidate[],
  cat: Catalog,
): number {
  const next = profiles.map((p) =>
    withAnswers(
      p,
      chosen.filter((c) => c.systemId === p.id).map((c) => c.itemId),
      'implemented',
    ),
  );
  return organisationRisk(next, cat).total;
}
