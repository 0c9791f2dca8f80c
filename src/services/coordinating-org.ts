/**
 * The coordinating organisation (PRODUCT.md §2: the one whose channel receives every report and
 * whose people alone may coordinate and approve). It is data — the directory entry marked
 * `coordinator` — never a code written in the program: every service asks here.
 */
import type { Prisma$, Tx } from '../db/client.ts';
import type { Organization } from '../db/generated/sqlite/client.ts';

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
