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
import type { Tx } from '../db/client.ts';
import type { Incident } from '../db/generated/sqlite/client.ts';
import type { DateStyle } from '../domain/dates.ts';
import { FINAL } from '../domain/incident-status.ts';
import { type ClockNotice, dueNotices, plannedNotices } from '../domain/report-clocks.ts';
import type { Translate } from '../i18n/index.ts';
import { cancelJobs, type JobHandler, scheduleJobs } from '../scheduler/scheduler.ts';
import { audit, type ServiceDeps } from './context.ts';
import { coordinatingOrg } from './coordinating-org.ts';
import { markMessage } from './exercise.ts';
import { clockMissing, clockPost } from './incident-clock-format.ts';
import { type ClockFields, clockInput } from './incident-clock-input.ts';
import { dmPerson, postToOrg } from './notify.ts';
import { scheduleChase } from './report-chase.ts';

export const INCIDENT_CLOCK_JOB = 'incident.clock';
export const CLOCK_REF = 'incident-clock';

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
  const input = clockInput(inc);
  const now = deps.clock.now().getTime();
  const planned = plannedNotices(input, deps.reportPolicy).filter((n) => !onlyFuture || n.at.getTime() > now);
  if (planned.length === 0) {
    await cancelJobs(tx, CLOCK_REF, inc.id);
    return 0;
  }
  // one statement for all of them (a report schedules five)
  await scheduleJobs(
    deps.db,
    tx,
    planned.map((n) => ({
      id: `incident:${inc.id}:clock:${n.key}`,
      kind: INCIDENT_CLOCK_JOB,
      dueAt: n.at,
      data: { incident: inc.id, key: n.key },
      refType: CLOCK_REF,
      refId: inc.id,
    })),
  );
  return planned.length;
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
  for (const p of cisos) {
    await dmPerson(deps, tx, p, post('ciso'), key, ref);
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
  });
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
