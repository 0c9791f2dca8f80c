/**
 * The advisory lifecycle (PRODUCT.md §5) as data: which event moves which status where.
 *
 *   draft ─submit─▶ consent ─consented─▶ review ─approve─▶ approved ─delivered─▶ sent
 *                    ▲  │ decline             │ reject        │
 *                    │  ▼                     ▼               │
 *                    │ rejected            rejected           │    (withdraw: from any open status)
 *                    └─── source_changed (from consent, review or approved) ─┘
 *
 * `source_changed`: a source's `share` or TLP, or the final text, changed after its consent
 * (src/domain/sharing.ts); the advisory goes back to the consent step in a new version.
 *
 * `submit` always enters `consent`; when no source needs consent the service fires `consented`
 * in the same transaction, so the advisory is in `review` when the command returns.
 */

export const ADVISORY_STATUSES = ['draft', 'consent', 'review', 'approved', 'sent', 'rejected', 'withdrawn'] as const;
export type AdvisoryStatus = (typeof ADVISORY_STATUSES)[number];

export const ADVISORY_EVENTS = [
  'submit',
  'consented',
  'decline',
  'approve',
  'reject',
  'delivered',
  'withdraw',
  'source_changed',
] as const;
export type AdvisoryEvent = (typeof ADVISORY_EVENTS)[number];

export const ADVISORY_TRANSITIONS: Readonly<
  Record<AdvisoryEvent, { from: readonly AdvisoryStatus[]; to: AdvisoryStatus }>
> = {
  submit: { from: ['draft'], to: 'consent' },
  consented: { from: ['consent'], to: 'review' },
  decline: { from: ['consent'], to: 'rejected' },
  approve: { from: ['review'], to: 'approved' },
  reject: { from: ['consent', 'review'], to: 'rejected' },
  delivered: { from: ['approved'], to: 'sent' },
  withdraw: { from: ['draft', 'consent', 'review', 'approved', 'sent'], to: 'withdrawn' },
  source_changed: { from: ['consent', 'review', 'approved'], to: 'consent' },
};

/** Statuses from which nothing moves any more. */
export const FINAL_STATUSES: readonly AdvisoryStatus[] = ['rejected', 'withdrawn'];

export function isAdvisoryStatus(v: string): v is AdvisoryStatus {
  return (ADVISORY_STATUSES as readonly string[]).includes(v);
}

/** The status after `event`, or null when the event is not allowed from `from`. */
export function nextStatus(from: string, event: AdvisoryEvent): AdvisoryStatus | null {
  const t = ADVISORY_TRANSITIONS[event];
  return isAdvisoryStatus(from) && t.from.includes(from) ? t.to : null;
}

/** One copy of an approved advisory as its settle hook sees it. */
export interface CopyState {
  status: string;
  /** failed because the sharing decision no longer held when it was to go out */
  refusedForSharing: boolean;
}

/**
 * What the copies of an approved advisory, read together, mean: a copy refused for sharing
 * sends it back to consent (`source_changed`) whatever the others did; else, once none is
 * pending or being sent, it is `delivered`; else nothing yet. One read of all the copies, never
 * two: between two reads another copy may settle, and the two answers would not belong together.
 */
export function copiesOutcome(copies: readonly CopyState[]): 'source_changed' | 'delivered' | null {
  if (copies.some((c) => c.status === 'failed' && c.refusedForSharing)) return 'source_changed';
  if (copies.some((c) => c.status === 'pending' || c.status === 'sending')) return null;
  return 'delivered';
}

/**
 * The `reason` stored when a source declines: a neutral code naming the organisation
 * (`declined:maff`), rendered in the reader's language where shown (「農林水産省 が同意しません
 * でした」 / "… did not consent"). Rows written before the code held English (`declined by maff`);
 * both are read.
 */
export function declineReason(orgCode: string): string {
  return `declined:${orgCode}`;
}

/** The declining organisation's code in a stored reason (the code or the older English), else null. */
export function declinedOrg(reason: string | null | undefined): string | null {
  const m = /^(?:declined:|declined by )(\S+)$/.exec(reason ?? '');
  return m ? (m[1] as string) : null;
}

/** Four eyes: a person may approve (or be asked to approve) an advisory only if they did not draft it. */
export function mayApprove(personId: number | null, drafterId: number): boolean {
  return personId !== null && personId !== drafterId;
}
