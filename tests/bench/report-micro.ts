/**
 * In-process micro-benchmark of `report` (issue 19 item 7): N reports one after the other
 * through the router on a fresh database, each followed by the dispatcher's delivery, counting
 * the SQL statements and the CPU per report. `--profile=<dir>` writes a CPU profile of the loop.
 *
 *   node --import tsx tests/bench/report-micro.ts [n] [--profile=dir] [--sql] [--burst=8]
 *
 * `--burst=k`: the reports are sent k at a time, concurrently through the router (as a process
 * working on k commands at once does), so that the group commit writes them in batches; the
 * dispatcher delivers after each burst. The figures are per report.
 *
 * SQLite by default; TEST_PROVIDER=postgresql TEST_PG_URL=… for PostgreSQL (statements then
 * counted through pg's Client.query). On PostgreSQL it also prints the server's CPU per report
 * (`serverCpuMsPerReport`): the backends of the test database, read from /proc/<pid>/stat
 * before and after the loop (a server on this machine; connections opened during the loop are
 * counted from zero, ones closed during it are lost).
 */
import { readFileSync } from 'node:fs';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { consoleRefs } from '../../src/adapters/console/refs.ts';
import { testApp } from '../helpers/app.ts';
import { PERSONAS as P, registerPersonas } from '../helpers/personas.ts';
import { profiled } from './inprocess-profile.ts';

const args = process.argv.slice(2);
const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 300);
const profileDir = args.find((a) => a.startsWith('--profile='))?.slice('--profile='.length);
const showSql = args.includes('--sql');
const burst = Math.max(1, Number(args.find((a) => a.startsWith('--burst='))?.slice('--burst='.length) ?? 1));

const seen: string[] = [];
let counting = false;
// every statement, whichever way it is run (better-sqlite3's Statement, pg's Client)
const probe = new Sqlite(':memory:').prepare('SELECT 1');
const Statement = Object.getPrototypeOf(probe) as Record<string, (...a: unknown[]) => unknown>;
for (const m of ['run', 'all', 'get', 'iterate'] as const) {
  const orig = Statement[m] as (...a: unknown[]) => unknown;
  Statement[m] = function (this: { source: string }, ...a: unknown[]) {
    if (counting) seen.push(this.source);
    return orig.apply(this, a);
  };
}
const pgQuery = pg.Client.prototype.query as (...a: unknown[]) => unknown;
(pg.Client.prototype as unknown as { query: unknown }).query = function (this: unknown, ...a: unknown[]) {
  const q = a[0] as string | { text: string };
  if (counting) seen.push(typeof q === 'string' ? q : q.text);
  return pgQuery.apply(this, a);
};

const t = await testApp({ env: { RATE_LIMIT_PER_MINUTE: '100000' } });
await registerPersonas(t);
const text = (i: number) => `report category=malware summary="micro ${i}" ioc=192.0.2.${(i % 250) + 1}`;
const report = (i: number) => t.run(P.poc, text(i));
/** one report through the router, its posts left for the dispatcher's drain after the burst */
const send = (i: number) =>
  t.app.router.handle({ platform: 'console', identity: P.poc, text: text(i), channelId: null, refs: consoleRefs });
for (let i = 0; i < 30; i++) await report(i); // warm up (JIT, statement caches)

counting = true;
const one = seen.length;
await report(-1);
const perReport = seen.slice(one);
seen.length = 0;

/** CPU ms of this database's backends (PostgreSQL on this machine), by pid */
const serverCpu = async (): Promise<Map<number, number>> => {
  const out = new Map<number, number>();
  if (process.env.TEST_PROVIDER !== 'postgresql') return out;
  const c = new pg.Client({ connectionString: t.url });
  await c.connect();
  const rows = (
    await c.query('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()')
  ).rows;
  await c.end();
  for (const { pid } of rows as { pid: number }[]) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      out.set(pid, ((Number(f[11]) + Number(f[12])) * 1000) / 100); // utime + stime, in clock ticks (100/s)
    } catch {
      // not on this machine
    }
  }
  return out;
};
const server0 = await serverCpu();
const batches0 = { ...t.app.services.incidents.reportBatches };
// SQLite file databases: commits and fsyncs of the measured loop (src/db/sqlite-durable.ts)
const durable = t.app.db.durability?.stats;
const durable0 = durable ? { ...durable } : null;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await profiled(profileDir, 'report-micro', async () => {
  for (let i = 0; i < n; i += burst) {
    const k = Math.min(burst, n - i);
    const os = await Promise.all(Array.from({ length: k }, (_, j) => send(i + j)));
    await t.app.dispatcher.drain();
    for (const o of os) if (o.status !== 'ok') throw new Error(JSON.stringify(o.reply));
  }
});
const server1 = await serverCpu();
let serverMs = 0;
for (const [pid, ms] of server1) serverMs += ms - (server0.get(pid) ?? 0);
const batches = t.app.services.incidents.reportBatches;
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
counting = false;

const tally = new Map<string, number>();
for (const s of perReport) {
  const k = s.replace(/\s+/g, ' ').slice(0, 140);
  tally.set(k, (tally.get(k) ?? 0) + 1);
}
if (args.includes('--seq'))
  for (const s of perReport) process.stdout.write(`${s.replace(/\s+/g, ' ').slice(0, 200)}\n`);
if (showSql) for (const [k, v] of tally) process.stdout.write(`${v}× ${k}\n`);
if (args.includes('--loop-sql')) {
  // the measured loop's statements per report, by kind (bursts batch the writes and the claims)
  const loop = new Map<string, number>();
  for (const s of seen) {
    const k = s.replace(/\s+/g, ' ').trim().slice(0, 100);
    loop.set(k, (loop.get(k) ?? 0) + 1);
  }
  for (const [k, v] of [...loop].sort((a, b) => b[1] - a[1]))
    process.stdout.write(`${(v / n).toFixed(2)}/report ${k}\n`);
}
process.stdout.write(
  `${JSON.stringify({
    provider: process.env.TEST_PROVIDER ?? 'sqlite',
    n,
    burst,
    batches: batches.batches - batches0.batches,
    largestBatch: batches.largest,
    statementsPerReport: perReport.length,
    statementsAvg: Math.round((seen.length / n) * 10) / 10,
    cpuMsPerReport: Math.round(((cpu.user + cpu.system) / 1000 / n) * 100) / 100,
    wallMsPerReport: Math.round((ms / n) * 100) / 100,
    ...(durable && durable0
      ? {
          commitsPerReport: Math.round(((durable.commits - durable0.commits) / n) * 100) / 100,
          fsyncsPerReport: Math.round(((durable.syncs - durable0.syncs) / n) * 100) / 100,
        }
      : {}),
    ...(server1.size ? { serverCpuMsPerReport: Math.round((serverMs / n) * 100) / 100 } : {}),
  })}\n`,
);
await t.close();
process.exit(0);
