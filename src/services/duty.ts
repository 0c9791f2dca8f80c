/**
 * The duty rota (当番) of the coordinating office (issue 20 item 1): `duty set` writes the weekly
 * pattern or one date, `duty swap` one date, `duty show` who is on duty now, next and this week.
 * The rule (days from 00:00 JST, a date over its weekday, what "next" means) is src/domain/duty.ts.
 *
 * Only the coordinating office (coordinator, admin) changes the rota; the person named must be
 * of the coordinating organisation and hold `approver` (the duty officer approves advisories),
 * else nothing is written. A date before today (Tokyo) is refused: the past is not rewritten.
 * Every change is audited with the person it replaced.
 */
import type { Caller } from '../core/command.ts';
import { UserError } from '../core/errors.ts';
import { isRole } from '../core/roles.ts';
import type { Prisma$, Tx } from '../db/client.ts';
import {
  type DutyRota,
  type DutySlot,
  dutyDay,
  dutyDayStart,
  dutyDaysOf,
  dutyWeek,
  type NextDuty,
  nextDuty,
  onDuty,
} from '../domain/duty.ts';
import type { IcsMeeting } from '../domain/ics.ts';
import { effectiveRoles, seesEveryOrg } from '../domain/sharing.ts';
import { audit, type ServiceDeps } from './context.ts';
import { coordinatingOrg } from './coordinating-org.ts';

/** A person of the rota as views show them. */
export interface DutyPerson {
  id: number;
  identity: string;
  name: string | null;
}

export interface DutyView {
  now: DutyPerson | null;
  next: NextDuty<DutyPerson> | null;
  week: { day: string; weekday: number; person: DutyPerson | null }[];
}

const slotKey = (s: DutySlot): string => (s.kind === 'weekday' ? `w${s.weekday}` : s.day);

/** The rota as stored (person ids). */
export async function loadRota(db: Tx | Prisma$): Promise<DutyRota<number>> {
  const rows = await db.dutySlot.findMany();
  const weekly = new Map<number, number>();
  const dates = new Map<string, number>();
  for (const r of rows) {
    if (/^w[0-6]$/.test(r.slot)) weekly.set(Number(r.slot.slice(1)), r.personId);
    else dates.set(r.slot, r.personId);
  }
  return { weekly, dates };
}

/** The kind of the approval request's direct message to the duty officer (advisory delivery keys). */
export const DUTY_REVIEW = 'review-duty';

/** Holds `approver` now as a person of the coordinating organisation. */
export async function approverOfOffice(db: Tx | Prisma$, personId: number): Promise<boolean> {
  const p = await db.person.findUnique({ where: { id: personId }, include: { roles: true, org: true } });
  if (!p?.org?.coordinator) return false;
  return effectiveRoles(p.roles.map((r) => r.role).filter(isRole), true).has('approver');
}

/**
 * The duty officer at an instant, if they still hold `approver` in the coordinating
 * organisation (a role removed after `duty set` makes them nobody's duty officer), else null.
 */
export async function dutyOfficer(db: Tx | Prisma$, at: Date): Promise<{ id: number; identity: string } | null> {
  const id = onDuty(await loadRota(db), at);
  if (id === null || !(await approverOfOffice(db, id))) return null;
  const p = await db.person.findUnique({ where: { id } });
  return p ? { id: p.id, identity: p.identity } : null;
}

/** How far ahead a person's calendar feed lists their duty days. */
const FEED_DAYS = 56;

/**
 * A person's duty days from today on, as calendar events for their feed (`DUTY-YYYY-MM-DD`, the
 * whole Tokyo day): only while they hold approver in the coordinating organisation. A day
 * swapped away from them drops out of the feed (a feed is a whole snapshot).
 */
export async function dutyFeedEvents(db: Prisma$, personId: number, now: Date): Promise<IcsMeeting[]> {
  if (!(await approverOfOffice(db, personId))) return [];
  const rows = await db.dutySlot.findMany();
  const rota = await loadRota(db);
  const updatedAt = new Date(Math.max(0, ...rows.map((r) => r.updatedAt.getTime())));
  return dutyDaysOf(rota, personId, now, FEED_DAYS).map((day) => ({
    id: `DUTY-${day}`,
    title: '当番 / Duty officer',
    start: dutyDayStart(day),
    durationMin: 24 * 60,
    status: 'scheduled' as const,
    sequence: Math.floor(updatedAt.getTime() / 1000),
    updatedAt,
  }));
}

export class DutyService {
  constructor(private readonly deps: ServiceDeps) {}

  private get db() {
    return this.deps.db;
  }

  /** The coordinating office's people (and admins) only. */
  private office(caller: Caller): number {
    if (caller.personId === null) throw new UserError('auth.unregistered');
    const ok = caller.roles.has('admin') || (!!caller.org?.coordinator && seesEveryOrg(caller));
    if (!ok) throw new UserError('auth.forbidden', { command: 'duty' });
    return caller.personId;
  }

  /** Sets a weekday of the weekly pattern or one date (`kind` set), or swaps one date (`kind` swap). */
  async assign(
    caller: Caller,
    kind: 'set' | 'swap',
    slot: DutySlot,
    identity: string,
  ): Promise<{ slot: DutySlot; person: string; before: string | null }> {
    const by = this.office(caller);
    // changing the rota is the coordinators' (an approver may only look at it)
    if (!caller.roles.has('admin') && !caller.roles.has('coordinator'))
      throw new UserError('auth.forbidden', { command: 'duty' });
    const now = this.deps.clock.now();
    if (slot.kind === 'date' && slot.day < dutyDay(now)) throw new UserError('duty.past', { date: slot.day });
    return this.db.tx(async (tx) => {
      const coord = await coordinatingOrg(tx);
      if (!coord) throw new UserError('org.no_coordinator');
      const p = await tx.person.findUnique({ where: { identity } });
      if (!p || !(await approverOfOffice(tx, p.id))) throw new UserError('duty.not_approver', { user: identity });
      const key = slotKey(slot);
      const prev = await tx.dutySlot.findUnique({ where: { slot: key } });
      let before: string | null = null;
      if (prev) before = (await tx.person.findUnique({ where: { id: prev.personId } }))?.identity ?? null;
      else if (slot.kind === 'date') {
        const weekly = await tx.dutySlot.findUnique({
          where: { slot: `w${new Date(`${slot.day}T12:00:00Z`).getUTCDay()}` },
        });
        if (weekly) before = (await tx.person.findUnique({ where: { id: weekly.personId } }))?.identity ?? null;
      }
      const data = { kind: slot.kind === 'weekday' ? 'weekly' : kind, personId: p.id, setBy: by, updatedAt: now };
      await tx.dutySlot.upsert({ where: { slot: key }, create: { slot: key, ...data }, update: data });
      await audit(this.deps, tx, caller.identity, `duty.${kind}`, key, { person: p.identity, before });
      return { slot, person: p.identity, before };
    });
  }

  /** Who is on duty now, next, and the seven days from today. */
  async show(caller: Caller): Promise<DutyView> {
    this.office(caller);
    const p = this.db.prisma;
    const rota = await loadRota(p);
    const ids = [...new Set([...rota.weekly.values(), ...rota.dates.values()])];
    const people = await p.person.findMany({ where: { id: { in: ids } } });
    const byId = new Map(people.map((x) => [x.id, { id: x.id, identity: x.identity, name: x.displayName ?? null }]));
    const of = (id: number | null): DutyPerson | null => (id === null ? null : (byId.get(id) ?? null));
    const now = this.deps.clock.now();
    const next = nextDuty(rota, now);
    return {
      now: of(onDuty(rota, now)),
      next: next ? { ...next, person: of(next.person) } : null,
      week: dutyWeek(rota, now).map((d) => ({ ...d, person: of(d.person) })),
    };
  }
}
