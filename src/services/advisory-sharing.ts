/**
 * An advisory's sharing state, read from the database as it is *now* (each source's current
 * `share` and TLP, the consents on record, the exact final text) and judged by the pure rules of
 * src/domain/sharing.ts. Asked at submit, at approval, just before every delivery and whenever a
 * source report changes; a change after submit sends the advisory back to the consent step
 * (`reconsent`), telling the drafter why: it never goes out on a stale decision.
 */
import { UserError } from '../core/errors.ts';
import type { Prisma$, Tx } from '../db/client.ts';
import type { Advisory, AdvisorySource } from '../db/generated/sqlite/client.ts';
import { nextStatus } from '../domain/advisory-status.ts';
import {
  describeMarksBelow,
  handlingCodes,
  type MarksBelow,
  marksBelowSources,
  storeHandling,
} from '../domain/handling.ts';
import {
  type ConsentOnRecord,
  describeProblems,
  type FinalText,
  finalTextKey,
  namedSourceOrgs,
  needsLowerLabel,
  type SharingDecision,
  type SourceNow,
  type SourceProblem,
  sharingDecision,
} from '../domain/sharing.ts';
import { type Tlp, tlpLabel } from '../domain/tlp.ts';
import { keyOf, type Translate } from '../i18n/index.ts';
import { cancelJobs } from '../scheduler/scheduler.ts';
import {
  ADVISORY_REF,
  audienceOf,
  NOTICE_REF,
  REMINDER_REF,
  resolveTargets,
  splitList,
  versionKey,
} from './advisory-delivery.ts';
import { closedNotice, consentRequest, reconsentNotice } from './advisory-format.ts';
import { audit, type ServiceDeps } from './context.ts';
import { handlingLine } from './marks-format.ts';
import { dmPerson, tellPerson } from './notify.ts';

export interface SourceOrg {
  id: number;
  code: string;
  nameJa: string;
  nameEn: string;
}

/** One source: its row, its report as it is now, its organisation and its consent on record. */
export interface SourceState extends SourceNow {
  /** the report's 機密性 and 取扱制限 as they are now (an advisory is marked at least as strictly) */
  confidentiality: number | null;
  handling: string | null;
  row: AdvisorySource;
  org: SourceOrg;
  consent: ConsentOnRecord;
}

export interface SharingState {
  sources: SourceState[];
  /** the organisations named as sources now (reports shared `attributed`), in source order */
  named: SourceOrg[];
  text: FinalText;
  textKey: string;
  decision: SharingDecision;
}

export async function sharingState(tx: Tx | Prisma$, a: Advisory): Promise<SharingState> {
  const rows = await tx.advisorySource.findMany({ where: { advisoryId: a.id }, orderBy: { incidentId: 'asc' } });
  const incidents = await tx.incident.findMany({ where: { id: { in: rows.map((r) => r.incidentId) } } });
  const orgs = await tx.organization.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.orgId))] } } });
  const sources: SourceState[] = rows.map((row) => {
    const inc = incidents.find((i) => i.id === row.incidentId);
    const o = orgs.find((x) => x.id === row.orgId);
    return {
      row,
      incidentId: row.incidentId,
      orgId: row.orgId,
      // a report that no longer exists shares nothing
      share: inc?.share ?? 'none',
      tlp: (inc?.tlp ?? 'red') as Tlp,
      confidentiality: inc?.confidentiality ?? null,
      handling: inc?.handling ?? null,
      org: { id: row.orgId, code: o?.code ?? '?', nameJa: o?.nameJa ?? '?', nameEn: o?.nameEn ?? '?' },
      consent: { answer: row.consent, textKey: row.textKey, share: row.share, tlp: row.tlp, agreedTlp: row.agreedTlp },
    };
  });
  const namedIds = namedSourceOrgs(sources);
  const named = namedIds.map((id) => (sources.find((s) => s.orgId === id) as SourceState).org);
  const text: FinalText = {
    title: a.title,
    body: a.body,
    severity: a.severity,
    tlp: a.tlp as Tlp,
    audience: a.audience,
    recipients: a.recipients,
    named,
    kind: a.kind,
    confidentiality: a.confidentiality,
    handling: a.handling,
  };
  const textKey = finalTextKey(text);
  return { sources, named, text, textKey, decision: sharingDecision({ tlp: a.tlp as Tlp, textKey }, sources) };
}

/**
 * Sources whose record no longer matches the report or the text: given consents that no longer
 * cover the advisory, and pending requests that showed another text or another report state.
 */
export function staleSources(s: SharingState): SourceState[] {
  return s.sources.filter((x) => {
    if (x.consent.answer === 'declined') return false;
    return x.consent.share !== x.share || x.consent.tlp !== x.tlp || x.consent.textKey !== s.textKey;
  });
}

/**
 * Why each stale source's record no longer matches (a report's `share` or TLP, or the text,
 * changed since it was asked or answered): the reasons a request or consent no longer holds.
 */
export function staleProblems(s: SharingState): SharingDecision['problems'] {
  return staleSources(s).map((x) => ({
    incidentId: x.incidentId,
    orgId: x.orgId,
    problem:
      x.consent.share !== x.share
        ? { kind: 'share_changed', from: x.consent.share ?? '-', to: x.share }
        : x.consent.tlp !== x.tlp
          ? { kind: 'tlp_changed', from: x.consent.tlp ?? '-', to: x.tlp }
          : { kind: 'text_changed' },
  }));
}

/** Marks the given sources as asked (pending) for the text and report states as they are now. */
export async function markAsked(tx: Tx, a: Advisory, s: SharingState, which: readonly SourceState[]): Promise<void> {
  for (const x of which) {
    await tx.advisorySource.update({
      where: { advisoryId_incidentId: { advisoryId: a.id, incidentId: x.incidentId } },
      data: {
        consent: 'pending',
        share: x.share,
        tlp: x.tlp,
        textKey: s.textKey,
        agreedTlp: null,
        decidedBy: null,
        decidedAt: null,
      },
    });
  }
}

/**
 * Sends the consent request of the advisory's current version to every PoC of each organisation
 * with a pending source: the exact final text, and — where a report of theirs carries a stricter
 * label than the advisory — that the lower label needs their explicit agreement. `strict`: refuse
 * (at submit) when such an organisation has no PoC; otherwise its source simply stays pending.
 */
export async function askConsent(
  deps: ServiceDeps,
  tx: Tx,
  a: Advisory,
  s: SharingState,
  strict: boolean,
): Promise<string[]> {
  const pending = s.sources.filter((x) => x.consent.answer !== 'given' && x.consent.answer !== 'declined');
  const byOrg = new Map<number, SourceState[]>();
  for (const x of pending) byOrg.set(x.orgId, [...(byOrg.get(x.orgId) ?? []), x]);
  const targets = await resolveTargets(tx, {
    tlp: a.tlp,
    audience: audienceOf(a),
    recipients: splitList(a.recipients),
    kind: a.kind,
  });
  const audience =
    targets.kind === 'people'
      ? targets.people.map((p) => p.identity).join(', ')
      : targets.orgs.map((o) => o.code).join(', ');
  const asked: string[] = [];
  for (const list of byOrg.values()) {
    const org = (list[0] as SourceState).org;
    const pocs = await tx.person.findMany({ where: { orgId: org.id, roles: { some: { role: 'poc' } } } });
    if (pocs.length === 0) {
      if (strict) throw new UserError('advisory.source_no_poc', { org: org.code });
      continue;
    }
    const lower = list.filter((x) => needsLowerLabel(a.tlp as Tlp, x.tlp));
    for (const p of pocs) {
      // by chat, or by e-mail to a PoC the bot has no chat for (guardNotice re-checks either)
      await tellPerson(
        deps,
        tx,
        p,
        (t, dates) =>
          consentRequest(t, a, {
            version: a.version,
            incidents: list.map((x) => x.incidentId),
            audience,
            named: s.named.map((o) => (dates.locale === 'ja' ? o.nameJa : o.nameEn)),
            namedSelf: s.named.some((o) => o.id === org.id),
            lower: lower.map((x) => ({ incident: x.incidentId, tlp: x.tlp })),
          }),
        `${versionKey(a)}:consent`,
        { type: NOTICE_REF, id: a.id },
      );
    }
    asked.push(org.code);
  }
  return asked;
}

/** Why each source stopped being covered, in the reader's language (for the drafter and the approver). */
export function reasonsText(t: Translate, s: SharingState, problems: SharingDecision['problems']): string {
  const codeOf = (orgId: number) => s.sources.find((x) => x.orgId === orgId)?.org.code ?? '?';
  const one = (incident: string, orgId: number, p: SourceProblem): string => {
    switch (p.kind) {
      case 'share_changed':
        return t('advisory.why.share_changed', {
          incident,
          from: t(keyOf('advisory.share.', p.from)),
          to: t(keyOf('advisory.share.', p.to)),
        });
      case 'tlp_changed':
        return t('advisory.why.tlp_changed', { incident, from: tlpLabel(p.from as Tlp), to: tlpLabel(p.to) });
      case 'text_changed':
        return t('advisory.why.text_changed');
      case 'label_not_agreed':
        return t('advisory.why.label_not_agreed', {
          incident,
          source: tlpLabel(p.source),
          tlp: tlpLabel(p.advisory),
        });
      default:
        return t('advisory.why.no_consent', { org: codeOf(orgId) });
    }
  };
  return [...new Set(problems.map((x) => one(x.incidentId, x.orgId, x.problem)))].join(t('advisory.why.sep'));
}

/** Why the advisory is now marked below a source, in the reader's language. */
export function marksReasons(t: Translate, below: MarksBelow<SourceState>): string {
  return [
    ...below.weaker.map((x) =>
      t('advisory.why.confidentiality_raised', { incident: x.incidentId, level: x.confidentiality ?? '' }),
    ),
    ...below.holders.map((x) =>
      t('advisory.why.handling_added', {
        incident: x.incidentId,
        marks: handlingLine(t, storeHandling(handlingCodes(x.handling).filter((c) => below.missing.includes(c)))),
      }),
    ),
  ].join(t('advisory.why.sep'));
}

/**
 * Back to the consent step: a new version, pending copies and reminders cancelled (copies
 * already delivered stay as they are), the approval prompt and older requests closed, every
 * source whose consent no longer covers the advisory asked again with the text as it is now,
 * and the drafter told why. Returns the reasons (English, as audited).
 */
export async function reconsent(
  deps: ServiceDeps,
  tx: Tx,
  a: Advisory,
  s: SharingState,
  actor: string,
): Promise<string> {
  if (!nextStatus(a.status, 'source_changed')) throw new Error(`reconsent from ${a.status}`);
  const why = [
    ...s.decision.problems.filter((p) => p.problem.kind !== 'pending'),
    ...staleProblems(s).filter(
      (p) => !s.decision.problems.some((q) => q.incidentId === p.incidentId && q.problem.kind !== 'pending'),
    ),
  ];
  // a source marked more strictly than the advisory since its consent (機密性, 取扱制限)
  const below = marksBelowSources(a, s.sources);
  const reasons = [
    describeProblems({ ok: false, problems: why.length ? why : s.decision.problems }),
    below ? describeMarksBelow(below) : '',
  ]
    .filter((x) => x)
    .join('; ');
  const copies = await tx.delivery.updateMany({
    where: { refType: { in: [ADVISORY_REF, REMINDER_REF] }, refId: a.id, status: 'pending' },
    data: { status: 'cancelled', error: `superseded: ${reasons}` },
  });
  const jobs = await cancelJobs(tx, ADVISORY_REF, a.id);
  await tx.delivery.updateMany({
    where: { refType: NOTICE_REF, refId: a.id, status: 'pending', kind: { not: 'update' } },
    data: { status: 'cancelled', error: 'superseded' },
  });
  // from the version and status it was decided on, or not at all: the callers lock the row first
  // (advisories.ts), so a second decision on a stale read is a bug to stop, not to record twice
  const moved = await tx.advisory.updateMany({
    where: { id: a.id, version: a.version, status: a.status },
    data: { status: 'consent', version: a.version + 1, approverId: null, approvedAt: null, targets: null },
  });
  if (moved.count !== 1) throw new Error(`reconsent of ${a.id}: changed since it was read (v${a.version} ${a.status})`);
  const next = await tx.advisory.findUniqueOrThrow({ where: { id: a.id } });
  const stale = new Set([
    ...staleSources(s),
    ...s.sources.filter((x) => s.decision.problems.some((p) => p.incidentId === x.incidentId)),
    ...(below ? [...below.weaker, ...below.holders] : []),
  ]);
  await markAsked(tx, next, s, [...stale]);
  const fresh = await sharingState(tx, next);
  const asked = await askConsent(deps, tx, next, fresh, false);
  await audit(deps, tx, actor, 'advisory.reconsent', a.id, {
    from: a.status,
    version: next.version,
    reasons,
    cancelled: copies.count,
    jobs,
    asked,
  });
  const drafter = await tx.person.findUnique({ where: { id: a.drafterId } });
  if (drafter) {
    await dmPerson(
      deps,
      tx,
      drafter,
      (t) =>
        reconsentNotice(
          t,
          a,
          [reasonsText(t, s, why.length ? why : s.decision.problems), below ? marksReasons(t, below) : '']
            .filter((x) => x)
            .join(t('advisory.why.sep')),
        ),
      `${versionKey(next)}:reconsent`,
      { type: NOTICE_REF, id: a.id },
    );
  }
  return reasons;
}

/** To the drafter: the advisory was stopped (a source declined, or an approver rejected). */
export async function tellDrafter(
  deps: ServiceDeps,
  tx: Tx,
  a: Advisory,
  key: 'declined' | 'rejected',
  /** the approver's reason, or the declining organisation's names (shown in the drafter's language) */
  reason: string | { ja: string; en: string },
): Promise<void> {
  const drafter = await tx.person.findUnique({ where: { id: a.drafterId } });
  if (!drafter) return;
  await dmPerson(
    deps,
    tx,
    drafter,
    (t, dates) => closedNotice(t, a, key, typeof reason === 'string' ? reason : reason[dates.locale]),
    `advisory:${a.id}:${key}`,
    { type: NOTICE_REF, id: a.id },
  );
}
