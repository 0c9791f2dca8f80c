/**
 * The coordinating organisation (PRODUCT.md §2: the one whose channel receives every report and
 * whose people alone may coordinate and approve). It is data — the directory entry marked
 * `coordinator` — never a code written in the program: every service asks here.
 */
import type { Prisma$, Tx } from '../db/client.ts';
import type { Organization } from '../db/generated/sqlite/client.ts';

export function coordinatingOrg(db: Tx | Prisma$): Promise<Organization | null> {
  return db.organization.findFirst({ where: { coordinator: true }, orderBy: { id: 'asc' } });
}
