/**
 * Redaction of audit records (issue 22 item 4): retention and erasure remove personal data and
 * expired content from the audit chain without removing a record or breaking the chain.
 *
 * A redacted record keeps its sequence number, its prevHash and its original `hash` (which the
 * next record links to and anchors name); its data becomes `{"redacted":"<reason>"}` and a
 * person's identity in `actor`/`subject` may become a pseudonym. In the same transaction an
 * `audit.redact` record is appended that attests, for every record it redacted,
 * [seq, original hash, hash of the redacted form]. `verifyChain` accepts a record whose stored
 * form does not hash to its `hash` only when a later `audit.redact` record attests exactly that
 * redacted form — so a redacted record changed again afterwards, a record "redacted" without a
 * redaction record, or a redaction record altered, all fail verification. A redaction is itself
 * visible in the chain (who, when, why, how many) and moves the head, like any other change.
 */
import type { Database, Tx } from '../db/client.ts';
import { appendAuditMany, REDACT_ACTION, type RedactReason, recordHash, redactedData } from './chain.ts';

/** at most this many records attested by one audit.redact record (about 140 bytes each) */
const PER_RECORD = 500;

/** One attestation: [seq, original hash, hash of the redacted form]. */
type Attestation = [number, string, string];

export interface Redaction {
  seq: number;
  /** replaces actor and subject when set (a pseudonym for an erased identity) */
  actor?: string;
  subject?: string;
}

/**
 * Redacts records in `tx` and appends the audit.redact records that attest them; records
 * already redacted in the same way, and audit.redact records themselves, are left as they are.
 * Returns how many records were changed.
 */
export async function redactAudit(
  db: Database,
  tx: Tx,
  e: { actor: string; at: Date; reason: RedactReason; context: Record<string, unknown>; records: Redaction[] },
): Promise<number> {
  const want = new Map(e.records.map((r) => [r.seq, r]));
  if (want.size === 0) return 0;
  const data = redactedData(e.reason);
  const attest: Attestation[] = [];
  const seqs = [...want.keys()].sort((a, b) => a - b);
  for (let i = 0; i < seqs.length; i += 1000) {
    const rows = await tx.auditRecord.findMany({
      where: { seq: { in: seqs.slice(i, i + 1000) } },
      orderBy: { seq: 'asc' },
    });
    for (const r of rows) {
      if (r.action === REDACT_ACTION) continue;
      const w = want.get(r.seq) as Redaction;
      const next = { ...r, data, actor: w.actor ?? r.actor, subject: w.subject ?? r.subject };
      if (next.data === r.data && next.actor === r.actor && next.subject === r.subject) continue;
      await tx.auditRecord.update({
        where: { seq: r.seq },
        data: { data: next.data, actor: next.actor, subject: next.subject },
      });
      attest.push([r.seq, r.hash, recordHash(r.prevHash, next)]);
    }
  }
  const entries = [];
  for (let i = 0; i < attest.length; i += PER_RECORD) {
    const records = attest.slice(i, i + PER_RECORD);
    entries.push({
      actor: e.actor,
      action: REDACT_ACTION,
      subject: e.reason,
      at: e.at,
      data: { ...e.context, reason: e.reason, count: records.length, records },
    });
  }
  await appendAuditMany(db, tx, entries);
  return attest.length;
}
