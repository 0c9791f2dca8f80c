/**
 * Posting to an organisation's channel or a person, through the outbox, in the caller's
 * transaction. One delivery per platform the bot runs on; an organisation with no channel on
 * a platform gets a failed delivery that says so (shown in status views), never silence.
 */
import { MAIL, type OutMessage, type PlatformName } from '../core/platform.ts';
import type { Prisma$, Tx } from '../db/client.ts';
import type { Delivery } from '../db/generated/sqlite/client.ts';
import { type DateStyle, dateStyle, isCalendar } from '../domain/dates.ts';
import { type Locale, translator } from '../i18n/index.ts';
import { claimableChannels, type Enqueue, enqueue, enqueueMany } from '../outbox/outbox.ts';
import { postStyle, type ServiceDeps } from './context.ts';
import { namesInTx } from './directory-names.ts';

export interface OrgRef {
  id: number;
  code: string;
}

/** The organisation's channel on a platform: its set channel, or its code on the console. */
export async function channelOf(tx: Tx, org: OrgRef, platform: PlatformName): Promise<string | null> {
  const ch = await tx.orgChannel.findUnique({ where: { orgId_platform: { orgId: org.id, platform } } });
  if (ch) return ch.channelId;
  return platform === 'console' ? org.code : null;
}

/**
 * The organisation a channel belongs to on a platform, or null: the one it is set for (at most
 * one: OrgChannel is unique per platform and channel), else on the console the organisation
 * whose code it is, if that one has no console channel set.
 */
export async function channelOwner(
  tx: Tx,
  platform: PlatformName,
  channel: string,
): Promise<{ id: number; code: string; nameJa: string; nameEn: string } | null> {
  const set = await tx.orgChannel.findUnique({
    where: { platform_channelId: { platform, channelId: channel } },
    include: { org: true },
  });
  if (set) return set.org;
  if (platform !== 'console') return null;
  const o = await tx.organization.findUnique({ where: { code: channel }, include: { channels: true } });
  return o && !o.channels.some((c) => c.platform === 'console') ? o : null;
}

/**
 * The dispatcher's pre-send check for posts to an organisation's channel: the channel must
 * still belong to the organisation the post was written for (an admin may have moved it since).
 * Returns `channel_moved` to fail the row, or null.
 */
export async function channelStillOwned(
  tx: Tx,
  d: { kind: string; platform: string; target: string; orgId: number | null },
): Promise<string | null> {
  if (d.kind !== 'post' || d.orgId === null) return null;
  if (d.platform === MAIL) {
    // an e-mail copy: the address must still be the organisation's
    const o = await tx.organization.findUnique({ where: { id: d.orgId }, select: { email: true } });
    return o?.email === d.target ? null : CHANNEL_MOVED;
  }
  return (await channelOwnerId(tx, d.platform, d.target)) === d.orgId ? null : CHANNEL_MOVED;
}

/**
 * `channelOwner`'s organisation id in one statement (it runs before every post: the model
 * API's include cost two statements and their query plans).
 */
async function channelOwnerId(tx: Tx, platform: string, channel: string): Promise<number | null> {
  const [row] = await tx.$queryRaw<{ id: number | bigint }[]>`
    SELECT id FROM (
      SELECT "orgId" AS id, 0 AS rank FROM "OrgChannel" WHERE platform = ${platform} AND "channelId" = ${channel}
      UNION ALL
      SELECT o.id AS id, 1 AS rank FROM "Organization" o
        WHERE o.code = ${channel} AND ${platform === 'console' ? 1 : 0} = 1
          AND NOT EXISTS (SELECT 1 FROM "OrgChannel" c WHERE c."orgId" = o.id AND c.platform = 'console')
    ) owners ORDER BY rank LIMIT 1`;
  return row ? Number(row.id) : null;
}

/** The error of a post refused because its channel no longer belongs to its organisation. */
export const CHANNEL_MOVED = 'channel_moved';

export async function postToOrg(
  deps: ServiceDeps,
  tx: Tx,
  org: OrgRef,
  build: (t: ReturnType<typeof translator>, dates: DateStyle) => OutMessage,
  key: string,
  ref?: { type: string; id: string },
): Promise<string[]> {
  const msg = build(translator(deps.locale, await namesInTx(tx)), postStyle(deps));
  const ids: string[] = [];
  const es: Enqueue[] = [];
  for (const platform of deps.platforms) {
    const channel = await channelOf(tx, org, platform);
    const e: Enqueue = {
      platform,
      kind: 'post',
      target: channel ?? `(${org.code})`,
      orgId: org.id,
      message: msg,
      dedupeKey: `${key}:${platform}:${org.code}`,
      refType: ref?.type,
      refId: ref?.id,
      failedReason: channel ? undefined : 'no_channel',
    };
    ids.push(await enqueue(tx, e, deps.clock.now()));
    es.push(e);
  }
  deps.kick(claimableChannels(es));
  return ids;
}

/** An organisation's channel on a platform, as `orgPosts` reads it. */
export interface OrgChannelRow {
  orgId: number | bigint;
  platform: string;
  channelId: string;
}

/** A post to an organisation's channel, for `postToOrgs` and `orgPosts`. */
export interface OrgPost {
  org: OrgRef;
  /** a function given for several posts is called once (the same message to each) */
  build: (t: ReturnType<typeof translator>, dates: DateStyle) => OutMessage;
  key: string;
  ref?: { type: string; id: string };
}

/**
 * `postToOrg` for several posts at once (a batch of reminders): the same rows, with one query
 * for the channels and two for the deliveries, whatever the number of posts.
 */
export async function postToOrgs(deps: ServiceDeps, tx: Tx, posts: readonly OrgPost[]): Promise<string[]> {
  if (posts.length === 0) return [];
  const es = await orgPosts(deps, tx, posts);
  const ids = await enqueueMany(tx, es, deps.clock.now());
  deps.kick(claimableChannels(es));
  return ids;
}

/**
 * The deliveries of `postToOrgs`, not written: one per post and platform, with one query for the
 * channels of all the posts' organisations (a batch of reports enqueues them with its other
 * deliveries in one statement).
 */
export async function orgPosts(
  deps: ServiceDeps,
  tx: Tx,
  posts: readonly OrgPost[],
  /** the channels of the posts' organisations on the bot's platforms, when the caller read them already */
  known?: readonly OrgChannelRow[],
): Promise<Enqueue[]> {
  const platforms = [...deps.platforms];
  if (posts.length === 0 || platforms.length === 0) return [];
  const orgIds = [...new Set(posts.map((p) => p.org.id))];
  // raw SQL: read on every report (the model API's query plan and mapping cost more than the read)
  const channels =
    known ??
    (await deps.db.query<OrgChannelRow>(
      tx,
      `SELECT "orgId", "platform", "channelId" FROM "OrgChannel"
      WHERE "orgId" IN (${orgIds.map(() => '?').join(', ')}) AND "platform" IN (${platforms.map(() => '?').join(', ')})`,
      ...orgIds,
      ...platforms,
    ));
  const channelOfOrg = new Map(channels.map((c) => [`${Number(c.orgId)}:${c.platform}`, c.channelId]));
  const t = translator(deps.locale, await namesInTx(tx));
  const dates = postStyle(deps);
  const built = new Map<OrgPost['build'], OutMessage>();
  const es: Enqueue[] = [];
  for (const p of posts) {
    let msg = built.get(p.build);
    if (!msg) {
      msg = p.build(t, dates);
      built.set(p.build, msg);
    }
    for (const platform of deps.platforms) {
      const channel = channelOfOrg.get(`${p.org.id}:${platform}`) ?? (platform === 'console' ? p.org.code : null);
      es.push({
        platform,
        kind: 'post',
        target: channel ?? `(${p.org.code})`,
        orgId: p.org.id,
        message: msg,
        dedupeKey: `${p.key}:${platform}:${p.org.code}`,
        refType: p.ref?.type,
        refId: p.ref?.id,
        failedReason: channel ? undefined : 'no_channel',
      });
    }
  }
  return es;
}

/** A direct message to a person, on the platform of their identity. */
export async function dmPerson(
  deps: ServiceDeps,
  tx: Tx,
  person: { identity: string; locale: string | null; calendar?: string | null },
  build: (t: ReturnType<typeof translator>, dates: DateStyle) => OutMessage,
  key: string,
  ref?: { type: string; id: string },
): Promise<string> {
  const [platform, user] = splitIdentity(person.identity);
  const locale = person.locale === 'en' || person.locale === 'ja' ? person.locale : deps.locale;
  const e: Enqueue = {
    platform,
    kind: 'dm',
    target: user,
    message: build(
      translator(locale, await namesInTx(tx)),
      dateStyle(locale, isCalendar(person.calendar) ? person.calendar : (deps.calendar ?? 'wareki')),
    ),
    dedupeKey: `${key}:${person.identity}`,
    refType: ref?.type,
    refId: ref?.id,
    failedReason: deps.platforms.includes(platform) ? undefined : 'platform_not_connected',
  };
  const id = await enqueue(tx, e, deps.clock.now());
  deps.kick(claimableChannels([e]));
  return id;
}

/** A person a message may go to: by chat, or by e-mail when the bot does not run on their chat. */
export interface Reachable {
  identity: string;
  locale: string | null;
  calendar?: string | null;
  /** the person's address (`person set <user> email=`), or null */
  email?: string | null;
}

/** The bot cannot reach the person by chat, but can by e-mail (e-mail set up, an address). */
export function byMailOnly(deps: Pick<ServiceDeps, 'platforms' | 'mail'>, person: Reachable): boolean {
  return !deps.platforms.includes(splitIdentity(person.identity)[0]) && !!deps.mail && !!person.email;
}

/**
 * A message to a person (issue 20 item 5): a direct message on the platform of their identity,
 * or, when the bot does not run on it and the person has an address, the same message by e-mail
 * (`mailPerson`) under the same dedupe key — one or the other, never both. With neither, the
 * direct message is written failed (`platform_not_connected`) as before.
 */
export async function tellPerson(
  deps: ServiceDeps,
  tx: Tx,
  person: Reachable,
  build: (t: ReturnType<typeof translator>, dates: DateStyle) => OutMessage,
  key: string,
  ref?: { type: string; id: string },
): Promise<{ id: string; by: 'chat' | 'email' }> {
  if (!byMailOnly(deps, person)) return { id: await dmPerson(deps, tx, person, build, key, ref), by: 'chat' };
  return { id: await mailPerson(deps, tx, person, build, key, ref), by: 'email' };
}

/**
 * The e-mail of a message to a person: Japanese, then English (each with its buttons written as
 * the command to type), to the person's address, through the outbox (platform `email`, kind
 * `post`, no organisation; the delivery id is the Message-ID, src/outbox/mail.ts). The dedupe
 * key is the direct message's (`<key>:<identity>`), so the dispatcher's guards find the person
 * in it (`recipientOf`) and the outbox never writes it twice.
 */
async function mailPerson(
  deps: ServiceDeps,
  tx: Tx,
  person: Reachable,
  build: (t: ReturnType<typeof translator>, dates: DateStyle) => OutMessage,
  key: string,
  ref?: { type: string; id: string },
): Promise<string> {
  const names = await namesInTx(tx);
  const calendar = isCalendar(person.calendar) ? person.calendar : (deps.calendar ?? 'wareki');
  const part = (locale: Locale): OutMessage['blocks'] => {
    const t = translator(locale, names);
    const m = build(t, dateStyle(locale, calendar));
    return [
      ...m.blocks,
      ...(m.actions ?? []).map((a) => ({
        kind: 'context' as const,
        text: t('mail.action_by_command', { label: a.label, command: a.command }),
      })),
      { kind: 'context' as const, text: t('mail.intro') },
    ];
  };
  const e: Enqueue = {
    platform: MAIL,
    kind: 'post',
    target: person.email as string,
    message: {
      blocks: [
        ...part('ja'),
        { kind: 'context', text: translator('ja', names)('mail.english_follows') },
        { kind: 'context', text: '----------------------------------------' },
        ...part('en'),
      ],
    },
    dedupeKey: `${key}:${person.identity}`,
    refType: ref?.type,
    refId: ref?.id,
  };
  const id = await enqueue(tx, e, deps.clock.now());
  deps.kick(claimableChannels([e]));
  return id;
}

/**
 * Who a message to a person is for: a direct message's platform and user; an e-mail's dedupe
 * key ends with the person's identity (`<platform>:<id>`, `tellPerson`).
 */
export function recipientOf(d: Pick<Delivery, 'platform' | 'target' | 'dedupeKey'>): string {
  if (d.platform !== MAIL) return `${d.platform}:${d.target}`;
  return d.dedupeKey.split(':').slice(-2).join(':');
}

/**
 * The dispatcher's check of an e-mail to a person: the address must still be the person's. An
 * address changed or removed between writing and sending: nothing is sent (the new address was
 * not the one the step chose; the row fails and the office is told, as for any failed delivery).
 */
export async function addressStillTheirs(
  db: Tx | Prisma$,
  d: Pick<Delivery, 'platform' | 'target' | 'dedupeKey'>,
): Promise<string | null> {
  if (d.platform !== MAIL) return null;
  const p = await db.person.findUnique({ where: { identity: recipientOf(d) }, select: { email: true } });
  return p?.email === d.target ? null : 'refused: the address is no longer the person’s';
}

export function splitIdentity(identity: string): [PlatformName, string] {
  const i = identity.indexOf(':');
  return [identity.slice(0, i) as PlatformName, identity.slice(i + 1)];
}
