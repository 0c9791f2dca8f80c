/** The directory the benchmark runs against: N organisations, each with a channel and a PoC. */
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

export function pocUser(i: number): string {
  return `U0POC${String(i).padStart(3, '0')}`;
}

/**
 * Makes sure there are `n` organisations besides NISC (the seeded ministries first, then
 * `bench001`…), each with a channel on `platform` and one PoC.
 */
export async function seedOrgs(app: App, n: number, platform: PlatformName, actor: string): Promise<BenchOrg[]> {
  const s = app.services.directory;
  const existing = (await app.db.prisma.organization.findMany({ orderBy: { id: 'asc' } })).filter(
    (o) => !o.coordinator,
  );
  for (let i = existing.length; i < n; i++) {
    const code = `bench${String(i + 1).padStart(3, '0')}`;
    existing.push(await s.addOrg(actor, code, `ベンチ${i + 1}`, `Bench ${i + 1}`));
  }
  const out: BenchOrg[] = [];
  for (const [i, o] of existing.slice(0, n).entries()) {
    const channel = channelId(i + 1);
    const user = pocUser(i + 1);
    await s.setChannel(actor, o.code, platform, { id: channel, name: `csirt-${o.code}` });
    await s.addPoc(actor, `${platform}:${user}`, o.code, ['poc'], 'primary');
    out.push({ code: o.code, channel, user });
  }
  return out;
}
