import * as z from 'zod';
import type { Block } from '../src/core/reply.ts';
import { reply } from '../src/core/reply.ts';
import { formatDateTime } from '../src/domain/dates.ts';
import { categoryLabel } from '../src/domain/incident-categories.ts';
import { defang } from '../src/domain/indicators.ts';
import { keyOf } from '../src/i18n/index.ts';
import { seesAll } from '../src/services/incident-access.ts';
import type { IocSighting } from '../src/services/incident-queries.ts';
import { type Ctx, defineCommand, type Group } from './types.ts';

function table(ctx: Ctx, list: IocSighting[]): Block {
  const t = ctx.t;
  return {
    kind: 'table',
    head: [
      t('incident.f.id'),
      t('incident.f.org'),
      t('incident.f.status'),
      t('incident.f.category'),
      t('incident.f.reported_at'),
    ],
    rows: list.map((s) => [
      s.id,
      s.org.code,
      t(keyOf('incident.status.', s.status)),
      categoryLabel(s.category, ctx.locale),
      formatDateTime(s.createdAt, ctx.dates),
    ]),
  };
}

export const iocGroup: Group = {
  name: 'ioc',
  aliases: ['指標'],
  summary: { ja: '指標（IoC）の確認', en: 'Indicators of compromise' },
  commands: [
    defineCommand({
      name: 'check',
      aliases: ['確認'],
      positional: ['value'],
      schema: z.object({ value: z.string().trim().min(1) }),
      access: ['poc', 'ciso', 'coordinator', 'approver'],
      summary: {
        ja: '指標がどの報告に含まれているかを確認します（閲覧できる範囲で）',
        en: 'Where an indicator has been seen, within what you may see',
      },
      usage: 'ioc check <value>',
      writes: false,
      async run(ctx, { value }) {
        const r = await ctx.services.incidentQueries.iocCheck(ctx.caller, value);
        const t = ctx.t;
        const blocks: Block[] = [
          { kind: 'heading', text: t('ioc.title', { indicator: `${r.indicator.type} ${defang(r.indicator.value)}` }) },
        ];
        const nothing = r.visible.length === 0 && r.otherOrgs === 0;
        if (nothing) {
          blocks.push({ kind: 'text', text: t('ioc.none') });
          return reply.of(blocks);
        }
        if (r.visible.length) blocks.push(table(ctx, r.visible));
        else blocks.push({ kind: 'text', text: t('ioc.own_none') });
        if (!seesAll(ctx.caller) && r.otherOrgs > 0) {
          blocks.push({ kind: 'text', text: t('ioc.others', { count: r.otherOrgs }) });
          if (r.attributed.length) {
            blocks.push({ kind: 'heading', text: t('ioc.attributed') }, table(ctx, r.attributed));
          }
        }
        return reply.of(blocks);
      },
    }),
  ],
};
