/**
 * Advisory delivery: who receives it (TLP rules against the directory), the outbox rows written
 * at approval, the dispatch-time guard, the move to `sent`, ack reminders and withdrawal.
 *
 * Row types in the outbox:
 * - refType `advisory`: the copies of the advisory itself (one per channel per platform, or one
 *   direct message per TLP:RED recipient), dedupeKey `advisory:<id>:<platform>:<org>` or
 *   `advisory:<id>:<identity>`. Their settling moves the advisory to `sent`; the dispatcher's
 *   pre-send guard re-checks each against the TLP rules before it goes out.
 * - refType `advisory-reminder`: ack reminders to the same targets (guarded the same way).
 * - refType `advisory-notice`: workflow messages (consent requests to source PoCs, the approval
 *   prompt to NISC, notices to the drafter) — not part of the broadcast.
 */
import { UserError } from '../core/errors.ts';
import type { PlatformName } from '../core/platform.ts';
import type { Tx } from '../db/client.ts';
import type { Advisory, Delivery } from '../db/generated/sqlite/client.ts';
import { expectsAck } from '../domain/advisory-kind.ts';
import type { ReminderKind } from '../domain/reminder-policy.ts';
import { checkDistribution, type Tlp } from '../domain/tlp.ts';
import { codeKey, type Translate, t as translate, translator } from '../i18n/index.ts';
import { claimableChannels, type Enqueue, enqueue } from '../outbox/outbox.ts';
import { scheduleJob } from '../scheduler/scheduler.ts';
import { broadcastMessage, kindWord, withdrawnMessage } from './advisory-format.ts';
import type { ServiceDeps } from './context.ts';
import { namesInTx } from './directory-names.ts';
import { channelOf, postToOrg, tellPerson } from './notify.ts';

export const ADVISORY_REF = 'advisory';
export const REMINDER_REF = 'advisory-reminder';
export const NOTICE_REF = 'advisory-notice';
/** direct messages of the escalation until acknowledged (src/services/advisory-escalation.ts) */
export const ESCALATION_REF = 'advisory-escalation';
export const REMINDER_JOB = 'advisory.ack-reminder' satisfies ReminderKind;

export interface TargetOrg {
  id: number;
  code: string;
  nameJa: string;
  nameEn: string;
}
export interface TargetPerson {
  id: number;
  identity: string;
  locale: string | null;
  orgId: number | null;
  /** the person's address: a named recipient the bot has no chat for gets the copy by e-mail */
  email?: string | null;
  calendar?: string | null;
}
export type Targets = { kind: 'channels'; orgs: TargetOrg[] } | { kind: 'people'; people: TargetPerson[] };

export function splitList(s: string | null | undefined): string[] {
  return (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

/** Prefix of the outbox keys of an advisory's version (version 1 keeps the original keys). */
export function versionKey(a: Pick<Advisory, 'id' | 'version'>): string {
  return a.version > 1 ? `advisory:${a.id}:v${a.version}` : `advisory:${a.id}`;
}

/** The version a workflow row (consent request, approval prompt) was written for, from its key. */
export function versionOfKey(id: string, dedupeKey: string): { version: number; kind: string } | null {
  const prefix = `advisory:${id}:`;
  if (!dedupeKey.startsWith(prefix)) return null;
  const m = /^(?:v(\d+):)?([a-z-]+)(?::|$)/.exec(dedupeKey.slice(prefix.length));
  return m ? { version: m[1] ? Number(m[1]) : 1, kind: m[2] as string } : null;
}

export function audienceOf(a: Pick<Advisory, 'audience'>): 'all' | string[] {
  return a.audience === 'all' ? 'all' : splitList(a.audience);
}

/**
 * Resolves an advisory's distribution against the directory. Throws UserError when the TLP
 * rules refuse it or a named organisation or person is unknown — the whole broadcast is
 * refused; nothing is ever dropped silently.
 */
export async function resolveTargets(
  tx: Tx,
  a: { tlp: string; audience: 'all' | readonly string[]; recipients: readonly string[]; kind?: string | null },
): Promise<Targets> {
  const checked = checkDistribution({ tlp: a.tlp as Tlp, audience: a.audience, recipients: a.recipients });
  if (!checked.ok)
    throw new UserError(codeKey(checked.violation.code), { ...checked.violation.params, kind: kindWord(a) });
  const reach = checked.reach;
  if (reach.kind === 'people') {
    const people: TargetPerson[] = [];
    for (const identity of reach.people) {
      const p = await tx.person.findUnique({ where: { identity } });
      if (!p) throw new UserError('advisory.unknown_recipient', { user: identity });
      people.push({
        id: p.id,
        identity: p.identity,
        locale: p.locale,
        orgId: p.orgId,
        email: p.email,
        calendar: p.calendar,
      });
    }
    return { kind: 'people', people };
  }
  if (reach.orgs === 'all') {
    const orgs = await tx.organization.findMany({ where: { coordinator: false }, orderBy: { id: 'asc' } });
    return { kind: 'channels', orgs };
  }
  const orgs: TargetOrg[] = [];
  for (const code of reach.orgs) {
    const o = await tx.organization.findUnique({ where: { code } });
    if (!o) throw new UserError('advisory.unknown_org', { org: code });
    orgs.push(o);
  }
  return { kind: 'channels', orgs };
}

/** Target keys as frozen on the advisory at approval (org codes or identities). */
export function targetKeys(ts: Targets): string[] {
  return ts.kind === 'channels' ? ts.orgs.map((o) => o.code) : ts.people.map((p) => p.identity);
}

/** Human lines naming each channel (per platform) or person that will receive the advisory. */
export async function describeTargets(
  tx: Tx,
  platforms: readonly PlatformName[],
  ts: Targets,
  locale: 'ja' | 'en',
): Promise<string[]> {
  if (ts.kind === 'people') return ts.people.map((p) => `@${p.identity} (${translate(locale, 'advisory.by_dm')})`);
  const lines: string[] = [];
  for (const o of ts.orgs) {
    const chans: string[] = [];
    for (const platform of platforms) {
      const ch = await channelOf(tx, o, platform);
      chans.push(ch ? `${platform} #${ch}` : `${platform} ${translate(locale, 'advisory.no_channel')}`);
    }
    lines.push(`${locale === 'ja' ? o.nameJa : o.nameEn} (${o.code}): ${chans.join(', ') || '-'}`);
  }
  return lines;
}

/** Approval: one delivery per target, written in the approval's transaction. */
export async function enqueueBroadcast(
  deps: ServiceDeps,
  tx: Tx,
  a: Advisory,
  ts: Targets,
  attributed: { ja: string[]; en: string[] },
): Promise<number> {
  const ref = { type: ADVISORY_REF, id: a.id };
  let n = 0;
  if (ts.kind === 'people') {
    for (const p of ts.people) {
      // by chat, or by e-mail (Japanese, then English) to a named recipient the bot has no chat
      // for; the pre-send guard (advisory-guard.ts) keeps every TLP rule either way
      await tellPerson(deps, tx, p, (t, dates) => broadcastMessage(t, a, attributed[dates.locale]), versionKey(a), ref);
      n++;
    }
    return n;
  }
  for (const o of ts.orgs) {
    const build = (t: Translate) => broadcastMessage(t, a, attributed[deps.locale]);
    n += (await postToOrg(deps, tx, o, build, versionKey(a), ref)).length;
  }
  return n;
}

/** The target (organisation code or identity) a delivery of this advisory was written for. */
export function deliveryTargetKey(d: Pick<Delivery, 'dedupeKey' | 'kind'>, prefix: string): string {
  const rest = d.dedupeKey.slice(prefix.length + 1);
  if (d.kind === 'dm') return rest;
  const i = rest.indexOf(':');
  return rest.slice(i + 1);
}

/** Delay of the n-th ack reminder after sending (default 24 h, then daily). */
export interface ReminderPolicy {
  firstAfterMs: number;
  everyMs: number;
  max: number;
}
export const DEFAULT_REMINDERS: ReminderPolicy = { firstAfterMs: 24 * 3_600_000, everyMs: 24 * 3_600_000, max: 3 };

/**
 * `approved` → `sent` once no copy is pending or being sent. Safe to call from several
 * processes at once: the conditional update lets exactly one of them through.
 */
export async function settleIfDone(
  deps: ServiceDeps,
  tx: Tx,
  id: string,
  policy: ReminderPolicy,
  audit: (tx: Tx, action: string, subject: string, data: Record<string, unknown>) => Promise<unknown>,
): Promise<boolean> {
  const open = await tx.delivery.count({
    where: { refType: ADVISORY_REF, refId: id, status: { in: ['pending', 'sending'] } },
  });
  if (open > 0) return false;
  const now = deps.clock.now();
  const moved = await tx.advisory.updateMany({
    where: { id, status: 'approved' },
    data: { status: 'sent', sentAt: now },
  });
  if (moved.count === 0) return false;
  const rows = await tx.delivery.groupBy({
    by: ['status'],
    where: { refType: ADVISORY_REF, refId: id },
    _count: { _all: true },
  });
  const counts = Object.fromEntries(rows.map((r) => [r.status, r._count._all]));
  await audit(tx, 'advisory.sent', id, { deliveries: counts });
  // 情報提供 asks for no acknowledgement, so nobody is reminded of one
  const kind = await tx.advisory.findUnique({ where: { id }, select: { kind: true } });
  if (!kind || !expectsAck(kind)) return true;
  for (let n = 1; n <= policy.max; n++) {
    await scheduleJob(deps.db, tx, {
      id: `advisory:${id}:ack:${n}`,
      kind: REMINDER_JOB,
      dueAt: new Date(now.getTime() + policy.firstAfterMs + (n - 1) * policy.everyMs),
      data: { advisoryId: id, n },
      refType: ADVISORY_REF,
      refId: id,
    });
  }
  return true;
}

/**
 * Withdrawal: pending copies are cancelled; every copy delivered (or being delivered) gets an
 * `update` row that replaces it in place with the withdrawal notice.
 */
export async function withdrawCopies(
  deps: ServiceDeps,
  tx: Tx,
  a: Advisory,
): Promise<{ cancelled: number; updated: number }> {
  const cancelled = await tx.delivery.updateMany({
    where: { refType: { in: [ADVISORY_REF, REMINDER_REF, ESCALATION_REF] }, refId: a.id, status: 'pending' },
    data: { status: 'cancelled', error: 'withdrawn' },
  });
  const live = await tx.delivery.findMany({
    where: { refType: ADVISORY_REF, refId: a.id, status: { in: ['sent', 'sending'] }, kind: { in: ['post', 'dm'] } },
    orderBy: { createdAt: 'asc' },
  });
  const es: Enqueue[] = [];
  for (const d of live) {
    let locale = deps.locale;
    if (d.kind === 'dm') {
      const p = await tx.person.findUnique({ where: { identity: `${d.platform}:${d.target}` } });
      if (p?.locale === 'en' || p?.locale === 'ja') locale = p.locale;
    }
    const e: Enqueue = {
      platform: d.platform as PlatformName,
      kind: 'update',
      target: d.target,
      message: withdrawnMessage(translator(locale, await namesInTx(tx)), a),
      dedupeKey: `advisory:${a.id}:withdraw:${d.id}`,
      refType: NOTICE_REF,
      refId: a.id,
      updatesId: d.id,
    };
    await enqueue(tx, e, deps.clock.now());
    es.push(e);
  }
  // the channels of the updates written: a kick naming none would claim over every channel
  if (es.length > 0) deps.kick(claimableChannels(es));
  return { cancelled: cancelled.count, updated: live.length };
}
