/**
 * The handling marks beside TLP (機密性, 取扱制限) as every message shows them: the same fields
 * in incident posts and `incident show`, advisory copies, consent requests and `advisory status`.
 */
import { handlingCodes } from '../domain/handling.ts';
import { keyOf, type Translate } from '../i18n/index.ts';

/** 「関係者限り・複製禁止」 / "Need-to-know only, No copying"; empty when none. */
export function handlingLine(t: Translate, stored: string | null | undefined): string {
  return handlingCodes(stored)
    .map((c) => t(keyOf('marks.mark.', c)))
    .join(t('marks.separator'));
}

/** The fields to show beside TLP: 機密性 when marked, 取扱制限 when any. */
export function markFields(
  t: Translate,
  x: { confidentiality: number | null; handling?: string | null },
): [string, string][] {
  const out: [string, string][] = [];
  if (x.confidentiality)
    out.push([t('marks.f.confidentiality'), t('marks.confidentiality', { level: x.confidentiality })]);
  const h = handlingLine(t, x.handling);
  if (h) out.push([t('marks.f.handling'), h]);
  return out;
}
