/**
 * Traffic Light Protocol 2.0 (FIRST) as distribution rules for advisories. Pure: no I/O.
 *
 * - `clear`, `green`: any registered organisation's channel (`audience=all` allowed).
 * - `amber+strict`, `amber`: only the organisations named in `audience`, each in its own channel.
 * - `red`: never a channel; only the named `recipients`, each by direct message.
 *
 * A distribution that breaks these rules is refused with the reason, never trimmed.
 * Labels are written in capitals and never translated (`TLP:AMBER+STRICT`).
 */

export const TLPS = ['clear', 'green', 'amber', 'amber+strict', 'red'] as const;
export type Tlp = (typeof TLPS)[number];

export function isTlp(v: string): v is Tlp {
  return (TLPS as readonly string[]).includes(v);
}

/** `TLP:AMBER+STRICT` — the label as it is always written. */
export function tlpLabel(tlp: Tlp): string {
  return `TLP:${tlp.toUpperCase()}`;
}

/** Who an advisory is addressed to, as typed by the drafter. */
export interface Distribution {
  tlp: Tlp;
  /** `all`, a list of organisation codes, or nothing (empty list) */
  audience: 'all' | readonly string[];
  /** person identities (TLP:RED only) */
  recipients: readonly string[];
}

/** Why a distribution is refused: an i18n code (`tlp.*`) and its parameters. */
export interface TlpViolation {
  code: string;
  params: Record<string, string>;
}

/** Channels for an organisation list, or named people: what a valid distribution reaches. */
export type Reach =
  | { kind: 'channels'; orgs: 'all' | readonly string[] }
  | { kind: 'people'; people: readonly string[] };

/** Whether `audience=all` (every registered organisation) is allowed. */
export function allowsAll(tlp: Tlp): boolean {
  return tlp === 'clear' || tlp === 'green';
}

/** Checks a distribution against the TLP rules: the reach, or the first rule it breaks. */
export function checkDistribution(
  d: Distribution,
): { ok: true; reach: Reach } | { ok: false; violation: TlpViolation } {
  const label = tlpLabel(d.tlp);
  const fail = (code: string, params: Record<string, string> = {}) => ({
    ok: false as const,
    violation: { code, params: { tlp: label, ...params } },
  });
  const list = d.audience === 'all' ? null : d.audience;
  if (d.tlp === 'red') {
    if (d.audience === 'all' || (list && list.length > 0)) return fail('tlp.red_no_channels');
    if (d.recipients.length === 0) return fail('tlp.red_needs_recipients');
    return { ok: true, reach: { kind: 'people', people: unique(d.recipients) } };
  }
  if (d.recipients.length > 0) return fail('tlp.recipients_only_red');
  if (d.audience === 'all') {
    if (!allowsAll(d.tlp)) return fail('tlp.amber_no_all');
    return { ok: true, reach: { kind: 'channels', orgs: 'all' } };
  }
  if (!list || list.length === 0) return fail('tlp.audience_required');
  return { ok: true, reach: { kind: 'channels', orgs: unique(list) } };
}

/** One concrete delivery target, as the dispatcher is about to send it. */
export type Target = { kind: 'channel'; org: string } | { kind: 'person'; identity: string };

/**
 * The dispatch-time check: may this one target receive the advisory? `orgs` is the advisory's
 * resolved organisation list (every registered organisation for `all`), `recipients` its people.
 */
export function targetAllowed(
  d: { tlp: Tlp; orgs: readonly string[]; recipients: readonly string[] },
  target: Target,
): TlpViolation | null {
  const label = tlpLabel(d.tlp);
  if (target.kind === 'channel') {
    if (d.tlp === 'red') return { code: 'tlp.red_no_channels', params: { tlp: label } };
    if (!d.orgs.includes(target.org)) return { code: 'tlp.not_in_audience', params: { tlp: label, org: target.org } };
    return null;
  }
  if (d.tlp !== 'red') return { code: 'tlp.recipients_only_red', params: { tlp: label } };
  if (!d.recipients.includes(target.identity))
    return { code: 'tlp.not_a_recipient', params: { tlp: label, user: target.identity } };
  return null;
}

function unique(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}
