/**
 * The sharing rules (issue 15), written once and asked everywhere: who may see what, who must
 * consent to what, which TLP may go where, what a recipient may receive. Pure: every function
 * takes the state as it is *now* (the person's roles and organisation, each source's current
 * `share` and TLP, the consents on record) and returns a decision; the services read that
 * state again at every read, at submit, at approval and just before every delivery, so nothing
 * is ever decided on a stale copy.
 *
 * People
 * - Roles count only while held: a person with no role sees nothing of any organisation.
 * - `coordinator` and `approver` count only for people of the coordinating organisation (and
 *   are granted to no one else); `admin`, `coordinator` and `approver` see every organisation.
 * - Anyone else sees their own organisation only. "Not yours" answers exactly like "not found".
 *
 * Advisories
 * - Every source organisation consents to the exact final text (`finalTextKey`): a change of
 *   that text, or of a source's `share` or TLP, after its consent asks it again.
 * - An advisory's TLP is at least as strict as each source's, unless that source's organisation
 *   agreed to the advisory's exact (lower) label with its consent.
 * - Only sources shared `attributed` are named.
 */
import { createHash } from 'node:crypto';
import type { Role } from '../core/roles.ts';
import { type Tlp, type TlpViolation, targetAllowed, tlpLabel } from './tlp.ts';

// ── TLP strictness ────────────────────────────────────────────────────────────

const RANK: Record<Tlp, number> = { clear: 0, green: 1, amber: 2, 'amber+strict': 3, red: 4 };

/** Whether `a` restricts sharing more than `b` (TLP:RED is the strictest). */
export function stricter(a: Tlp, b: Tlp): boolean {
  return RANK[a] > RANK[b];
}

/** Whether an advisory at `advisory` would pass on a report labelled `source` more widely. */
export function needsLowerLabel(advisory: Tlp, source: Tlp): boolean {
  return stricter(source, advisory);
}

// ── People ───────────────────────────────────────────────────────────────────

/** The roles that see every organisation. */
export const ALL_ORG_ROLES: readonly Role[] = ['admin', 'coordinator', 'approver'];
/** The roles only people of the coordinating organisation may hold. */
export const COORDINATING_ROLES: readonly Role[] = ['coordinator', 'approver'];

/** A person as the rules see them: the roles they hold now, and their organisation. */
export interface Viewer {
  identity: string;
  roles: ReadonlySet<Role>;
  org: { id: number; code: string; coordinator: boolean } | null;
}

/** Whether `role` may be granted to a person of an organisation (coordinating or not). */
export function grantable(role: Role, coordinatingOrg: boolean): boolean {
  return coordinatingOrg || !COORDINATING_ROLES.includes(role);
}

/**
 * The roles that count, from those on record: a coordinating role recorded for someone outside
 * the coordinating organisation (granted before this rule, or by hand) counts for nothing.
 */
export function effectiveRoles(recorded: Iterable<Role>, coordinatingOrg: boolean): Set<Role> {
  return new Set([...recorded].filter((r) => grantable(r, coordinatingOrg)));
}

/** Holds at least one role: the condition for seeing anything of any organisation. */
export function isMember(v: Pick<Viewer, 'roles'>): boolean {
  return v.roles.size > 0;
}

/** Sees every organisation's data (NISC's roles). */
export function seesEveryOrg(v: Pick<Viewer, 'roles'>): boolean {
  return ALL_ORG_ROLES.some((r) => v.roles.has(r));
}

/** Sees the data of organisation `orgId` (incidents, systems, people, readiness…). */
export function seesOrg(v: Viewer, orgId: number): boolean {
  return isMember(v) && (seesEveryOrg(v) || v.org?.id === orgId);
}

/**
 * Sees the people (identities, roles) of organisation `orgId`, e.g. in `org show`.
 * @alias the same rule as seesOrg, named for where it is used
 */
export const seesPeopleOf = seesOrg;

/**
 * Sees a meeting inviting `invite` (`all` or organisation codes): NISC's roles and members of
 * the coordinating organisation see every meeting, others those their organisation is invited to.
 */
export function seesMeeting(v: Viewer, invite: 'all' | readonly string[]): boolean {
  if (!isMember(v)) return false;
  if (seesEveryOrg(v) || v.org?.coordinator) return true;
  return !!v.org && (invite === 'all' || invite.includes(v.org.code));
}

/**
 * A person's calendar feed answers only while that person holds a role.
 * @alias the same rule as isMember, named for where it is used
 */
export const feedAlive = isMember;

/**
 * What an indicator's sighting in a report shows to `v`: the whole incident (their own
 * organisation's, or any for NISC), which organisation and incident (another organisation's
 * report shared `attributed` and not TLP:RED), or only that one more organisation saw it.
 */
export function sightingView(
  v: Viewer,
  report: { orgId: number; share: string; tlp: string },
): 'full' | 'attributed' | 'count' | 'none' {
  if (!isMember(v)) return 'none';
  if (seesOrg(v, report.orgId)) return 'full';
  return report.share === 'attributed' && report.tlp !== 'red' ? 'attributed' : 'count';
}

// ── Advisories: the exact final text ─────────────────────────────────────────

/** Everything a recipient of an advisory reads, and so everything a source consents to. */
export interface FinalText {
  title: string;
  body: string;
  severity: string;
  tlp: Tlp;
  /** `all` or organisation codes, as drafted */
  audience: string;
  /** TLP:RED recipients, as drafted */
  recipients: string | null;
  /** the organisations named as sources, in both languages, in the order they are shown */
  named: readonly { code: string; nameJa: string; nameEn: string }[];
  /** 注意喚起 (`warning`) or 情報提供 (`info`); absent: `warning` */
  kind?: string;
  /** 機密性 1–3, or null when not marked */
  confidentiality?: number | null;
  /** 取扱制限 as stored (codes in list order), or null */
  handling?: string | null;
}

/**
 * A digest of the final text: equal exactly when what recipients would read is the same. The
 * kind and the handling marks join the digest only when they differ from an unmarked warning,
 * so that the consents given before they existed still cover the same text.
 */
export function finalTextKey(t: FinalText): string {
  const marks = [t.kind ?? 'warning', t.confidentiality ?? null, t.handling ?? null];
  const canonical = JSON.stringify([
    t.title,
    t.body,
    t.severity,
    t.tlp,
    t.audience,
    t.recipients ?? '',
    t.named.map((n) => [n.code, n.nameJa, n.nameEn]),
    ...(marks[0] === 'warning' && marks[1] === null && marks[2] === null ? [] : [marks]),
  ]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/** A source incident as it is now. */
export interface SourceNow {
  incidentId: string;
  orgId: number;
  share: string;
  tlp: Tlp;
}

/** A source's consent as recorded: the answer and what it was given to. */
export interface ConsentOnRecord {
  /** pending | given | declined (`not-needed`, from before every source consented, counts as pending) */
  answer: string;
  /** the final-text key the consent was given to */
  textKey: string | null;
  /** the report's `share` and TLP when the consent was given */
  share: string | null;
  tlp: string | null;
  /** the advisory's label the organisation agreed to when it is lower than its report's */
  agreedTlp: string | null;
}

export type SourceProblem =
  | { kind: 'pending' }
  | { kind: 'declined' }
  | { kind: 'share_changed'; from: string; to: string }
  | { kind: 'tlp_changed'; from: string; to: Tlp }
  | { kind: 'text_changed' }
  | { kind: 'label_not_agreed'; source: Tlp; advisory: Tlp };

/** Whether one source's consent on record covers the advisory as it would go out now. */
export function sourceConsent(
  a: { tlp: Tlp; textKey: string },
  s: SourceNow,
  c: ConsentOnRecord,
): SourceProblem | null {
  if (c.answer === 'declined') return { kind: 'declined' };
  if (c.answer !== 'given') return { kind: 'pending' };
  if (c.share !== s.share) return { kind: 'share_changed', from: c.share ?? '-', to: s.share };
  if (c.tlp !== s.tlp) return { kind: 'tlp_changed', from: c.tlp ?? '-', to: s.tlp };
  if (c.textKey !== a.textKey) return { kind: 'text_changed' };
  if (needsLowerLabel(a.tlp, s.tlp) && c.agreedTlp !== a.tlp)
    return { kind: 'label_not_agreed', source: s.tlp, advisory: a.tlp };
  return null;
}

export interface SharingDecision {
  ok: boolean;
  /** every source whose consent does not cover the advisory as it is now, and why */
  problems: { incidentId: string; orgId: number; problem: SourceProblem }[];
}

/**
 * May the advisory be shared as it is now? Only when every source's consent on record covers
 * the current final text, the source's current `share` and TLP, and the advisory's label.
 */
export function sharingDecision(
  a: { tlp: Tlp; textKey: string },
  sources: readonly (SourceNow & { consent: ConsentOnRecord })[],
): SharingDecision {
  const problems = sources.flatMap((s) => {
    const problem = sourceConsent(a, s, s.consent);
    return problem ? [{ incidentId: s.incidentId, orgId: s.orgId, problem }] : [];
  });
  return { ok: problems.length === 0, problems };
}

/** The organisations named as sources: those whose report is shared `attributed` now. */
export function namedSourceOrgs(sources: readonly Pick<SourceNow, 'orgId' | 'share'>[]): number[] {
  return [...new Set(sources.filter((s) => s.share === 'attributed').map((s) => s.orgId))];
}

/**
 * A source organisation's answer, checked before it is recorded: agreeing to a label other than
 * the advisory's is refused, and so is a `yes` without `tlp=` when one of its reports carries a
 * stricter label than the advisory (the lower label must be agreed to explicitly).
 */
export function consentAnswerProblem(
  a: { tlp: Tlp },
  own: readonly SourceNow[],
  yes: boolean,
  agreedTlp: Tlp | null,
): { code: string; params: Record<string, string> } | null {
  if (!yes) return null;
  const advisory = tlpLabel(a.tlp);
  if (agreedTlp !== null && agreedTlp !== a.tlp)
    return { code: 'advisory.consent_tlp_mismatch', params: { tlp: advisory, given: tlpLabel(agreedTlp) } };
  const stricterOnes = own.filter((s) => needsLowerLabel(a.tlp, s.tlp));
  if (stricterOnes.length > 0 && agreedTlp === null) {
    const strictest = stricterOnes.reduce((m, s) => (stricter(s.tlp, m) ? s.tlp : m), a.tlp);
    return {
      code: 'advisory.consent_needs_tlp',
      params: {
        tlp: advisory,
        source: tlpLabel(strictest),
        incidents: stricterOnes.map((s) => s.incidentId).join(', '),
        value: a.tlp,
      },
    };
  }
  return null;
}

// ── Advisories: who reads, who receives ──────────────────────────────────────

/** What of an advisory a person may read: everything, the copy addressed to them, their own source's part, or nothing. */
export type AdvisoryAccess = 'all' | 'audience' | 'source' | null;

export function advisoryAccess(
  v: Viewer,
  a: { status: string; tlp: string; targets: readonly string[] | null },
  sourceOrgIds: readonly number[],
): AdvisoryAccess {
  if (!isMember(v)) return null;
  if (seesEveryOrg(v)) return 'all';
  const targets = a.targets;
  if (targets && (a.tlp === 'red' ? targets.includes(v.identity) : !!v.org && targets.includes(v.org.code)))
    return 'audience';
  if (a.status !== 'draft' && v.org && sourceOrgIds.includes(v.org.id)) return 'source';
  return null;
}

/** Who a delivery of an advisory's copy (or ack reminder) reaches, as it is now. */
export type CopyTarget =
  | { kind: 'channel'; org: string | null }
  | { kind: 'person'; identity: string; member: boolean };

/**
 * May this copy go to its target now (the sharing decision aside)? The advisory must be approved
 * (or sent); a channel must belong now to an organisation among the targets frozen at approval
 * (`targetAllowed`, src/domain/tlp.ts), a direct message go to a named TLP:RED recipient who
 * still holds a role. Returns why not, as a message code and its parameters.
 */
export function copyRefusal(
  a: { status: string; tlp: Tlp; targets: readonly string[] },
  target: CopyTarget,
): TlpViolation | null {
  if (a.status !== 'approved' && a.status !== 'sent')
    return { code: 'sharing.refused_status', params: { status: a.status } };
  if (target.kind === 'channel' && target.org === null) return { code: 'sharing.refused_no_owner', params: {} };
  const v = targetAllowed(
    { tlp: a.tlp, orgs: a.targets, recipients: a.targets },
    target.kind === 'channel'
      ? { kind: 'channel', org: target.org as string }
      : { kind: 'person', identity: target.identity },
  );
  if (v) return v;
  if (target.kind === 'person' && !target.member)
    return { code: 'sharing.refused_no_role', params: { user: target.identity } };
  return null;
}

/** One line for logs and refused deliveries (English, like every stored reason). */
export function describeProblems(d: SharingDecision): string {
  return d.problems
    .map(({ incidentId, problem: p }) => {
      switch (p.kind) {
        case 'share_changed':
          return `${incidentId} share ${p.from} → ${p.to}`;
        case 'tlp_changed':
          return `${incidentId} TLP ${p.from} → ${p.to}`;
        case 'label_not_agreed':
          return `${incidentId} is ${tlpLabel(p.source)}, lower label ${tlpLabel(p.advisory)} not agreed`;
        default:
          return `${incidentId} ${p.kind.replace('_', ' ')}`;
      }
    })
    .join('; ');
}

/**
 * May a consent request reach this person now? Only while the advisory waits for consent in the
 * same version as the request, and the person is a PoC of an organisation it still asks.
 */
export function consentRequestAllowed(
  a: { status: string; version: number },
  requestVersion: number,
  person: { orgId: number | null; roles: ReadonlySet<Role> },
  askedOrgIds: readonly number[],
): boolean {
  return (
    a.status === 'consent' &&
    a.version === requestVersion &&
    person.roles.has('poc') &&
    person.orgId !== null &&
    askedOrgIds.includes(person.orgId)
  );
}
