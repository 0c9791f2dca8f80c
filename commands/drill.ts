import * as z from 'zod';
import { type Block, reply } from '../src/core/reply.ts';
import type { CsvCell } from '../src/domain/csv.ts';
import { toCsv } from '../src/domain/csv.ts';
import { formatDateTime } from '../src/domain/dates.ts';
import {
  DRILL_WINDOWS_MIN,
  elapsedText,
  type OrgReach,
  percent,
  reachCount,
  reachedWithin,
  reachRate,
} from '../src/domain/drill.ts';
import type { DrillOrgView, DrillView } from '../src/services/drills.ts';
import { anId, orgList } from './args.ts';
import { type Ctx, defineCommand, type Group } from './types.ts';

const drillId = anId('DRL');
const MIN = 60_000;

function name(ctx: Ctx, o: DrillOrgView): string {
  return ctx.locale === 'ja' ? o.nameJa : o.nameEn;
}

function firstText(ctx: Ctx, r: OrgReach): string {
  if (r.kind === 'no-poc') return ctx.t('drill.no_poc');
  if (r.kind === 'unanswered') return ctx.t('drill.unanswered');
  return elapsedText(r.firstMs);
}

function rates(ctx: Ctx, v: DrillView): string[] {
  const reaches = v.orgs.map((o) => o.reach);
  return DRILL_WINDOWS_MIN.map((min) => {
    const { reached, total } = reachCount(reaches, min * MIN);
    return ctx.t('drill.rate', { min, percent: percent(reachRate(reaches, min * MIN)), reached, total });
  });
}

function who(o: DrillOrgView): string {
  return o.checks
    .filter((c) => c.afterMs !== null && c.identity)
    .sort((a, b) => (a.afterMs ?? 0) - (b.afterMs ?? 0))
    .map((c) => `${c.identity} (${elapsedText(c.afterMs ?? 0)})`)
    .join(', ');
}

function statusBlocks(ctx: Ctx, v: DrillView): Block[] {
  const yes = (b: boolean) => ctx.t(b ? 'drill.yes' : 'drill.no');
  return [
    {
      kind: 'heading',
      text: ctx.t('drill.status_title', {
        id: v.drill.id,
        at: formatDateTime(v.drill.startedAt, ctx.dates),
        open: ctx.t(v.open ? 'drill.open' : 'drill.closed_state'),
      }),
    },
    { kind: 'text', text: rates(ctx, v).join('\n') },
    {
      kind: 'table',
      head: [
        ctx.t('drill.col.org'),
        ctx.t('drill.col.pocs'),
        ctx.t('drill.col.answered'),
        ctx.t('drill.col.first'),
        ...DRILL_WINDOWS_MIN.map((min) => ctx.t('drill.col.within', { min })),
        ctx.t('drill.col.who'),
      ],
      rows: v.orgs.map((o) => [
        `${o.code} ${name(ctx, o)}`,
        String(o.checks.length),
        String(o.checks.filter((c) => c.afterMs !== null).length),
        firstText(ctx, o.reach),
        ...DRILL_WINDOWS_MIN.map((min) => yes(reachedWithin(o.reach, min * MIN))),
        who(o) || '-',
      ]),
    },
  ];
}

function historyBlocks(ctx: Ctx, views: DrillView[]): Block[] {
  return [
    { kind: 'heading', text: ctx.t('drill.history_title') },
    {
      kind: 'table',
      head: [
        ctx.t('drill.col.id'),
        ctx.t('drill.col.started'),
        ctx.t('drill.col.orgs'),
        ...DRILL_WINDOWS_MIN.map((min) => ctx.t('drill.col.within', { min })),
      ],
      rows: views.map((v) => {
        const reaches = v.orgs.map((o) => o.reach);
        return [
          v.drill.id,
          formatDateTime(v.drill.startedAt, ctx.dates),
          String(v.orgs.length),
          ...DRILL_WINDOWS_MIN.map((min) => {
            const { reached, total } = reachCount(reaches, min * MIN);
            return `${percent(reachRate(reaches, min * MIN))} (${reached}/${total})`;
          }),
        ];
      }),
    },
  ];
}

/** The export's rows: one per PoC sent to, one per organisation, one for the whole drill. */
function csvRows(ctx: Ctx, v: DrillView): CsvCell[][] {
  const t = ctx.t;
  const started = formatDateTime(v.drill.startedAt, ctx.dates);
  const within = (r: OrgReach) =>
    DRILL_WINDOWS_MIN.map((min) => t(reachedWithin(r, min * MIN) ? 'drill.yes' : 'drill.no'));
  const rows: CsvCell[][] = [
    [
      t('drill.id'),
      t('drill.csv.row'),
      t('drill.csv.org_code'),
      t('drill.csv.org_name'),
      t('drill.csv.person'),
      t('drill.csv.position'),
      t('drill.csv.started'),
      t('drill.csv.answered'),
      t('drill.csv.seconds'),
      ...DRILL_WINDOWS_MIN.map((min) => t('drill.csv.within', { min })),
      t('drill.csv.note'),
    ],
  ];
  for (const o of v.orgs) {
    for (const c of o.checks) {
      const r: OrgReach =
        c.afterMs === null
          ? { kind: 'unanswered', pocs: 1 }
          : { kind: 'answered', pocs: 1, answered: 1, firstMs: c.afterMs };
      rows.push([
        v.drill.id,
        t('drill.csv.kind.poc'),
        o.code,
        name(ctx, o),
        c.identity || null,
        c.position === 'primary' || c.position === 'deputy' ? t(`drill.position.${c.position}`) : null,
        started,
        c.answeredAt ? formatDateTime(c.answeredAt, ctx.dates) : null,
        c.afterMs === null ? null : Math.floor(c.afterMs / 1000),
        ...within(r),
        c.afterMs === null ? t('drill.unanswered') : null,
      ]);
    }
  }
  for (const o of v.orgs) {
    const r = o.reach;
    rows.push([
      v.drill.id,
      t('drill.csv.kind.org'),
      o.code,
      name(ctx, o),
      null,
      null,
      started,
      null,
      r.kind === 'answered' ? Math.floor(r.firstMs / 1000) : null,
      ...within(r),
      r.kind === 'answered' ? null : firstText(ctx, r),
    ]);
  }
  const reaches = v.orgs.map((o) => o.reach);
  rows.push([
    v.drill.id,
    t('drill.csv.kind.total'),
    null,
    null,
    null,
    null,
    started,
    null,
    null,
    ...DRILL_WINDOWS_MIN.map((min) => {
      const { reached, total } = reachCount(reaches, min * MIN);
      return `${percent(reachRate(reaches, min * MIN))} (${reached}/${total})`;
    }),
    rates(ctx, v).join(' / '),
  ]);
  return rows;
}

export const drillGroup: Group = {
  name: 'drill',
  aliases: ['疎通確認'],
  summary: {
    ja: '疎通確認（窓口担当者への到達の確認と到達率）',
    en: 'Reachability drills (checking that PoCs can be reached, and the reach rate)',
  },
  commands: [
    defineCommand({
      name: 'reach',
      aliases: ['開始'],
      schema: z.object({ orgs: orgList.optional() }),
      access: ['coordinator'],
      summary: {
        ja: '対象組織の全ての窓口担当者に、ワンクリックで回答できる疎通確認を送付します',
        en: 'Send every PoC of the organisations a check they answer with one click',
      },
      usage: 'drill reach [orgs=all|<org>,…]',
      fields: {
        orgs: {
          ja: '対象: all（{coordinator}以外の全組織）または組織コードのカンマ区切り（既定 all）',
          en: 'Organisations: all (every one but the {coordinator}) or codes, comma-separated (default all)',
        },
      },
      writes: true,
      async run(ctx, a) {
        const r = await ctx.services.drills.reach(ctx.caller, a.orgs ?? 'all');
        const lines = [ctx.t('drill.reached', { id: r.drill.id, orgs: r.orgs, pocs: r.pocs })];
        if (r.noPoc.length) lines.push(ctx.t('drill.reached_no_poc', { list: r.noPoc.join(', ') }));
        return reply.text(lines.join('\n'));
      },
    }),
    defineCommand({
      name: 'answer',
      aliases: ['回答'],
      positional: ['id'],
      schema: z.object({ id: drillId }),
      access: ['poc'],
      summary: {
        ja: '疎通確認に受信を回答します（送付を受けたご本人のみ）',
        en: 'Confirm receipt of a reachability check (only the person it was sent to)',
      },
      usage: 'drill answer <DRL-id>',
      writes: true,
      async run(ctx, a) {
        const r = await ctx.services.drills.answer(ctx.caller, a.id);
        return reply.text(
          ctx.t(r.again ? 'drill.answer_again' : 'drill.answer_done', {
            id: r.drill.id,
            elapsed: elapsedText(r.afterMs),
          }),
        );
      },
    }),
    defineCommand({
      name: 'status',
      aliases: ['結果'],
      positional: ['id'],
      schema: z.object({ id: drillId.optional() }),
      access: ['coordinator'],
      summary: {
        ja: '疎通確認の回答状況と到達率（15分・60分以内）を、過去の疎通確認と比べて表示します',
        en: 'Who answered a drill and how fast, the reach rate within 15 and 60 minutes, and earlier drills',
      },
      usage: 'drill status [<DRL-id>]',
      writes: false,
      async run(ctx, a) {
        const r = await ctx.services.drills.status(ctx.caller, a.id);
        if (!r) return reply.text(ctx.t('drill.none'));
        const blocks = statusBlocks(ctx, r.view);
        if (r.earlier.length) blocks.push(...historyBlocks(ctx, [r.view, ...r.earlier]));
        return reply.of(blocks);
      },
    }),
    defineCommand({
      name: 'export',
      aliases: ['出力'],
      positional: ['id'],
      schema: z.object({ id: drillId }),
      access: ['coordinator'],
      summary: { ja: '疎通確認の結果を CSV で出力します', en: 'Export the results of a drill as CSV' },
      usage: 'drill export <DRL-id>',
      writes: false,
      async run(ctx, a) {
        const v = await ctx.services.drills.exportView(ctx.caller, a.id);
        const rows = csvRows(ctx, v);
        return reply.of([{ kind: 'text', text: ctx.t('drill.exported', { id: v.drill.id, count: rows.length - 1 }) }], {
          attachments: [
            {
              filename: `${v.drill.id}.csv`,
              mime: 'text/csv',
              data: Buffer.from(toCsv(rows), 'utf8').toString('base64'),
            },
          ],
        });
      },
    }),
  ],
};
