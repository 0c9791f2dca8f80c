import * as z from 'zod';
import { reply } from '../src/core/reply.ts';
import { dateStyle, formatDateTime } from '../src/domain/dates.ts';
import { foldCode } from '../src/domain/ids.ts';
import { keyOf } from '../src/i18n/index.ts';
import { defineCommand, type Group } from './types.ts';

const state = z.enum(['failed', 'pending']);

/** Deliveries that need a person (issue 22 item 1; docs/operations.md "Deliveries"). */
export const deliveryGroup: Group = {
  name: 'delivery',
  aliases: ['通知'],
  summary: { ja: '送信できなかった通知の確認と再送', en: 'Notifications not delivered: list and resend' },
  commands: [
    defineCommand({
      name: 'list',
      aliases: ['一覧'],
      positional: ['state'],
      schema: z.object({ state: state.default('failed') }),
      access: ['admin'],
      summary: { ja: '送信失敗または送信待ちの通知を一覧表示します', en: 'List failed or waiting notifications' },
      usage: 'delivery list [failed|pending]',
      fields: {
        state: {
          ja: '送信失敗（failed）または送信待ち（pending）。省略時は送信失敗です',
          en: 'failed (the default) or pending (waiting)',
        },
      },
      writes: false,
      async run(ctx, a) {
        const { rows, total } = await ctx.services.deliveries.list(ctx.t, a.state);
        if (total === 0) return reply.text(ctx.t(`delivery.none_listed_${a.state}`));
        const style = dateStyle(ctx.caller.locale, ctx.caller.calendar);
        return reply.of([
          { kind: 'heading', text: ctx.t(`delivery.list_title_${a.state}`, { total }) },
          {
            kind: 'table',
            head: [
              ctx.t('delivery.f.id'),
              ctx.t('delivery.f.status'),
              ctx.t('delivery.f.to'),
              ctx.t('delivery.f.about'),
              ctx.t('delivery.f.detail'),
              ctx.t('delivery.f.created'),
            ],
            rows: rows.map((r) => [
              r.id,
              ctx.t(keyOf('delivery.status.', r.status)),
              r.destination,
              r.about,
              r.detail,
              formatDateTime(r.createdAt, style),
            ]),
          },
          ...(total > rows.length
            ? [{ kind: 'context' as const, text: ctx.t('delivery.list_more', { shown: rows.length }) }]
            : []),
        ]);
      },
    }),
    defineCommand({
      name: 'resend',
      aliases: ['再送'],
      positional: ['id'],
      schema: z.object({
        id: z
          .string()
          .transform(foldCode)
          .pipe(
            z
              .string()
              .toLowerCase()
              .regex(/^(failed|[0-9a-f-]{8,36})$/, 'input.delivery_id'),
          ),
      }),
      access: ['admin'],
      summary: {
        ja: '送信できなかった通知を、チャンネルの履歴を確認したうえで再送します',
        en: 'Send a failed notification again (the channel history is checked first)',
      },
      usage: 'delivery resend <id>|failed',
      fields: {
        id: {
          ja: '通知番号（先頭 8 文字以上）、または送信失敗のすべて（failed）',
          en: 'notification ID (at least its first 8 characters), or failed (every failed one)',
        },
      },
      writes: true,
      async run(ctx, a) {
        const r = await ctx.services.deliveries.resend(ctx.caller.identity, a.id);
        const lines = [ctx.t('delivery.resent', { count: r.ids.length })];
        if (r.skipped.length) lines.push(ctx.t('delivery.resent_skipped', { count: r.skipped.length }));
        return reply.text(lines.join('\n'));
      },
    }),
  ],
};
