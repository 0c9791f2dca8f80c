/** Turns the inspection views into portable replies: tables in chat, a PNG heatmap, CSV. */

import type { Attachment, Block, Reply } from '../src/core/reply.ts';
import { reply } from '../src/core/reply.ts';
import type { Area, Catalog } from '../src/domain/catalog.ts';
import { formatDate, formatFiscalYear } from '../src/domain/dates.ts';
import { fiscalYearOf } from '../src/domain/fiscal-year.ts';
import { keyOf } from '../src/i18n/index.ts';
import { renderHeatmap } from '../src/pictures/heatmap.ts';
import type { OrgStatus, PlanSide, PlanView, StatusView } from '../src/services/inspection-views.ts';
import type { Ctx } from './types.ts';

export const score = (n: number): string => n.toFixed(1);

export function yenText(n: number, locale: 'ja' | 'en'): string {
  const s = Math.round(n).toLocaleString('en-US');
  return locale === 'ja' ? `${s}円` : `¥${s}`;
}

function progress(answered: number, total: number): string {
  return total === 0 ? '0/0' : `${answered}/${total} (${Math.floor((100 * answered) / total)}%)`;
}

function heatmap(ctx: Ctx, c: { id: string; dueDate: Date }, orgs: readonly OrgStatus[], cat: Catalog): Attachment {
  const id = c.id;
  const L = ctx.locale;
  const png = renderHeatmap({
    title: ctx.t('check.heatmap_title', { id, year: formatFiscalYear(fiscalYearOf(c.dueDate), ctx.dates) }),
    rows: orgs.map((o) => ({ label: L === 'ja' ? o.org.nameJa : o.org.code.toUpperCase(), areas: o.risk.areas })),
    areaLabels: Object.fromEntries(cat.areas.map((a) => [a.id, L === 'ja' ? a.ja : a.short])) as Record<Area, string>,
    legend: ctx.t('check.area_residual'),
  });
  const suffix = orgs.length === 1 ? `-${orgs[0]?.org.code}` : '';
  return { filename: `${id}${suffix}-heatmap.png`, mime: 'image/png', data: png.toString('base64') };
}

export function renderStatus(ctx: Ctx, v: StatusView): Reply {
  const L = ctx.locale;
  const c = v.campaign;
  const state = ctx.t(keyOf('check.state_', c.status));
  if (v.kind === 'all') {
    const rows = v.orgs.map((o, i) => [
      String(i + 1),
      o.org.code,
      L === 'ja' ? o.org.nameJa : o.org.nameEn,
      String(o.systems.length),
      progress(o.answered, o.total),
      o.systems.length ? score(o.risk.score) : '-',
      o.systems.length ? score(o.risk.total) : '-',
    ]);
    const done = v.orgs.filter((o) => o.total > 0 && o.answered >= o.total).length;
    return reply.of(
      [
        { kind: 'heading', text: ctx.t('check.status_title', { id: c.id, state }) },
        {
          kind: 'text',
          text: ctx.t('check.status_summary', {
            due: formatDate(c.dueDate, ctx.dates),
            done,
            orgs: v.orgs.length,
            version: c.catalogVersion,
          }),
        },
        {
          kind: 'table',
          head: [
            ctx.t('check.rank'),
            ctx.t('org.code'),
            ctx.t('check.org_name'),
            ctx.t('check.systems'),
            ctx.t('check.completion'),
            ctx.t('check.risk_score'),
            ctx.t('check.risk_total'),
          ],
          rows,
        },
        { kind: 'context', text: ctx.t('check.risk_note') },
      ],
      { attachments: [heatmap(ctx, c, v.orgs, v.catalog)] },
    );
  }
  const o = v.org;
  const blocks: Block[] = [
    {
      kind: 'heading',
      text: ctx.t('check.status_org_title', { id: c.id, org: L === 'ja' ? o.org.nameJa : o.org.nameEn, state }),
    },
    {
      kind: 'fields',
      fields: [
        [ctx.t('check.due'), formatDate(c.dueDate, ctx.dates)],
        [ctx.t('check.completion'), progress(o.answered, o.total)],
        [ctx.t('check.risk_score'), o.systems.length ? score(o.risk.score) : '-'],
        [ctx.t('check.risk_total'), o.systems.length ? score(o.risk.total) : '-'],
      ],
    },
  ];
  if (o.systems.length === 0) {
    blocks.push({ kind: 'text', text: ctx.t('check.no_systems') });
    return reply.of(blocks);
  }
  blocks.push({
    kind: 'table',
    head: [
      ctx.t('system.id'),
      ctx.t('system.name'),
      ctx.t('system.confidentiality'),
      ctx.t('system.exposure'),
      ctx.t('check.completion'),
      ctx.t('check.area_residual'),
    ],
    rows: o.systems.map((s, i) => {
      const r = o.risk.systems[i];
      const n = Object.keys(o.profiles[i]?.answers ?? {}).length;
      return [
        s.id,
        s.name,
        String(s.confidentiality),
        ctx.t(keyOf('system.exposure_', s.exposure)),
        progress(n, v.catalog.items.length),
        r ? score(r.score) : '-',
      ];
    }),
  });
  blocks.push({
    kind: 'table',
    head: [ctx.t('check.area'), ctx.t('check.area_residual'), ...o.systems.map((s) => s.id)],
    rows: v.catalog.areas.map((a) => [
      L === 'ja' ? a.ja : a.en,
      score(o.risk.areas[a.id] ?? 0),
      ...o.risk.systems.map((r) => score(r.areas[a.id].score)),
    ]),
  });
  blocks.push({ kind: 'context', text: ctx.t('check.risk_note') });
  return reply.of(blocks, { attachments: [heatmap(ctx, c, [o], v.catalog)] });
}

function planTable(ctx: Ctx, p: PlanView, side: PlanSide): Block {
  const rows = [...side.plan.chosen]
    .sort((a, b) => b.reduction / b.cost - a.reduction / a.cost || b.reduction - a.reduction)
    .map((c) => {
      const it = p.catalog.items.find((x) => x.id === c.itemId);
      return [
        c.systemId,
        c.itemId,
        it ? ctx.t.fill(it[ctx.locale].title) : c.itemId,
        yenText(c.cost, ctx.locale),
        score(c.reduction),
        c.cost > 0 ? score((c.reduction * 1_000_000) / c.cost) : '∞',
      ];
    });
  return {
    kind: 'table',
    head: [
      ctx.t('system.id'),
      ctx.t('check.item'),
      ctx.t('check.item_title'),
      ctx.t('check.cost'),
      ctx.t('check.reduction'),
      ctx.t('check.per_million'),
    ],
    rows,
  };
}

function planTotals(ctx: Ctx, p: PlanView, side: PlanSide): Block {
  return {
    kind: 'fields',
    fields: [
      [ctx.t('check.total_cost'), `${yenText(side.plan.totalCost, ctx.locale)} / ${yenText(p.budget, ctx.locale)}`],
      [ctx.t('check.total_reduction'), score(side.plan.totalReduction)],
      [ctx.t('check.residual_change'), `${score(p.before)} → ${score(side.after)}`],
    ],
  };
}

export function renderPlan(ctx: Ctx, p: PlanView): Reply {
  const L = ctx.locale;
  const blocks: Block[] = [
    {
      kind: 'heading',
      text: ctx.t('check.plan_title', {
        org: L === 'ja' ? p.org.nameJa : p.org.nameEn,
        budget: yenText(p.budget, L),
      }),
    },
    {
      kind: 'context',
      text: ctx.t('check.plan_basis', { id: p.campaign.id, candidates: p.candidates, unanswered: p.unanswered }),
    },
  ];
  if (p.candidates === 0) {
    blocks.push({ kind: 'text', text: ctx.t('check.plan_nothing') });
    return reply.of(blocks);
  }
  if (p.exact.plan.chosen.length === 0) {
    blocks.push({ kind: 'text', text: ctx.t('check.plan_none_fits') });
    return reply.of(blocks);
  }
  blocks.push({ kind: 'text', text: ctx.t('check.plan_exact', { count: p.exact.plan.chosen.length }) });
  blocks.push(planTable(ctx, p, p.exact), planTotals(ctx, p, p.exact));
  if (p.differs) {
    blocks.push({
      kind: 'text',
      text: ctx.t('check.plan_greedy_differs', {
        count: p.greedy.plan.chosen.length,
        reduction: score(p.greedy.plan.totalReduction),
        exact: score(p.exact.plan.totalReduction),
      }),
    });
    blocks.push(planTable(ctx, p, p.greedy), planTotals(ctx, p, p.greedy));
  } else {
    blocks.push({ kind: 'context', text: ctx.t('check.plan_greedy_same') });
  }
  if (!p.exact.plan.exact) blocks.push({ kind: 'context', text: ctx.t('check.plan_not_proven') });
  blocks.push({ kind: 'context', text: ctx.t('check.plan_note') });
  return reply.of(blocks);
}
