/**
 * An advisory's copy by e-mail (issue #20 item 5, docs/email.md): written for an organisation
 * that has an address (`org set <org> email=`) when its copy cannot go by chat — it has no
 * channel on a platform the bot runs on (at approval), or the platform refused the post for
 * good (the dispatcher's `permanent`: channel not found, archived…). One mail per organisation
 * and version of the advisory however many platforms failed (its dedupe key), Japanese first
 * then English, the advisory's own heading (TLP label and id) as the subject. Each is audited
 * (`delivery.email_fallback`).
 *
 * The copy is an `advisory` row like the chat copies: the dispatcher's pre-send guard judges it
 * by the same TLP and sharing rules against the organisation that holds the address now
 * (src/services/advisory-guard.ts), so a TLP:RED advisory — for named people only — never goes
 * to an organisation's address, and the advisory is `sent` only once the mail has settled.
 */
import { MAIL, type OutMessage } from '../core/platform.ts';
import type { Block } from '../core/reply.ts';
import type { Tx } from '../db/client.ts';
import type { Advisory } from '../db/generated/sqlite/client.ts';
import { type Locale, translator } from '../i18n/index.ts';
import { claimableChannels, type Enqueue, enqueue } from '../outbox/outbox.ts';
import { ADVISORY_REF, versionKey } from './advisory-delivery.ts';
import { broadcastMessage } from './advisory-format.ts';
import { sharingState } from './advisory-sharing.ts';
import { audit, type ServiceDeps } from './context.ts';
import { namesInTx } from './directory-names.ts';

export type MailWhy = 'no_channel' | 'chat_failed';

/** The mail's message: the advisory in Japanese, then in English, each with how to acknowledge it. */
async function mailMessage(tx: Tx, a: Advisory): Promise<OutMessage> {
  const s = await sharingState(tx, a);
  const names = await namesInTx(tx);
  const part = (locale: Locale): Block[] => {
    const t = translator(locale, names);
    const m = broadcastMessage(
      t,
      a,
      s.named.map((o) => (locale === 'ja' ? o.nameJa : o.nameEn)),
    );
    const ack = m.actions?.[0];
    return [
      ...m.blocks,
      ...(ack
        ? [{ kind: 'context' as const, text: t('mail.ack_by_command', { command: `/csirt ${ack.command}` }) }]
        : []),
      { kind: 'context', text: t('mail.intro') },
    ];
  };
  return {
    blocks: [
      ...part('ja'),
      { kind: 'context', text: translator('ja', names)('mail.english_follows') },
      { kind: 'context', text: '----------------------------------------' },
      ...part('en'),
    ],
  };
}

/**
 * Writes the e-mail copy of `a` for organisation `orgId`, in `tx`, when e-mail is set up and the
 * organisation has an address; returns its delivery id (the existing one when it was written
 * already), or null when there is none to write.
 */
export async function enqueueMailCopy(
  deps: ServiceDeps,
  tx: Tx,
  a: Advisory,
  orgId: number,
  why: MailWhy,
  chat?: { id: string; platform: string; error: string | null },
): Promise<string | null> {
  if (!deps.mail) return null;
  const o = await tx.organization.findUnique({ where: { id: orgId } });
  if (!o?.email) return null;
  const dedupeKey = `${versionKey(a)}:${MAIL}:${o.code}`;
  const existing = await tx.delivery.findUnique({ where: { dedupeKey }, select: { id: true } });
  if (existing) return existing.id;
  const e: Enqueue = {
    platform: MAIL,
    kind: 'post',
    target: o.email,
    orgId: o.id,
    message: await mailMessage(tx, a),
    dedupeKey,
    refType: ADVISORY_REF,
    refId: a.id,
  };
  const id = await enqueue(tx, e, deps.clock.now());
  await audit(deps, tx, 'system', 'delivery.email_fallback', a.id, {
    org: o.code,
    to: o.email,
    why,
    delivery: id,
    ...(chat ? { chat: { delivery: chat.id, platform: chat.platform, error: chat.error } } : {}),
  });
  deps.kick(claimableChannels([e]));
  return id;
}
