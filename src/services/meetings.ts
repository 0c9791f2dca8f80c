/**
 * PoC meetings (PRODUCT.md §7): scheduling with an invitation sent at once, reminders as
 * scheduler jobs, RSVPs per organisation, cancellation, iCalendar files and feeds.
 *
 * Reminders are Job rows (`meeting:<id>:reminder:<offset>`); the scheduler fires each once
 * across processes and restarts, in a transaction that also writes the outbox rows. A
 * reminder whose time had passed when the meeting was scheduled is never created; one that
 * comes due while no process ran is sent on start unless the meeting has begun or was
 * cancelled; when several came due during the downtime, only the latest (nearest the start)
 * is sent and the older ones are skipped (the reminder policy, src/domain/reminder-policy.ts).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Caller } from '../core/command.ts';
import { UserError } from '../core/errors.ts';
import { isRole } from '../core/roles.ts';
import type { Tx } from '../db/client.ts';
import type { Meeting, MeetingRsvp, Organization } from '../db/generated/sqlite/client.ts';
import { type StartWarning, startWarning } from '../domain/business-days.ts';
import { fiscalYearOf } from '../domain/fiscal-year.ts';
import { type IcsMeeting, meetingIcs, meetingsFeedIcs } from '../domain/ics.ts';
import { canonicalId } from '../domain/ids.ts';
import { decide, type ReminderKind } from '../domain/reminder-policy.ts';
import { type ReminderOffset, reminderSchedule } from '../domain/reminders.ts';
import { effectiveRoles, feedAlive, seesMeeting, seesPeopleOf, type Viewer } from '../domain/sharing.ts';
import { cancelJobs, type JobHandler, type JobOutcome, type JobWithArgs, scheduleJob } from '../scheduler/scheduler.ts';
import { audit, auditMany, postStyle, type ServiceDeps } from './context.ts';
import { dutyFeedEvents } from './duty.ts';
import { nextId } from './ids.ts';
import { meetingPost } from './meeting-messages.ts';
import { postToOrg, postToOrgs } from './notify.ts';

export const REMINDER_JOB = 'meeting.reminder' satisfies ReminderKind;

/** A calendar-feed token: 192 random bits, URL-safe. */
export function newFeedToken(): string {
  return randomBytes(24).toString('base64url');
}
export type RsvpAnswer = 'attend' | 'absent' | 'proxy';

export interface ScheduleInput {
  title: string;
  start: Date;
  durationMin: number;
  place?: string;
  url?: string;
  agenda?: string;
  /** 'all' or organisation codes */
  invite: 'all' | string[];
  reminders: readonly ReminderOffset[];
  /** 訓練: an exercise meeting (src/services/exercise.ts) */
  exercise?: boolean;
}

export interface Scheduled {
  meeting: Meeting;
  warning: StartWarning;
  invited: string[];
  /** reminders that will be sent, and those skipped because their time has passed */
  reminders: { offset: string; dueAt: Date }[];
  skipped: string[];
}

export interface MeetingView {
  meeting: Meeting;
  answers: { org: Organization; rsvp: (MeetingRsvp & { by: string }) | null }[];
}

/** NISC's roles and the coordinating organisation's people see every meeting (src/domain/sharing.ts). */
function seesAll(v: Viewer): boolean {
  return seesMeeting(v, []);
}

function invitedCodes(invite: string): 'all' | string[] {
  return invite === 'all' ? 'all' : invite.split(',').filter(Boolean);
}

function isInvited(m: Pick<Meeting, 'invite'>, code: string): boolean {
  const list = invitedCodes(m.invite);
  return list === 'all' || list.includes(code);
}

function sees(v: Viewer, m: Pick<Meeting, 'invite'>): boolean {
  return seesMeeting(v, invitedCodes(m.invite));
}

export function icsOf(m: Meeting): IcsMeeting {
  return {
    id: m.id,
    // an exercise says so in the calendar too
    title: m.exercise ? `[EXERCISE] 【訓練】 ${m.title}` : m.title,
    start: m.startAt,
    durationMin: m.durationMin,
    place: m.place,
    url: m.url,
    agenda: m.agenda,
    status: m.status === 'cancelled' ? 'cancelled' : 'scheduled',
    sequence: m.sequence,
    updatedAt: m.updatedAt,
  };
}

export class MeetingService {
  constructor(private readonly deps: ServiceDeps) {}

  private get db() {
    return this.deps.db;
  }

  /** Host part of calendar UIDs: PUBLIC_URL's host, else a fixed name. */
  get icsHost(): string {
    return this.deps.publicUrl ? new URL(this.deps.publicUrl).hostname : 'csirt-poc-bot.invalid';
  }

  /** The organisations a meeting invites, in directory order. */
  private async invitedOrgs(tx: Tx, invite: string): Promise<Organization[]> {
    const list = invitedCodes(invite);
    return tx.organization.findMany({ where: list === 'all' ? {} : { code: { in: list } }, orderBy: { id: 'asc' } });
  }

  async schedule(caller: Caller, input: ScheduleInput): Promise<Scheduled> {
    const now = this.deps.clock.now();
    if (input.start.getTime() <= now.getTime()) throw new UserError('meeting.start_past');
    if (input.place && input.url) throw new UserError('meeting.place_or_url');
    if (caller.personId === null) throw new UserError('auth.unregistered');
    const personId = caller.personId;
    return this.db.tx(async (tx) => {
      let invite = 'all';
      if (input.invite !== 'all') {
        const codes = [...new Set(input.invite.map((c) => c.toLowerCase()))];
        if (codes.length === 0) throw new UserError('meeting.invite_empty');
        const found = await tx.organization.findMany({ where: { code: { in: codes } }, select: { code: true } });
        const missing = codes.find((c) => !found.some((f) => f.code === c));
        if (missing) throw new UserError('org.not_found', { org: missing });
        invite = codes.join(',');
      }
      const fy = fiscalYearOf(input.start);
      const id = await nextId(this.db, tx, 'MTG', fy);
      const plan = reminderSchedule(input.start, input.reminders, now);
      const meeting = await tx.meeting.create({
        data: {
          id,
          fiscalYear: fy,
          title: input.title,
          startAt: input.start,
          durationMin: input.durationMin,
          place: input.place ?? null,
          url: input.url ?? null,
          agenda: input.agenda ?? null,
          invite,
          reminders: input.reminders.map((r) => r.text).join(','),
          status: 'scheduled',
          exercise: input.exercise ?? false,
          createdBy: personId,
          createdAt: now,
          updatedAt: now,
        },
      });
      const due = plan.filter((r) => r.state === 'due-later');
      for (const r of due) {
        await scheduleJob(this.db, tx, {
          id: `meeting:${id}:reminder:${r.offset}`,
          kind: REMINDER_JOB,
          dueAt: r.dueAt,
          data: { meetingId: id, offset: r.offset },
          refType: 'meeting',
          refId: id,
        });
      }
      const orgs = await this.invitedOrgs(tx, invite);
      for (const o of orgs) {
        await postToOrg(
          this.deps,
          tx,
          o,
          () => meetingPost(postStyle(this.deps), meeting, { kind: 'invitation' }),
          `meeting:${id}:invitation`,
          {
            type: 'meeting',
            id,
          },
        );
      }
      const skipped = plan.filter((r) => r.state === 'skip-passed').map((r) => r.offset);
      await audit(this.deps, tx, caller.identity, 'meeting.schedule', id, {
        title: input.title,
        start: input.start.toISOString(),
        durationMin: input.durationMin,
        place: input.place ?? null,
        url: input.url ?? null,
        invite,
        reminders: due.map((r) => r.offset),
        skipped,
        ...(input.exercise ? { exercise: true } : {}),
      });
      return {
        meeting,
        warning: startWarning(input.start),
        invited: orgs.map((o) => o.code),
        reminders: due.map((r) => ({ offset: r.offset, dueAt: r.dueAt })),
        skipped,
      };
    });
  }

  /** A meeting the caller may see, or meeting.not_found (never says that it exists). */
  async get(caller: Caller, rawId: string): Promise<Meeting> {
    const m = await this.db.prisma.meeting.findUnique({ where: { id: canonicalId(rawId, 'MTG') } });
    if (!m || !sees(caller, m)) {
      throw new UserError('meeting.not_found', { id: rawId });
    }
    return m;
  }

  /**
   * Meetings not yet over (cancelled ones included), each with every invited organisation's
   * answer; who answered for another ministry is left out for a ministry's people.
   */
  async list(caller: Caller, limit = 20): Promise<MeetingView[]> {
    const now = this.deps.clock.now();
    const since = new Date(now.getTime() - 24 * 60 * 60_000);
    const all = await this.db.prisma.meeting.findMany({
      where: { startAt: { gte: since } },
      orderBy: [{ startAt: 'asc' }, { id: 'asc' }],
      include: { rsvps: true },
    });
    const visible = all
      .filter((m) => m.startAt.getTime() + m.durationMin * 60_000 > now.getTime())
      .filter((m) => sees(caller, m))
      .slice(0, limit);
    const orgs = await this.db.prisma.organization.findMany({ orderBy: { id: 'asc' } });
    const people = await this.db.prisma.person.findMany({
      where: { id: { in: visible.flatMap((m) => m.rsvps.map((r) => r.personId)) } },
      select: { id: true, identity: true },
    });
    // everyone invited sees every invited organisation's answer, but who answered (and who
    // attends as a proxy) only where they may see that organisation's people (seesPeopleOf)
    return visible.map(({ rsvps, ...meeting }) => ({
      meeting,
      answers: orgs
        .filter((o) => isInvited(meeting, o.code))
        .map((o) => {
          const r = rsvps.find((x) => x.orgId === o.id);
          if (!r) return { org: o, rsvp: null };
          if (!seesPeopleOf(caller, o.id)) return { org: o, rsvp: { ...r, proxy: null, by: '' } };
          return { org: o, rsvp: { ...r, by: people.find((p) => p.id === r.personId)?.identity ?? '?' } };
        }),
    }));
  }

  async cancel(caller: Caller, rawId: string): Promise<{ meeting: Meeting; notified: string[]; jobs: number }> {
    const m0 = await this.get(caller, rawId);
    const now = this.deps.clock.now();
    return this.db.tx(async (tx) => {
      const cur = await tx.meeting.findUniqueOrThrow({ where: { id: m0.id } });
      if (cur.status === 'cancelled') throw new UserError('meeting.already_cancelled', { id: cur.id });
      if (cur.startAt.getTime() <= now.getTime()) throw new UserError('meeting.started', { id: cur.id });
      const meeting = await tx.meeting.update({
        where: { id: cur.id },
        data: { status: 'cancelled', sequence: cur.sequence + 1, updatedAt: now },
      });
      const jobs = await cancelJobs(tx, 'meeting', cur.id);
      const orgs = await this.invitedOrgs(tx, cur.invite);
      for (const o of orgs) {
        await postToOrg(
          this.deps,
          tx,
          o,
          () => meetingPost(postStyle(this.deps), meeting, { kind: 'cancelled' }),
          `meeting:${cur.id}:cancelled`,
          {
            type: 'meeting',
            id: cur.id,
          },
        );
      }
      await audit(this.deps, tx, caller.identity, 'meeting.cancel', cur.id, { jobsCancelled: jobs });
      return { meeting, notified: orgs.map((o) => o.code), jobs };
    });
  }

  /** The caller's organisation's answer (one per organisation; a later answer replaces it). */
  async rsvp(caller: Caller, rawId: string, answer: RsvpAnswer, proxy: string | null): Promise<Meeting> {
    if (caller.personId === null || !caller.org) throw new UserError('meeting.no_org');
    if (proxy && answer !== 'proxy') throw new UserError('meeting.proxy_only');
    const org = caller.org;
    const personId = caller.personId;
    const m = await this.db.prisma.meeting.findUnique({ where: { id: canonicalId(rawId, 'MTG') } });
    if (!m || !isInvited(m, org.code)) {
      if (m && seesAll(caller)) throw new UserError('meeting.not_invited', { id: m.id, org: org.code });
      throw new UserError('meeting.not_found', { id: rawId });
    }
    const now = this.deps.clock.now();
    if (m.status === 'cancelled') throw new UserError('meeting.is_cancelled', { id: m.id });
    if (m.startAt.getTime() <= now.getTime()) throw new UserError('meeting.started', { id: m.id });
    await this.db.tx(async (tx) => {
      // a proxy attends for the organisation: someone registered with another one cannot
      if (proxy) {
        const p = await tx.person.findUnique({ where: { identity: proxy }, select: { orgId: true } });
        if (p?.orgId != null && p.orgId !== org.id)
          throw new UserError('meeting.proxy_other_org', { user: proxy, org: org.code });
      }
      await tx.meetingRsvp.upsert({
        where: { meetingId_orgId: { meetingId: m.id, orgId: org.id } },
        create: { meetingId: m.id, orgId: org.id, personId, answer, proxy, at: now },
        update: { personId, answer, proxy, at: now },
      });
      await audit(this.deps, tx, caller.identity, 'meeting.rsvp', m.id, { org: org.code, answer, proxy });
    });
    return m;
  }

  /** One meeting as an iCalendar file. */
  async ics(caller: Caller, rawId: string): Promise<{ meeting: Meeting; text: string }> {
    const meeting = await this.get(caller, rawId);
    return { meeting, text: meetingIcs(icsOf(meeting), { host: this.icsHost }) };
  }

  /**
   * The feed behind `GET /calendar/<token>.ics`, or null for a token that is not a person's, or
   * whose person holds no role now (a feed stops working the moment its person's roles go).
   * Every person's token is compared in constant time (SHA-256 digests of equal length, no early
   * exit), so the answer's timing does not tell which tokens exist. The feed holds the meetings
   * that person may see, as `meeting list` shows them.
   */
  async feed(token: string): Promise<string | null> {
    const candidates = await this.db.prisma.person.findMany({
      where: { calendarToken: { not: null } },
      select: { id: true, calendarToken: true },
      orderBy: { id: 'asc' },
    });
    const given = createHash('sha256').update(token).digest();
    let found: number | null = null;
    for (const c of candidates) {
      const same = timingSafeEqual(
        given,
        createHash('sha256')
          .update(c.calendarToken ?? '')
          .digest(),
      );
      if (same && found === null) found = c.id;
    }
    if (found === null) return null;
    const p = await this.db.prisma.person.findUnique({ where: { id: found }, include: { roles: true, org: true } });
    if (!p) return null;
    const org = p.org;
    const viewer: Viewer = {
      identity: p.identity,
      roles: effectiveRoles(p.roles.map((r) => r.role).filter(isRole), !!org?.coordinator),
      org: org ? { id: org.id, code: org.code, coordinator: org.coordinator } : null,
    };
    if (!feedAlive(viewer)) return null;
    const meetings = await this.db.prisma.meeting.findMany({ orderBy: { startAt: 'asc' } });
    const mine = meetings.filter((m) => sees(viewer, m));
    const name = org ? (this.deps.locale === 'ja' ? org.nameJa : org.nameEn) : p.identity;
    // the person's duty days (当番) beside the meetings, while they hold approver in the office
    const duties = await dutyFeedEvents(this.db.prisma, p.id, this.deps.clock.now());
    return meetingsFeedIcs([...mine.map(icsOf), ...duties], { host: this.icsHost, calName: `CSIRT PoC — ${name}` });
  }

  /** The caller's own feed URL (PUBLIC_URL + /calendar/<token>.ics), or null for strangers. */
  async feedUrl(caller: Caller): Promise<string | null> {
    if (caller.personId === null || !feedAlive(caller)) return null;
    const base = (this.deps.publicUrl ?? '').replace(/\/+$/, '');
    return `${base}/calendar/${await this.feedToken(caller.personId)}.ics`;
  }

  /** The person's calendar-feed token (people registered before feeds were per person get one on first use). */
  private async feedToken(personId: number): Promise<string> {
    const p = await this.db.prisma.person.findUnique({ where: { id: personId } });
    if (p?.calendarToken) return p.calendarToken;
    return this.db.tx(async (tx) => {
      const cur = await tx.person.findUniqueOrThrow({ where: { id: personId } });
      if (cur.calendarToken) return cur.calendarToken;
      const token = newFeedToken();
      await tx.person.update({ where: { id: personId }, data: { calendarToken: token } });
      await audit(this.deps, tx, cur.identity, 'person.calendar_feed', cur.identity, {});
      return token;
    });
  }

  jobHandlers(): Record<string, JobHandler> {
    const one: JobHandler = async (tx, job, now) => (await this.fireReminders(tx, [job], now))[0] ?? 'skipped';
    one.many = (tx, jobs, now) => this.fireReminders(tx, jobs, now);
    return { [REMINDER_JOB]: one };
  }

  /**
   * Fires reminders (one, or a burst due at the same instant) with a fixed number of queries,
   * each as the reminder policy decides (src/domain/reminder-policy.ts): nothing for a meeting
   * cancelled or begun; to each invited organisation, a reminder that asks for its answer, or,
   * when it has answered, one that recalls the answer. Earlier steps overdue together were
   * already superseded by the scheduler.
   */
  private async fireReminders(tx: Tx, jobs: JobWithArgs[], now: Date): Promise<JobOutcome[]> {
    const ids = [...new Set(jobs.map((j) => String(j.args.meetingId)))];
    const meetings = new Map((await tx.meeting.findMany({ where: { id: { in: ids } } })).map((m) => [m.id, m]));
    const rsvps = await tx.meetingRsvp.findMany({
      where: { meetingId: { in: ids } },
      select: { meetingId: true, orgId: true, answer: true },
    });
    const answerOf = new Map(rsvps.map((r) => [`${r.meetingId}:${r.orgId}`, r.answer]));
    const lists = [...meetings.values()].map((m) => invitedCodes(m.invite));
    const all =
      lists.length === 0
        ? []
        : await tx.organization.findMany({
            where: lists.includes('all') ? {} : { code: { in: [...new Set(lists.flat())] } },
            orderBy: { id: 'asc' },
          });
    const outcomes: JobOutcome[] = [];
    const posts: Parameters<typeof postToOrgs>[2][number][] = [];
    const records: Parameters<typeof auditMany>[2][number][] = [];
    for (const job of jobs) {
      const m = meetings.get(String(job.args.meetingId));
      const offset = String(job.args.offset);
      const orgs = m ? all.filter((o) => isInvited(m, o.code)) : [];
      const answers = orgs.map((o) => (m ? (answerOf.get(`${m.id}:${o.id}`) ?? null) : null));
      const d = m
        ? decide(
            REMINDER_JOB,
            m,
            answers.map((a) => ({ answered: a !== null })),
            now,
          )
        : ({ send: false, reason: 'settled' } as const);
      if (!m || !d.send) {
        outcomes.push('skipped');
        continue;
      }
      outcomes.push('done');
      orgs.forEach((o, k) => {
        posts.push({
          org: o,
          build: () => meetingPost(postStyle(this.deps), m, { kind: 'reminder', offset, answered: answers[k] }),
          key: `meeting:${m.id}:reminder:${offset}`,
          ref: { type: 'meeting', id: m.id },
        });
      });
      records.push({
        actor: 'system',
        action: 'meeting.reminder',
        subject: m.id,
        data: {
          offset,
          orgs: orgs.map((o) => o.code),
          answered: orgs.filter((_, k) => answers[k] !== null).map((o) => o.code),
        },
      });
    }
    await postToOrgs(this.deps, tx, posts);
    await auditMany(this.deps, tx, records);
    return outcomes;
  }
}
