/**
 * Where the overview's time goes, per section (issue 21), on the bench's seeded set:
 *   node --import tsx tests/bench/dashboard-sections.ts [sqlite|postgresql] [runs=30] [profile-dir]
 * Each step of GET /dashboard/ is timed alone, `runs` times in a row (p50/p95), then the whole
 * page through HTTP. Nothing asserts a time; this is for reading.
 */
import type { App } from '../../src/app.ts';
import type { Caller } from '../../src/core/command.ts';
import { translator } from '../../src/i18n/index.ts';
import { advisoryBoard, releasedAdvisories } from '../../src/services/advisory-board.ts';
import { incidentCounts, openClockRows } from '../../src/services/incident-queries.ts';
import { viewerOf } from '../../src/services/inspection-data.ts';
import { overviewPage } from '../../src/web/overview.ts';
import type { PageCtx } from '../../src/web/routes.ts';
import { advisoriesSection, inspectionsSection, readinessSection } from '../../src/web/sections.ts';
import { benchDashboard } from './dashboard.ts';
import { pgServer } from './databases.ts';
import { profiled } from './inprocess-profile.ts';
import { percentile, round } from './stats.ts';

const provider = (process.argv[2] ?? 'sqlite') as 'sqlite' | 'postgresql';
const runs = Number(process.argv[3] ?? 30);
/** with a directory as the third argument: a CPU profile of `runs` overviews (profile-summary.ts reads it) */
const profileDir = process.argv[4];
const log = (l: string) => process.stderr.write(`[sections] ${l}\n`);

async function time(name: string, f: () => Promise<unknown>) {
  for (let i = 0; i < 3; i++) await f();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await f();
    ms.push(performance.now() - t);
  }
  process.stdout.write(
    `${name.padEnd(44)} p50 ${round(percentile(ms, 50), 1)
      .toString()
      .padStart(6)} ms  p95 ${round(percentile(ms, 95), 1).toString().padStart(6)} ms\n`,
  );
}

async function probe(app: App, caller: Caller) {
  const s = app.services;
  const t = translator('ja', await s.directory.names());
  const c = { caller, csrf: 'x', t, locale: 'ja', services: s, req: {} } as unknown as PageCtx;
  const orgs = await s.directory.listOrgs();
  const { url } = await s.dashboard.issueLink(caller);
  const opened = await s.dashboard.redeem(new URL(url).searchParams.get('t') as string);
  process.stdout.write(`\n== ${provider}, ${runs} runs each\n`);
  await time('session (auth.session)', () => s.dashboard.session(opened?.session));
  await time('directory.names (translator)', () => s.directory.names());
  await time('directory.listOrgs', () => s.directory.listOrgs());
  await time('incidents: matrix', () => s.incidentQueries.matrix(caller));
  // the pieces the matrix reads, on the scope of a person who sees every organisation
  const everyOrg = { exercise: false };
  await time('incidents: counts query', () => incidentCounts(app.db, everyOrg));
  await time('incidents: open clock rows', () => openClockRows(app.db, everyOrg));
  await time('advisories: advisoryBoard', () => advisoryBoard(s.deps, caller));
  await time('advisories: released', () => releasedAdvisories(s.deps));
  await time('advisories: section (html)', () => advisoriesSection(c, Promise.resolve(orgs)));
  await time('readiness: section', () => readinessSection(c));
  await time('readiness: status', () => s.readiness.status(caller));
  await time('inspections: section', () => inspectionsSection(c));
  await time('inspections: status', () =>
    s.inspectionViews.status(viewerOf(caller), undefined, undefined).catch(() => 0),
  );
  await time('overviewPage (no HTTP, no session)', () => overviewPage(c));
  if (profileDir)
    await profiled(profileDir, `overview-${provider}`, async () => {
      for (let i = 0; i < runs; i++) {
        await s.dashboard.session(opened?.session);
        await overviewPage(c);
      }
    });
}

const pg = provider === 'postgresql' ? await pgServer(log) : null;
try {
  const r = await benchDashboard({
    provider,
    pgUrl: pg?.url ?? null,
    incidents: 10_000,
    advisories: 500,
    orgs: 25,
    requests: 50,
    log,
    probe,
  });
  process.stdout.write(`${'GET /dashboard/ over HTTP (50)'.padEnd(44)} p50 ${r.p50Ms} ms  p95 ${r.p95Ms} ms\n`);
} finally {
  await pg?.stop();
}
