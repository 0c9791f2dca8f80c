/**
 * The outbox: every message to a channel or a person is a Delivery row written in the same
 * transaction as the change that causes it. The dispatcher sends it later, exactly once.
 *
 * A delivery's id travels with its post (metadata / props), so that the channel's history
 * tells whether it was posted. Most ids are random. A deterministic producer (the scheduler's
 * jobs, the hooks that follow a delivery's outcome: `derivedIds`) makes the same delivery again
 * after a restore from a backup older than its post; its id is derived from the dedupe key
 * (with a key kept in the database, so two installations sharing a channel never meet), so the
 * delivery made again carries the id of the post it repeats, and the dispatcher finds that
 * post in the channel before posting (src/outbox/dispatcher.ts, `afterRestore`).
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { join, sqltag } from '@prisma/client/runtime/client';
import { canonicalJson } from '../audit/canonical-json.ts';
import type { Carrier, OutMessage } from '../core/platform.ts';
import { contextSlot } from '../db/async-context.ts';
import type { Tx } from '../db/client.ts';
import { chunks } from '../db/rows.ts';

export interface Enqueue {
  platform: Carrier;
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

/**
 * A delivery's channel as the dispatcher keeps it (one row in hand, its pacing) and as a kick
 * names it (`ServiceDeps.kick`): `platform:target`.
 */
export const channelKey = (d: { platform: string; target: string }): string => `${d.platform}:${d.target}`;

/**
 * The channels a kick names for entries just written: those of the rows a claim may take, each
 * once. An undeliverable entry (`failedReason`: an organisation without a channel on a platform)
 * is written failed and never claimed; naming its channel, of which the dispatcher knows nothing,
 * made every kick claim (a report batch's, in the bench: 243 of 281 kicks, each claim finding
 * nothing).
 */
export const claimableChannels = (es: readonly Enqueue[]): string[] => [
  ...new Set(es.filter((e) => !e.failedReason).map(channelKey)),
];

/** The Setting holding the key derived delivery ids are made with (created once, kept in backups). */
export const DELIVERY_ID_KEY = 'delivery_id_key';

/** Inside `derivedIds(fn)`: the key, once read. */
const derived = contextSlot<{ key?: string }>('derived delivery ids');

/**
 * Runs `fn` as a deterministic producer: the deliveries it enqueues get ids derived from their
 * dedupe keys instead of random ones. Only for producers that make the same delivery, under the
 * same dedupe key, from the same cause again (a scheduled job firing again after a restore);
 * never for a command's own posts, whose keys may name things a restore gives out again.
 */
export function derivedIds<T>(fn: () => Promise<T>): Promise<T> {
  return derived.run({}, fn);
}

/**
 * The deployment's key for derived ids, made on first use (race-safe: insert-or-nothing, then
 * read). The app makes it at start, so that every backup of a database that ran holds it.
 */
export async function deliveryIdKey(tx: Tx): Promise<{ key: string; made: boolean }> {
  // raw SQL: it may run in a transaction of raw statements only (src/db/raw-tx.ts)
  const read = async () =>
    (await tx.$queryRaw<{ value: string }[]>`SELECT "value" FROM "Setting" WHERE "key" = ${DELIVERY_ID_KEY}`)[0]?.value;
  const found = await read();
  if (found) return { key: found, made: false };
  const value = randomBytes(32).toString('base64url');
  await tx.$executeRaw`INSERT INTO "Setting" ("key", "value") VALUES (${DELIVERY_ID_KEY}, ${value}) ON CONFLICT ("key") DO NOTHING`;
  const stored = await read();
  if (!stored) throw new Error(`setting ${DELIVERY_ID_KEY} could not be stored`);
  return { key: stored, made: true };
}

/**
 * A UUID (version 8) from an HMAC of the delivery's dedupe key, kind and target: the same for
 * the same delivery made again, unrelated across installations.
 */
export function derivedDeliveryId(key: string, e: Pick<Enqueue, 'dedupeKey' | 'kind' | 'platform' | 'target'>): string {
  const b = createHmac('sha256', key)
    .update(`csirt-delivery\0${e.kind}\0${e.platform}\0${e.target}\0${e.dedupeKey}`)
    .digest()
    .subarray(0, 16);
  b[6] = ((b[6] as number) & 0x0f) | 0x80;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Whether an id was derived (version 8) rather than random (randomUUID: version 4). */
export function isDerivedDeliveryId(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab]/.test(id);
}

/** The id-maker for the deliveries enqueued now: derived inside `derivedIds`, else random. */
async function idMaker(tx: Tx): Promise<(e: Enqueue) => string> {
  const scope = derived.get();
  if (!scope) return () => randomUUID();
  let key = scope.key;
  if (key === undefined) {
    const k = await deliveryIdKey(tx);
    key = k.key;
    // one made in this transaction is not kept for the next: this one may roll back
    if (!k.made) scope.key = key;
  }
  const use = key;
  return (e) => derivedDeliveryId(use, e);
}

/** Writes one delivery; a second enqueue with the same dedupeKey is a no-op. Returns its id. */
export async function enqueue(tx: Tx, e: Enqueue, now: Date): Promise<string> {
  const existing = await tx.delivery.findUnique({ where: { dedupeKey: e.dedupeKey }, select: { id: true } });
  if (existing) return existing.id;
  const id = (await idMaker(tx))(e);
  await tx.delivery.create({ data: deliveryRow(id, e, now) });
  return id;
}

/** Parameters of one Delivery row in `deliveryRows`' INSERT. */
export const DELIVERY_PARAMS = 14;

/**
 * The INSERT of `enqueueMany`'s rows, not run, for a caller that sends it with another statement
 * and needs no ids back (a batch of reports on PostgreSQL: its posts ride in a WITH clause of its
 * audit head's update, report-batch.ts): the same rows, a repeated dedupeKey once, one that exists
 * already left as it is (ON CONFLICT DO NOTHING, as `enqueueMany`). Null when there is nothing.
 */
export async function deliveryRows(
  tx: Tx,
  es: readonly Enqueue[],
  now: Date,
): Promise<{ sql: string; params: unknown[] } | null> {
  if (es.length === 0) return null;
  const makeId = await idMaker(tx);
  const keys = new Set<string>();
  const rows: ReturnType<typeof deliveryRow>[] = [];
  for (const e of es) {
    if (keys.has(e.dedupeKey)) continue;
    keys.add(e.dedupeKey);
    rows.push(deliveryRow(makeId(e), e, now));
  }
  return {
    sql: `INSERT INTO "Delivery" ("id", "kind", "platform", "target", "message", "dedupeKey", "status", "error",
        "notBefore", "refType", "refId", "updatesId", "orgId", "createdAt")
      VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}
      ON CONFLICT ("dedupeKey") DO NOTHING`,
    params: rows.flatMap((r) => [
      r.id,
      r.kind,
      r.platform,
      r.target,
      r.message,
      r.dedupeKey,
      r.status,
      r.error,
      r.notBefore,
      r.refType,
      r.refId,
      r.updatesId,
      r.orgId,
      r.createdAt,
    ]),
  };
}

/**
 * Writes several deliveries with two queries (the same rows as `enqueue` on each in turn):
 * those whose dedupeKey exists already, or repeats one earlier in the list, are left out.
 * Returns each entry's delivery id.
 */
export async function enqueueMany(tx: Tx, es: readonly Enqueue[], now: Date): Promise<string[]> {
  if (es.length === 0) return [];
  const makeId = await idMaker(tx);
  const idOf = new Map<string, string>();
  const rows: ReturnType<typeof deliveryRow>[] = [];
  for (const e of es) {
    if (idOf.has(e.dedupeKey)) continue;
    const id = makeId(e);
    idOf.set(e.dedupeKey, id);
    rows.push(deliveryRow(id, e, now));
  }
  // one raw INSERT for all (the model API's createMany, and a search before it, cost a query
  // plan each after every report): a key that exists already is left as it is, and only then
  // is its row's id read. More rows than one statement may bind (a batch of reports with many
  // correlation alerts): one INSERT per chunk.
  const inserted: { dedupeKey: string }[] = [];
  for (const chunk of chunks(rows, DELIVERY_PARAMS)) {
    inserted.push(
      ...(await tx.$queryRaw<{ dedupeKey: string }[]>`
    INSERT INTO "Delivery" ("id", "kind", "platform", "target", "message", "dedupeKey", "status", "error",
        "notBefore", "refType", "refId", "updatesId", "orgId", "createdAt")
      VALUES ${join(
        chunk.map(
          (r) =>
            sqltag`(${r.id}, ${r.kind}, ${r.platform}, ${r.target}, ${r.message}, ${r.dedupeKey}, ${r.status}, ${r.error},
              ${r.notBefore}, ${r.refType}, ${r.refId}, ${r.updatesId}, ${r.orgId}, ${r.createdAt})`,
        ),
      )}
      ON CONFLICT ("dedupeKey") DO NOTHING
      RETURNING "dedupeKey"`),
    );
  }
  if (inserted.length < rows.length) {
    const made = new Set(inserted.map((r) => r.dedupeKey));
    // raw SQL: a report batch's transaction takes raw statements only (src/db/raw-tx.ts)
    const existing = await tx.$queryRaw<{ id: string; dedupeKey: string }[]>`
      SELECT "id", "dedupeKey" FROM "Delivery"
        WHERE "dedupeKey" IN (${join(rows.filter((r) => !made.has(r.dedupeKey)).map((r) => r.dedupeKey))})`;
    for (const d of existing) idOf.set(d.dedupeKey, d.id);
  }
  return es.map((e) => idOf.get(e.dedupeKey) as string);
}
