import * as z from 'zod';
import { UserError } from '../src/core/errors.ts';
import { type Block, reply } from '../src/core/reply.ts';
import { formatDate, formatDateTime } from '../src/domain/dates.ts';
import { outsideTime } from '../src/domain/plausible.ts';
import { parseDuration, parseReminderOffsets } from '../src/domain/reminders.ts';
import { parseTokyoDateTime } from '../src/domain/tokyo-time.ts';
import { keyOf } from '../src/i18n/index.ts';
import { marked, markMessage } from '../src/services/exercise.ts';
import { meetingFields, offsetText } from '../src/services/meeting-messages.ts';
import { anId, choice, orgList, outOfRange, refuseInvisible, text, yesNo } from './args.ts';
import { defineCommand, type Group } from './types.ts';

const meetingId = anId('MTG');
const SCHEDULE_USAGE =
  'meeting schedule title="…" start="YYYY-MM-DD HH:MM" [duration=90m] [place="…"|url=…] [agenda="…"] [invite=all|<org>,…] [reminders=7d,1d,1h] [exercise=yes]';

export const meetingGroup: Group = {
  name: 'meeting',
  aliases: ['会合', '会議'],
  summary: { ja: 'PoC 会合（開催通知・出欠・予定表）', en: 'PoC meetings (notices, RSVPs, calendar)' },
  commands: [
    defineCommand({
      name: 'schedule',
      aliases: ['登録'],
      schema: z.object({
        title: text(200),
        start: z.string().trim().min(1),
        duration: z.string().trim().min(1).optional(),
        place: text(500).optional(),
        url: z
          .string()
          .trim()
          .max(2000)
          .regex(/^https?:\/\/\S+$/i, 'input.url')
          .superRefine(refuseInvisible)
          .optional(),
        agenda: text(4000).meta({ long: true }).optional(),
        invite: orgList.optional(),
        reminders: z.string().trim().min(1).optional(),
        exercise: yesNo.optional(),
      }),
      access: ['coordinator'],
      summary: {
        ja: 'PoC 会合を登録し、招集先に開催通知を送付します',
        en: 'Schedule a meeting and send the notice to the invited organisations',
      },
      usage: SCHEDULE_USAGE,
      fields: {
        start: { ja: '開催日時（日本時間、YYYY-MM-DD HH:MM）', en: 'Start (Japan time, YYYY-MM-DD HH:MM)' },
        duration: { ja: '所要時間（既定 90m）', en: 'Duration (default 90m)' },
        invite: {
          ja: '招集先: all または組織コードのカンマ区切り（既定 all）',
          en: 'Invite: all or organisation codes, comma-separated (default all)',
        },
        reminders: { ja: '事前通知（既定 7d,1d,1h）', en: 'Reminders before the start (default 7d,1d,1h)' },
        exercise: {
          ja: '訓練として登録する場合: はい（yes）。通知・返信・予定表のすべてに【訓練】と表示されます',
          en: 'Schedule as an exercise (yes): every notice, reply and calendar entry is marked [EXERCISE]',
        },
      },
      form: true,
      writes: true,
      async run(ctx, a) {
        const start = parseTokyoDateTime(a.start);
        if (!start.ok) throw new UserError(start.code, { input: start.input });
        const out = outsideTime('meetingStart', start.value, ctx.clock.now());
        if (out) throw outOfRange(ctx.t, 'start', 'meetingStart', out, SCHEDULE_USAGE);
        const duration = parseDuration(a.duration ?? '90m');
        if (!duration.ok) throw new UserError(duration.code, { input: duration.input });
        const reminders = parseReminderOffsets(a.reminders ?? '7d,1d,1h');
        if (!reminders.ok) throw new UserError(reminders.code, { input: reminders.input });
        const r = await ctx.services.meetings.schedule(ctx.caller, {
          title: a.title,
          start: start.value,
          durationMin: duration.minutes,
          place: a.place,
          url: a.url,
          agenda: a.agenda,
          invite: a.invite ?? 'all',
          reminders: reminders.value,
          exercise: a.exercise === 'yes',
        });
        const L = ctx.locale;
        const blocks: Block[] = [
          { kind: 'heading', text: ctx.t('meeting.scheduled', { id: r.meeting.id, count: r.invited.length }) },
          {
            kind: 'fields',
            fields: [
              ...meetingFields(ctx.t, ctx.dates, r.meeting),
              [
                ctx.t('meeting.invited'),
                r.meeting.invite === 'all' ? ctx.t('meeting.invited_all') : r.invited.join(', '),
              ],
            ],
          },
        ];
        if (r.warning?.kind === 'holiday') {
          blocks.push({
            kind: 'text',
            text: `⚠ ${ctx.t('meeting.warn.holiday', { date: formatDate(r.meeting.startAt, ctx.dates), name: L === 'ja' ? r.warning.nameJa : r.warning.nameEn })}`,
          });
        } else if (r.warning?.kind === 'year-end') {
          blocks.push({
            kind: 'text',
            text: `⚠ ${ctx.t('meeting.warn.year_end', { date: formatDate(r.meeting.startAt, ctx.dates) })}`,
          });
        } else if (r.warning?.kind === 'weekend') {
          blocks.push({
            kind: 'text',
            text: `⚠ ${ctx.t('meeting.warn.weekend', { date: formatDate(r.meeting.startAt, ctx.dates), day: ctx.t(`meeting.day.${r.warning.day}`) })}`,
          });
        }
        const planned = r.reminders.map((x) => `${offsetText(x.offset, L)} (${formatDateTime(x.dueAt, ctx.dates)})`);
        blocks.push({
          kind: 'context',
          text: planned.length
            ? ctx.t('meeting.reminders_planned', { list: planned.join(', ') })
            : ctx.t('meeting.reminders_none'),
        });
        if (r.skipped.length)
          blocks.push({
            kind: 'context',
            text: ctx.t('meeting.reminders_skipped', { list: r.skipped.map((o) => offsetText(o, L)).join(', ') }),
          });
        return reply.of(markMessage(ctx.t, r.meeting.exercise, { blocks }, 'meeting').blocks);
      },
    }),
    defineCommand({
      name: 'list',
      aliases: ['一覧'],
      schema: z.object({}),
      access: 'registered',
      summary: { ja: '今後の PoC 会合と出欠状況を表示します', en: 'List upcoming meetings and who answered' },
      usage: 'meeting list',
      writes: false,
      async run(ctx) {
        const views = await ctx.services.meetings.list(ctx.caller);
        const L = ctx.locale;
        const blocks: Block[] = [];
        if (views.length === 0) blocks.push({ kind: 'text', text: ctx.t('meeting.list_none') });
        else blocks.push({ kind: 'heading', text: ctx.t('meeting.list_title', { count: views.length }) });
        for (const { meeting: m, answers } of views) {
          const cancelled = m.status === 'cancelled';
          blocks.push({
            kind: 'heading',
            text: marked(
              ctx.t,
              m.exercise,
              `${m.id} ${m.title}${cancelled ? ` [${ctx.t('meeting.status.cancelled')}]` : ''}`,
            ),
          });
          blocks.push({
            kind: 'fields',
            fields: [
              ...meetingFields(ctx.t, ctx.dates, m).slice(1),
              [ctx.t('meeting.status'), ctx.t(keyOf('meeting.status.', m.status))],
            ],
          });
          const count = { attend: 0, absent: 0, proxy: 0, none: 0 };
          const rows = answers.map(({ org, rsvp }) => {
            const key = (rsvp?.answer ?? 'none') as keyof typeof count;
            count[key]++;
            const answer = ctx.t(`meeting.answer.${key}`) + (rsvp?.proxy ? ` (${rsvp.proxy})` : '');
            return [org.code, L === 'ja' ? org.nameJa : org.nameEn, answer, rsvp?.by ?? ''];
          });
          blocks.push({ kind: 'context', text: ctx.t('meeting.tally', count) });
          if (!cancelled) {
            blocks.push({
              kind: 'table',
              head: [ctx.t('org.code'), ctx.t('meeting.org'), ctx.t('meeting.answer'), ctx.t('meeting.answered_by')],
              rows,
            });
          }
        }
        const url = await ctx.services.meetings.feedUrl(ctx.caller);
        if (url) {
          const note = ctx.services.deps.publicUrl ? '' : `\n${ctx.t('meeting.feed_no_public_url')}`;
          blocks.push({ kind: 'context', text: ctx.t('meeting.feed_url', { url }) + note });
        }
        return reply.of(blocks);
      },
    }),
    defineCommand({
      name: 'cancel',
      aliases: ['中止'],
      positional: ['id'],
      schema: z.object({ id: meetingId }),
      access: ['coordinator'],
      summary: { ja: '会合を中止し、招集先に通知します', en: 'Cancel a meeting and tell the invited organisations' },
      usage: 'meeting cancel <MTG-id>',
      writes: true,
      async run(ctx, a) {
        const r = await ctx.services.meetings.cancel(ctx.caller, a.id);
        return reply.text(
          marked(
            ctx.t,
            r.meeting.exercise,
            ctx.t('meeting.cancelled', { id: r.meeting.id, count: r.notified.length, jobs: r.jobs }),
          ),
        );
      },
    }),
    defineCommand({
      name: 'ics',
      aliases: ['予定表'],
      positional: ['id'],
      schema: z.object({ id: meetingId }),
      access: 'registered',
      summary: {
        ja: '会合の予定ファイル（iCalendar）を取得します',
        en: 'Get the calendar file (iCalendar) of a meeting',
      },
      usage: 'meeting ics <MTG-id>',
      writes: false,
      async run(ctx, a) {
        const { meeting: m, text: ics } = await ctx.services.meetings.ics(ctx.caller, a.id);
        return reply.of([{ kind: 'text', text: marked(ctx.t, m.exercise, ctx.t('meeting.ics_done', { id: m.id })) }], {
          attachments: [
            { filename: `${m.id}.ics`, mime: 'text/calendar', data: Buffer.from(ics, 'utf8').toString('base64') },
          ],
        });
      },
    }),
    defineCommand({
      name: 'rsvp',
      aliases: ['出欠'],
      positional: ['id', 'answer'],
      schema: z.object({
        id: meetingId,
        answer: choice(['attend', 'absent', 'proxy']),
        proxy: z.string().trim().min(1).optional(),
      }),
      access: ['poc'],
      summary: {
        ja: '会合の出欠を回答します（所属組織として）',
        en: 'Answer for your organisation whether it attends',
      },
      usage: 'meeting rsvp <MTG-id> attend|absent|proxy [proxy=<user>]',
      writes: true,
      async run(ctx, a) {
        let proxy: string | null = null;
        if (a.proxy) {
          proxy = await ctx.refs.user(a.proxy);
          if (!proxy) throw new UserError('poc.bad_user', { user: a.proxy });
        }
        const m = await ctx.services.meetings.rsvp(ctx.caller, a.id, a.answer, proxy);
        const lines = [
          ...(m.exercise ? [ctx.t('exercise.notice.meeting')] : []),
          ctx.t('meeting.rsvp_done', {
            id: m.id,
            title: m.title,
            org: ctx.caller.org?.code ?? '-',
            answer: ctx.t(`meeting.answer.${a.answer}`),
          }),
        ];
        if (proxy) lines.push(ctx.t('meeting.rsvp_proxy', { user: proxy }));
        return reply.text(lines.join('\n'));
      },
    }),
  ],
};
