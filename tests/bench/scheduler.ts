/**
 * Scheduler lag: N meeting reminders due in the same minute, fired by the real scheduler
 * (node-cron ticking every second, real clock, SQLite). Lag = when the transaction that wrote
 * the reminder's posts committed minus its due time. Two patterns: spread evenly over the minute, and a burst (all
 * due at the same instant, as reminders of meetings that start on the hour are).
 */
import type { Job } from '../../src/db/generated/sqlite/client.ts';
import { parseReminderOffsets } from '../../src/domain/reminders.ts';
import { REMINDER_JOB } from '../../src/services/meetings.ts';
import { benchApp, CONSOLE_ADMIN } from './app.ts';
import { profiled } from './inprocess-profile.ts';
import { seedOrgs } from './seed.ts';
import { percentile, round, sleep, until } from './stats.ts';

export interface LagResult {
  pattern: 'spread' | 'burst';
  reminders: number;
  windowMs: number;
  fired: number;
  p50: number;
  p99: number;
  max: number;
}

export interface SchedulerResult {
  runs: LagResult[];
}

export async function benchScheduler(o: {
  orgs: number;
  reminders: number;
  /** the spread pattern's window (a minute; shorter in the quick run) */
  windowMs: number;
  /** CPU-profile each pattern's measured phase into this directory */
  profileDir?: string;
  log: (l: string) => void;
}): Promise<SchedulerResult> {
  const { app, close } = await benchApp('sqlite');
  try {
    const orgs = await seedOrgs(app, o.orgs, 'console', CONSOLE_ADMIN);
    const caller = await app.services.directory.caller(CONSOLE_ADMIN, null, null, 'ja');
    const offsets = parseReminderOffsets('2h,1h');
    if (!offsets.ok) throw new Error('bad offsets');
    o.log(`scheduler: scheduling ${o.reminders} meetings`);
    const start = new Date(Date.now() + 3 * 3600_000);
    const ids: string[] = [];
    for (let i = 0; i < o.reminders; i++) {
      const r = await app.services.meetings.schedule(caller, {
        title: `bench ${i}`,
        start,
        durationMin: 60,
        invite: [(orgs[i % orgs.length] as (typeof orgs)[number]).code],
        reminders: offsets.value,
      });
      ids.push(r.meeting.id);
    }
    await app.dispatcher.drain();

    // lag: from the due time to the commit of the transaction that wrote the reminder's posts
    let lags: number[] = [];
    app.scheduler.onFired = (job: Job) => {
      if (job.kind === REMINDER_JOB) lags.push(Date.now() - job.dueAt.getTime());
    };
    app.dispatcher.start();
    app.scheduler.start();

    const runs: LagResult[] = [];
    for (const [pattern, offset] of [
      ['spread', '2h'],
      ['burst', '1h'],
    ] as const) {
      lags = [];
      const minute = Date.now() + 3000;
      await app.db.tx(async (tx) => {
        for (const [i, id] of ids.entries()) {
          const due = pattern === 'spread' ? minute + Math.floor((i * o.windowMs) / ids.length) : minute;
          await tx.job.update({ where: { id: `meeting:${id}:reminder:${offset}` }, data: { dueAt: new Date(due) } });
        }
      });
      o.log(`scheduler: ${pattern}: ${ids.length} reminders due from ${new Date(minute).toISOString()}`);
      const last = pattern === 'spread' ? minute + o.windowMs : minute;
      await sleep(Math.max(0, minute - Date.now() - 100));
      await profiled(o.profileDir, `scheduler-${pattern}`, async () => {
        await sleep(Math.max(0, last - Date.now()));
        await until(() => lags.length >= ids.length, 120_000, 50);
      });
      runs.push({
        pattern,
        reminders: ids.length,
        windowMs: pattern === 'spread' ? o.windowMs : 0,
        fired: lags.length,
        p50: round(percentile(lags, 50), 0),
        p99: round(percentile(lags, 99), 0),
        max: round(Math.max(0, ...lags), 0),
      });
      o.log(`scheduler: ${pattern}: lag p50 ${runs.at(-1)?.p50} ms, p99 ${runs.at(-1)?.p99} ms`);
    }
    return { runs };
  } finally {
    await close();
  }
}
