/**
 * The audit chain: every change of state appends one record in the same transaction.
 * hash(n) = SHA-256( hash(n-1) ‖ "\n" ‖ canonical JSON of {seq, at, actor, action, subject, data} ).
 * Appends are serialised by updating the single AuditHead row first (a row lock on
 * PostgreSQL, the write lock on SQLite), so parallel transactions still form one chain.
 */
import { createHash } from 'node:crypto';
import type { Database, Prisma$, Tx } from '../db/client.ts';
import { canonicalJson } from './canonical-json.ts';

export const GENESIS = '0'.repeat(64);
/** the action of the records that attest redactions (src/audit/redact.ts) */
export const REDACT_ACTION = 'audit.redact';
/** why a record may be redacted; its data then is exactly `{"redacted":"<reason>"}` */
export const REDACT_REASONS = ['retention', 'erasure', 'exercise'] as const;
export type RedactReason = (typeof REDACT_REASONS)[number];

/** The data a redacted record holds. */
export function redactedData(reason: RedactReason): string {
  return canonicalJson({ redacted: reason });
}

export interface AuditEntry {
  actor: string;
  action: string;
  subject: string;
  data?: Record<string, unknown>;
  at: Date;
}

export function recordHash(
  prevHash: string,
  r: { seq: number; at: Date; actor: string; action: string; subject: string; data: string },
): string {
  const body = canonicalJson({
    seq: r.seq,
    at: r.at.toISOString(),
    actor: r.actor,
    action: r.action,
    subject: r.subject,
    data: r.data,
  });
  return createHash('sha256').update(`${prevHash}\n${body}`).digest('hex');
}

/** Creates the head row if this database has none (idempotent; run at start). */
export async function ensureAuditHead(db: Database): Promise<void> {
  await db.execute(
    db.prisma,
    'INSERT INTO "AuditHead" (id, seq, hash) VALUES (1, 0, ?) ON CONFLICT (id) DO NOTHING',
    GENESIS,
  );
}

/** Appends one record inside the caller's transaction; returns its sequence number. */
export async function appendAudit(db: Database, tx: Tx, e: AuditEntry): Promise<number> {
  const [seq] = await appendAuditMany(db, tx, [e]);
  return seq as number;
}

/**
 * Appends records inside the caller's transaction with three queries, whatever their number
 * (bump the head, insert the records, store the new head hash); returns their sequence numbers.
 */
export async function appendAuditMany(
  db: Database,
  tx: Tx,
  es: readonly AuditEntry[],
  writes: readonly { sql: string; params: readonly unknown[] }[] = [],
): Promise<number[]> {
  // PostgreSQL: `writes` (other tables' rows, nothing read back) and the two statements below
  // ride in WITH clauses of one another's statements: two round trips for the chain, not 3 + writes
  const pg = db.provider === 'postgresql';
  if (es.length === 0 || !pg) for (const w of writes) await db.execute(tx, w.sql, ...w.params);
  if (es.length === 0) return [];
  const before = pg ? writes : [];
  const rows = await db.query<{ seq: number | bigint; hash: string }>(
    tx,
    `${withClauses(before.map((w) => w.sql))}UPDATE "AuditHead" SET seq = seq + ${Math.floor(es.length)} WHERE id = 1 RETURNING seq, hash`,
    ...before.flatMap((w) => w.params),
  );
  const head = rows[0];
  if (!head) throw new Error('audit head missing: run the migrations and ensureAuditHead');
  let seq = Number(head.seq) - es.length;
  let prev = head.hash;
  const records = es.map((e) => {
    seq++;
    const data = canonicalJson(e.data ?? {});
    const at = new Date(Math.floor(e.at.getTime()));
    const hash = recordHash(prev, { seq, at, actor: e.actor, action: e.action, subject: e.subject, data });
    const r = { seq, at, actor: e.actor, action: e.action, subject: e.subject, data, prevHash: prev, hash };
    prev = hash;
    return r;
  });
  // raw SQL: the model API's createMany costs a query plan and its mapping on every change
  const insert = `INSERT INTO "AuditRecord" ("seq", "at", "actor", "action", "subject", "data", "prevHash", "hash")
       VALUES ${records.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`;
  const values = records.flatMap((r) => [r.seq, r.at, r.actor, r.action, r.subject, r.data, r.prevHash, r.hash]);
  const setHash = 'UPDATE "AuditHead" SET hash = ? WHERE id = 1';
  if (pg) await db.execute(tx, `${withClauses([insert])}${setHash}`, ...values, prev);
  else {
    await db.execute(tx, insert, ...values);
    await db.execute(tx, setHash, prev);
  }
  return records.map((r) => r.seq);
}

/**
 * PostgreSQL: data-modifying statements put before another as `WITH w0 AS (…), w1 AS (…) `. Each
 * runs once, to completion, on the statement's snapshot (they must not touch the same rows nor
 * read one another's); `?` placeholders stay in order.
 */
const withClauses = (sqls: readonly string[]): string =>
  sqls.length === 0 ? '' : `WITH ${sqls.map((s, i) => `w${i} AS (${s})`).join(', ')} `;

export type VerifyResult =
  | { ok: true; count: number; head: string; redacted: number; redactions: number[] }
  | {
      ok: false;
      count: number;
      seq: number;
      kind: 'hash-mismatch' | 'broken-link' | 'sequence-gap' | 'head-mismatch' | 'redaction-mismatch';
      detail: string;
    };

/** Walks the chain in order, in pages; reports the first broken record. */
export async function verifyChain(prisma: Prisma$, pageSize = 1000): Promise<VerifyResult> {
  let prev = GENESIS;
  let expected = 1;
  let count = 0;
  const attested = await readAttestations(prisma);
  let redacted = 0;
  const redactions = new Set<number>();
  for (;;) {
    const page = await prisma.auditRecord.findMany({
      where: { seq: { gte: expected } },
      orderBy: { seq: 'asc' },
      take: pageSize,
    });
    if (page.length === 0) break;
    for (const r of page) {
      if (r.seq !== expected)
        return {
          ok: false,
          count,
          seq: expected,
          kind: 'sequence-gap',
          detail: `record ${expected} is missing (next is ${r.seq})`,
        };
      if (r.prevHash !== prev)
        return {
          ok: false,
          count,
          seq: r.seq,
          kind: 'broken-link',
          detail: `prevHash ${r.prevHash.slice(0, 12)}… ≠ ${prev.slice(0, 12)}…`,
        };
      const h = recordHash(prev, r);
      const a = attested.get(r.seq);
      if (a && h !== r.hash) {
        // a redacted record: it must be exactly the form its audit.redact record attests, and
        // keep the original hash the next record links to
        if (a.redacted !== h || a.hash !== r.hash)
          return {
            ok: false,
            count,
            seq: r.seq,
            kind: 'redaction-mismatch',
            detail: `redacted ${r.action} ${r.subject} is not the form record ${a.by} attests (changed after its redaction)`,
          };
        // and a redaction only takes content out: whatever a redaction record attests, the data
        // left is the marker of its reason, never other content put in its place
        if (a.reason === null || r.data !== redactedData(a.reason))
          return {
            ok: false,
            count,
            seq: r.seq,
            kind: 'redaction-mismatch',
            detail: `${r.action} ${r.subject}, attested as redacted by record ${a.by}, holds ${r.data.length > 60 ? `${r.data.slice(0, 60)}…` : r.data} instead of a redaction marker`,
          };
        redacted++;
        redactions.add(a.by);
      } else if (h !== r.hash)
        return {
          ok: false,
          count,
          seq: r.seq,
          kind: 'hash-mismatch',
          detail: `${r.action} ${r.subject} by ${r.actor} at ${r.at.toISOString()}`,
        };
      prev = r.hash;
      expected++;
      count++;
    }
  }
  const head = await prisma.auditHead.findUnique({ where: { id: 1 } });
  if (head && (head.seq !== count || head.hash !== prev)) {
    return {
      ok: false,
      count,
      seq: head.seq,
      kind: 'head-mismatch',
      detail: `head says ${head.seq} records ending ${head.hash.slice(0, 12)}…`,
    };
  }
  return { ok: true, count, head: prev, redacted, redactions: [...redactions].sort((x, y) => x - y) };
}

/**
 * What the audit.redact records attest: seq → the original hash, the hash of the redacted form,
 * and the attesting record (the newest attestation of a record wins). Read before the walk;
 * the walk then checks every audit.redact record like any other, so an altered one fails.
 */
export async function readAttestations(
  prisma: Prisma$,
): Promise<Map<number, { hash: string; redacted: string; by: number; reason: RedactReason | null }>> {
  const out = new Map<number, { hash: string; redacted: string; by: number; reason: RedactReason | null }>();
  const rows = await prisma.auditRecord.findMany({ where: { action: REDACT_ACTION }, orderBy: { seq: 'asc' } });
  for (const r of rows) {
    let records: unknown;
    let reason: RedactReason | null = null;
    try {
      const body = JSON.parse(r.data) as { records?: unknown; reason?: unknown };
      records = body.records;
      reason = REDACT_REASONS.find((x) => x === body.reason) ?? null;
    } catch {
      continue;
    }
    if (!Array.isArray(records)) continue;
    for (const a of records) {
      if (!Array.isArray(a) || a.length !== 3) continue;
      const [seq, hash, redacted] = a as unknown[];
      if (typeof seq === 'number' && typeof hash === 'string' && typeof redacted === 'string' && seq < r.seq)
        out.set(seq, { hash, redacted, by: r.seq, reason });
    }
  }
  return out;
}
