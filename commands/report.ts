import * as z from 'zod';
import { reply } from '../src/core/reply.ts';
import { anId, occurredNotAfterDetected, orgCode, plausibleTime, text, tokyoDateTime, yesNo } from './args.ts';
import {
  category,
  contentArgs,
  handling,
  indicators as iocList,
  reportFields,
  reportGroups,
  severity,
  share,
  tlp,
} from './incident-args.ts';
import { deadlineLines } from './incident-render.ts';
import { confidentiality } from './inspection-args.ts';
import { defineCommand, type Group } from './types.ts';

export const reportGroup: Group = {
  name: 'report',
  aliases: ['報告'],
  summary: { ja: 'インシデントを{coordinator}に報告します', en: 'Report an incident to the {coordinator}' },
  commands: [
    defineCommand({
      name: null,
      schema: z
        .object({
          category,
          summary: text(2000),
          severity: severity.optional(),
          tlp: tlp.optional(),
          share: share.optional(),
          confidentiality: confidentiality.optional(),
          handling: handling.optional(),
          system: anId('SYS').optional(),
          detected: plausibleTime(tokyoDateTime, 'incidentTime').optional(),
          occurred: plausibleTime(tokyoDateTime, 'incidentTime').optional(),
          ioc: iocList.optional(),
          org: orgCode.optional(),
          exercise: yesNo.optional(),
          ...contentArgs,
        })
        .superRefine(occurredNotAfterDetected),
      access: ['poc', 'coordinator'],
      summary: { ja: 'インシデントを報告します（速報）', en: 'Report an incident (quick report)' },
      usage:
        'report category=<c> summary="…" [severity=…] [tlp=…] [share=…] [confidentiality=1-3] [handling="…"] [system=SYS-…] [detected=<date-time>] [occurred=…] [actions="…"] [ioc=<v>]… [org=<org>] [awareness=<date-time>] [contact="…"] [found="…"] [damage="…"] [personal=none|yes|unknown] [records=N] [hosts=N] [impact="…"] [cause="…"] [plan="…"] [notified=police,ppc,jpcert,other] [public=yes|no|undecided] [exercise=yes]',
      fields: {
        ...reportFields,
        exercise: {
          ja: '訓練として報告する場合: はい（yes）。投稿・返信・出力のすべてに【訓練】と表示され、集計や指標の照合には含まれません',
          en: 'Report as an exercise (yes): every post, reply and export is marked [EXERCISE]; never counted or correlated',
        },
      },
      form: true,
      groups: reportGroups,
      writes: true,
      async run(ctx, a) {
        const r = await ctx.services.incidents.report(ctx.caller, { ...a, exercise: a.exercise === 'yes' });
        return reply.text(
          [
            ...(r.exercise ? [ctx.t('exercise.notice.incident')] : []),
            r.onBehalf
              ? ctx.t('report.done_on_behalf', {
                  id: r.id,
                  count: r.indicators,
                  org: ctx.locale === 'ja' ? r.onBehalf.nameJa : r.onBehalf.nameEn,
                })
              : ctx.t('report.done', { id: r.id, count: r.indicators }),
            ...deadlineLines(ctx, r),
          ].join('\n'),
        );
      },
    }),
  ],
};
