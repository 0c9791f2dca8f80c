import * as z from 'zod';
import { UserError } from '../src/core/errors.ts';
import { reply } from '../src/core/reply.ts';
import { formatDate } from '../src/domain/dates.ts';
import { outsideTime } from '../src/domain/plausible.ts';
import { parseTokyoDate } from '../src/domain/tokyo-time.ts';
import { deadlineOf } from '../src/services/readiness.ts';
import { orgCode, outOfRange, text } from './args.ts';
import { type Ctx, defineCommand, type Group } from './types.ts';

async function user(ctx: Ctx, ref: string | undefined): Promise<string | undefined> {
  if (ref === undefined) return undefined;
  const id = await ctx.refs.user(ref);
  if (!id) throw new UserError('poc.bad_user', { user: ref });
  return id;
}

const SET_USAGE =
  'csirt set [org=<org>] [established=<date>] [primary=<user>] [deputy=<user>] [contact="…"] [hours="…"]';

export const csirtGroup: Group = {
  name: 'csirt',
  aliases: ['体制'],
  summary: { ja: 'CSIRT 体制（整備期限: 年度末）', en: 'CSIRT readiness (deadline: fiscal-year end)' },
  commands: [
    defineCommand({
      name: 'set',
      aliases: ['設定'],
      schema: z.object({
        org: orgCode.optional(),
        established: z.string().trim().min(1).optional(),
        primary: z.string().trim().min(1).optional(),
        deputy: z.string().trim().min(1).optional(),
        contact: text(500).optional(),
        hours: text(200).optional(),
      }),
      access: ['poc', 'coordinator'],
      summary: {
        ja: 'CSIRT 体制を登録・更新します（窓口担当は自組織、{coordinator}は org= で各組織）',
        en: "Record a CSIRT's readiness (a PoC their own organisation; the {coordinator} any with org=)",
      },
      usage: SET_USAGE,
      fields: {
        established: { ja: 'CSIRT の設置日（YYYY-MM-DD）', en: 'Date the CSIRT was established (YYYY-MM-DD)' },
        primary: { ja: '窓口担当（正）', en: 'Primary contact' },
        deputy: { ja: '窓口担当（副）', en: 'Deputy contact' },
      },
      writes: true,
      async run(ctx, a) {
        let established: Date | undefined;
        if (a.established !== undefined) {
          const d = parseTokyoDate(a.established);
          if (!d.ok) throw new UserError(d.code, { input: d.input });
          const out = outsideTime('establishedDate', d.value, ctx.clock.now());
          if (out) throw outOfRange(ctx.t, 'established', 'establishedDate', out, SET_USAGE);
          established = d.value;
        }
        const row = await ctx.services.readiness.set(ctx.caller, a.org, {
          established,
          primary: await user(ctx, a.primary),
          deputy: await user(ctx, a.deputy),
          contact: a.contact,
          hours: a.hours,
        });
        return reply.text(
          ctx.t('csirt.set_done', { org: row.org.code, ready: ctx.t(row.ready ? 'csirt.ready' : 'csirt.not_ready') }),
        );
      },
    }),
    defineCommand({
      name: 'status',
      aliases: ['状況'],
      schema: z.object({}),
      access: 'registered',
      summary: {
        ja: 'CSIRT 体制の整備状況を整備期限と併せて表示します',
        en: 'Show CSIRT readiness against the deadline',
      },
      usage: 'csirt status',
      writes: false,
      async run(ctx) {
        const rows = await ctx.services.readiness.status(ctx.caller);
        const { deadline, daysLeft } = deadlineOf(ctx.clock.now());
        const t = ctx.t;
        const table = rows.map((r) => [
          r.org.code,
          r.record?.established ? formatDate(r.record.established, ctx.dates) : t('csirt.not_established'),
          r.primary ?? '-',
          r.deputy ?? '-',
          r.record?.contact ?? '-',
          r.record?.hours ?? '-',
          t(r.ready ? 'csirt.ready' : 'csirt.not_ready'),
        ]);
        return reply.of([
          {
            kind: 'heading',
            text: t('csirt.status_title', { deadline: formatDate(deadline, ctx.dates), days: daysLeft }),
          },
          {
            kind: 'text',
            text: t('csirt.status_summary', { ready: rows.filter((r) => r.ready).length, total: rows.length }),
          },
          {
            kind: 'table',
            head: [
              t('org.code'),
              t('csirt.field.established'),
              t('csirt.field.primary'),
              t('csirt.field.deputy'),
              t('csirt.field.contact'),
              t('csirt.field.hours'),
              t('csirt.field.ready'),
            ],
            rows: table,
          },
          { kind: 'context', text: t('csirt.ready_rule') },
        ]);
      },
    }),
  ],
};
