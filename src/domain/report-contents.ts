/**
 * What a report says beyond category and summary, as the reporting forms ask (issue 17): the
 * reporter's contact, how it was found, the damage, the presumed cause, what is planned, who
 * has been told and whether it will be made public. Every item is optional at 速報 and asked
 * for as the report matures; a deployment names those a 確報 must have (report-policy.ts).
 */

/** 個人情報の漏えい等: none, yes, not known yet. */
export const PERSONAL = ['none', 'yes', 'unknown'] as const;
export type Personal = (typeof PERSONAL)[number];

/** 公表の予定: will be made public, will not, not decided. */
export const DISCLOSURE = ['yes', 'no', 'undecided'] as const;
export type Disclosure = (typeof DISCLOSURE)[number];

/**
 * 通報・届出先: the police, 個人情報保護委員会 (ppc), JPCERT/CC, others — or `none` (nobody
 * has been told yet), which a 確報 may say but never together with another.
 */
export const NOTIFIED = ['police', 'ppc', 'jpcert', 'other', 'none'] as const;
export type Notified = (typeof NOTIFIED)[number];

/** Japanese and other spellings people write for each notification target. */
const NOTIFIED_ALIASES: Readonly<Record<string, Notified>> = {
  police: 'police',
  警察: 'police',
  警察署: 'police',
  ppc: 'ppc',
  個人情報保護委員会: 'ppc',
  個情委: 'ppc',
  jpcert: 'jpcert',
  'jpcert/cc': 'jpcert',
  jpcertcc: 'jpcert',
  other: 'other',
  その他: 'other',
  none: 'none',
  なし: 'none',
};

/** The report items, in the order of the form and of `incident show`. */
export const CONTENT_FIELDS = [
  'contact',
  'found',
  'damage',
  'personal',
  'records',
  'hosts',
  'impact',
  'cause',
  'actions',
  'plan',
  'notified',
  'public',
] as const;
export type ContentField = (typeof CONTENT_FIELDS)[number];

/** The report items as the incident holds them (null: not given yet). */
export interface ReportContents {
  contact: string | null;
  found: string | null;
  damage: string | null;
  personal: Personal | null;
  records: number | null;
  hosts: number | null;
  impact: string | null;
  cause: string | null;
  actions: string | null;
  plan: string | null;
  notified: Notified[] | null;
  public: Disclosure | null;
}

/** How the form and `incident show` group the items (a heading each). */
export const CONTENT_GROUPS: readonly { key: string; fields: readonly ContentField[] }[] = [
  { key: 'reporter', fields: ['contact', 'found'] },
  { key: 'damage', fields: ['damage', 'personal', 'records', 'hosts', 'impact'] },
  { key: 'response', fields: ['cause', 'actions', 'plan'] },
  { key: 'notification', fields: ['notified', 'public'] },
];

/** `police, 個情委、JPCERT/CC` → the canonical list in catalogue order, or null when any is unknown. */
export function parseNotified(input: string): Notified[] | null {
  const parts = input
    .normalize('NFKC')
    .split(/[,、，\s]+/)
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean);
  if (parts.length === 0) return null;
  const set = new Set<Notified>();
  for (const p of parts) {
    const n = NOTIFIED_ALIASES[p];
    if (!n) return null;
    set.add(n);
  }
  if (set.has('none') && set.size > 1) return null;
  return NOTIFIED.filter((n) => set.has(n));
}

/** The stored form of a notification list (`police,ppc`), and back. */
export function notifiedText(list: readonly Notified[]): string {
  return list.join(',');
}
export function readNotified(stored: string | null): Notified[] | null {
  if (!stored) return null;
  return stored.split(',').filter((x): x is Notified => (NOTIFIED as readonly string[]).includes(x));
}

/** Whether an item has been given (an empty list or text counts as not given). */
export function isGiven(c: ReportContents, field: ContentField): boolean {
  const v = c[field];
  if (v === null || v === undefined) return false;
  if (typeof v === 'string') return v.trim() !== '';
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

/**
 * The items a 確報 still lacks: those the deployment requires, and the number of records
 * whenever personal data is involved (`personal=yes`), in form order.
 */
export function missingForFinal(c: ReportContents, required: readonly ContentField[]): ContentField[] {
  const need = new Set<ContentField>(required);
  if (c.personal === 'yes') need.add('records');
  return CONTENT_FIELDS.filter((f) => need.has(f) && !isGiven(c, f));
}
