import * as z from 'zod';
import { UserError } from '../src/core/errors.ts';
import { reply } from '../src/core/reply.ts';
import type { Role } from '../src/core/roles.ts';
import { CatalogError, catalog, catalogVersions } from '../src/domain/catalog.ts';
import { toCsv } from '../src/domain/csv.ts';
import { formatDate } from '../src/domain/dates.ts';
import { outsideTime } from '../src/domain/plausible.ts';
import { parseTokyoDate, tokyoEndOfDay } from '../src/domain/tokyo-time.ts';
import { keyOf } from '../src/i18n/index.ts';
import { viewerOf } from '../src/services/inspection-data.ts';
import {
  anId,
  choice,
  orgCode,
  orgList,
  outOfRange,
  plausibleAmount,
  plausibleTime,
  text,
  wholeNumber,
} from './args.ts';
import { renderPlan, renderStatus, yenText } from './check-render.ts';
import { answerStatus, tokyoDate, yen } from './inspection-args.ts';
import { type Ctx, defineCommand, type Group } from './types.ts';

/** Who may read inspection results: a ministry's PoC and CISO (their own), NISC (all). */
const READERS: readonly Role[] = ['poc', 'ciso', 'coordinator', 'approver'];
const CAMPAIGN_USAGE = 'check campaign open due=<date> [audience=all|<org>,…] | close <CMP-id> | list';

function requireCoordinator(ctx: Ctx, action: string): void {
  if (!ctx.caller.roles.has('admin') && !ctx.caller.roles.has('coordinator')) {
    throw new UserError('auth.forbidden', { command: `check campaign ${action}` });
  }
}

export const checkGroup: Group = {
  name: 'check',
  aliases: ['点検'],
  summary: { ja: '標的型攻撃対策の点検', en: 'Inspections of targeted-attack countermeasures' },
  commands: [
    defineCommand({
      name: 'catalog',
      aliases: ['項目'],
      schema: z.object({
        version: wholeNumber().optional(),
      }),
      access: 'registered',
      summary: { ja: '対策項目の一覧を表示します', en: 'Show the countermeasure catalogue' },
      usage: 'check catalog [version=N]',
      writes: false,
      async run(ctx, a) {
        let cat: ReturnType<typeof catalog>;
        try {
          cat = catalog(a.version);
        } catch (e) {
          if (!(e instanceof CatalogError)) throw e;
          throw new UserError('check.catalog_version', {
            version: a.version ?? '-',
            versions: catalogVersions.join(', '),
          });
        }
        const L = ctx.locale;
        const area = new Map(cat.areas.map((x) => [x.id, L === 'ja' ? x.ja : x.en]));
        return reply.of([
          {
            kind: 'heading',
            text: ctx.t('check.catalog_title', {
              version: cat.version,
              published: cat.published,
              items: cat.items.length,
            }),
          },
          {
            kind: 'table',
            head: [ctx.t('check.item'), ctx.t('check.area'), ctx.t('check.item_title'), ctx.t('check.typical_cost')],
            rows: cat.items.map((it) => [
              it.id,
              area.get(it.area) ?? it.area,
              ctx.t.fill(it[L].title),
              yenText(it.typicalCost, L),
            ]),
          },
        ]);
      },
    }),
    defineCommand({
      name: 'campaign',
      aliases: ['実施'],
      positional: ['action', 'id'],
      // due stays text here so that a ministry's PoC is refused for the role before the value is read
      schema: z.object({
        action: choice(['open', 'close', 'list']),
        id: z.string().optional(),
        due: z.string().optional(),
        audience: z.string().optional(),
      }),
      access: 'registered',
      summary: {
        ja: '点検を開始・終了し、一覧を表示します（開始・終了は{coordinator}）',
        en: 'Open, close and list inspection campaigns (open and close: the {coordinator})',
      },
      usage: CAMPAIGN_USAGE,
      fields: {
        due: { ja: '回答期限（YYYY-MM-DD）', en: 'due date (YYYY-MM-DD)' },
        audience: { ja: 'all または組織コード（カンマ区切り）', en: 'all or organisation codes (comma-separated)' },
      },
      writes: true,
      async run(ctx, a) {
        const v = viewerOf(ctx.caller);
        const extra = (words: string) => new UserError('input.extra_words', { words, usage: CAMPAIGN_USAGE });
        if (a.action === 'open') {
          requireCoordinator(ctx, 'open');
          if (a.id) throw extra(a.id);
          if (!a.due) throw new UserError('input.missing_fields', { fields: 'due', usage: CAMPAIGN_USAGE });
          const d = parseTokyoDate(a.due);
          if (!d.ok)
            throw d.code === 'date.weekday'
              ? new UserError(d.code, { input: d.input })
              : new UserError('check.bad_due', { due: a.due });
          const out = outsideTime('campaignDue', d.value, ctx.clock.now());
          if (out) throw outOfRange(ctx.t, 'due', 'campaignDue', out, CAMPAIGN_USAGE);
          const list = orgList.safeParse(a.audience ?? 'all');
          if (!list.success) throw new UserError('check.audience_unknown', { orgs: a.audience ?? '' });
          const audience = list.data;
          const r = await ctx.services.inspections.openCampaign(v, tokyoEndOfDay(d.value), audience);
          return reply.text(
            ctx.t('check.opened', {
              id: r.campaign.id,
              due: formatDate(r.campaign.dueDate, ctx.dates),
              orgs: r.orgs.length,
              version: r.campaign.catalogVersion,
              reminders:
                r.reminders.map((x) => formatDate(x, ctx.dates)).join(ctx.locale === 'ja' ? '、' : ', ') || '-',
            }),
          );
        }
        if (a.due || a.audience) throw extra(a.due ? `due=${a.due}` : 'audience=…');
        if (a.action === 'close') {
          requireCoordinator(ctx, 'close');
          if (!a.id) throw new UserError('input.missing_fields', { fields: '<CMP-id>', usage: CAMPAIGN_USAGE });
          const c = await ctx.services.inspections.closeCampaign(v, a.id);
          return reply.text(ctx.t('check.closed', { id: c.id }));
        }
        if (a.id) throw extra(a.id);
        const list = await ctx.services.inspections.listCampaigns(v);
        if (list.length === 0) return reply.text(ctx.t('check.none'));
        return reply.of([
          { kind: 'heading', text: ctx.t('check.list_title', { count: list.length }) },
          {
            kind: 'table',
            head: [
              ctx.t('check.id'),
              ctx.t('check.state'),
              ctx.t('check.due'),
              ctx.t('check.version'),
              ctx.t('check.audience'),
              ctx.t('check.completion'),
            ],
            rows: list.map((x) => [
              x.campaign.id,
              ctx.t(keyOf('check.state_', x.campaign.status)),
              formatDate(x.campaign.dueDate, ctx.dates),
              String(x.campaign.catalogVersion),
              String(x.orgs),
              x.total ? `${x.answered}/${x.total} (${Math.floor((100 * x.answered) / x.total)}%)` : '0/0',
            ]),
          },
        ]);
      },
    }),
    defineCommand({
      name: 'answer',
      aliases: ['回答'],
      positional: ['campaign'],
      schema: z.object({
        campaign: anId('CMP'),
        system: anId('SYS'),
        item: z.string().trim().min(1),
        status: answerStatus,
        planned: plausibleTime(tokyoDate, 'plannedDate').optional(),
        cost: plausibleAmount(yen, 'cost').optional(),
        note: text(1000).optional(),
      }),
      access: ['poc'],
      summary: { ja: '重要システムごとに対策項目へ回答します', en: 'Answer a countermeasure item for a system' },
      usage:
        'check answer <CMP-id> system=<SYS-id> item=<item id> status=implemented|partial|missing|na [planned=<date>] [cost=<yen>] [note="…"]',
      fields: {
        status: {
          ja: '回答（実施済み（implemented）、一部実施（partial）、未実施（missing）、対象外（na））',
          en: 'Answer (implemented, partial, missing, na: not applicable)',
        },
        planned: { ja: '実施予定日（YYYY-MM-DD）', en: 'planned date (YYYY-MM-DD)' },
        cost: { ja: '概算費用（円）', en: 'estimated cost (yen)' },
      },
      writes: true,
      async run(ctx, a) {
        const r = await ctx.services.inspections.answer(viewerOf(ctx.caller), {
          campaign: a.campaign,
          system: a.system,
          item: a.item,
          status: a.status,
          planned: a.planned ?? null,
          cost: a.cost ?? null,
          note: a.note ?? null,
        });
        const it = catalog(r.campaign.catalogVersion).items.find((x) => x.id === r.answer.itemId);
        const status = ctx.t(keyOf('check.status_', r.answer.status));
        return reply.text(
          ctx.t(r.previous ? 'check.answer_changed' : 'check.answered', {
            id: r.campaign.id,
            system: r.answer.systemId,
            item: r.answer.itemId,
            title: it ? ctx.t.fill(it[ctx.locale].title) : r.answer.itemId,
            status,
            previous: r.previous ? ctx.t(keyOf('check.status_', r.previous)) : '-',
            answered: r.answered,
            total: r.total,
          }),
        );
      },
    }),
    defineCommand({
      name: 'status',
      aliases: ['状況'],
      positional: ['campaign'],
      schema: z.object({ campaign: anId('CMP').optional(), org: orgCode.optional() }),
      access: READERS,
      summary: {
        ja: '回答状況と残存リスクを表示します（CISO 向けの表示を含みます）',
        en: 'Completion and residual risk (including the CISO view)',
      },
      usage: 'check status [<CMP-id>] [org=<org>]',
      writes: false,
      async run(ctx, a) {
        return renderStatus(ctx, await ctx.services.inspectionViews.status(viewerOf(ctx.caller), a.campaign, a.org));
      },
    }),
    defineCommand({
      name: 'plan',
      aliases: ['投資計画'],
      schema: z.object({ budget: plausibleAmount(yen, 'budget'), org: orgCode.optional() }),
      access: READERS,
      summary: {
        ja: '予算内で残存リスクを最も減らす対策の組合せを、投資計画（案）として示します',
        en: 'The countermeasures that remove the most residual risk within a budget',
      },
      usage: 'check plan budget=<yen> [org=<org>]',
      fields: {
        budget: { ja: '予算額（円）', en: 'budget (yen)' },
        org: {
          ja: '組織コード（{coordinator}の方は必須）',
          en: 'organisation code (required for staff of the {coordinator})',
        },
      },
      writes: false,
      async run(ctx, a) {
        return renderPlan(ctx, await ctx.services.inspectionViews.plan(viewerOf(ctx.caller), a.budget, a.org));
      },
    }),
    defineCommand({
      name: 'export',
      aliases: ['出力'],
      positional: ['campaign'],
      schema: z.object({ campaign: anId('CMP') }),
      access: READERS,
      summary: { ja: '回答を CSV で出力します', en: 'Export the answers as CSV' },
      usage: 'check export <CMP-id>',
      writes: false,
      async run(ctx, a) {
        const v = viewerOf(ctx.caller);
        const r = await ctx.services.inspectionViews.exportRows(v, a.campaign, ctx.dates);
        const suffix = v.nisc ? '' : `-${v.org?.code ?? ''}`;
        return reply.of([{ kind: 'text', text: ctx.t('check.exported', { id: r.campaign.id, count: r.count }) }], {
          attachments: [
            {
              filename: `${r.campaign.id}${suffix}.csv`,
              mime: 'text/csv',
              data: Buffer.from(toCsv(r.rows), 'utf8').toString('base64'),
            },
          ],
        });
      },
    }),
  ],
};
