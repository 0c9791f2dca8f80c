/**
 * The two kinds of outgoing message of the seed (issue 18 item 4): 注意喚起 (`warning`: a
 * warning with recommended action; each organisation acknowledges it, and is reminded until it
 * does) and 情報提供 (`info`: information; nothing to acknowledge, no reminder). Chosen at
 * draft; part of the final text the sources consent to (src/domain/sharing.ts `FinalText`).
 */
import { foldCode } from './ids.ts';

export const ADVISORY_KINDS = ['warning', 'info'] as const;
export type AdvisoryKind = (typeof ADVISORY_KINDS)[number];

/** The default: today's behaviour (an advisory drafted before kinds existed is a warning). */
export const DEFAULT_KIND: AdvisoryKind = 'warning';

const JAPANESE: Record<string, AdvisoryKind> = { 注意喚起: 'warning', 情報提供: 'info' };

/** `warning`, `info`, 注意喚起 or 情報提供 (NFKC, any case) → the kind; null otherwise. */
export function parseKind(input: string): AdvisoryKind | null {
  const s = foldCode(input);
  const lower = s.toLowerCase();
  if ((ADVISORY_KINDS as readonly string[]).includes(lower)) return lower as AdvisoryKind;
  return JAPANESE[s] ?? null;
}

/** A stored kind (anything unknown, written by hand, counts as the default). */
export function kindOf(a: { kind?: string | null }): AdvisoryKind {
  return a.kind === 'info' ? 'info' : DEFAULT_KIND;
}

/** Whether recipients are asked to acknowledge (and reminded): only for a warning. */
export function expectsAck(a: { kind?: string | null }): boolean {
  return kindOf(a) === 'warning';
}
