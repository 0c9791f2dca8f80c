import * as z from 'zod';
import { UserError } from '../src/core/errors.ts';
import { reply } from '../src/core/reply.ts';
import { formatDate } from '../src/domain/dates.ts';
import { type DutySlot, dutyDayStart, parseDutySlot } from '../src/domain/duty.ts';
import type { DutyPerson } from '../src/services/duty.ts';
import { type Ctx, defineCommand, type Group } from './types.ts';

const slotArg = z.string().trim().min(1).max(64);
const userArg = z.string().trim().min(1).max(200);

async function user(ctx: Ctx, ref: string): Promise<string> {
  const id = await ctx.refs.user(ref);
  if (!id) throw new UserError('poc.bad_user', { user: ref });
  return id;
}

function slotOf(input: string, dateOnly: boolean): DutySlot {
  const s = parseDutySlot(input);
  if (!s) throw new UserError(dateOnly ? 'duty.bad_date' : 'duty.bad_slot', { input });
  if (dateOnly && s.kind !== 'date') throw new UserError('duty.bad_date', { input });
  return s;
}

const day = (ctx: Ctx, d: string): string => formatDate(dutyDayStart(d), ctx.dates);
const who = (ctx: Ctx, p: DutyPerson | null): string => (p ? p.identity : ctx.t('duty.nobody'));

export const dutyGroup: Group = {
  name: 'duty',
  aliases: ['当番'],
  summary: {
    ja: '{coordinator}の当番（承認依頼を最初に受ける当番者）',
    en: 'Duty rota of the {coordinator} (the duty officer gets approval requests first)',
  },
  commands: [
    defineCommand({
      name: 'show',
      aliases: ['表示'],
      schema: z.object({}),
      access: ['coordinator', 'approver'],
      summary: {
        ja: '現在と次の当番者、本日からの7日間の当番を表示します',
        en: 'Show who is on duty now and next, and the seven days from today',
      },
      usage: 'duty show',
      writes: false,
      async run(ctx) {
        const v = await ctx.services.duty.show(ctx.caller);
        const lines = [
          ctx.t('duty.now', { user: who(ctx, v.now) }),
          v.next
            ? ctx.t('duty.next', { user: who(ctx, v.next.person), date: day(ctx, v.next.day) })
            : ctx.t('duty.next_none'),
          ctx.t('duty.day_start'),
        ];
        return reply.of([
          { kind: 'heading', text: ctx.t('duty.title') },
          { kind: 'text', text: lines.join('\n') },
          {
            kind: 'table',
            head: [ctx.t('duty.col.date'), ctx.t('duty.col.weekday'), ctx.t('duty.col.person')],
            rows: v.week.map((d) => [
              day(ctx, d.day),
              ctx.t(`duty.weekday.${d.weekday}` as 'duty.weekday.0'),
              who(ctx, d.person),
            ]),
          },
        ]);
      },
    }),
    defineCommand({
      name: 'set',
      aliases: ['設定'],
      positional: ['slot', 'user'],
      schema: z.object({ slot: slotArg, user: userArg }),
      access: ['coordinator'],
      summary: {
        ja: '曜日ごと（毎週）または特定の日付の当番者を設定します（当番者は{coordinator}の承認者）',
        en: 'Set the duty officer for a weekday (every week) or one date (an approver of the {coordinator})',
      },
      usage: 'duty set <weekday|YYYY-MM-DD> <user>',
      fields: {
        slot: {
          ja: '曜日（月、月曜日、mon など）または日付（YYYY-MM-DD）',
          en: 'A weekday (mon, Monday…) or a date (YYYY-MM-DD)',
        },
        user: { ja: '当番者', en: 'Duty officer' },
      },
      writes: true,
      async run(ctx, a) {
        const slot = slotOf(a.slot, false);
        const r = await ctx.services.duty.assign(ctx.caller, 'set', slot, await user(ctx, a.user));
        return reply.text(
          slot.kind === 'weekday'
            ? ctx.t('duty.set_weekday', {
                weekday: ctx.t(`duty.weekday.${slot.weekday}` as 'duty.weekday.0'),
                user: r.person,
              })
            : ctx.t('duty.set_date', { date: day(ctx, slot.day), user: r.person }),
        );
      },
    }),
    defineCommand({
      name: 'swap',
      aliases: ['交代'],
      positional: ['date', 'user'],
      schema: z.object({ date: slotArg, user: userArg }),
      access: ['coordinator'],
      summary: {
        ja: '特定の日付の当番者を交代します（本日以降の日付）',
        en: 'Swap the duty officer of one date (today or later)',
      },
      usage: 'duty swap <YYYY-MM-DD> <user>',
      fields: {
        date: { ja: '日付（YYYY-MM-DD）', en: 'A date (YYYY-MM-DD)' },
        user: { ja: '交代後の当番者', en: 'The new duty officer' },
      },
      writes: true,
      async run(ctx, a) {
        const slot = slotOf(a.date, true);
        const r = await ctx.services.duty.assign(ctx.caller, 'swap', slot, await user(ctx, a.user));
        const date = slot.kind === 'date' ? day(ctx, slot.day) : a.date;
        return reply.text(
          r.before
            ? ctx.t('duty.swapped', { date, before: r.before, user: r.person })
            : ctx.t('duty.swapped_none', { date, user: r.person }),
        );
      },
    }),
  ],
};
