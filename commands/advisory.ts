import * as z from 'zod';
import { UserError } from '../src/core/errors.ts';
import { type Block, type Reply, reply } from '../src/core/reply.ts';
import { parseKind } from '../src/domain/advisory-kind.ts';
import { ADVISORY_STATUSES } from '../src/domain/advisory-status.ts';
import { formatDateTime } from '../src/domain/dates.ts';
import { isTlp, type Tlp, tlpLabel } from '../src/domain/tlp.ts';
import { kindText, statusText } from '../src/services/advisory-format.ts';
import { marked, markMessage } from '../src/services/exercise.ts';
import { markFields } from '../src/services/marks-format.ts';
import { anId, choice, csv, orgList, text, yesNo } from './args.ts';
import { handling, reportFields } from './incident-args.ts';
import { confidentiality } from './inspection-args.ts';
import { type Ctx, defineCommand, type Group } from './types.ts';

const advId = anId('ADV');
const severity = choice(['low', 'medium', 'high', 'critical']);
const tlp = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => isTlp(v), 'input.tlp');
/** 注意喚起 (`warning`) or 情報提供 (`info`), as a code or its Japanese word */
const kind = z.string().transform((v, ctx) => {
  const k = parseKind(v);
  if (k) return k;
  ctx.addIssue({ code: 'custom', message: 'input.kind' });
  return z.NEVER;
});
async function people(ctx: Ctx, refs: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const r of refs) {
    const id = await ctx.refs.user(r);
    if (!id) throw new UserError('poc.bad_user', { user: r });
    out.push(id);
  }
  return out;
}

const COORD = ['coordinator'] as const;
const APPROVER = ['approver'] as const;
const POC = ['poc'] as const;

export const advisoryGroup: Group = markExerciseReplies({
  name: 'advisory',
  aliases: ['注意喚起'],
  summary: {
    ja: '注意喚起等（同意・承認・配信・受領確認）',
    en: 'Advisories (consent, approval, delivery, acknowledgement)',
  },
  commands: [
    defineCommand({
      name: 'draft',
      aliases: ['起案'],
      schema: z.object({
        title: text(200),
        body: text(4000),
        severity,
        tlp,
        audience: orgList.optional(),
        sources: csv.optional(),
        recipients: csv.optional(),
        kind: kind.optional(),
        confidentiality: confidentiality.optional(),
        handling: handling.optional(),
        exercise: yesNo.optional(),
      }),
      access: COORD,
      summary: { ja: '注意喚起または情報提供を起案します', en: 'Draft an advisory (a warning or information)' },
      usage:
        'advisory draft title="…" body="…" severity=… tlp=… audience=all|<org>,<org>… [sources=<INC-id>,…] [recipients=<user>,…] [kind=warning|info] [confidentiality=1-3] [handling="…"] [exercise=yes]',
      fields: {
        exercise: {
          ja: '訓練として起案する場合: はい（yes）。配信・返信・メールのすべてに【訓練】と表示され、集計には含まれません。情報提供元は訓練の報告に限ります',
          en: 'Draft as an exercise (yes): every copy, reply and mail is marked [EXERCISE] and never counted; sources must be exercise reports',
        },
        title: { ja: '件名', en: 'Title' },
        body: { ja: '本文', en: 'Body' },
        severity: {
          ja: '重大度（低（low）、中（medium）、高（high）、緊急（critical））',
          en: 'Severity (low, medium, high, critical)',
        },
        tlp: {
          ja: 'TLP（clear, green, amber, amber+strict, red）',
          en: 'TLP (clear, green, amber, amber+strict, red)',
        },
        audience: { ja: '配信先（all または組織コードのカンマ区切り）', en: 'Audience (all or organisation codes)' },
        sources: { ja: '情報提供元のインシデント番号', en: 'Source incident ids' },
        recipients: { ja: '受信者（TLP:RED のみ）', en: 'Recipients (TLP:RED only)' },
        kind: {
          ja: '種類: 注意喚起（warning、受領確認を求めます。既定）または 情報提供（info、受領確認は求めません）',
          en: 'Kind: warning (acknowledgement expected; the default) or info (information, no acknowledgement)',
        },
        confidentiality: {
          ja: '機密性（1〜3。既定は情報提供元のインシデントのうち最も高いもの。これより低くはできません）',
          en: 'Confidentiality (1–3; default: the highest of the source incidents, and never lower)',
        },
        handling: {
          ja: `${reportFields.handling.ja}。既定は情報提供元のインシデントに付された取扱制限`,
          en: `${reportFields.handling.en}; default: the marks of the source incidents`,
        },
      },
      form: true,
      writes: true,
      async run(ctx, a) {
        const r = await ctx.services.advisories.draft(ctx.caller, {
          title: a.title,
          body: a.body,
          severity: a.severity,
          tlp: a.tlp as Tlp,
          kind: a.kind,
          confidentiality: a.confidentiality,
          handling: a.handling,
          audience: a.audience ?? null,
          sources: a.sources ?? [],
          recipients: await people(ctx, a.recipients ?? []),
          exercise: a.exercise === 'yes',
        });
        const marks = markFields(ctx.t, r);
        const blocks: Block[] = [
          {
            kind: 'text',
            text: ctx.t('advisory.drafted', { kind: kindText(ctx.t, r), id: r.id, tlp: tlpLabel(a.tlp as Tlp) }),
          },
          ...(marks.length ? [{ kind: 'fields' as const, fields: marks }] : []),
          {
            kind: 'text',
            text: `${ctx.t('advisory.f.targets_planned', { count: r.targets.length })}\n${r.targets.join('\n')}`,
          },
        ];
        for (const x of r.lower)
          blocks.push({
            kind: 'context',
            text: ctx.t('advisory.draft_lower_tlp', {
              incident: x.incident,
              source: tlpLabel(x.tlp),
              tlp: tlpLabel(a.tlp as Tlp),
            }),
          });
        return reply.of(blocks, {
          actions: [{ label: ctx.t('advisory.submit_button'), command: `advisory submit ${r.id}` }],
        });
      },
    }),
    defineCommand({
      name: 'submit',
      aliases: ['提出'],
      positional: ['id'],
      schema: z.object({ id: advId }),
      access: COORD,
      summary: { ja: '注意喚起等を同意確認・承認に回します', en: 'Submit an advisory for consent and approval' },
      usage: 'advisory submit <ADV-id>',
      writes: true,
      async run(ctx, a) {
        const r = await ctx.services.advisories.submit(ctx.caller, a.id);
        return reply.text(
          r.status === 'review'
            ? ctx.t('advisory.submitted_review', { id: a.id, kind: r.kind })
            : ctx.t('advisory.submitted_consent', { id: a.id, orgs: r.consentOrgs.join(', '), kind: r.kind }),
        );
      },
    }),
    defineCommand({
      name: 'consent',
      aliases: ['同意'],
      positional: ['id', 'answer'],
      schema: z.object({
        id: advId,
        answer: yesNo,
        tlp: tlp.optional(),
        version: z.coerce.number().int().min(1).optional(),
      }),
      access: POC,
      summary: {
        ja: '情報提供元として、注意喚起等への情報の利用に同意（yes）または不同意（no）します',
        en: 'As a source, consent (yes) or decline (no) to the use of your report',
      },
      usage: 'advisory consent <ADV-id> yes|no [tlp=<label>]',
      fields: {
        tlp: {
          ja: '報告より緩い TLP で配信する場合に、その区分への同意（注意喚起等の TLP と同じ値）',
          en: "agreement to a label lower than your report's (the advisory's TLP)",
        },
        version: {
          ja: '同意依頼の版（ボタンが指定します。内容が変わった後の古い依頼への回答を防ぎます）',
          en: 'the version of the request (set by the button, so an answer to an outdated request is refused)',
        },
      },
      writes: true,
      async run(ctx, a) {
        const r = await ctx.services.advisories.consent(ctx.caller, a.id, a.answer === 'yes', {
          tlp: a.tlp as Tlp | undefined,
          version: a.version,
        });
        if (r.status === 'restarted')
          return reply.text(
            r.reasons
              ? ctx.t('advisory.consent_restarted', { id: a.id, reasons: r.reasons, kind: r.kind })
              : ctx.t('advisory.consent_restarted_text', { id: a.id, kind: r.kind }),
          );
        const key =
          a.answer === 'no'
            ? 'advisory.consent_declined'
            : r.status === 'review'
              ? 'advisory.consent_complete'
              : 'advisory.consent_recorded';
        return reply.text(ctx.t(key, { id: a.id, kind: r.kind }));
      },
    }),
    defineCommand({
      name: 'approve',
      aliases: ['承認'],
      positional: ['id'],
      schema: z.object({ id: advId }),
      access: APPROVER,
      summary: {
        ja: '注意喚起等を承認し、配信します（ご自身の起案は承認できません）',
        en: 'Approve and send an advisory (never your own draft)',
      },
      usage: 'advisory approve <ADV-id>',
      writes: true,
      async run(ctx, a) {
        const r = await ctx.services.advisories.approve(ctx.caller, a.id);
        if (r.status === 'consent')
          return reply.text(ctx.t('advisory.approve_reconsent', { id: a.id, reasons: r.reasons, kind: r.kind }));
        return reply.text(
          `${ctx.t('advisory.approved', { id: a.id, count: r.targets.length, deliveries: r.deliveries, kind: r.kind })}\n${r.targets.join('\n')}`,
        );
      },
    }),
    defineCommand({
      name: 'reject',
      aliases: ['却下', '差戻し'],
      positional: ['id'],
      schema: z.object({ id: advId, reason: text(1000) }),
      access: APPROVER,
      summary: { ja: '注意喚起等を却下します（理由を記載）', en: 'Reject an advisory (with a reason)' },
      usage: 'advisory reject <ADV-id> reason="…"',
      fields: { reason: { ja: '却下の理由', en: 'Reason' } },
      writes: true,
      async run(ctx, a) {
        const r = await ctx.services.advisories.reject(ctx.caller, a.id, a.reason);
        return reply.text(ctx.t('advisory.rejected', { id: a.id, kind: r.kind }));
      },
    }),
    defineCommand({
      name: 'withdraw',
      aliases: ['取下げ'],
      positional: ['id'],
      schema: z.object({ id: advId }),
      access: COORD,
      summary: {
        ja: '注意喚起等を取り下げます（配信済みの投稿にも取下げを表示）',
        en: 'Withdraw an advisory (delivered copies are marked)',
      },
      usage: 'advisory withdraw <ADV-id>',
      writes: true,
      async run(ctx, a) {
        const r = await ctx.services.advisories.withdraw(ctx.caller, a.id);
        return reply.text(
          ctx.t('advisory.withdrawn', { id: a.id, updated: r.updated, cancelled: r.cancelled, kind: r.kind }),
        );
      },
    }),
    defineCommand({
      name: 'list',
      aliases: ['一覧'],
      schema: z.object({ status: choice(ADVISORY_STATUSES).optional() }),
      access: ['coordinator', 'approver'],
      summary: {
        ja: '注意喚起等の一覧を表示します（新しい順）',
        en: 'List advisories, newest first',
      },
      usage: 'advisory list [status=draft|consent|review|approved|sent|rejected|withdrawn]',
      fields: {
        status: {
          ja: '状態（draft, consent, review, approved, sent, rejected, withdrawn）',
          en: 'Status (draft, consent, review, approved, sent, rejected, withdrawn)',
        },
      },
      writes: false,
      async run(ctx, a) {
        const rows = await ctx.services.advisories.list(ctx.caller, a.status);
        if (rows.length === 0) return reply.text(ctx.t('advisory.list_empty'));
        const t = ctx.t;
        return reply.of([
          { kind: 'heading', text: t('advisory.list_title', { count: rows.length }) },
          {
            kind: 'table',
            head: [
              t('advisory.f.id'),
              t('advisory.f.kind'),
              t('advisory.f.status'),
              'TLP',
              t('advisory.f.title'),
              t('advisory.f.created'),
            ],
            rows: rows.map((x) => [
              marked(t, x.exercise, x.id),
              kindText(t, x),
              statusText(t, x),
              tlpLabel(x.tlp as Tlp),
              x.title,
              formatDateTime(x.createdAt, ctx.dates),
            ]),
          },
        ]);
      },
    }),
    defineCommand({
      name: 'status',
      aliases: ['状況'],
      positional: ['id'],
      schema: z.object({ id: advId }),
      access: 'registered',
      summary: {
        ja: '注意喚起等の状態と配信状況（配信先・配信・受領確認）を表示します',
        en: 'Show an advisory: targets, deliveries, acknowledgements',
      },
      usage: 'advisory status <ADV-id>',
      writes: false,
      async run(ctx, a) {
        return ctx.services.advisories.status(ctx.caller, a.id);
      },
    }),
    defineCommand({
      name: 'ack',
      aliases: ['受領確認'],
      positional: ['id'],
      schema: z.object({ id: advId }),
      access: POC,
      summary: { ja: '注意喚起の受領を確認します', en: 'Acknowledge an advisory' },
      usage: 'advisory ack <ADV-id>',
      writes: true,
      async run(ctx, a) {
        const r = await ctx.services.advisories.ack(ctx.caller, a.id);
        return reply.text(ctx.t('advisory.acked', { id: a.id, org: r.org, kind: r.kind }), 'ephemeral');
      },
    }),
  ],
});

/**
 * 訓練: every reply about an exercise advisory opens with the exercise notice and a marked heading
 * (src/services/exercise.ts), whichever command gave it; `draft` knows it from its argument.
 */
function markExerciseReplies(group: Group): Group {
  return {
    ...group,
    commands: group.commands.map((c) => {
      const run = c.run.bind(c) as (ctx: Ctx, a: { id?: unknown; exercise?: unknown }) => Promise<Reply>;
      const marking = async (ctx: Ctx, a: { id?: unknown; exercise?: unknown }): Promise<Reply> => {
        const r = await run(ctx, a);
        const exercise =
          a.exercise === 'yes' || (typeof a.id === 'string' && (await ctx.services.advisories.isExercise(a.id)));
        return markMessage(ctx.t, exercise, r, 'advisory');
      };
      return { ...c, run: marking as typeof c.run };
    }),
  };
}
