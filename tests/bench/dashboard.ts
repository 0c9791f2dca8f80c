/**
 * The dashboard's overview under load (issue 21): 10,000 incidents, 500 advisories (each sent to
 * every organisation, most acknowledged) and 25 organisations, then GET /dashboard/ as the
 * coordinating office 50 times in a row over loopback: p50 and p95 of the time to the whole
 * answer (server time plus a loopback round trip, so slightly more than the server's own).
 */
import type { App } from '../../src/app.ts';
import type { Caller } from '../../src/core/command.ts';
import { benchApp, CONSOLE_ADMIN } from './app.ts';
import { seedOrgs } from './seed.ts';
import { percentile, round } from './stats.ts';

export interface DashboardResult {
  provider: 'sqlite' | 'postgresql';
  incidents: number;
  advisories: number;
  orgs: number;
  requests: number;
  p50Ms: number;
  p95Ms: number;
  /**
   * CPU time of this process (the bot's server and the loopback client) per request: on a shared,
   * loaded machine the times above follow the load, this much less (on SQLite it holds the
   * queries too; on PostgreSQL the server's own work is elsewhere)
   */
  cpuMsPerRequest: number;
  seedSeconds: number;
}

const STATUSES = ['reported', 'triaging', 'contained', 'resolved', 'closed', 'rejected'];

export async function benchDashboard(o: {
  provider: 'sqlite' | 'postgresql';
  pgUrl: string | null;
  incidents: number;
  advisories: number;
  orgs: number;
  requests: number;
  log: (l: string) => void;
  /** runs on the seeded application before the requests (profiling by hand) */
  probe?: (app: App, caller: Caller) => Promise<void>;
}): Promise<DashboardResult> {
  const { app, close } = await benchApp(o.provider, o.pgUrl);
  try {
    const t0 = Date.now();
    const orgs = await seedOrgs(app, o.orgs, 'console', CONSOLE_ADMIN);
    const db = app.db.prisma;
    const rows = await db.organization.findMany({ where: { code: { in: orgs.map((x) => x.code) } } });
    const admin = await db.person.findUniqueOrThrow({ where: { identity: CONSOLE_ADMIN } });
    const now = Date.now();
    const day = 86_400_000;
    const incidents = Array.from({ length: o.incidents }, (_, i) => {
      const created = new Date(now - (i % 365) * day - (i % 24) * 3_600_000);
      const open = i % 5 === 0;
      return {
        id: `INC-2026-${String(i + 1).padStart(5, '0')}`,
        fiscalYear: 2026,
        orgId: (rows[i % rows.length] as { id: number }).id,
        reporterId: admin.id,
        category: 'malware',
        summary: `bench incident ${i}`,
        severity: 'medium',
        tlp: 'amber',
        share: 'none',
        detectedAt: created,
        status: open ? (STATUSES[i % 4] as string) : i % 2 ? 'closed' : 'resolved',
        stage: open ? 'quick' : 'final',
        finalAt: open ? null : new Date(created.getTime() + 2 * day),
        createdAt: created,
        updatedAt: created,
      };
    });
    for (let i = 0; i < incidents.length; i += 1000)
      await db.incident.createMany({ data: incidents.slice(i, i + 1000) });
    const targets = orgs.map((x) => x.code).join(',');
    const advisories = Array.from({ length: o.advisories }, (_, i) => ({
      id: `ADV-2026-${String(i + 1).padStart(4, '0')}`,
      fiscalYear: 2026,
      title: `bench advisory ${i}`,
      body: 'bench',
      severity: 'medium',
      tlp: 'green',
      kind: 'warning',
      audience: 'all',
      status: 'sent',
      drafterId: admin.id,
      targets,
      sentAt: new Date(now - i * 3_600_000),
      createdAt: new Date(now - i * 3_600_000),
    }));
    await db.advisory.createMany({ data: advisories });
    const deliveries = advisories.flatMap((a, i) =>
      rows.map((org, k) => ({
        id: `bench-d-${i}-${k}`,
        kind: 'post',
        platform: 'console',
        target: `C${k}`,
        message: '{}',
        dedupeKey: `advisory:${a.id}:console:C${k}`,
        status: (i + k) % 50 === 0 ? 'failed' : 'sent',
        notBefore: a.createdAt,
        refType: 'advisory',
        refId: a.id,
        orgId: org.id,
        sentAt: a.sentAt,
      })),
    );
    for (let i = 0; i < deliveries.length; i += 2000)
      await db.delivery.createMany({ data: deliveries.slice(i, i + 2000) });
    const acks = advisories.flatMap((a, i) =>
      rows
        .filter((_, k) => (i + k) % 3 !== 0)
        .map((org) => ({
          advisoryId: a.id,
          orgId: org.id,
          personId: admin.id,
          at: new Date(a.sentAt.getTime() + day),
        })),
    );
    for (let i = 0; i < acks.length; i += 2000) await db.advisoryAck.createMany({ data: acks.slice(i, i + 2000) });
    // PostgreSQL plans from table statistics, which its autovacuum gathers within a minute or so of
    // a large change: a deployment that grew to this size has them. Measured seconds after the bulk
    // insert, the planner would still think the tables empty (a nested loop over 12,500 rows for
    // the advisory board: 50-80 ms of a ~25 ms query). SQLite keeps no statistics unless asked,
    // and the bot never asks: it is measured as it is.
    if (o.provider === 'postgresql') await app.db.execute(db, 'ANALYZE');
    const seedSeconds = (Date.now() - t0) / 1000;
    o.log(
      `dashboard (${o.provider}): seeded ${o.incidents} incidents, ${o.advisories} advisories in ${round(seedSeconds, 1)} s`,
    );

    const caller: Caller = await app.services.directory.caller(CONSOLE_ADMIN, null, null, 'ja');
    await o.probe?.(app, caller);
    const port = await app.http.listen(0, '127.0.0.1');
    app.services.dashboard.base = () => `http://127.0.0.1:${port}`;
    const { url } = await app.services.dashboard.issueLink(caller);
    const token = new URL(url).searchParams.get('t') as string;
    const opened = await app.services.dashboard.redeem(token);
    if (!opened) throw new Error('the bench could not sign in');
    const get = async () => {
      const started = performance.now();
      const r = await fetch(`http://127.0.0.1:${port}/dashboard/`, {
        headers: { cookie: `csirt_dashboard=${opened.session}` },
      });
      const body = await r.text();
      if (r.status !== 200 || !body.includes('全体概況')) throw new Error(`GET /dashboard/ answered ${r.status}`);
      return performance.now() - started;
    };
    for (let i = 0; i < 5; i++) await get(); // warm-up
    const times: number[] = [];
    const cpu = process.cpuUsage();
    for (let i = 0; i < o.requests; i++) times.push(await get());
    const used = process.cpuUsage(cpu);
    await app.http.close();
    return {
      provider: o.provider,
      incidents: o.incidents,
      advisories: o.advisories,
      orgs: o.orgs,
      requests: o.requests,
      p50Ms: round(percentile(times, 50), 1),
      p95Ms: round(percentile(times, 95), 1),
      cpuMsPerRequest: round((used.user + used.system) / 1000 / o.requests, 1),
      seedSeconds: round(seedSeconds, 1),
    };
  } finally {
    await close();
  }
}
