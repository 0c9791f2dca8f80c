/** The benchmark's table: rows of measured figure, its floor or target, and pass/miss; text and README markdown. */
import { readFileSync, writeFileSync } from 'node:fs';
import type { BroadcastResult } from './broadcast.ts';
import type { CommandBench, CommandKind, LoadMode, LoadResult, Target } from './commands.ts';
import type { DashboardResult } from './dashboard.ts';
import type { PgDurability } from './databases.ts';
import type { IocResult } from './ioc.ts';
import type { Machine } from './machine.ts';
import type { SchedulerResult } from './scheduler.ts';
import type { StartupResult } from './startup.ts';
import { round } from './stats.ts';

export interface BenchResult {
  date: string;
  quick: boolean;
  machine: Machine & { loadBefore: number[] };
  seconds: number;
  /** the PostgreSQL server's fsync and synchronous_commit, as it said (absent: no PostgreSQL, or a run before they were recorded) */
  postgres?: PgDurability | null;
  commands: CommandBench | null;
  broadcast: BroadcastResult | null;
  scheduler: SchedulerResult | null;
  ioc: IocResult | null;
  startup?: StartupResult | null;
  dashboard?: DashboardResult[];
}

export interface Row {
  what: string;
  measured: string;
  /** the floor or reference it is compared with */
  against: string;
  /** the ratio or figure the target applies to, with the target */
  target: string;
  /** the same figure before the work of issue #19 (BEFORE), or measured in this run on another tree */
  before?: string;
  verdict: 'pass' | 'miss' | '';
}

const fmt = (n: number | null | undefined, unit = '') =>
  n === null || n === undefined || Number.isNaN(n) ? '–' : `${n}${unit}`;
const verdict = (ok: boolean | null): Row['verdict'] => (ok === null ? '' : ok ? 'pass' : 'miss');
const ratio = (a: number, b: number) => (b > 0 && Number.isFinite(a) ? round(a / b, 1) : Number.NaN);

export const TARGETS = {
  reportP99Ms: 50,
  medianOverFloor: 3,
  broadcastOverFloor: 1.1,
  reminderP99Ms: 2000,
  iocP99Ms: 5,
  dashboardP95Ms: 100,
  /** issue #19: the bot in Slack mode on SQLite, compiled (dist/), at idle */
  idleRssMb: 120,
  /** issue #19: `report` acknowledged and completed per second at the maximum */
  reportSqlitePerSec: 400,
  reportPgPerSec: 200,
  /** issue #19: the console answering one `/csirt help` from a pipe, whole process, median */
  helpMs: 800,
};

/**
 * The figures before issue #19 (README table of 2026-11-26 03:47 UTC, load 0.44–4.36; the
 * `/csirt help` start from the progress note of session 3, dist/, load 11–13.5), by row.
 */
export const BEFORE: Record<string, string> = {
  // measured with autocannon's overallRate: the burst row's figure, not the paced one's
  '`report` ack, 200 at once each second (autocannon), SQLite: p50, p99': 'p99 2783.38 ms',
  '`report` ack, SQLite: max throughput (10 connections)': '117 ack/s, 120 done/s',
  '`report` ack, PostgreSQL: max throughput (10 connections)': '50 ack/s, 49 done/s',
  'RSS of the bot (SQLite) at idle': '203.4 MB (tsx)',
  '`/csirt help` from a pipe, whole process (console, dist/, SQLite)': '4024 ms (load 11)',
};

export function buildRows(r: BenchResult): Row[] {
  const rows: Row[] = [];
  const c = r.commands;
  if (c) {
    const get = (t: Target, cmd: CommandKind, mode: LoadMode): LoadResult | undefined =>
      c.loads.find((l) => l.target === t && l.command === cmd && l.mode === mode);
    // The "@rate/s" rows are the paced load (open loop, latency from each request's due time);
    // the burst rows are autocannon's overallRate, rate requests at once at the start of every second
    const burstName = (b: LoadResult) => `${b.rate} at once each second (autocannon)`;
    const burstRow = (what: string, b: LoadResult | undefined, floor?: LoadResult): void => {
      if (!b) return;
      rows.push({
        what,
        measured: `p50 ${fmt(b.p50, ' ms')}, p99 ${fmt(b.p99, ' ms')}`,
        against: floor ? `floor p50 ${fmt(floor.p50, ' ms')}, p99 ${fmt(floor.p99, ' ms')}` : '',
        target: '',
        verdict: '',
      });
    };
    const floorFixed = get('floor', 'report', 'paced');
    const floorBurst = get('floor', 'report', 'burst');
    const floorMax = get('floor', 'report', 'max');
    if (floorFixed) {
      rows.push({
        what: `bare bolt ack @${floorFixed.rate}/s paced (the floor)`,
        measured: `p50 ${fmt(floorFixed.p50, ' ms')}, p99 ${fmt(floorFixed.p99, ' ms')}`,
        against: '',
        target: '',
        verdict: '',
      });
    }
    if (floorBurst) burstRow(`bare bolt ack, ${burstName(floorBurst)} (the floor)`, floorBurst);
    for (const t of ['sqlite', 'postgresql'] as const) {
      for (const cmd of ['report', 'list'] as const) {
        const f = get(t, cmd, 'paced');
        if (!f) continue;
        const label = cmd === 'report' ? '`report`' : '`incident list`';
        const db = t === 'sqlite' ? 'SQLite' : 'PostgreSQL';
        const name = `${label} ack @${f.rate}/s, ${db}`;
        const x = floorFixed ? ratio(f.p50, floorFixed.p50) : Number.NaN;
        const p99Target = cmd === 'report' && t === 'sqlite';
        rows.push({
          what: `${name}: p99`,
          measured: fmt(f.p99, ' ms'),
          against: floorFixed ? `floor p99 ${fmt(floorFixed.p99, ' ms')}` : '',
          target: p99Target ? `≤ ${TARGETS.reportP99Ms} ms` : '',
          verdict: p99Target ? verdict(f.p99 <= TARGETS.reportP99Ms && f.errors === 0) : '',
        });
        rows.push({
          what: `${name}: p50 over the floor`,
          measured: `${fmt(f.p50, ' ms')} (${fmt(x, '×')})`,
          against: floorFixed ? `floor p50 ${fmt(floorFixed.p50, ' ms')}` : '',
          target: `≤ ${TARGETS.medianOverFloor}×`,
          verdict: verdict(Number.isNaN(x) ? null : x <= TARGETS.medianOverFloor),
        });
        const b = get(t, cmd, 'burst');
        if (b) burstRow(`${label} ack, ${burstName(b)}, ${db}: p50, p99`, b, floorBurst);
        const m = get(t, cmd, 'max');
        if (m) {
          const want = cmd !== 'report' ? null : t === 'sqlite' ? TARGETS.reportSqlitePerSec : TARGETS.reportPgPerSec;
          rows.push({
            what: `${name.replace(/ @\d+\/s/, '')}: max throughput (${m.connections} connections)`,
            measured: `${m.ackPerSec} ack/s, ${fmt(m.donePerSec)} done/s, p99 ${fmt(m.p99, ' ms')}`,
            against: floorMax
              ? `floor ${floorMax.ackPerSec} ack/s (${fmt(ratio(floorMax.ackPerSec, m.ackPerSec), '×')})`
              : '',
            target: want ? `≥ ${want} done/s` : '',
            verdict: want ? verdict(Math.min(m.ackPerSec, m.donePerSec ?? 0) >= want && (m.missing ?? 0) === 0) : '',
          });
        }
      }
    }
    const bot = c.rss.find((x) => x.target === 'sqlite');
    const floor = c.rss.find((x) => x.target === 'floor');
    if (bot) {
      rows.push({
        what: 'RSS of the bot (SQLite) at idle',
        measured: `${bot.idleMb} MB`,
        against: floor ? `bare bolt ${floor.idleMb} MB` : '',
        target: `≤ ${TARGETS.idleRssMb} MB`,
        verdict: verdict(bot.idleMb <= TARGETS.idleRssMb),
      });
      rows.push({
        what: 'RSS of the bot (SQLite) after the load',
        measured: `${bot.afterMb} MB`,
        against: floor ? `bare bolt ${floor.afterMb} MB` : '',
        target: '',
        verdict: '',
      });
    }
    const pg = c.rss.find((x) => x.target === 'postgresql');
    if (pg) {
      rows.push({
        what: 'RSS of the bot (PostgreSQL) idle / after the load',
        measured: `${pg.idleMb} / ${pg.afterMb} MB`,
        against: '',
        target: '',
        verdict: '',
      });
    }
  }
  for (const b of r.broadcast?.runs ?? []) {
    rows.push({
      what: `broadcast to ${b.channels} channels × ${b.rounds} (1 post/s/channel, ${b.workspacePerMinute}/min workspace)`,
      measured: `${b.seconds} s (${b.ratio}×; ${b.rateLimited} × 429)`,
      against: `floor ${b.floorSeconds} s (${b.binding} limit)`,
      target: `≤ ${TARGETS.broadcastOverFloor}×`,
      verdict: verdict(b.ratio <= TARGETS.broadcastOverFloor && b.posts === b.channels * b.rounds),
    });
  }
  for (const s of r.scheduler?.runs ?? []) {
    const how = s.pattern === 'spread' ? `spread over ${s.windowMs / 1000} s` : 'all due at one instant';
    rows.push({
      what: `reminder lag, ${s.reminders} due (${how})`,
      measured: `p50 ${s.p50} ms, p99 ${s.p99} ms`,
      against: 'tick every 1 s',
      target: `p99 ≤ ${TARGETS.reminderP99Ms} ms`,
      verdict: verdict(s.p99 <= TARGETS.reminderP99Ms && s.fired === s.reminders),
    });
  }
  if (r.ioc) {
    const i = r.ioc;
    rows.push({
      what: `\`ioc check\` with ${i.indicators.toLocaleString('en')} indicators (SQLite)`,
      measured: `p50 ${i.p50Ms} ms, p99 ${i.p99Ms} ms`,
      against: 'primary-key lookup ~0.0055 ms',
      target: `p99 ≤ ${TARGETS.iocP99Ms} ms`,
      verdict: verdict(i.p99Ms <= TARGETS.iocP99Ms),
    });
    rows.push({
      what: `store ${i.reports.toLocaleString('en')} reports × 3 indicators (service, SQLite)`,
      measured: `${i.reportSeconds} s (${i.reportsPerSec} reports/s)`,
      against: '',
      target: '',
      verdict: '',
    });
  }
  for (const d of r.dashboard ?? []) {
    rows.push({
      what: `dashboard overview, ${d.incidents.toLocaleString('en')} incidents, ${d.advisories} advisories, ${d.orgs} organisations (${d.provider === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, ${d.requests} requests)`,
      measured: `p50 ${d.p50Ms} ms, p95 ${d.p95Ms} ms; CPU ${d.cpuMsPerRequest} ms/request`,
      against: 'loopback GET, whole page',
      target: `p95 ≤ ${TARGETS.dashboardP95Ms} ms`,
      verdict: verdict(d.p95Ms <= TARGETS.dashboardP95Ms),
    });
  }
  if (r.startup) {
    const s = r.startup;
    const what = '`/csirt help` from a pipe, whole process (console, dist/, SQLite)';
    const other = s.others[0];
    rows.push({
      what,
      measured: `p50 ${s.helpMs.p50} ms, p90 ${s.helpMs.p90} ms (${fmt(ratio(s.helpMs.p50, s.floorMs.p50), '×')})`,
      against: `node starting an empty script: p50 ${s.floorMs.p50} ms`,
      target: `p50 ≤ ${TARGETS.helpMs} ms`,
      verdict: verdict(s.helpMs.p50 <= TARGETS.helpMs),
      ...(other ? { before: `p50 ${other.p50} ms, p90 ${other.p90} ms (same run: ${other.label})` } : {}),
    });
  }
  for (const row of rows) row.before ??= BEFORE[row.what] ?? '';
  return rows;
}

function machineLine(r: BenchResult): string {
  const m = r.machine;
  return (
    `${r.date.slice(0, 16).replace('T', ' ')} UTC · ${m.cores} cores (${m.cpu}) · ${m.memoryGb} GB · Node ${m.node} · ` +
    `load average ${m.loadBefore.join(' ')} before, ${m.load.join(' ')} after · ${r.seconds} s${r.quick ? ' · quick run' : ''}` +
    (r.postgres ? ` · PostgreSQL fsync=${r.postgres.fsync}, synchronous_commit=${r.postgres.synchronousCommit}` : '')
  );
}

export function renderText(r: BenchResult, rows: Row[]): string {
  const head = ['what', 'measured', 'floor / reference', 'target', '', 'before'];
  const cells = [
    head,
    ...rows.map((x) => [x.what.replace(/`/g, ''), x.measured, x.against, x.target, x.verdict, x.before ?? '']),
  ];
  const widths = head.map((_, i) => Math.max(...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ');
  return [
    machineLine(r),
    '',
    line(head),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.slice(1).map(line),
  ].join('\n');
}

export function renderMarkdown(r: BenchResult, rows: Row[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `Measured ${machineLine(r)}.`,
    '',
    '| what | measured | floor / reference | target | | before |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (x) => `| ${[x.what, x.measured, x.against, x.target, x.verdict, x.before ?? ''].map(esc).join(' | ')} |`,
    ),
  ].join('\n');
}

export const START = '<!-- bench:start -->';
export const END = '<!-- bench:end -->';

/** Replaces what is between the markers (the markers stay); throws when they are missing. */
export function replaceBetweenMarkers(text: string, body: string): string {
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md has no ${START} … ${END} section`);
  return `${text.slice(0, a + START.length)}\n${body}\n${text.slice(b)}`;
}

export function updateReadme(path: string, body: string): void {
  writeFileSync(path, replaceBetweenMarkers(readFileSync(path, 'utf8'), body));
}
