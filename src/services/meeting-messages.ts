/**
 * What meeting posts and replies say: the invitation (開催通知), each reminder, the
 * cancellation, and the RSVP buttons. Built in one language (the bot's for channel posts,
 * the caller's for replies); plain portable blocks, never platform markup.
 */

import type { OutMessage } from '../core/platform.ts';
import type { Action, Block } from '../core/reply.ts';
import type { Meeting } from '../db/generated/sqlite/client.ts';
import { type DateStyle, formatDateTime } from '../domain/dates.ts';
import { keyOf, type Locale, translator } from '../i18n/index.ts';
import { markMessage } from './exercise.ts';

type T = ReturnType<typeof translator>;

/** `1d12h` → ja `1日12時間`, en `1 day 12 hours`. */
export function offsetText(offset: string, locale: Locale): string {
  const parts = [...offset.matchAll(/(\d+)([dhm])/g)].map(([, n, u]) => {
    const k = Number(n);
    if (locale === 'ja') return `${k}${u === 'd' ? '日' : u === 'h' ? '時間' : '分'}`;
    const word = u === 'd' ? 'day' : u === 'h' ? 'hour' : 'minute';
    return `${k} ${word}${k === 1 ? '' : 's'}`;
  });
  return parts.join(locale === 'ja' ? '' : ' ');
}

/** `90` → ja `1時間30分`, en `1 hour 30 minutes`. */
export function durationText(minutes: number, locale: Locale): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return offsetText(`${h ? `${h}h` : ''}${m ? `${m}m` : ''}`, locale);
}

/** The RSVP buttons (出席 / 欠席 / 代理出席): each runs `meeting rsvp <id> <answer>`. */
export function rsvpActions(t: T, id: string): Action[] {
  return [
    { label: t('meeting.answer.attend'), command: `meeting rsvp ${id} attend`, style: 'primary' },
    { label: t('meeting.answer.absent'), command: `meeting rsvp ${id} absent` },
    { label: t('meeting.answer.proxy'), command: `meeting rsvp ${id} proxy` },
  ];
}

/** 開催日時・所要時間・場所・議題 of a meeting. */
export function meetingFields(t: T, style: DateStyle, m: Meeting): [string, string][] {
  const locale = style.locale;
  const f: [string, string][] = [
    [t('meeting.id'), m.id],
    [t('meeting.start'), formatDateTime(m.startAt, style)],
    [t('meeting.duration'), durationText(m.durationMin, locale)],
  ];
  if (m.place) f.push([t('meeting.place'), m.place]);
  if (m.url) f.push([t('meeting.url'), m.url]);
  if (m.agenda) f.push([t('meeting.agenda'), m.agenda]);
  return f;
}

export type PostKind =
  | { kind: 'invitation' }
  /** `answered`: the organisation's answer so far; a reminder to one that answered asks nothing */
  | { kind: 'reminder'; offset: string; answered?: string | null }
  | { kind: 'cancelled' };

/**
 * A channel post about a meeting, in `style`'s language and calendar. Invitations and reminders
 * carry RSVP buttons, except a reminder to an organisation that has answered: it recalls the
 * answer instead.
 */
export function meetingPost(style: DateStyle, m: Meeting, p: PostKind): OutMessage {
  // an exercise's every post carries 【訓練】/[EXERCISE] (src/services/exercise.ts)
  return markMessage(translator(style.locale), m.exercise, plainMeetingPost(style, m, p), 'meeting');
}

function plainMeetingPost(style: DateStyle, m: Meeting, p: PostKind): OutMessage {
  const locale = style.locale;
  const t = translator(locale);
  const heading =
    p.kind === 'invitation'
      ? t('meeting.post.invitation', { title: m.title, id: m.id })
      : p.kind === 'reminder'
        ? t('meeting.post.reminder', { title: m.title, id: m.id, before: offsetText(p.offset, locale) })
        : t('meeting.post.cancelled', { title: m.title, id: m.id });
  const blocks: Block[] = [
    { kind: 'heading', text: heading },
    { kind: 'fields', fields: meetingFields(t, style, m) },
  ];
  if (p.kind === 'cancelled') {
    blocks.push({ kind: 'context', text: t('meeting.post.cancelled_note') });
    return { blocks };
  }
  if (p.kind === 'reminder' && p.answered) {
    blocks.push({
      kind: 'context',
      text: t('meeting.post.answered_note', { id: m.id, answer: t(keyOf('meeting.answer.', p.answered)) }),
    });
    return { blocks };
  }
  blocks.push({ kind: 'context', text: t('meeting.post.rsvp_note', { id: m.id }) });
  return { blocks, actions: rsvpActions(t, m.id) };
}
