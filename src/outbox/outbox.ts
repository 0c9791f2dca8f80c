/**
 * The outbox: every message to a channel or a person is a Delivery row written in the same
 * transaction as the change that causes it. The dispatcher sends it later, exactly once.
 */
import { randomUUID } from 'node:crypto';
import { canonicalJson } from '../audit/canonical-json.ts';
import type { OutMessage, PlatformName } from '../core/platform.ts';
import type { Tx } from '../db/client.ts';

export interface Enqueue {
  platform: PlatformName;
  kind: 'post' | 'dm' | 'update';
  /** channel id (post, update) or user id without the platform prefix (dm) */
  target: string;
  message: OutMessage;
  /** unique per cause and target, e.g. `incident:INC-2026-0001:reported:slack:C123` */
  dedupeKey: string;
  refType?: string;
  refId?: string;
  notBefore?: Date;
  /** for kind=update: the delivery whose post is replaced */
  updatesId?: string;
  /** an undeliverable row (e.g. no channel configured), kept so that status shows it */
  failedReason?: string;
  /** for a post to an organisation's channel: that organisation (checked again before sending) */
  orgId?: number;
}

/** The Delivery row for an entry (pending, or failed with its reason). */
function deliveryRow(id: string, e: Enqueue, now: Date) {
  return {
    id,
    kind: e.kind,
    platform: e.platform,
    target: e.target,
    message: canonicalJson(e.message),
    dedupeKey: e.dedupeKey,
    status: e.failedReason ? 'failed' : 'pending',
    error: e.failedReason ?? null,
    notBefore: e.notBefore ?? now,
    refType: e.refType ?? null,
    refId: e.refId ?? null,
    updatesId: e.updatesId ?? null,
    orgId: e.orgId ?? null,
    createdAt: now,
  };
}

/** Writes one delivery; a second enqueue with the same dedupeKey is a no-op. Returns its id. */
export async function enqueue(tx: Tx, e: Enqueue, now: Date): Promise<string> {
  const existing = await tx.delivery.findUnique({ where: { dedupeKey: e.dedupeKey }, select: { id: true } });
  if (existing) return existing.id;
  const id = randomUUID();
  await tx.delivery.create({ data: deliveryRow(id, e, now) });
  return id;
}

/**
 * Writes several deliveries with two queries (the same rows as `enqueue` on each in turn):
 * those whose dedupeKey exists already, or repeats one earlier in the list, are left out.
 * Returns each entry's delivery id.
 */
export async function enqueueMany(tx: Tx, es: readonly Enqueue[], now: Date): Promise<string[]> {
  if (es.length === 0) return [];
  const existing = await tx.delivery.findMany({
    where: { dedupeKey: { in: [...new Set(es.map((e) => e.dedupeKey))] } },
    select: { id: true, dedupeKey: true },
  });
  const idOf = new Map(existing.map((d) => [d.dedupeKey, d.id]));
  const rows = [];
  for (const e of es) {
    if (idOf.has(e.dedupeKey)) continue;
    const id = randomUUID();
    idOf.set(e.dedupeKey, id);
    rows.push(deliveryRow(id, e, now));
  }
  if (rows.length > 0) await tx.delivery.createMany({ data: rows });
  return es.map((e) => idOf.get(e.dedupeKey) as string);
}
