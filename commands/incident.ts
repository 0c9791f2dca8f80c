import * as z from 'zod';
import type { Block } from '../src/core/reply.ts';
import { reply } from '../src/core/reply.ts';
import { formatDateTime } from '../src/domain/dates.ts';
import { categoryLabel } from '../src/domain/incident-categories.ts';
import { formatTokyoIsoDate } from '../src/domain/tokyo-time.ts';
import { keyOf } from '../src/i18n/index.ts';
import { kindsWord } from '../src/services/advisory-format.ts';
import { marked, markMessage } from '../src/services/exercise.ts';
import { exportAttachment } from '../src/services/incident-export.ts';
import { eventText, incidentFields, tlpLabel } from '../src/services/incident-format.ts';
import {
  choice,
  incidentId,
  orgCode,
  plausibleAmount,
  plausibleTime,
  text,
  tokyoDay,
  wholeNumber,
  yesNo,
} from './args.ts';
import {
  category,
  contentArgs,
  finalFlag,
  handling,
  indicators,
  reportFields,
  severity,
  share,
  status,
  tlp,
} from './incident-args.ts';
import { deadlineLines, nextDueText, reportBlocks, updatedText } from './incident-render.ts';
import { confidentiality } from './inspection-args.ts';
import { type Ctx, defineCommand, type Group } from './types.ts';

const READERS = ['poc', 'ciso', 'coordinator', 'approver'] as const;
const WRITERS = ['poc', 'coordinator'] as const;

/**
 * The arguments of `incident list` for the next page: every filter the person gave, in its
 * canonical form, so that following the hint lists the same incidents (it used to keep only
 * `due=`, and page 2 of `category=scan` was page 2 of everything).
 */
function nextPageArgs(
  a: { status?: string; org?: string; category?: string; since?: Date; due?: string; exercise?: string },
  next: number,
): string {
  return [
    `page=${next}`,
    a.status && `status=${a.status}`,
    a.org && `org=${a.org}`,
    a.category && `category=${a.category}`,
    a.since && `since=${formatTokyoIsoDate(a.since)}`,
    a.due && `due=${a.due}`,
    a.exercise === 'yes' && 'exercise=yes',
  ]
    .filter(Boolean)
    .join(' ');
}

export const incidentGroup: Group = {
  name: 'incident',
  aliases: ['インシデント'],
  summary: { ja: 'インシデントの一覧・表示・更新', en: 'List, view and update incidents' },
  commands: [
    defineCommand({
      name: 'list',
      aliases: ['一覧'],
      schema: z.object({
        status: status.optional(),
        org: orgCode.optional(),
        category: category.optional(),
        since: plausibleTime(tokyoDay, 'pastDate').optional(),
        page: plausibleAmount(wholeNumber(), 'page').optional(),
        due: z
          .preprocess(
            (v) => (typeof v === 'string' ? v.trim().toLowerCase() : v),
            z.enum(['overdue', 'soon'], { error: 'input.due' }),
          )
          .optional(),
        exercise: yesNo.optional(),
      }),
      access: READERS,
      summary: { ja: 'インシデントの一覧を表示します（新しい順）', en: 'List incidents, newest first' },
      usage: 'incident list [status=…] [org=…] [category=…] [since=<date>] [page=N] [due=overdue|soon] [exercise=yes]',
      fields: {
        due: {
          ja: '報告期限: 期限を過ぎたもの（overdue）、24 時間以内に期限が来るもの（soon）',
          en: 'Reporting deadline (overdue, or soon: due within 24 hours)',
        },
        exercise: {
          ja: '訓練の報告のみを表示する場合: はい（yes）。指定しない場合、訓練の報告は表示・集計されません',
          en: 'Only exercise reports (yes); without it exercises are neither listed nor counted',
        },
      },
      writes: false,
      async run(ctx, a) {
        const r = await ctx.services.incidentQueries.list(ctx.caller, { ...a, exercise: a.exercise === 'yes' });
        if (r.total === 0) return reply.text(ctx.t('incident.list_empty'));
        const L = ctx.locale;
        const rows = r.rows.map((i) => [
          marked(ctx.t, i.exercise, i.id),
          i.org.code,
          ctx.t(keyOf('incident.status.', i.status)),
          categoryLabel(i.category, L),
          ctx.t(keyOf('incident.severity.', i.severity)),
          formatDateTime(i.createdAt, ctx.dates),
          [...i.summary].length > 30 ? `${[...i.summary].slice(0, 30).join('')}…` : i.summary,
          ...(a.due ? [nextDueText(ctx, i.clocks)] : []),
        ]);
        const t = ctx.t;
        const blocks: Block[] = [
          {
            kind: 'heading',
            text: marked(
              t,
              a.exercise === 'yes',
              t('incident.list_title', { total: r.total, page: r.page, pages: r.pages }),
            ),
          },
          {
            kind: 'table',
            head: [
              t('incident.f.id'),
              t('incident.f.org'),
              t('incident.f.status'),
              t('incident.f.category'),
              t('incident.f.severity'),
              t('incident.f.reported_at'),
              t('incident.f.summary'),
              ...(a.due ? [t('incident.f.next_due')] : []),
            ],
            rows,
          },
        ];
        if (r.page < r.pages)
          blocks.push({
            kind: 'context',
            text: t('incident.list_more', { args: nextPageArgs(a, r.page + 1) }),
          });
        return reply.of(blocks);
      },
    }),
    defineCommand({
      name: 'show',
      aliases: ['表示'],
      positional: ['id'],
      schema: z.object({ id: incidentId }),
      access: READERS,
      summary: { ja: 'インシデントの詳細と経過を表示します', en: 'Show an incident with its timeline' },
      usage: 'incident show <INC-id>',
      writes: false,
      async run(ctx, { id }) {
        const d = await ctx.services.incidentQueries.show(ctx.caller, id);
        const i = d.incident;
        const t = ctx.t;
        return reply.of(
          markMessage(t, i.exercise, {
            blocks: [
              {
                kind: 'heading',
                text: t('incident.show_title', {
                  id: i.id,
                  status: t(keyOf('incident.status.', i.status)),
                  stage: stageText(ctx, i.stage, i.updates),
                  tlp: tlpLabel(i.tlp),
                }),
              },
              {
                kind: 'fields',
                fields: [
                  ...incidentFields(i, d.indicators, t, ctx.dates),
                  [t('incident.f.status'), t(keyOf('incident.status.', i.status))],
                  [t('incident.f.stage'), stageText(ctx, i.stage, i.updates)],
                  [t('incident.f.reporter'), d.reporter],
                  [t('incident.f.reported_at'), formatDateTime(i.createdAt, ctx.dates)],
                ],
              },
              ...reportBlocks(ctx, i, d.clocks, d.basis),
              { kind: 'heading', text: t('incident.timeline') },
              {
                kind: 'table',
                head: [t('incident.f.at'), t('incident.f.by'), t('incident.f.event')],
                rows: d.events.map((e) => [formatDateTime(e.at, ctx.dates), e.actor, eventText(e, t, ctx.dates)]),
              },
            ],
          }).blocks,
        );
      },
    }),
    defineCommand({
      name: 'update',
      aliases: ['更新'],
      positional: ['id'],
      schema: z.object({
        id: incidentId,
        status: status.optional(),
        note: text(4000).optional(),
        ioc: indicators.optional(),
        severity: severity.optional(),
        share: share.optional(),
        tlp: tlp.optional(),
        confidentiality: confidentiality.optional(),
        handling: handling.optional(),
        ...contentArgs,
        final: finalFlag.optional(),
      }),
      access: WRITERS,
      summary: {
        ja: '続報・確報を送り、状態の変更や所見・指標の追加を行います',
        en: 'Send an update or the final report; change the status, add notes and indicators',
      },
      usage:
        'incident update <INC-id> [status=…] [note="…"] [ioc=<v>]… [severity=…] [share=…] [tlp=…] [confidentiality=1-3] [handling="…"] [awareness=<date-time>] [contact="…"] [found="…"] [damage="…"] [personal=…] [records=N] [hosts=N] [impact="…"] [cause="…"] [actions="…"] [plan="…"] [notified=…] [public=…] [final=yes]',
      fields: {
        status: {
          ja: '状態（トリアージ中（triaging）、封じ込め済み（contained）、対処完了（resolved）、終結（closed）、却下（rejected））',
          en: 'Status (triaging, contained, resolved, closed, rejected)',
        },
        note: { ja: '所見（経過の記録）', en: 'Note (for the timeline)' },
        ioc: reportFields.ioc,
        severity: reportFields.severity,
        share: reportFields.share,
        tlp: {
          ja: 'TLP（clear, green, amber, amber+strict, red）。変更すると、この報告を利用する注意喚起等は同意の確認に戻ります',
          en: 'TLP (clear, green, amber, amber+strict, red); a change sends the advisories using this report back to the consent step',
        },
        confidentiality: reportFields.confidentiality,
        handling: reportFields.handling,
        awareness: reportFields.awareness,
        contact: reportFields.contact,
        found: reportFields.found,
        damage: reportFields.damage,
        personal: reportFields.personal,
        records: reportFields.records,
        hosts: reportFields.hosts,
        impact: reportFields.impact,
        cause: reportFields.cause,
        actions: reportFields.actions,
        plan: reportFields.plan,
        notified: reportFields.notified,
        public: reportFields.public,
        final: {
          ja: '確報とする場合に指定: はい（yes）。報告元の組織の方のみ、必要な項目をすべて記入のうえ',
          en: 'Make it the final report (yes; the reporting organisation only, with every required item filled)',
        },
      },
      writes: true,
      async run(ctx, { id, ...input }) {
        const r = await ctx.services.incidents.update(ctx.caller, id, input);
        const lines = [
          ...(r.exercise ? [ctx.t('exercise.notice.incident')] : []),
          updatedText(ctx, r.id, r.changes, r.step),
          ...deadlineLines(ctx, r),
        ];
        if (r.reconsent.length > 0)
          lines.push(
            ctx.t('incident.advisories_reconsent', {
              ids: r.reconsent.map((x) => x.id).join(', '),
              kind: kindsWord(r.reconsent),
            }),
          );
        return reply.text(lines.join('\n'));
      },
    }),
    defineCommand({
      name: 'export',
      aliases: ['出力'],
      positional: ['id'],
      schema: z.object({
        id: incidentId,
        format: choice(['stix', 'misp']),
      }),
      access: READERS,
      summary: {
        ja: 'インシデントを STIX 2.1 または MISP 形式で出力します',
        en: 'Export an incident as STIX 2.1 or MISP',
      },
      usage: 'incident export <INC-id> format=stix|misp',
      fields: { format: { ja: '形式（stix, misp）', en: 'Format (stix, misp)' } },
      writes: false,
      async run(ctx, { id, format }) {
        const d = await ctx.services.incidentQueries.show(ctx.caller, id);
        return reply.of(
          [
            {
              kind: 'text',
              text: marked(
                ctx.t,
                d.incident.exercise,
                ctx.t('incident.exported', { id: d.incident.id, format: format.toUpperCase() }),
              ),
            },
          ],
          {
            attachments: [exportAttachment(d, ctx.caller, format)],
          },
        );
      },
    }),
  ],
};

/** 速報 / 第2報（続報） / 確報 */
function stageText(ctx: Ctx, stage: string, updates: number): string {
  return stage === 'update' ? ctx.t('incident.stage.nth', { n: updates }) : ctx.t(keyOf('incident.stage.', stage));
}
