/**
 * A directory for multi-process Slack tests, written before any bot process starts: at least
 * `orgs` organisations (the seeded ministries first, then test01…), each with its Slack channel
 * C<CODE>; reporters (ministry PoCs, slack:U…), a NISC coordinator and an approver; and the fake Slack
 * that knows those channels and users. Counts of what reached the fake Slack per delivery id.
 */
import { type FakeSlack, startFakeSlack } from '../fakes/slack-server.ts';
import { testApp } from './app.ts';

export const COORDINATOR = 'U0NISCCOORD';
export const APPROVER = 'U0NISCDUTY';
export const channelOf = (code: string) => `C${code.toUpperCase().replace(/[^A-Z0-9]/g, '')}`;

export interface MultiSetup {
  fake: FakeSlack;
  /** organisation codes, in directory order (nisc included) */
  orgs: string[];
  /** slack user ids of the reporting PoCs, with their organisation */
  reporters: { user: string; org: string }[];
}

export async function prepareMulti(
  url: string,
  o: {
    orgs: number;
    reporterOrgs: string[];
    perOrg: number;
    /** the fake Slack's clock: the bots' (shifted) clock, so that message timestamps and history agree */
    clock?: { now(): Date };
  },
): Promise<MultiSetup> {
  const t = await testApp({ url });
  try {
    const codes = (await t.app.db.prisma.organization.findMany({ orderBy: { id: 'asc' } })).map((x) => x.code);
    for (let i = 1; codes.length < o.orgs; i++) {
      const code = `test${String(i).padStart(2, '0')}`;
      await t.app.services.directory.addOrg('console:admin', code, `試験組織${i}`, `Test ${i}`);
      codes.push(code);
    }
    for (const code of codes)
      await t.app.services.directory.setChannel('console:admin', code, 'slack', { id: channelOf(code), name: code });
    const reporters: MultiSetup['reporters'] = [];
    for (const org of o.reporterOrgs) {
      for (let k = 1; k <= o.perOrg; k++) {
        const user = `U0${org.toUpperCase()}${k}`;
        await t.app.services.directory.addPoc(
          'console:admin',
          `slack:${user}`,
          org,
          ['poc'],
          k === 1 ? 'primary' : k === 2 ? 'deputy' : null,
        );
        reporters.push({ user, org });
      }
    }
    await t.app.services.directory.addPoc('console:admin', `slack:${COORDINATOR}`, 'nisc', ['coordinator'], null);
    await t.app.services.directory.addPoc('console:admin', `slack:${APPROVER}`, 'nisc', ['approver'], null);
    const fake = await startFakeSlack({
      ...(o.clock ? { clock: o.clock } : {}),
      channels: Object.fromEntries(codes.map((c) => [channelOf(c), { name: c }])),
      users: Object.fromEntries(
        [...reporters.map((r) => r.user), COORDINATOR, APPROVER].map((u) => [
          u,
          { name: u.toLowerCase(), locale: 'ja-JP' },
        ]),
      ),
    });
    return { fake, orgs: codes, reporters };
  } finally {
    await t.app.close(); // the database stays: the bot processes use it
  }
}

/** Bot posts on the fake Slack per delivery id (from the message metadata); posts without one. */
export function postsByDelivery(fake: FakeSlack): { byId: Map<string, number>; withoutId: number; total: number } {
  const byId = new Map<string, number>();
  let withoutId = 0;
  const posts = fake.posts();
  for (const p of posts) {
    const id = (p.metadata?.event_payload as { delivery_id?: string } | undefined)?.delivery_id;
    if (id) byId.set(id, (byId.get(id) ?? 0) + 1);
    else withoutId++;
  }
  return { byId, withoutId, total: posts.length };
}
