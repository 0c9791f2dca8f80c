/**
 * Inspections (PRODUCT.md §6): important systems, campaigns, answers and the laggard
 * reminders. Every change is audited in its own transaction; channel posts go through the
 * outbox in that same transaction. Read-only views (status, plan, export) are in
 * inspection-views.ts.
 */
import { UserError } from '../core/errors.ts';
import type { Campaign, CheckAnswer, System } from '../db/generated/sqlite/client.ts';
import { catalog, item as catalogItem, latestVersion } from '../domain/catalog.ts';
import { formatDate } from '../domain/dates.ts';
import { fiscalYearOf } from '../domain/fiscal-year.ts';
import { foldCode, parseId } from '../domain/ids.ts';
import { decide, type ReminderKind } from '../domain/reminder-policy.ts';
import { campaignReminderTimes } from '../domain/reminders.ts';
import type { AnswerStatus, Exposure } from '../domain/risk.ts';
import type { JobHandler } from '../scheduler/scheduler.ts';
import { cancelJobs, scheduleJob } from '../scheduler/scheduler.ts';
import { audit, postStyle, type ServiceDeps } from './context.ts';
import { nextId, nextSeq } from './ids.ts';
import { audienceOf, audienceOrgs, complete, orgAnswers, type Viewer, visibleCampaign } from './inspection-data.ts';
import { postToOrg } from './notify.ts';

export const CAMPAIGN_REMINDER_JOB = 'campaign.reminder' satisfies ReminderKind;

export interface AnswerInput {
  campaign: string;
  system: string;
  item: string;
  status: AnswerStatus;
  planned: Date | null;
  cost: number | null;
  note: string | null;
}

export class InspectionService {
  constructor(private readonly deps: ServiceDeps) {}

  private get db() {
    return this.deps.db;
  }

  /** Registers an important system: a PoC for their own organisation, NISC roles for any (org given). */
  async addSystem(
    v: Viewer,
    orgCode: string | undefined,
    name: string,
    confidentiality: number,
    exposure: Exposure,
  ): Promise<System> {
    let code = orgCode;
    if (!v.nisc) {
      if (!v.org) throw new UserError('system.no_org');
      if (code !== undefined && code !== v.org.code) throw new UserError('system.own_org_only', { org: code });
      code = v.org.code;
    } else if (!code) throw new UserError('system.org_required');
    return this.db.tx(async (tx) => {
      const org = await tx.organization.findUnique({ where: { code } });
      if (!org) throw new UserError('org.not_found', { org: code as string });
      const n = await nextSeq(this.db, tx, `SYS-${org.code}`);
      const id = `SYS-${org.code}-${String(n).padStart(3, '0')}`;
      const s = await tx.system.create({
        data: { id, orgId: org.id, name, confidentiality, exposure, createdAt: this.deps.clock.now() },
      });
      await audit(this.deps, tx, v.identity, 'system.add', id, { org: org.code, name, confidentiality, exposure });
      return s;
    });
  }

  /** Systems with their organisation's code: NISC roles see any (or all), a ministry's people their own. */
  async listSystems(v: Viewer, orgCode: string | undefined): Promise<(System & { org: string })[]> {
    if (!v.nisc && (!v.org || (orgCode !== undefined && orgCode !== v.org.code))) {
      throw new UserError('system.own_org_only', { org: orgCode ?? '-' });
    }
    const code = v.nisc ? orgCode : v.org?.code;
    const orgs = await this.db.prisma.organization.findMany({ where: code ? { code } : {} });
    if (code && orgs.length === 0) throw new UserError('org.not_found', { org: code });
    const byId = new Map(orgs.map((o) => [o.id, o.code]));
    const systems = await this.db.prisma.system.findMany({
      where: { orgId: { in: [...byId.keys()] } },
      orderBy: [{ orgId: 'asc' }, { id: 'asc' }],
    });
    return systems.map((s) => ({ ...s, org: byId.get(s.orgId) ?? '?' }));
  }

  /**
   * Opens a campaign on the latest catalogue version, tells each audience organisation's
   * channel and schedules the laggard reminders (7 and 1 days before the due date).
   */
  async openCampaign(
    v: Viewer,
    due: Date,
    audience: 'all' | string[],
  ): Promise<{ campaign: Campaign; orgs: string[]; reminders: Date[] }> {
    const now = this.deps.clock.now();
    if (due.getTime() <= now.getTime()) throw new UserError('check.due_past');
    return this.db.tx(async (tx) => {
      const orgs =
        audience === 'all'
          ? await tx.organization.findMany({ where: { coordinator: false }, orderBy: { id: 'asc' } })
          : await tx.organization.findMany({ where: { code: { in: audience } }, orderBy: { id: 'asc' } });
      if (audience !== 'all') {
        const unknown = audience.filter((c) => !orgs.some((o) => o.code === c));
        if (unknown.length) throw new UserError('check.audience_unknown', { orgs: unknown.join(', ') });
      }
      if (orgs.length === 0) throw new UserError('check.audience_empty');
      const id = await nextId(this.db, tx, 'CMP', fiscalYearOf(now));
      const cat = catalog(latestVersion);
      const campaign = await tx.campaign.create({
        data: {
          id,
          fiscalYear: fiscalYearOf(now),
          catalogVersion: cat.version,
          dueDate: due,
          audience: orgs.map((o) => o.code).join(','),
          status: 'open',
          createdBy: v.personId ?? 0,
          createdAt: now,
        },
      });
      const systems = await tx.system.groupBy({
        by: ['orgId'],
        where: { orgId: { in: orgs.map((o) => o.id) } },
        _count: true,
      });
      for (const o of orgs) {
        const n = systems.find((s) => s.orgId === o.id)?._count ?? 0;
        await postToOrg(
          this.deps,
          tx,
          o,
          (t) => ({
            blocks: [
              { kind: 'heading', text: t('check.opened_title', { id }) },
              {
                kind: 'text',
                text: t('check.opened_body', {
                  due: formatDate(due, postStyle(this.deps)),
                  version: cat.version,
                  items: cat.items.length,
                  systems: n,
                }),
              },
              {
                kind: 'code',
                text: `/csirt check answer ${id} system=<SYS-id> item=<item id> status=implemented|partial|missing|na`,
              },
              { kind: 'context', text: t('check.opened_hint') },
            ],
          }),
          `campaign:${id}:open`,
          { type: 'campaign', id },
        );
      }
      const reminders: Date[] = [];
      for (const r of campaignReminderTimes(due)) {
        if (r.at.getTime() <= now.getTime()) continue;
        await scheduleJob(this.db, tx, {
          id: `campaign:${id}:${r.daysBefore}d`,
          kind: CAMPAIGN_REMINDER_JOB,
          dueAt: r.at,
          data: { campaign: id, daysBefore: r.daysBefore },
          refType: 'campaign',
          refId: id,
        });
        reminders.push(r.at);
      }
      await audit(this.deps, tx, v.identity, 'campaign.open', id, {
        due: due.toISOString(),
        audience: audience === 'all' ? 'all' : campaign.audience,
        orgs: orgs.length,
        catalogVersion: cat.version,
      });
      return { campaign, orgs: orgs.map((o) => o.code), reminders };
    });
  }

  /** Closes an open campaign: answers are frozen and pending reminders cancelled. */
  async closeCampaign(v: Viewer, id: string): Promise<Campaign> {
    return this.db.tx(async (tx) => {
      const c = await visibleCampaign(tx, v, id);
      if (c.status !== 'open') throw new UserError('check.campaign_closed', { id: c.id });
      const closed = await tx.campaign.update({
        where: { id: c.id },
        data: { status: 'closed', closedAt: this.deps.clock.now() },
      });
      const cancelled = await cancelJobs(tx, 'campaign', c.id);
      await audit(this.deps, tx, v.identity, 'campaign.close', c.id, { cancelledReminders: cancelled });
      return closed;
    });
  }

  /** Campaigns the viewer may see, newest first, with completion (their own organisation's for a ministry). */
  async listCampaigns(v: Viewer): Promise<{ campaign: Campaign; answered: number; total: number; orgs: number }[]> {
    const all = await this.db.prisma.campaign.findMany({ orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
    const mine = all.filter((c) => v.nisc || (v.org && audienceOf(c).includes(v.org.code)));
    const out = [];
    for (const c of mine) {
      const orgs = await audienceOrgs(this.db.prisma, c);
      const scope = v.nisc ? orgs : orgs.filter((o) => o.id === v.org?.id);
      const data = await orgAnswers(this.db.prisma, c, scope);
      out.push({
        campaign: c,
        answered: data.reduce((n, d) => n + d.answered, 0),
        total: data.reduce((n, d) => n + d.total, 0),
        orgs: orgs.length,
      });
    }
    return out;
  }

  /**
   * Records (or changes) one answer while the campaign is open. Only the organisation's own
   * systems: another organisation's system fails exactly like an unknown one.
   */
  async answer(
    v: Viewer,
    a: AnswerInput,
  ): Promise<{ answer: CheckAnswer; previous: string | null; answered: number; total: number; campaign: Campaign }> {
    return this.db.tx(async (tx) => {
      const c = await visibleCampaign(tx, v, a.campaign);
      const sysId = parseId(a.system, 'SYS');
      const sys = sysId ? await tx.system.findUnique({ where: { id: sysId } }) : null;
      if (!sys || (!v.admin && sys.orgId !== v.org?.id)) throw new UserError('system.not_found', { system: a.system });
      const org = await tx.organization.findUniqueOrThrow({ where: { id: sys.orgId } });
      if (!audienceOf(c).includes(org.code)) throw new UserError('check.not_in_audience', { id: c.id, org: org.code });
      if (c.status !== 'open') throw new UserError('check.campaign_closed', { id: c.id });
      const itemId = foldCode(a.item).toUpperCase();
      if (!catalogItem(c.catalogVersion, itemId)) {
        throw new UserError('check.item_not_found', { item: a.item, version: c.catalogVersion });
      }
      const key = { campaignId: c.id, systemId: sys.id, itemId };
      const prev = await tx.checkAnswer.findUnique({ where: { campaignId_systemId_itemId: key } });
      const fields = {
        status: a.status,
        planned: a.planned,
        cost: a.cost,
        note: a.note,
        answeredBy: v.personId ?? 0,
        updatedAt: this.deps.clock.now(),
      };
      const answer = await tx.checkAnswer.upsert({
        where: { campaignId_systemId_itemId: key },
        create: { ...key, orgId: org.id, ...fields },
        update: fields,
      });
      await audit(
        this.deps,
        tx,
        v.identity,
        prev ? 'check.answer.change' : 'check.answer',
        `${c.id}/${sys.id}/${itemId}`,
        {
          status: a.status,
          previous: prev?.status ?? null,
          planned: a.planned?.toISOString() ?? null,
          cost: a.cost,
          note: a.note,
        },
      );
      const [progress] = await orgAnswers(tx, c, [org]);
      return {
        answer,
        previous: prev?.status ?? null,
        answered: progress?.answered ?? 0,
        total: progress?.total ?? 0,
        campaign: c,
      };
    });
  }

  /**
   * The laggard reminder (job `campaign:<CMP>:<n>d`): posts, in the job's transaction, to each
   * audience organisation not yet finished at fire time; a closed campaign skips.
   */
  readonly remindJob: JobHandler = async (tx, job, now) => {
    const id = String(job.args.campaign);
    const days = Number(job.args.daysBefore);
    const c = await tx.campaign.findUnique({ where: { id } });
    if (!c) return 'skipped';
    const answers = await orgAnswers(tx, c, await audienceOrgs(tx, c));
    // the reminder policy (src/domain/reminder-policy.ts): nothing once closed or past the due date
    const d = decide(
      CAMPAIGN_REMINDER_JOB,
      c,
      answers.map((a) => ({ complete: complete(a) })),
      now,
    );
    if (!d.send) return 'skipped';
    for (const [k, a] of answers.entries()) {
      if (d.actions[k] === 'none') continue;
      await postToOrg(
        this.deps,
        tx,
        a.org,
        (t) => ({
          blocks: [
            { kind: 'heading', text: t('check.reminder_title', { id, days }) },
            {
              kind: 'text',
              text:
                a.total === 0
                  ? t('check.reminder_no_systems', { due: formatDate(c.dueDate, postStyle(this.deps)) })
                  : t('check.reminder_body', {
                      due: formatDate(c.dueDate, postStyle(this.deps)),
                      answered: a.answered,
                      total: a.total,
                    }),
            },
            { kind: 'code', text: `/csirt check status ${id}` },
          ],
        }),
        job.id,
        { type: 'campaign', id },
      );
    }
    return 'done';
  };
}
