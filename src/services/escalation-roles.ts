/**
 * Who holds each role of an escalation chain (src/domain/escalation.ts) now, for one
 * organisation: the primary and deputy contact are the PoC role's position (`poc add …
 * primary=yes`), else the person the CSIRT record names (`csirt set primary=`) while they still
 * hold `poc` in the organisation; the CISO is every person of the organisation holding `ciso`;
 * the duty officer is the rota's (src/services/duty.ts) while they hold approver in the office.
 * Used by the advisory escalation and the report deadline chase alike.
 */
import type { Prisma$, Tx } from '../db/client.ts';
import type { Organization } from '../db/generated/sqlite/client.ts';
import type { EscalationRole } from '../domain/escalation.ts';
import { approverOfOffice, dutyOfficer } from './duty.ts';

export interface Holder {
  id: number;
  identity: string;
  locale: string | null;
  calendar: string | null;
  /** where e-mail reaches the person when the bot does not run on their chat */
  email: string | null;
}

/** Who holds `role` for organisation `org` now. */
export async function holdersOf(
  db: Tx | Prisma$,
  role: EscalationRole,
  org: Organization,
  now: Date,
): Promise<Holder[]> {
  if (role === 'duty') {
    const officer = await dutyOfficer(db, now);
    return officer ? [await db.person.findUniqueOrThrow({ where: { id: officer.id } })] : [];
  }
  if (role === 'ciso')
    return db.person.findMany({ where: { orgId: org.id, roles: { some: { role: 'ciso' } } }, orderBy: { id: 'asc' } });
  const grant = await db.roleGrant.findFirst({
    where: { role: 'poc', position: role, person: { orgId: org.id } },
    include: { person: true },
  });
  if (grant) return [grant.person];
  const record = await db.csirtReadiness.findUnique({ where: { orgId: org.id } });
  const named = role === 'primary' ? record?.primaryId : record?.deputyId;
  if (named == null) return [];
  const p = await db.person.findFirst({ where: { id: named, orgId: org.id, roles: { some: { role: 'poc' } } } });
  return p ? [p] : [];
}

/** Holds `role` for the organisation now (the dispatcher's check). */
export async function holdsRole(
  db: Tx | Prisma$,
  role: EscalationRole,
  org: Organization,
  identity: string,
  now: Date,
): Promise<boolean> {
  if (role === 'duty') {
    // the rota may have turned over since the message was written: still an approver suffices
    const p = await db.person.findUnique({ where: { identity } });
    return !!p && (await approverOfOffice(db, p.id));
  }
  return (await holdersOf(db, role, org, now)).some((h) => h.identity === identity);
}
