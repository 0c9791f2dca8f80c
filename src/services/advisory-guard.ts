/**
 * The dispatcher's last word on advisory rows (its `preSend` hook, wired in src/app.ts): each
 * row is judged against the state as it is at that moment — the advisory's status and version,
 * its TLP rules, the sharing decision over its sources, the organisation that owns the channel
 * now, the roles the recipient holds now. A refused row fails with the reason (shown in
 * `advisory status`), is never sent, and a copy refused for sharing sends the advisory back to
 * consent (AdvisoryService.onDeliverySettled). Why here: the dispatcher is the last point before
 * the platform, so a bug elsewhere, or a row edited by hand, cannot get past it.
 */
import { MAIL, type PlatformName } from '../core/platform.ts';
import { isRole } from '../core/roles.ts';
import type { Database, Prisma$ } from '../db/client.ts';
import type { Delivery } from '../db/generated/sqlite/client.ts';
import { mayApprove } from '../domain/advisory-status.ts';
import { describeMarksBelow, marksBelowSources } from '../domain/handling.ts';
import {
  type CopyTarget,
  consentRequestAllowed,
  copyRefusal,
  describeProblems,
  effectiveRoles,
  isMember,
} from '../domain/sharing.ts';
import { checkDistribution, type Tlp } from '../domain/tlp.ts';
import { codeKey, t as translate } from '../i18n/index.ts';
import { audienceOf, splitList, versionOfKey } from './advisory-delivery.ts';
import { kindWord } from './advisory-format.ts';
import { sharingState } from './advisory-sharing.ts';
import { approverOfOffice, DUTY_REVIEW } from './duty.ts';
import { addressStillTheirs, channelOwner, recipientOf } from './notify.ts';
import { namedSource } from './org-names.ts';

/** The start of a refusal because the sharing decision no longer holds (a source changed). */
export const SHARING_REFUSED = 'refused (sharing)';

/** A copy of the advisory (`copy`) or an ack reminder: may it go to its target now? */
export async function guardDelivery(db: Database, d: Delivery, copy: boolean): Promise<string | null> {
  if (d.kind === 'update' || !d.refId) return null;
  const p = db.prisma;
  const a = await p.advisory.findUnique({ where: { id: d.refId } });
  if (!a) return 'refused: advisory not found';
  const distribution = checkDistribution({
    tlp: a.tlp as Tlp,
    audience: audienceOf(a),
    recipients: splitList(a.recipients),
  });
  if (!distribution.ok)
    return `refused (TLP): ${translate('en', codeKey(distribution.violation.code), {
      ...distribution.violation.params,
      kind: kindWord(a),
    })}`;
  // a copy to a named person: by chat, or by e-mail (no organisation; the person is in the key)
  const toPerson = d.kind === 'dm' || (d.platform === MAIL && d.orgId === null);
  const target: CopyTarget = toPerson
    ? await personTarget(p, recipientOf(d))
    : { kind: 'channel', org: await orgOfCopy(p, d) };
  const frozen = { status: a.status, tlp: a.tlp as Tlp, targets: splitList(a.targets) };
  const plain = copyRefusal(frozen, target);
  if (plain) return `refused (TLP): ${translate('en', codeKey(plain.code), { ...plain.params, kind: kindWord(a) })}`;
  // an e-mail to a person: the address must still be theirs (changed since: nothing is sent)
  if (toPerson) {
    const moved = await addressStillTheirs(p, d);
    if (moved) return moved;
  }
  if (!copy) return null;
  const key = versionOfKey(a.id, d.dedupeKey);
  if ((key?.version ?? 1) !== a.version) return `refused: written for version ${key?.version ?? 1}, now ${a.version}`;
  const s = await sharingState(p, a);
  if (!s.decision.ok) return `${SHARING_REFUSED}: ${describeProblems(s.decision)}`;
  // the same rule approval applies: a source marked more strictly since then stops the copy
  const below = marksBelowSources(a, s.sources);
  if (below) return `${SHARING_REFUSED}: ${describeMarksBelow(below)}`;
  const named = await namedSource(p, a, s.sources);
  if (named) return `${SHARING_REFUSED}: the text names ${named.incident}'s source`;
  return null;
}

/**
 * Workflow messages: a consent request only to a PoC (now) of an organisation still asked, for
 * the version it was written for; the approval prompt only while that version waits for
 * approval, and only into the coordinating organisation's channel; notices to the drafter only
 * while the drafter holds a role. Withdrawal notices (updates) always go.
 */
export async function guardNotice(db: Database, d: Delivery): Promise<string | null> {
  if (d.kind === 'update' || !d.refId) return null;
  const p = db.prisma;
  const a = await p.advisory.findUnique({ where: { id: d.refId } });
  if (!a) return 'refused: advisory not found';
  const key = versionOfKey(a.id, d.dedupeKey);
  if (!key) return null;
  if (key.kind === 'consent') {
    const person = await p.person.findUnique({
      where: { identity: `${d.platform}:${d.target}` },
      include: { roles: true, org: true },
    });
    if (!person) return 'refused: the recipient is not registered';
    const s = await sharingState(p, a);
    const asked = [...new Set(s.decision.problems.map((x) => x.orgId))];
    const roles = effectiveRoles(person.roles.map((r) => r.role).filter(isRole), !!person.org?.coordinator);
    return consentRequestAllowed(a, key.version, { orgId: person.orgId, roles }, asked)
      ? null
      : 'refused: no longer a consent request this person may receive';
  }
  if (key.kind === 'review') {
    if (a.status !== 'review' || a.version !== key.version) return `refused: advisory is ${a.status}`;
    const owner = await orgOfChannel(p, d.platform as PlatformName, d.target);
    const org = owner ? await p.organization.findUnique({ where: { code: owner } }) : null;
    return org?.coordinator ? null : 'refused: the channel is not the coordinating organisation’s';
  }
  if (key.kind === DUTY_REVIEW) {
    // the approval request to the duty officer: still waiting for approval, the recipient
    // still an approver of the office, and not the drafter (four eyes)
    if (a.status !== 'review' || a.version !== key.version) return `refused: advisory is ${a.status}`;
    // by chat or, for a duty officer the bot has no chat for, by e-mail (tellPerson)
    const person = await p.person.findUnique({ where: { identity: recipientOf(d) } });
    if (!person || !(await approverOfOffice(p, person.id))) return 'refused: the recipient is no longer an approver';
    if (!mayApprove(person.id, a.drafterId)) return 'refused: the recipient drafted the advisory';
    return addressStillTheirs(p, d);
  }
  if (d.kind === 'dm') {
    const target = await personTarget(p, `${d.platform}:${d.target}`);
    return target.kind === 'person' && target.member ? null : 'refused: the recipient no longer holds a role';
  }
  return null;
}

async function personTarget(p: Prisma$, identity: string): Promise<CopyTarget> {
  const person = await p.person.findUnique({ where: { identity }, include: { roles: true, org: true } });
  const roles = person
    ? effectiveRoles(person.roles.map((r) => r.role).filter(isRole), !!person.org?.coordinator)
    : new Set<never>();
  return { kind: 'person', identity, member: isMember({ roles }) };
}

/**
 * The organisation a copy goes to as the directory is now: the owner of its channel, or for an
 * e-mail copy the organisation it was written for while the address is still that
 * organisation's (an address changed since is caught). A TLP:RED advisory goes to named people
 * only: `copyRefusal` refuses any copy to an organisation, an address included.
 */
async function orgOfCopy(p: Prisma$, d: Delivery): Promise<string | null> {
  if (d.platform === MAIL) {
    if (d.orgId === null) return null;
    const o = await p.organization.findUnique({ where: { id: d.orgId } });
    return o?.email === d.target ? o.code : null;
  }
  return orgOfChannel(p, d.platform as PlatformName, d.target);
}

/** The organisation that owns a channel now (a channel re-assigned since approval is caught). */
async function orgOfChannel(p: Prisma$, platform: PlatformName, channel: string): Promise<string | null> {
  return (await channelOwner(p, platform, channel))?.code ?? null;
}
