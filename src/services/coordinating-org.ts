/**
 * The coordinating organisation (PRODUCT.md §2: the one whose channel receives every report and
 * whose people alone may coordinate and approve). It is data — the directory entry marked
 * `coordinator` — never a code written in the program: every service asks here.
 */
import type { Database, Prisma$, Tx } from '../db/client.ts';
import type { Organization } from '../db/generated/sqlite/client.ts';
import type { OrgChannelRow, OrgRef } from './notify.ts';

export async function coordinatingOrg(db: Tx | Prisma$): Promise<Organization | null> {
  // raw SQL: read by every command (the names its texts say); the model API's query plan and
  // mapping cost more than the read
  const [o] = await db.$queryRaw<Organization[]>`
    SELECT "id", "code", "nameJa", "nameEn", "coordinator", "createdAt", "shortNames", "email"
      FROM "Organization" WHERE "coordinator" = ${true} ORDER BY "id" LIMIT 1`;
  return o ? { ...o, id: Number(o.id), coordinator: true } : null;
}

/** per transaction: read once (the report's posts and the names they say need it twice) */
const perTx = new WeakMap<Tx, Promise<Organization | null>>();

/**
 * {@link coordinatingOrg} read once per transaction: the first read in it answers the later
 * ones (for the posts a transaction writes; not for one that changes the coordinator).
 */
export function coordinatingOrgInTx(tx: Tx): Promise<Organization | null> {
  let p = perTx.get(tx);
  if (!p) {
    p = coordinatingOrg(tx);
    perTx.set(tx, p);
  }
  return p;
}

/**
 * The coordinating organisation (the one `coordinatingOrg` reads) and the channels on
 * `platforms` of it and of `orgIds`, in one statement: a batch of reports posts to both
 * (report-batch.ts). On PostgreSQL each statement of that transaction is a round trip, and the
 * report batches of a process wait for one another.
 */
export async function coordinatorWithChannels(
  db: Database,
  tx: Tx,
  orgIds: readonly number[],
  platforms: readonly string[],
): Promise<{ coord: OrgRef | null; channels: OrgChannelRow[] }> {
  const rows = await db.query<
    Omit<Organization, 'id' | 'coordinator'> & {
      id: number | bigint;
      coordinator: boolean | number;
      platform: string | null;
      channelId: string | null;
    }
  >(
    tx,
    `SELECT o."id", o."code", o."nameJa", o."nameEn", o."coordinator", o."createdAt", o."shortNames", o."email",
         c."platform", c."channelId"
       FROM "Organization" o
         LEFT JOIN "OrgChannel" c ON c."orgId" = o."id"
           AND c."platform" IN (${platforms.length > 0 ? platforms.map(() => '?').join(', ') : 'NULL'})
       WHERE o."id" IN (${orgIds.length > 0 ? orgIds.map(() => '?').join(', ') : 'NULL'})
         OR o."id" = (SELECT "id" FROM "Organization" WHERE "coordinator" = ? ORDER BY "id" LIMIT 1)`,
    ...platforms,
    ...orgIds,
    true,
  );
  // the coordinator is the first marked one: the rows hold it, and any other marked one has a larger id
  let first: (typeof rows)[number] | null = null;
  for (const r of rows) if (r.coordinator && (first === null || Number(r.id) < Number(first.id))) first = r;
  const org: Organization | null = first
    ? {
        id: Number(first.id),
        code: first.code,
        nameJa: first.nameJa,
        nameEn: first.nameEn,
        coordinator: true,
        createdAt: first.createdAt,
        shortNames: first.shortNames,
        email: first.email,
      }
    : null;
  // the transaction's later reads (the names its posts say: directory-names.ts) get this one
  if (!perTx.has(tx)) perTx.set(tx, Promise.resolve(org));
  const coord = org ? { id: org.id, code: org.code } : null;
  const channels = rows.flatMap((r) =>
    r.platform !== null && r.channelId !== null ? [{ orgId: r.id, platform: r.platform, channelId: r.channelId }] : [],
  );
  return { coord, channels };
}
