/**
 * Indicators at scale (SQLite): N stored indicators bulk-loaded with raw SQL in big
 * transactions (setup, not measured), then R reports × 3 indicators stored through the
 * incident service (timed: one transaction each, as a command does), then `ioc check`
 * through the query service: a third misses, a third stored but in no report, a third in
 * reports.
 */
import { createHash } from 'node:crypto';
import type { Caller } from '../../src/core/command.ts';
import { benchApp, CONSOLE_ADMIN } from './app.ts';
import { seedOrgs } from './seed.ts';
import { percentile, round } from './stats.ts';

export interface IocResult {
  indicators: number;
  lookups: number;
  p50Ms: number;
  p99Ms: number;
  reports: number;
  reportSeconds: number;
  reportsPerSec: number;
  loadSeconds: number;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const stored = (i: number) => sha(`stored-${i}`);

export async function benchIoc(o: {
  orgs: number;
  indicators: number;
  reports: number;
  lookups?: number;
  log: (l: string) => void;
}): Promise<IocResult> {
  const { app, close } = await benchApp('sqlite');
  try {
    const { db } = app;
    const orgs = await seedOrgs(app, o.orgs, 'console', CONSOLE_ADMIN);
    const t0 = Date.now();
    const chunk = 5000;
    const perTx = 200_000;
    const at = new Date();
    for (let start = 0; start < o.indicators; start += perTx) {
      await db.tx(async (tx) => {
        for (let i = start; i < Math.min(o.indicators, start + perTx); i += chunk) {
          const n = Math.min(chunk, o.indicators - i);
          const params: unknown[] = [];
          for (let k = 0; k < n; k++) params.push('sha256', stored(i + k), at);
          await db.execute(
            tx,
            `INSERT INTO "Indicator" ("type", "value", "createdAt") VALUES ${Array(n).fill('(?, ?, ?)').join(', ')}`,
            ...params,
          );
        }
      });
    }
    const loadSeconds = (Date.now() - t0) / 1000;
    o.log(`ioc: ${o.indicators} indicators loaded in ${round(loadSeconds, 1)} s`);

    const callers: Caller[] = [];
    for (const org of orgs) callers.push(await app.services.directory.caller(`console:${org.user}`, null, null, 'ja'));
    const t1 = Date.now();
    for (let r = 0; r < o.reports; r++) {
      await app.services.incidents.report(callers[r % callers.length] as Caller, {
        category: 'malware',
        summary: `bench ioc ${r}`,
        ioc: [sha(`report-${r}`), stored((r * 7919) % o.indicators), `198.51.100.${(r % 200) + 1}`],
      });
    }
    const reportSeconds = (Date.now() - t1) / 1000;
    o.log(`ioc: ${o.reports} reports × 3 indicators stored in ${round(reportSeconds, 1)} s`);

    const nisc = await app.services.directory.caller(CONSOLE_ADMIN, null, null, 'ja');
    const lookups = o.lookups ?? 3000;
    const values: string[] = [];
    for (let i = 0; i < lookups; i++) {
      const k = Math.floor(Math.random() * 1e9);
      values.push(
        i % 3 === 0 ? sha(`missing-${k}`) : i % 3 === 1 ? stored(k % o.indicators) : sha(`report-${k % o.reports}`),
      );
    }
    for (const v of values.slice(0, 200)) await app.services.incidentQueries.iocCheck(nisc, v); // warm-up
    const times: number[] = [];
    for (const v of values) {
      const s = performance.now();
      await app.services.incidentQueries.iocCheck(nisc, v);
      times.push(performance.now() - s);
    }
    const r: IocResult = {
      indicators: o.indicators + o.reports * 2,
      lookups,
      p50Ms: round(percentile(times, 50), 3),
      p99Ms: round(percentile(times, 99), 3),
      reports: o.reports,
      reportSeconds: round(reportSeconds, 1),
      reportsPerSec: round(o.reports / reportSeconds, 0),
      loadSeconds: round(loadSeconds, 1),
    };
    o.log(`ioc: check p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms`);
    return r;
  } finally {
    await close();
  }
}
