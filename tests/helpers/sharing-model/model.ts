/**
 * The model of tests/security/sharing-model.test.ts: a few organisations, people, reports and
 * advisories, and the oracle — written from the product rules (PRODUCT.md §1, §4, §5 and issue
 * 15), not from the code under test — of who may see and who may receive what.
 *
 * The oracle's questions (`may…`) are the safety rules every reply and every delivery is held
 * to; the model's transitions predict each command's outcome, so the test also fails when a
 * rule is kept by refusing everything.
 */
import { COORD_ORG } from '../coordinating.ts';

export const MINISTRIES = ['maff', 'mof', 'mlit'] as const;
export type OrgCode = string;
export type Role = 'admin' | 'coordinator' | 'approver' | 'poc' | 'ciso';
export type Share = 'none' | 'anonymized' | 'attributed';
export type Tlp = 'clear' | 'green' | 'amber' | 'amber+strict' | 'red';
export const TLPS: readonly Tlp[] = ['clear', 'green', 'amber', 'amber+strict', 'red'];
export const SHARES: readonly Share[] = ['none', 'anonymized', 'attributed'];

/** The people of the model: the admin, two of the coordinating organisation, five of ministries. */
export const PEOPLE = {
  admin: { id: 'console:admin', org: COORD_ORG, roles: ['admin'] },
  c1: { id: 'console:m-coordina', org: COORD_ORG, roles: ['coordinator'] },
  c2: { id: 'console:m-dutyoff', org: COORD_ORG, roles: ['approver'] },
  maff1: { id: 'console:m-maffpoc', org: 'maff', roles: ['poc'] },
  maff2: { id: 'console:m-maffciso', org: 'maff', roles: ['ciso'] },
  mof1: { id: 'console:m-mofpoc', org: 'mof', roles: ['poc'] },
  mof2: { id: 'console:m-mofciso', org: 'mof', roles: ['ciso'] },
  mlit1: { id: 'console:m-mlitpoc', org: 'mlit', roles: ['poc'] },
} as const satisfies Record<string, { id: string; org: string; roles: readonly Role[] }>;
export type PersonKey = keyof typeof PEOPLE;
export const PERSON_KEYS = Object.keys(PEOPLE) as PersonKey[];

/** The orgs named in the shipped directory, as the broadcast names them (Japanese). */
export const ORG_NAMES_JA: Record<string, string> = { maff: '農林水産省', mof: '財務省', mlit: '国土交通省' };

export interface Incident {
  n: number;
  id: string;
  org: OrgCode;
  share: Share;
  tlp: Tlp;
}

export interface Consent {
  answer: 'pending' | 'given' | 'declined';
  /** the report's state and the organisations named when asked or answered */
  share: Share;
  tlp: Tlp;
  named: string;
  /** the revision of the title and body it was asked or answered for */
  text: number;
  agreed: Tlp | null;
}

export interface Advisory {
  n: number;
  id: string;
  drafter: PersonKey;
  tlp: Tlp;
  /** organisation codes (for `all`: every non-coordinating organisation) or, for RED, identities */
  audience: 'all' | OrgCode[];
  recipients: string[];
  sources: string[];
  /** revision of the title and body (a hand edit raises it) */
  text: number;
  status: 'draft' | 'consent' | 'review' | 'approved' | 'sent' | 'rejected' | 'withdrawn';
  version: number;
  /** frozen at approval: organisation codes, or identities for RED */
  targets: string[] | null;
  consents: Map<string, Consent>;
}

/** A copy written at approval and not yet settled. */
export interface PendingCopy {
  adv: string;
  version: number;
  kind: 'post' | 'dm';
  /** the channel (post) or console user name (dm) the row was written for */
  target: string;
  /** the organisation (post) or identity (dm) it is addressed to */
  to: string;
}

export class Model {
  roles = new Map<PersonKey, Set<Role>>();
  channel = new Map<OrgCode, string>();
  incidents: Incident[] = [];
  advisories: Advisory[] = [];
  pending: PendingCopy[] = [];
  /** how often an advisory went back to the consent step (for the run's summary) */
  reconsents = 0;
  /** every organisation code of the directory (audience=all reaches the non-coordinating ones) */
  constructor(readonly allOrgs: readonly string[]) {
    for (const k of PERSON_KEYS) this.roles.set(k, new Set(PEOPLE[k].roles));
  }

  // ── the oracle: who may see, who may receive ──────────────────────────────

  has(p: PersonKey, r: Role): boolean {
    return this.roles.get(p)?.has(r) ?? false;
  }
  member(p: PersonKey): boolean {
    return (this.roles.get(p)?.size ?? 0) > 0;
  }
  /** NISC's roles: admin anywhere, coordinator and approver in the coordinating organisation */
  nisc(p: PersonKey): boolean {
    return (
      this.has(p, 'admin') || (PEOPLE[p].org === COORD_ORG && (this.has(p, 'coordinator') || this.has(p, 'approver')))
    );
  }
  seesOrg(p: PersonKey, org: OrgCode): boolean {
    return this.member(p) && (this.nisc(p) || PEOPLE[p].org === org);
  }
  seesMeetingOf(p: PersonKey, invited: readonly OrgCode[]): boolean {
    return this.member(p) && (this.nisc(p) || PEOPLE[p].org === COORD_ORG || invited.includes(PEOPLE[p].org));
  }
  /** the organisations named in an advisory now: its sources shared `attributed`, each once, in id order */
  named(a: Advisory): string[] {
    const orgs: string[] = [];
    for (const id of [...a.sources].sort()) {
      const i = this.incident(id);
      if (i.share === 'attributed' && !orgs.includes(i.org)) orgs.push(i.org);
    }
    return orgs;
  }
  /** a source's consent covers the advisory as it is now */
  covered(a: Advisory, incId: string): boolean {
    const c = a.consents.get(incId);
    const i = this.incident(incId);
    if (c?.answer !== 'given') return false;
    if (this.changed(a, c, i)) return false;
    return rank(i.tlp) <= rank(a.tlp) || c.agreed === a.tlp;
  }
  /** a request or consent on record no longer matches the report, the sources named or the text */
  changed(a: Advisory, c: Consent, i: Incident): boolean {
    return c.share !== i.share || c.tlp !== i.tlp || c.named !== this.named(a).join(',') || c.text !== a.text;
  }
  /** some source's record (other than a refusal) no longer matches: the advisory must be asked again */
  stale(a: Advisory): boolean {
    return a.sources.some((s) => {
      const c = a.consents.get(s) as Consent;
      return c.answer !== 'declined' && this.changed(a, c, this.incident(s));
    });
  }
  /** every source's consent covers it: the only state in which it may be shared */
  sharable(a: Advisory): boolean {
    return a.sources.every((s) => this.covered(a, s));
  }
  sourceOrgs(a: Advisory): OrgCode[] {
    return [...new Set(a.sources.map((s) => this.incident(s).org))];
  }
  /** title and body: NISC; the audience once released; the sources once submitted */
  mayReadAdvisory(p: PersonKey, a: Advisory): boolean {
    if (!this.member(p)) return false;
    if (this.nisc(p)) return true;
    if (a.targets && (a.tlp === 'red' ? a.targets.includes(PEOPLE[p].id) : a.targets.includes(PEOPLE[p].org)))
      return true;
    return a.status !== 'draft' && this.sourceOrgs(a).includes(PEOPLE[p].org);
  }
  /** which organisation owns a console channel now (its code, unless it set another) */
  ownerOf(channel: string): OrgCode | null {
    for (const [org, ch] of this.channel) if (ch === channel) return org;
    return this.allOrgs.includes(channel) && !this.channel.has(channel) ? channel : null;
  }
  channelOf(org: OrgCode): string {
    return this.channel.get(org) ?? org;
  }
  personByName(name: string): PersonKey | undefined {
    return PERSON_KEYS.find((k) => PEOPLE[k].id === `console:${name}`);
  }

  // ── the model's state ─────────────────────────────────────────────────────

  incident(id: string): Incident {
    const i = this.incidents.find((x) => x.id === id);
    if (!i) throw new Error(`model: no incident ${id}`);
    return i;
  }

  /** the snapshot a consent or request records for a source now */
  snapshot(a: Advisory, incId: string, answer: Consent['answer'], agreed: Tlp | null = null): Consent {
    const i = this.incident(incId);
    return { answer, share: i.share, tlp: i.tlp, named: this.named(a).join(','), text: a.text, agreed };
  }

  /** back to consent: a new version, pending copies dropped, every uncovered source asked again */
  reconsent(a: Advisory): void {
    this.reconsents++;
    a.status = 'consent';
    a.version++;
    a.targets = null;
    this.pending = this.pending.filter((c) => c.adv !== a.id);
    for (const s of a.sources) if (!this.covered(a, s)) a.consents.set(s, this.snapshot(a, s, 'pending'));
  }

  /** a source changed (a command that tells the advisories): those no longer covered go back */
  sourceChanged(incId: string): void {
    for (const a of this.advisories) {
      if (!a.sources.includes(incId) || !['consent', 'review', 'approved'].includes(a.status)) continue;
      if (this.stale(a)) this.reconsent(a);
    }
  }

  /** the targets an approval freezes */
  targetsOf(a: Advisory): string[] {
    if (a.tlp === 'red') return [...a.recipients];
    return a.audience === 'all' ? this.allOrgs.filter((o) => o !== COORD_ORG) : [...a.audience];
  }
}

export function rank(t: Tlp): number {
  return TLPS.indexOf(t);
}
