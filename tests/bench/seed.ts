/**
 * The directory the benchmark runs against: N organisations, each with a channel and a PoC, and
 * the coordinating office (NISC) with its channel, as in production, where every report is
 * posted to the office's channel (PRODUCT.md §2).
 */
import type { App } from '../../src/app.ts';
import type { PlatformName } from '../../src/core/platform.ts';

export interface BenchOrg {
  code: string;
  /** the organisation's channel id on the platform */
  channel: string;
  /** the platform user id of its PoC (identity `<platform>:<user>`) */
  user: string;
}

export const ADMIN_USER = 'U0BENCHADMIN';
export const SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';

export function channelId(i: number): string {
  return `C0BENCH${String(i).padStart(3, '0')}`;
}

/**
 * The coordinating office's channel. Without it every report wrote its post to the office as a
 * failed `no_channel` row that nobody claims, a setup production never has (issue #19): the
 * office's channel is the one channel every report posts to, so under load it is the longest
 * queue the dispatcher paces.
 */
export const OFFICE_CHANNEL = 'C0BENCHNISC';

/** Every channel the directory of `seedOrgs(…, n, …)` posts to: the fake Slack must know them all. */
export function benchChannels(n: number): string[] {
  return [OFFICE_CHANNEL, ...Array.from({ length: n }, (_, i) => channelId(i + 1))];
}

export function pocUser(i: number): string {
  return `U0POC${String(i).padStart(3, '0')}`;
}

/**
 * Makes sure there are `n` organisations besides NISC (the seeded ministries first, then
 * `bench001`…), each with a channel on `platform` and one PoC, and that NISC has its channel on
 * `platform` ({@link OFFICE_CHANNEL}).
 */
export async function seedOrgs(app: App, n: number, platform: PlatformName, actor: string): Promise<BenchOrg[]> {
  const s = app.services.directory;
  const all = await app.db.prisma.organization.findMany({ orderBy: { id: 'asc' } });
  const office = all.find((o) => o.coordinator);
  if (!office) throw new Error('the database has no coordinating organisation: not migrated?');
  await s.setChannel(actor, office.code, platform, { id: OFFICE_CHANNEL, name: `csirt-${office.code}` });
  const existing = all.filter((o) => !o.coordinator);
  for (let i = existing.length; i < n; i++) {
    const code = `bench${String(i + 1).padStart(3, '0')}`;
    existing.push(await s.addOrg(actor, code, `ベンチ${i + 1}`, `Bench ${i + 1}`));
  }
  const out = benchOrgs(existing, n);
  for (const o of out) {
    await s.setChannel(actor, o.code, platform, { id: o.channel, name: `csirt-${o.code}` });
    await s.addPoc(actor, `${platform}:${o.user}`, o.code, ['poc'], 'primary');
  }
  return out;
}

/** The organisations seedOrgs set up, read back without writing (a bot started on a seeded database). */
export async function seededOrgs(app: App, n: number): Promise<BenchOrg[]> {
  const orgs = await app.db.prisma.organization.findMany({ where: { coordinator: false }, orderBy: { id: 'asc' } });
  if (orgs.length < n) throw new Error(`the database holds ${orgs.length} organisations, not ${n}: not seeded`);
  return benchOrgs(orgs, n);
}

function benchOrgs(orgs: { code: string }[], n: number): BenchOrg[] {
  return orgs.slice(0, n).map((o, i) => ({ code: o.code, channel: channelId(i + 1), user: pocUser(i + 1) }));
}
