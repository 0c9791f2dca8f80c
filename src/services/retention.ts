/**
 * `npm run retention` (issue 22 item 4; docs/operations.md "Retention and erasure"): removes the
 * records whose retention period (data/retention.json, src/domain/retention.ts) has passed, and
 * redacts — never removes — their audit records and the audit records past the audit period.
 *
 * What counts as closed, and from when (the fiscal year of that instant decides):
 * - advisories: sent, rejected or withdrawn; the latest of sentAt and updatedAt;
 * - incidents: closed or rejected (an open one — reported, triaging, contained, resolved — is
 *   never removed); the latest of updatedAt and its last timeline entry; an incident an
 *   advisory still kept names as a source is kept with it;
 * - inspections: a closed campaign and its answers; closedAt;
 * - meetings: cancelled, or ended; the later of the end and updatedAt;
 * - deliveries (the outbox's copies of posts and DMs): sent, failed or cancelled; the latest of
 *   createdAt, sentAt and retryFrom; the copies of an advisory still kept stay with it, and a
 *   post a pending update still edits stays;
 * - audit records: their time; redacted, not removed (src/audit/redact.ts), so the chain and
 *   every anchor still verify.
 *
 * `--apply` runs in one transaction that first takes the audit head's lock, then chooses what is
 * due: two runs at once queue, and the second finds nothing left to do and writes nothing.
 */
import { hostname, userInfo } from 'node:os';
import { appendAudit, REDACT_ACTION, redactedData } from '../audit/chain.ts';
import { type Redaction, redactAudit } from '../audit/redact.ts';
import type { Database, Prisma$, Tx } from '../db/client.ts';
import { fiscalYearEnd } from '../domain/fiscal-year.ts';
import {
  isExpired,
  lastExpiredFiscalYear,
  RETENTION_KINDS,
  type RetentionKind,
  type RetentionTable,
} from '../domain/retention.ts';

export interface KindResult {
  kind: RetentionKind;
  years: number | null;
  /** records closed in this fiscal year or before are due (null: kept for good) */
  throughFiscalYear: number | null;
  /** records removed (audit: redacted) or, in a dry run, that would be */
  due: number;
}

export interface RetentionResult {
  applied: boolean;
  kinds: KindResult[];
  /** audit records of removed records redacted too (beside the audit kind's own) */
  auditOfRemoved: number;
}

type Runner = Tx | Prisma$;
const latest = (...ds: (Date | null | undefined)[]) =>
  new Date(Math.max(...ds.filter((d): d is Date => d instanceof Date).map((d) => d.getTime())));

interface Due {
  advisories: string[];
  incidents: string[];
  inspections: string[];
  meetings: string[];
  deliveries: string[];
  /** audit records past the audit period (seq) */
  audit: number[];
  /** audit records whose subject is a removed record (seq), not counted in `audit` */
  auditOfRemoved: number[];
}

async function chooseDue(r: Runner, table: RetentionTable, now: Date): Promise<Due> {
  const due = (at: Date, kind: RetentionKind) => isExpired(at, table[kind], now);
  // the newest instant that can be due for a kind (a cheap first filter: closed before 1 April …)
  const before = (kind: RetentionKind) => {
    const y = table[kind];
    return y === null ? new Date(0) : new Date(fiscalYearEnd(lastExpiredFiscalYear(now, y)).getTime() + 1);
  };

  const advisories = (
    await r.advisory.findMany({
      where: { status: { in: ['sent', 'rejected', 'withdrawn'] }, updatedAt: { lt: before('advisories') } },
      select: { id: true, sentAt: true, updatedAt: true },
    })
  )
    .filter((a) => due(latest(a.sentAt, a.updatedAt), 'advisories'))
    .map((a) => a.id);
  const goneAdv = new Set(advisories);

  const closedInc = await r.incident.findMany({
    where: { status: { in: ['closed', 'rejected'] }, updatedAt: { lt: before('incidents') } },
    select: { id: true, updatedAt: true },
  });
  const lastEvent = new Map<string, Date>();
  const sourced = new Set<string>();
  for (let i = 0; i < closedInc.length; i += 500) {
    const ids = closedInc.slice(i, i + 500).map((x) => x.id);
    for (const g of await r.incidentEvent.groupBy({
      by: ['incidentId'],
      where: { incidentId: { in: ids } },
      _max: { at: true },
    }))
      if (g._max.at) lastEvent.set(g.incidentId, g._max.at);
    for (const s of await r.advisorySource.findMany({
      where: { incidentId: { in: ids } },
      select: { incidentId: true, advisoryId: true },
    }))
      if (!goneAdv.has(s.advisoryId)) sourced.add(s.incidentId);
  }
  const incidents = closedInc
    .filter((x) => !sourced.has(x.id) && due(latest(x.updatedAt, lastEvent.get(x.id)), 'incidents'))
    .map((x) => x.id);

  const inspections = (
    await r.campaign.findMany({
      where: { status: 'closed', closedAt: { lt: before('inspections') } },
      select: { id: true, closedAt: true, createdAt: true },
    })
  )
    .filter((c) => due(latest(c.closedAt, c.createdAt), 'inspections'))
    .map((c) => c.id);

  const meetings = (
    await r.meeting.findMany({
      where: { startAt: { lt: before('meetings') } },
      select: { id: true, status: true, startAt: true, durationMin: true, updatedAt: true },
    })
  )
    .filter((m) => {
      const end = new Date(m.startAt.getTime() + m.durationMin * 60_000);
      const over = m.status === 'cancelled' || end.getTime() <= now.getTime();
      return over && due(latest(end, m.updatedAt), 'meetings');
    })
    .map((m) => m.id);

  const keptAdvisoryIds = new Set(
    (await r.advisory.findMany({ select: { id: true } })).map((a) => a.id).filter((id) => !goneAdv.has(id)),
  );
  const stillEdited = new Set(
    (
      await r.delivery.findMany({
        where: { status: { in: ['pending', 'sending'] }, updatesId: { not: null } },
        select: { updatesId: true },
      })
    ).map((d) => d.updatesId as string),
  );
  const deliveries = (
    await r.delivery.findMany({
      where: { status: { in: ['sent', 'failed', 'cancelled'] }, createdAt: { lt: before('deliveries') } },
      select: { id: true, createdAt: true, sentAt: true, retryFrom: true, refType: true, refId: true },
    })
  )
    .filter(
      (d) =>
        !stillEdited.has(d.id) &&
        !(d.refType?.startsWith('advisory') && d.refId && keptAdvisoryIds.has(d.refId)) &&
        due(latest(d.createdAt, d.sentAt, d.retryFrom), 'deliveries'),
    )
    .map((d) => d.id);

  const markers = [redactedData('retention'), redactedData('erasure')];
  const audit = (
    await r.auditRecord.findMany({
      where: {
        at: { lt: before('audit') },
        action: { notIn: [REDACT_ACTION, 'audit.anchor'] },
        data: { notIn: markers },
      },
      select: { seq: true, at: true },
      orderBy: { seq: 'asc' },
    })
  )
    .filter((a) => due(a.at, 'audit'))
    .map((a) => a.seq);
  const inAudit = new Set(audit);
  const removed = [...advisories, ...incidents, ...inspections, ...meetings, ...deliveries];
  const auditOfRemoved: number[] = [];
  for (let i = 0; i < removed.length; i += 500) {
    for (const a of await r.auditRecord.findMany({
      where: {
        subject: { in: removed.slice(i, i + 500) },
        action: { not: REDACT_ACTION },
        data: { notIn: markers },
      },
      select: { seq: true },
    }))
      if (!inAudit.has(a.seq)) auditOfRemoved.push(a.seq);
  }
  return { advisories, incidents, inspections, meetings, deliveries, audit, auditOfRemoved };
}

async function removeDue(tx: Tx, d: Due): Promise<void> {
  const chunks = <T>(xs: T[]) =>
    Array.from({ length: Math.ceil(xs.length / 500) }, (_, i) => xs.slice(i * 500, i * 500 + 500));
  for (const ids of chunks(d.advisories)) {
    await tx.advisorySource.deleteMany({ where: { advisoryId: { in: ids } } });
    await tx.advisoryAck.deleteMany({ where: { advisoryId: { in: ids } } });
    await tx.job.deleteMany({ where: { refId: { in: ids } } });
    await tx.advisory.deleteMany({ where: { id: { in: ids } } });
  }
  for (const ids of chunks(d.incidents)) {
    const inds = await tx.incidentIndicator.findMany({
      where: { incidentId: { in: ids } },
      select: { indicatorId: true },
    });
    await tx.incidentEvent.deleteMany({ where: { incidentId: { in: ids } } });
    await tx.incidentIndicator.deleteMany({ where: { incidentId: { in: ids } } });
    await tx.job.deleteMany({ where: { refId: { in: ids } } });
    await tx.incident.deleteMany({ where: { id: { in: ids } } });
    // an indicator no kept report names any more goes with the reports
    const indIds = [...new Set(inds.map((i) => i.indicatorId))];
    if (indIds.length) await tx.indicator.deleteMany({ where: { id: { in: indIds }, incidents: { none: {} } } });
  }
  for (const ids of chunks(d.inspections)) {
    await tx.checkAnswer.deleteMany({ where: { campaignId: { in: ids } } });
    await tx.job.deleteMany({ where: { refId: { in: ids } } });
    await tx.campaign.deleteMany({ where: { id: { in: ids } } });
  }
  for (const ids of chunks(d.meetings)) {
    await tx.meetingRsvp.deleteMany({ where: { meetingId: { in: ids } } });
    await tx.job.deleteMany({ where: { refId: { in: ids } } });
    await tx.meeting.deleteMany({ where: { id: { in: ids } } });
  }
  for (const ids of chunks(d.deliveries)) await tx.delivery.deleteMany({ where: { id: { in: ids } } });
}

function summarise(table: RetentionTable, now: Date, d: Due, applied: boolean): RetentionResult {
  return {
    applied,
    kinds: RETENTION_KINDS.map((kind) => {
      const years = table[kind];
      return {
        kind,
        years,
        throughFiscalYear: years === null ? null : lastExpiredFiscalYear(now, years),
        due: d[kind].length,
      };
    }),
    auditOfRemoved: d.auditOfRemoved.length,
  };
}

/** Who ran it, for the audit record (the OS account and host; scripts have no chat identity). */
export function operator(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {}
  return `${user}@${hostname()}`;
}

/** A dry run (apply false) counts; apply removes and redacts, audited, in one transaction. */
export async function runRetention(
  db: Database,
  opts: { table: RetentionTable; now: Date; apply: boolean; by: string },
): Promise<RetentionResult> {
  if (!opts.apply) return summarise(opts.table, opts.now, await chooseDue(db.prisma, opts.table, opts.now), false);
  return db.tx(async (tx) => {
    // the audit head's lock first: a second run at once waits here, then finds nothing due
    await db.execute(tx, 'UPDATE "AuditHead" SET seq = seq WHERE id = 1');
    const d = await chooseDue(tx, opts.table, opts.now);
    const result = summarise(opts.table, opts.now, d, true);
    const total = result.kinds.reduce((n, k) => n + k.due, 0) + d.auditOfRemoved.length;
    if (total === 0) return result;
    await removeDue(tx, d);
    const counts = Object.fromEntries(result.kinds.map((k) => [k.kind, k.due]));
    await appendAudit(db, tx, {
      actor: 'system',
      action: 'retention.apply',
      subject: 'retention',
      at: opts.now,
      data: { by: opts.by, table: opts.table, counts, auditOfRemoved: d.auditOfRemoved.length },
    });
    const records: Redaction[] = [...d.audit, ...d.auditOfRemoved].map((seq) => ({ seq }));
    await redactAudit(db, tx, {
      actor: 'system',
      at: opts.now,
      reason: 'retention',
      context: { by: opts.by },
      records,
    });
    return result;
  });
}

/** The result in plain words, one line per kind (English, like the other operator scripts). */
export function describeRetention(r: RetentionResult, now: Date): string {
  const NAMES: Record<RetentionKind, string> = {
    advisories: 'advisories',
    incidents: 'incident reports',
    inspections: 'inspection campaigns (with their answers)',
    meetings: 'meetings',
    deliveries: 'delivered messages (outbox copies)',
    audit: 'audit records',
  };
  const verb = (k: RetentionKind) =>
    k === 'audit' ? (r.applied ? 'redacted' : 'to redact') : r.applied ? 'removed' : 'to remove';
  const lines = [
    r.applied
      ? `retention applied on ${now.toISOString()}:`
      : `retention dry run on ${now.toISOString()} (nothing changed; add --apply to remove):`,
  ];
  for (const k of r.kinds) {
    const period =
      k.years === null
        ? 'kept for good'
        : `kept ${k.years} year${k.years === 1 ? '' : 's'} from the April after closing, so closed in FY${k.throughFiscalYear} or before are due`;
    lines.push(`  ${NAMES[k.kind]}: ${k.due} ${verb(k.kind)} (${period})`);
  }
  lines.push(
    `  audit records of the removed records: ${r.auditOfRemoved} ${r.applied ? 'redacted' : 'to redact'} (kept in the chain with their hashes)`,
  );
  return lines.join('\n');
}
