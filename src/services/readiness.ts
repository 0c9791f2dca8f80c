/**
 * CSIRT readiness (PRODUCT.md §7). An organisation is ready when its record has an
 * established date, a primary and a deputy (contact and hours are shown but not required).
 * The deadline is 31 March of the current fiscal year; organisations not ready are reminded
 * 30 and 7 days before it by two scheduler jobs per fiscal year (`readiness:<fy>:30d`,
 * `readiness:<fy>:7d`), created idempotently at every start for this fiscal year and the
 * next; the handler decides at fire time who is not ready.
 */
import type { Caller } from '../core/command.ts';
import { UserError } from '../core/errors.ts';
import type { Tx } from '../db/client.ts';
import type { CsirtReadiness, Organization } from '../db/generated/sqlite/client.ts';
import { formatDate } from '../domain/dates.ts';
import { fiscalYearEnd, fiscalYearOf } from '../domain/fiscal-year.ts';
import { decide, type ReminderKind } from '../domain/reminder-policy.ts';
import { readinessReminderTimes } from '../domain/reminders.ts';
import { seesEveryOrg, seesOrg } from '../domain/sharing.ts';
import { tokyoStartOfDay } from '../domain/tokyo-time.ts';
import { translator } from '../i18n/index.ts';
import { type JobHandler, scheduleJob } from '../scheduler/scheduler.ts';
import { audit, postStyle, type ServiceDeps } from './context.ts';
import { postToOrg } from './notify.ts';

export const READINESS_JOB = 'readiness.reminder' satisfies ReminderKind;
const DAY_MS = 24 * 60 * 60_000;

export interface ReadinessInput {
  established?: Date;
  /** person identities */
  primary?: string;
  deputy?: string;
  contact?: string;
  hours?: string;
}

export interface ReadinessRow {
  org: Organization;
  record: CsirtReadiness | null;
  primary: string | null;
  deputy: string | null;
  ready: boolean;
}

export function isReady(r: Pick<CsirtReadiness, 'established' | 'primaryId' | 'deputyId'> | null): boolean {
  return !!r && r.established !== null && r.primaryId !== null && r.deputyId !== null;
}

/** The current fiscal year's deadline and the Tokyo calendar days left until it (0 on the day). */
export function deadlineOf(now: Date): { fy: number; deadline: Date; daysLeft: number } {
  const fy = fiscalYearOf(now);
  const deadline = fiscalYearEnd(fy);
  const daysLeft = Math.round((tokyoStartOfDay(deadline).getTime() - tokyoStartOfDay(now).getTime()) / DAY_MS);
  return { fy, deadline, daysLeft };
}

export class ReadinessService {
  constructor(private readonly deps: ServiceDeps) {}

  private get db() {
    return this.deps.db;
  }

  /**
   * Sets fields of an organisation's record. A PoC sets their own organisation's; NISC's
   * coordinator and admin any organisation's (org=).
   */
  async set(caller: Caller, orgCode: string | undefined, input: ReadinessInput): Promise<ReadinessRow> {
    const nisc = caller.roles.has('admin') || caller.roles.has('coordinator');
    const code = orgCode ?? caller.org?.code;
    if (!code) throw new UserError('csirt.org_required');
    if (!nisc && code !== caller.org?.code) throw new UserError('csirt.own_org_only');
    if (Object.values(input).every((v) => v === undefined)) throw new UserError('csirt.nothing_to_set');
    const now = this.deps.clock.now();
    if (input.established && input.established.getTime() > now.getTime())
      throw new UserError('csirt.established_future');
    return this.db.tx(async (tx) => {
      const org = await tx.organization.findUnique({ where: { code } });
      if (!org) throw new UserError('org.not_found', { org: code });
      const personIn = async (identity: string | undefined): Promise<number | undefined> => {
        if (identity === undefined) return undefined;
        const p = await tx.person.findUnique({ where: { identity } });
        if (!p || p.orgId !== org.id) throw new UserError('csirt.person_not_in_org', { user: identity, org: org.code });
        return p.id;
      };
      const data = {
        established: input.established,
        primaryId: await personIn(input.primary),
        deputyId: await personIn(input.deputy),
        contact: input.contact,
        hours: input.hours,
      };
      const before = await tx.csirtReadiness.findUnique({ where: { orgId: org.id } });
      const record = await tx.csirtReadiness.upsert({
        where: { orgId: org.id },
        create: { orgId: org.id, ...data },
        update: data,
      });
      if (data.primaryId !== undefined && data.primaryId === record.deputyId) throw new UserError('csirt.same_person');
      if (data.deputyId !== undefined && data.deputyId === record.primaryId) throw new UserError('csirt.same_person');
      await audit(this.deps, tx, caller.identity, 'csirt.set', org.code, {
        established: input.established?.toISOString() ?? undefined,
        primary: input.primary,
        deputy: input.deputy,
        contact: input.contact,
        hours: input.hours,
        readyBefore: isReady(before),
        ready: isReady(record),
      });
      return this.row(tx, org, record);
    });
  }

  private async row(
    tx: Tx | ServiceDeps['db']['prisma'],
    org: Organization,
    record: CsirtReadiness | null,
  ): Promise<ReadinessRow> {
    const ids = [record?.primaryId, record?.deputyId].filter((x): x is number => typeof x === 'number');
    const people = ids.length ? await tx.person.findMany({ where: { id: { in: ids } } }) : [];
    const who = (id: number | null | undefined) => people.find((p) => p.id === id)?.identity ?? null;
    return { org, record, primary: who(record?.primaryId), deputy: who(record?.deputyId), ready: isReady(record) };
  }

  /**
   * The records of the organisations the caller sees (seesOrg: every one for the coordinating
   * roles, else their own; the coordinating organisation's other people included).
   */
  async status(caller: Caller): Promise<ReadinessRow[]> {
    const all = seesEveryOrg(caller);
    if (!all && !caller.org) throw new UserError('meeting.no_org');
    const orgs = await this.db.prisma.organization.findMany({
      where: all ? {} : { id: caller.org?.id ?? -1 },
      orderBy: { id: 'asc' },
      include: { readiness: true },
    });
    const rows: ReadinessRow[] = [];
    for (const { readiness, ...org } of orgs.filter((o) => seesOrg(caller, o.id)))
      rows.push(await this.row(this.db.prisma, org, readiness));
    return rows;
  }

  /** Creates this and next fiscal year's reminder jobs (idempotent; past times are not created). */
  async ensureReminders(): Promise<string[]> {
    const now = this.deps.clock.now();
    const fy = fiscalYearOf(now);
    const created: string[] = [];
    await this.db.tx(async (tx) => {
      for (const y of [fy, fy + 1]) {
        for (const r of readinessReminderTimes(y)) {
          if (r.at.getTime() <= now.getTime()) continue;
          const id = `readiness:${y}:${r.daysBefore}d`;
          await scheduleJob(this.db, tx, {
            id,
            kind: READINESS_JOB,
            dueAt: r.at,
            data: { fy: y, daysBefore: r.daysBefore },
            refType: 'readiness',
            refId: String(y),
          });
          created.push(id);
        }
      }
    });
    return created;
  }

  jobHandlers(): Record<string, JobHandler> {
    return { [READINESS_JOB]: (tx, job, now) => this.fireReminder(tx, job.args, now) };
  }

  private async fireReminder(tx: Tx, args: Record<string, unknown>, now: Date): Promise<'done' | 'skipped'> {
    const fy = Number(args.fy);
    const deadline = fiscalYearEnd(fy);
    const daysLeft = Math.round((tokyoStartOfDay(deadline).getTime() - tokyoStartOfDay(now).getTime()) / DAY_MS);
    const orgs = await tx.organization.findMany({ orderBy: { id: 'asc' }, include: { readiness: true } });
    // the reminder policy (src/domain/reminder-policy.ts): nothing past the deadline or once all are ready
    const d = decide(
      READINESS_JOB,
      { fiscalYear: fy },
      orgs.map((o) => ({ ready: isReady(o.readiness) })),
      now,
    );
    if (!d.send) return 'skipped';
    const notReady = orgs.filter((_, k) => d.actions[k] !== 'none');
    const locale = this.deps.locale;
    for (const o of notReady) {
      const r = o.readiness;
      const t = translator(locale);
      const missing = [
        r?.established ? null : t('csirt.field.established'),
        r?.primaryId ? null : t('csirt.field.primary'),
        r?.deputyId ? null : t('csirt.field.deputy'),
      ].filter((x): x is string => x !== null);
      await postToOrg(
        this.deps,
        tx,
        o,
        (tt) => ({
          blocks: [
            {
              kind: 'heading',
              text: tt('csirt.reminder.title', {
                deadline: formatDate(deadline, postStyle(this.deps)),
                days: daysLeft,
              }),
            },
            { kind: 'text', text: tt('csirt.reminder.body', { missing: missing.join(locale === 'ja' ? '、' : ', ') }) },
            { kind: 'context', text: tt('csirt.reminder.how') },
          ],
        }),
        `readiness:${fy}:${String(args.daysBefore)}d`,
        { type: 'readiness', id: String(fy) },
      );
    }
    await audit(this.deps, tx, 'system', 'csirt.reminder', String(fy), {
      daysBefore: Number(args.daysBefore),
      orgs: notReady.map((o) => o.code),
    });
    return 'done';
  }
}
