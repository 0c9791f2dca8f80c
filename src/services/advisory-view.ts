/**
 * `advisory status` (access: src/domain/sharing.ts `advisoryAccess`): NISC roles see everything
 * (sources, consent, every target); an audience organisation (or a TLP:RED recipient) sees the
 * advisory and its own row only, with sources named only when attributed; a source
 * organisation's people see the text and their own sources' consent once it is submitted.
 * Anyone else — and anyone holding no role — is told the advisory does not exist.
 */
import type { Caller } from '../core/command.ts';
import { UserError } from '../core/errors.ts';
import { type Block, type Reply, reply } from '../core/reply.ts';
import type { Tx } from '../db/client.ts';
import type { Advisory, Delivery } from '../db/generated/sqlite/client.ts';
import { expectsAck } from '../domain/advisory-kind.ts';
import { declinedOrg } from '../domain/advisory-status.ts';
import { dateStyle, formatDateTime } from '../domain/dates.ts';
import { advisoryAccess } from '../domain/sharing.ts';
import { keyOf, type MessageKey, translator } from '../i18n/index.ts';
import { MAIL_UNCERTAIN } from '../outbox/mail-marks.ts';
import {
  ADVISORY_REF,
  audienceOf,
  deliveryTargetKey,
  describeTargets,
  ESCALATION_REF,
  resolveTargets,
  splitList,
  versionKey,
  versionOfKey,
} from './advisory-delivery.ts';
import { endedBySource, heading, kindText, labelFields, severityText, statusText } from './advisory-format.ts';
import type { SharingState } from './advisory-sharing.ts';
import type { ServiceDeps } from './context.ts';
import { CHANNEL_MOVED } from './notify.ts';

export async function statusView(
  tx: Tx,
  deps: ServiceDeps,
  caller: Caller,
  a: Advisory,
  sharing: SharingState,
): Promise<Reply> {
  const t = translator(caller.locale);
  const sources = sharing.sources;
  const released = !!a.targets;
  const frozen = splitList(a.targets);
  const ownOrg = caller.org;
  const access = advisoryAccess(
    caller,
    { status: a.status, tlp: a.tlp, targets: released ? frozen : null },
    sources.map((s) => s.orgId),
  );
  if (!access) throw new UserError('advisory.not_found', { id: a.id });
  const nisc = access === 'all';
  const addressed = access === 'audience';
  const ownSources = ownOrg ? sources.filter((s) => s.orgId === ownOrg.id) : [];
  const name = (o: { nameJa: string; nameEn: string }) => (caller.locale === 'ja' ? o.nameJa : o.nameEn);
  const at = (d: Date | null) => (d ? formatDateTime(d, dateStyle(caller.locale, caller.calendar)) : '-');

  const fields: [string, string][] = [
    [t('advisory.f.status'), statusText(t, a)],
    [t('advisory.f.kind'), kindText(t, a)],
    ...labelFields(t, a),
    [t('advisory.f.severity'), severityText(t, a.severity)],
  ];
  if (a.status === 'rejected' && endedBySource(a)) {
    // which source declined is NISC's to know (an anonymised source is never named to others)
    // the source row that declined, else the organisation the stored code names (a row asked
    // again by hand, or written before endedBy): never the stored code or English itself
    const code = declinedOrg(a.reason);
    const by =
      sources.find((s) => s.consent.answer === 'declined')?.org ??
      (code ? await tx.organization.findUnique({ where: { code } }) : null);
    if (nisc && by) fields.push([t('advisory.f.reason'), t('advisory.declined_by', { org: name(by) })]);
  } else if (a.reason && (nisc || ownSources.length > 0)) fields.push([t('advisory.f.reason'), a.reason]);
  if (nisc) {
    const people = await tx.person.findMany({ where: { id: { in: [a.drafterId, a.approverId ?? -1] } } });
    const who = (id: number | null) => people.find((p) => p.id === id)?.identity ?? '-';
    fields.push([t('advisory.f.drafter'), `${who(a.drafterId)} (${at(a.createdAt)})`]);
    if (a.approverId) fields.push([t('advisory.f.approver'), `${who(a.approverId)} (${at(a.approvedAt)})`]);
  }
  if (a.sentAt) fields.push([t('advisory.f.sent_at'), at(a.sentAt)]);
  const named = sharing.named.map((o) => name(o));
  if (!nisc && named.length > 0) fields.push([t('advisory.f.sources'), named.join(', ')]);

  const blocks: Block[] = [
    { kind: 'heading', text: heading(t, a) },
    { kind: 'fields', fields },
  ];
  blocks.push({ kind: 'code', text: a.body });

  const shown = nisc ? sources : ownSources;
  if (shown.length > 0) {
    blocks.push({
      kind: 'table',
      head: [t('advisory.f.incident'), t('advisory.f.org'), t('advisory.f.share'), t('advisory.f.consent')],
      rows: shown.map((s) => {
        const problem = sharing.decision.problems.find((p) => p.incidentId === s.incidentId)?.problem;
        const state = !problem ? 'given' : problem.kind === 'declined' ? 'declined' : 'pending';
        return [
          s.incidentId,
          `${name(s.org)} (${s.org.code})`,
          `${t(keyOf('advisory.share.', s.share))} / TLP:${s.tlp.toUpperCase()}`,
          `${t(`advisory.consent.${state}`)}${state !== 'pending' && s.row.decidedAt ? ` ${at(s.row.decidedAt)}` : ''}${s.row.agreedTlp && state === 'given' ? ` (${t('advisory.agreed_tlp', { tlp: `TLP:${s.row.agreedTlp.toUpperCase()}` })})` : ''}`,
        ];
      }),
    });
    if (nisc && shown.some((s) => s.share !== 'attributed'))
      blocks.push({ kind: 'context', text: t('advisory.anonymous_note') });
  }

  // the copies of the version approved now (an earlier version's delivered copies stay as they went)
  const all = await tx.delivery.findMany({
    where: { refType: ADVISORY_REF, refId: a.id, kind: { in: ['post', 'dm'] } },
    orderBy: { createdAt: 'asc' },
  });
  const deliveries = all.filter((d) => (versionOfKey(a.id, d.dedupeKey)?.version ?? 1) === a.version);
  const earlier = all.filter((d) => !deliveries.includes(d) && d.status === 'sent').length;
  if (nisc && earlier > 0) blocks.push({ kind: 'context', text: t('advisory.earlier_copies', { count: earlier }) });

  if (!released || (!nisc && !addressed)) {
    // where it would go is shown only while it may still go somewhere
    if (nisc && ['draft', 'consent', 'review'].includes(a.status)) {
      try {
        const targets = await resolveTargets(tx, {
          tlp: a.tlp,
          audience: audienceOf(a),
          recipients: splitList(a.recipients),
          kind: a.kind,
        });
        const lines = await describeTargets(tx, deps.platforms, targets, caller.locale);
        blocks.push({
          kind: 'text',
          text: `${t('advisory.f.targets_planned', { count: lines.length })}\n${lines.join('\n')}`,
        });
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
        blocks.push({ kind: 'text', text: t(e.code, e.params) });
      }
    }
    return reply.of(blocks);
  }

  const updates = await tx.delivery.findMany({ where: { refId: a.id, kind: 'update' } });
  const acks = await tx.advisoryAck.findMany({ where: { advisoryId: a.id } });
  const ackers = await tx.person.findMany({ where: { id: { in: acks.map((x) => x.personId) } } });
  const prefix = versionKey(a);
  const stateOf = (d: Delivery): string => {
    const u = updates.find((x) => x.updatesId === d.id);
    // the withdrawal's row records the post that shows it: the copy itself when edited in place,
    // a follow-up post when the platform no longer let the copy be edited
    if (u?.status === 'sent')
      return t(u.messageRef === d.messageRef ? 'advisory.d.withdrawn' : 'advisory.d.withdrawn_followup');
    if (u?.status === 'failed') return t('advisory.d.withdraw_failed', { reason: failure(t, u.error) });
    if (u && d.status === 'sent') return t('advisory.d.withdraw_pending');
    if (d.status === 'sent') return t('advisory.d.sent', { at: at(d.sentAt) });
    if (d.status === 'failed') return t('advisory.d.failed', { reason: failure(t, d.error) });
    if (d.status === 'cancelled') return t('advisory.d.cancelled');
    return t('advisory.d.pending');
  };
  // 情報提供 asks for no acknowledgement: no column for it, and nobody shown as not yet acknowledged
  const askAck = expectsAck(a);
  // the office sees how far the escalation until acknowledged has gone for each organisation
  const asked = nisc && askAck ? await escalationReached(tx, a.id) : new Map<string, { step: number; role: string }>();
  const rows: string[][] = [];
  const people =
    a.tlp === 'red' ? await tx.person.findMany({ where: { identity: { in: frozen } }, include: { org: true } }) : [];
  const orgs = a.tlp === 'red' ? [] : await tx.organization.findMany({ where: { code: { in: frozen } } });
  for (const key of frozen) {
    const person = people.find((p) => p.identity === key);
    const org = person ? person.org : orgs.find((o) => o.code === key);
    if (!nisc && !(a.tlp === 'red' ? key === caller.identity : org?.id === ownOrg?.id)) continue;
    const mine = deliveries.filter((d) => deliveryTargetKey(d, prefix) === key);
    const delivered =
      mine.length === 0
        ? t('advisory.d.none')
        : mine
            .map((d) =>
              mine.length > 1 || a.tlp === 'red'
                ? `${t(keyOf('delivery.platform.', d.platform))}: ${stateOf(d)}`
                : stateOf(d),
            )
            .join(' / ');
    const ack = org ? acks.find((x) => x.orgId === org.id) : undefined;
    const ackText = ack
      ? t('advisory.ack_by', { by: ackers.find((p) => p.id === ack.personId)?.identity ?? '?', at: at(ack.at) })
      : t('advisory.ack_none');
    const reached = !ack && org ? asked.get(org.code) : undefined;
    const ackShown = reached
      ? t('escalation.status.told', {
          ack: ackText,
          step: reached.step,
          role: t(keyOf('escalation.role.', reached.role)),
        })
      : ackText;
    const who = person ? `@${person.identity}` : org ? `${name(org)} (${org.code})` : key;
    rows.push(askAck ? [who, delivered, ackShown] : [who, delivered]);
  }
  blocks.push({
    kind: 'table',
    head: [t('advisory.f.target'), t('advisory.f.delivery'), ...(askAck ? [t('advisory.f.ack')] : [])],
    rows,
  });
  if (!askAck) blocks.push({ kind: 'context', text: t('advisory.info_hint') });
  if (nisc && askAck) {
    const acked = frozen.filter((k) => {
      const org = a.tlp === 'red' ? people.find((p) => p.identity === k)?.org : orgs.find((o) => o.code === k);
      return !!org && acks.some((x) => x.orgId === org.id);
    }).length;
    blocks.push({ kind: 'context', text: t('advisory.ack_summary', { acked, total: frozen.length }) });
  }
  return reply.of(blocks);
}

/** Per organisation code, the furthest step of the escalation whose message went out. */
async function escalationReached(tx: Tx, id: string): Promise<Map<string, { step: number; role: string }>> {
  const rows = await tx.delivery.findMany({
    where: { refType: ESCALATION_REF, refId: id, status: 'sent' },
    select: { dedupeKey: true },
  });
  const out = new Map<string, { step: number; role: string }>();
  const prefix = `advisory:${id}:esc:`;
  for (const r of rows) {
    if (!r.dedupeKey.startsWith(prefix)) continue;
    const m = /^([^:]+):(\d+):([a-z]+):/.exec(r.dedupeKey.slice(prefix.length));
    if (!m) continue;
    const [code, step, role] = [m[1] as string, Number(m[2]), m[3] as string];
    if ((out.get(code)?.step ?? 0) < step) out.set(code, { step, role });
  }
  return out;
}

function failure(t: (k: MessageKey) => string, error: string | null): string {
  if (error === 'no_channel') return t('advisory.no_channel');
  if (error === 'platform_not_connected') return t('advisory.not_connected');
  if (error === CHANNEL_MOVED) return t('advisory.channel_moved');
  if (error?.startsWith(MAIL_UNCERTAIN)) return t('delivery.reason.mail_uncertain');
  return error ?? '?';
}
