/**
 * Deadline clocks on the scheduler and the outbox (issue 17). Each notice of
 * `plannedNotices` (src/domain/report-clocks.ts) is a job `incident:<id>:clock:<key>`, whose key
 * carries the deadline: a job is a wake-up, and when it fires the handler asks `dueNotices`
 * again with the incident as it is now and the deployment's table, and speaks only if its own
 * notice is still due — a clock met meanwhile, a deadline moved (awareness corrected, table
 * changed), a reminder overtaken by a later one or by the deadline after downtime: all skip.
 * The job fires exactly once across processes (scheduler), and its posts carry keys the outbox
 * never writes twice.
 */
import { canonicalJson } from '../audit/canonical-json.ts';
import { MAIL } from '../core/platform.ts';
import type { Prisma$, Tx } from '../db/client.ts';
import type { Delivery, Incident } from '../db/generated/sqlite/client.ts';
import type { DateStyle } from '../domain/dates.ts';
import { FINAL } from '../domain/incident-status.ts';
import { type ClockNotice, dueNotices, plannedNotices } from '../domain/report-clocks.ts';
import type { Translate } from '../i18n/index.ts';
import { cancelJobs, type JobHandler, type NewJob, scheduleJobs } from '../scheduler/scheduler.ts';
import { audit, type ServiceDeps } from './context.ts';
import { coordinatingOrg } from './coordinating-org.ts';
import { markMessage } from './exercise.ts';
import { clockMissing, clockPost } from './incident-clock-format.ts';
import { type ClockFields, clockInput } from './incident-clock-input.ts';
import { addressStillTheirs, postToOrg, recipientOf, tellPerson } from './notify.ts';
import { scheduleChase } from './report-chase.ts';

export const INCIDENT_CLOCK_JOB = 'incident.clock';
export const CLOCK_REF = 'incident-clock';

/**
 * The jobs of the incident's notices (a job per notice and deadline), without writing them: a
 * batch of reports writes all its members' jobs with one statement (report-batch.ts).
 */
export function clockJobs(
  deps: Pick<ServiceDeps, 'clock' | 'reportPolicy'>,
  inc: ClockFields & { id: string },
  onlyFuture = false,
): NewJob[] {
  const input = clockInput(inc);
  const now = deps.clock.now().getTime();
  return plannedNotices(input, deps.reportPolicy)
    .filter((n) => !onlyFuture || n.at.getTime() > now)
    .map((n) => ({
      id: `incident:${inc.id}:clock:${n.key}`,
      kind: INCIDENT_CLOCK_JOB,
      dueAt: n.at,
      data: { incident: inc.id, key: n.key },
      refType: CLOCK_REF,
      refId: inc.id,
    }));
}

/**
 * Schedules the incident's notices (idempotent: a job per notice and deadline). A final or
 * closed incident has none left: its pending wake-ups are withdrawn.
 */
export async function scheduleClocks(
  deps: ServiceDeps,
  tx: Tx,
  inc: ClockFields & { id: string },
  onlyFuture = false,
): Promise<number> {
  const jobs = clockJobs(deps, inc, onlyFuture);
  if (jobs.length === 0) {
    await cancelJobs(tx, CLOCK_REF, inc.id);
    return 0;
  }
  // one statement for all of them (a report schedules five)
  await scheduleJobs(deps.db, tx, jobs);
  return jobs.length;
}

/** The job handler: speaks if the job's notice is still due now, else skips. */
export function clockJobHandler(deps: ServiceDeps): JobHandler {
  return async (tx, job, now) => {
    const id = String(job.args.incident);
    // locked like incident update: a 続報 committing meanwhile is seen, never escalated over
    await deps.db.execute(tx, 'UPDATE "Incident" SET id = id WHERE id = ?', id);
    const inc = await tx.incident.findUnique({ where: { id } });
    if (!inc) return 'skipped';
    const notice = dueNotices(clockInput(inc), deps.reportPolicy, now).find((n) => n.key === job.args.key);
    if (!notice) return 'skipped';
    await speak(deps, tx, inc, notice);
    // a deadline passed unmet: the organisation's people are asked, one at a time (report-chase.ts)
    if (notice.kind === 'escalate') await scheduleChase(deps, tx, id, notice, now);
    return 'done';
  };
}

async function speak(deps: ServiceDeps, tx: Tx, inc: Incident, notice: ClockNotice): Promise<void> {
  const org = await tx.organization.findUniqueOrThrow({ where: { id: inc.orgId } });
  const rule = deps.reportPolicy.deadlines.find((d) => d.stage === notice.stage);
  if (!rule) return;
  const missing = clockMissing(inc, deps.reportPolicy);
  const key = `incident:${inc.id}:clock:${notice.key}`;
  const ref = { type: 'incident', id: inc.id };
  const cisos = notice.tell.includes('ciso')
    ? await tx.person.findMany({ where: { orgId: org.id, roles: { some: { role: 'ciso' } } }, orderBy: { id: 'asc' } })
    : [];
  const post = (audience: 'organisation' | 'ciso' | 'coordinator') => (t: Translate, dates: DateStyle) =>
    markMessage(
      t,
      inc.exercise,
      clockPost(t, dates, { ...inc, org }, notice, missing, audience, rule.due, cisos.length === 0),
    );
  const told: string[] = [];
  if (notice.tell.includes('organisation')) {
    await postToOrg(deps, tx, org, post('organisation'), key, ref);
    told.push(org.code);
  }
  // a CISO the bot has no chat for, with an address, is told by e-mail (tellPerson)
  const email: string[] = [];
  for (const p of cisos) {
    if ((await tellPerson(deps, tx, p, post('ciso'), key, ref)).by === 'email') email.push(p.identity);
    told.push(p.identity);
  }
  if (notice.tell.includes('coordinator')) {
    const coord = await coordinatingOrg(tx);
    if (coord && coord.id !== org.id) {
      await postToOrg(deps, tx, coord, post('coordinator'), key, ref);
      told.push(coord.code);
    }
  }
  await tx.incidentEvent.create({
    data: {
      incidentId: inc.id,
      at: deps.clock.now(),
      actor: 'system',
      kind: 'clock',
      data: canonicalJson({ stage: notice.stage, kind: notice.kind, due: notice.dueAt.toISOString(), told }),
    },
  });
  await audit(deps, tx, 'system', `incident.${notice.kind === 'remind' ? 'reminder' : 'escalation'}`, inc.id, {
    stage: notice.stage,
    due: notice.dueAt.toISOString(),
    offset: notice.offset,
    told,
    ...(email.length > 0 ? { email } : {}),
  });
}

/**
 * The dispatcher's last word on a clock's message to a CISO (null: send it), by chat or by
 * e-mail (the person read from the key, `recipientOf`): the person still a CISO of the
 * incident's organisation, and for an e-mail the address still theirs. Posts to an
 * organisation's channel are `channelStillOwned`'s.
 */
export async function guardClock(db: Prisma$, d: Delivery): Promise<string | null> {
  if (d.refType !== 'incident' || d.kind === 'update' || !d.refId) return null;
  if (!d.dedupeKey.startsWith(`incident:${d.refId}:clock:`)) return null;
  if (d.kind !== 'dm' && !(d.platform === MAIL && d.orgId === null)) return null;
  const inc = await db.incident.findUnique({ where: { id: d.refId }, select: { orgId: true } });
  if (!inc) return 'refused: incident not found';
  const ciso = await db.person.findFirst({
    where: { identity: recipientOf(d), orgId: inc.orgId, roles: { some: { role: 'ciso' } } },
    select: { id: true },
  });
  if (!ciso) return 'refused: no longer holds the role (ciso)';
  return addressStillTheirs(db, d);
}

/**
 * Every open incident's notices, scheduled again when the deployment's table changed since the
 * last start (or on the first start with clocks): the wake-ups follow the new deadlines; old ones
 * skip when they fire. Only notices still ahead are scheduled: a new table (or the upgrade to a
 * version with clocks) applies to what comes due after it, and never escalates at once every
 * old incident that the table would have found late.
 */
export async function ensureClocks(deps: ServiceDeps, fingerprint: string): Promise<number> {
  const KEY = 'report-policy.fingerprint';
  const seen = await deps.db.prisma.setting.findUnique({ where: { key: KEY } });
  if (seen?.value === fingerprint) return 0;
  let n = 0;
  let cursor: string | undefined;
  for (;;) {
    const page = await deps.db.prisma.incident.findMany({
      where: { stage: { not: 'final' }, status: { notIn: [...FINAL] }, ...(cursor ? { id: { gt: cursor } } : {}) },
      orderBy: { id: 'asc' },
      take: 200,
    });
    if (page.length === 0) break;
    await deps.db.tx(async (tx) => {
      for (const inc of page) n += await scheduleClocks(deps, tx, inc, true);
    });
    cursor = page[page.length - 1]?.id;
  }
  await deps.db.prisma.setting.upsert({
    where: { key: KEY },
    create: { key: KEY, value: fingerprint },
    update: { value: fingerprint },
  });
  return n;
}
