/**
 * `npm run erase -- <identity>` (issue 22 item 4; docs/operations.md "Retention and erasure"):
 * erases one person's personal data on request, audited.
 *
 * What goes: the person's display name, platform identity (the row becomes `erased:<id>`, so
 * the reports they made still count and link, but no longer name them), language and calendar
 * choices and calendar feed, their roles (and their place as a CSIRT's primary or deputy
 * contact); the reporter's contact (所属・氏名・電話) of every report they made; every occurrence
 * of their identity, name and those contacts in incident timelines, scheduled jobs and the
 * outbox's copies (replaced by `[erased]`; a pending DM to them is cancelled), their identity as
 * a meeting proxy or a TLP:RED recipient (the pseudonym instead); and every audit record that names
 * them — redacted, not removed (src/audit/redact.ts), so `audit:verify` and anchors still pass.
 * One transaction, after the audit head's lock: the person is read again inside it.
 */

import { appendAudit } from '../audit/chain.ts';
import { redactAudit } from '../audit/redact.ts';
import type { Database, Prisma$, Tx } from '../db/client.ts';

export const ERASED = '[erased]';

export interface ErasureCounts {
  /** reports whose reporter contact was cleared */
  contacts: number;
  timeline: number;
  deliveries: number;
  roles: number;
  audit: number;
}

export type ErasureResult =
  | { kind: 'unknown' }
  | { kind: 'already'; pseudonym: string }
  | { kind: 'done'; applied: boolean; personId: number; pseudonym: string; counts: ErasureCounts };

type Runner = Tx | Prisma$;

/** `s` as it appears inside a JSON string (what to look for in stored JSON text). */
const inJson = (s: string) => JSON.stringify(s).slice(1, -1);

function scrub(text: string, needles: string[]): string {
  let out = text;
  for (const n of needles) out = out.split(n).join(ERASED);
  return out;
}

const mentionsIn = (field: string, needles: string[]) => ({
  OR: needles.map((n) => ({ [field]: { contains: n } })),
});

async function plan(r: Runner, identity: string) {
  const p = await r.person.findUnique({ where: { identity }, include: { roles: true } });
  if (!p) return null;
  const reports = await r.incident.findMany({
    where: { reporterId: p.id },
    select: { id: true, contact: true },
  });
  // the longest first, so that a name inside a contact is not replaced before the contact
  const plain = [
    identity,
    ...(p.displayName && p.displayName.trim().length >= 2 ? [p.displayName.trim()] : []),
    ...reports.flatMap((x) => (x.contact && x.contact.trim().length >= 2 ? [x.contact.trim()] : [])),
  ];
  const needles = [...new Set(plain.map(inJson))].sort((a, b) => b.length - a.length);
  const mentions = (field: string) => mentionsIn(field, needles);
  const events = (await r.incidentEvent.findMany({ where: mentions('data'), select: { id: true, data: true } })).filter(
    (e) => needles.some((n) => e.data.includes(n)),
  );
  const deliveries = (
    await r.delivery.findMany({
      where: { OR: [{ target: identity }, mentions('message')] },
      select: { id: true, target: true, message: true, status: true },
    })
  ).filter((d) => d.target === identity || needles.some((n) => d.message.includes(n)));
  const audit = (
    await r.auditRecord.findMany({
      where: { OR: [{ actor: identity }, { subject: identity }, mentions('data')] },
      select: { seq: true, actor: true, subject: true, data: true },
    })
  ).filter((a) => a.actor === identity || a.subject === identity || needles.some((n) => a.data.includes(n)));
  return { p, reports: reports.filter((x) => x.contact !== null), needles, events, deliveries, audit };
}

/** A dry run (apply false) counts what would be erased; apply erases it in one transaction. */
export async function erasePerson(
  db: Database,
  opts: { identity: string; now: Date; apply: boolean; by: string; reason?: string },
): Promise<ErasureResult> {
  const counts = (x: NonNullable<Awaited<ReturnType<typeof plan>>>): ErasureCounts => ({
    contacts: x.reports.length,
    timeline: x.events.length,
    deliveries: x.deliveries.length,
    roles: x.p.roles.length,
    audit: x.audit.length,
  });
  const already = (identity: string) => /^erased:\d+$/.test(identity);
  if (!opts.apply) {
    const x = await plan(db.prisma, opts.identity);
    if (!x) return { kind: 'unknown' };
    if (already(x.p.identity)) return { kind: 'already', pseudonym: x.p.identity };
    return { kind: 'done', applied: false, personId: x.p.id, pseudonym: `erased:${x.p.id}`, counts: counts(x) };
  }
  return db.tx(async (tx) => {
    await db.execute(tx, 'UPDATE "AuditHead" SET seq = seq WHERE id = 1');
    const x = await plan(tx, opts.identity);
    if (!x) return { kind: 'unknown' } as const;
    if (already(x.p.identity)) return { kind: 'already', pseudonym: x.p.identity } as const;
    const pseudonym = `erased:${x.p.id}`;
    const c = counts(x);
    for (const r of x.reports) await tx.incident.update({ where: { id: r.id }, data: { contact: null } });
    for (const e of x.events)
      await tx.incidentEvent.update({ where: { id: e.id }, data: { data: scrub(e.data, x.needles) } });
    for (const d of x.deliveries)
      await tx.delivery.update({
        where: { id: d.id },
        data: {
          target: d.target === opts.identity ? pseudonym : d.target,
          message: scrub(d.message, x.needles),
          ...(d.status === 'pending' ? { status: 'cancelled', error: 'erased on request' } : {}),
        },
      });
    // identities named elsewhere: a proxy attending a meeting, a drill's check, a TLP:RED advisory's recipients,
    // a scheduled job's arguments
    await tx.meetingRsvp.updateMany({ where: { proxy: opts.identity }, data: { proxy: pseudonym } });
    // the identity a reachability drill's check was sent to (kept per drill for its results)
    await tx.drillCheck.updateMany({ where: { identity: opts.identity }, data: { identity: pseudonym } });
    for (const a of await tx.advisory.findMany({
      where: { recipients: { contains: opts.identity } },
      select: { id: true, recipients: true },
    }))
      await tx.advisory.update({
        where: { id: a.id },
        data: {
          recipients: (a.recipients ?? '')
            .split(',')
            .map((r) => (r === opts.identity ? pseudonym : r))
            .join(','),
        },
      });
    for (const j of await tx.job.findMany({ where: mentionsIn('data', x.needles), select: { id: true, data: true } }))
      if (x.needles.some((n) => j.data.includes(n)))
        await tx.job.update({ where: { id: j.id }, data: { data: scrub(j.data, x.needles) } });
    await tx.roleGrant.deleteMany({ where: { personId: x.p.id } });
    // the dashboard's sign-in links and sessions go with the roles
    await tx.dashboardLink.deleteMany({ where: { personId: x.p.id } });
    await tx.dashboardSession.deleteMany({ where: { personId: x.p.id } });
    await tx.csirtReadiness.updateMany({ where: { primaryId: x.p.id }, data: { primaryId: null } });
    await tx.csirtReadiness.updateMany({ where: { deputyId: x.p.id }, data: { deputyId: null } });
    await tx.person.update({
      where: { id: x.p.id },
      data: { identity: pseudonym, displayName: null, locale: null, calendar: null, calendarToken: null },
    });
    await appendAudit(db, tx, {
      actor: 'system',
      action: 'person.erase',
      subject: pseudonym,
      at: opts.now,
      data: { by: opts.by, reason: opts.reason ?? null, counts: c },
    });
    await redactAudit(db, tx, {
      actor: 'system',
      at: opts.now,
      reason: 'erasure',
      context: { by: opts.by, person: pseudonym },
      records: x.audit.map((a) => ({
        seq: a.seq,
        actor: a.actor === opts.identity ? pseudonym : a.actor,
        subject: a.subject === opts.identity ? pseudonym : a.subject,
      })),
    });
    return { kind: 'done', applied: true, personId: x.p.id, pseudonym, counts: c } as const;
  });
}

export function describeErasure(identity: string, r: ErasureResult): string {
  if (r.kind === 'unknown') return `no person with the identity ${identity}: nothing changed`;
  if (r.kind === 'already') return `${identity} was already erased (now ${r.pseudonym}): nothing changed`;
  const c = r.counts;
  return [
    r.applied
      ? `erased ${identity}: the person is now ${r.pseudonym}`
      : `erasure dry run for ${identity} (nothing changed; add --apply to erase; the person would become ${r.pseudonym}):`,
    `  reporter contacts cleared on ${c.contacts} report${c.contacts === 1 ? '' : 's'}`,
    `  incident timeline entries scrubbed: ${c.timeline}`,
    `  outbox messages scrubbed: ${c.deliveries}`,
    `  roles removed: ${c.roles}`,
    `  audit records redacted (kept in the chain with their hashes): ${c.audit}`,
  ].join('\n');
}
