import { HANDLING_MARKS } from '../domain/handling.ts';
import { defineCatalog } from './catalog.ts';

/**
 * Handling marks beside TLP (issue 18 item 4): 機密性 and 取扱制限. The marks' labels are those of
 * data/handling-marks.json, which parsing reads (tests/unit/domain/handling.test.ts checks they agree).
 */
export const marks = defineCatalog({
  ja: {
    'marks.f.confidentiality': '機密性',
    'marks.f.handling': '取扱制限',
    'marks.confidentiality': '機密性{level}',
    'marks.separator': '・',
    'marks.none': 'なし',
    'marks.mark.need-to-know': '関係者限り',
    'marks.mark.no-copy': '複製禁止',
    'marks.mark.no-distribution': '配付禁止',
    'marks.mark.no-forwarding': '転送禁止',
    'marks.mark.encryption-required': '暗号化必須',
    'input.handling': `取扱制限「{value}」は指定できません。${HANDLING_MARKS.map((m) => `${m.ja}（${m.code}）`).join('、')} から選び、カンマ区切りで指定してください（なし（none）で取扱制限なし）。`,
    'input.kind': '種類は 注意喚起（warning） または 情報提供（info） を指定してください。',
  },
  en: {
    'marks.f.confidentiality': 'Confidentiality',
    'marks.f.handling': 'Handling',
    'marks.confidentiality': 'level {level}',
    'marks.separator': ', ',
    'marks.none': 'none',
    'marks.mark.need-to-know': 'Need-to-know only',
    'marks.mark.no-copy': 'No copying',
    'marks.mark.no-distribution': 'No distribution',
    'marks.mark.no-forwarding': 'No forwarding',
    'marks.mark.encryption-required': 'Encryption required',
    'input.handling': `The handling mark "{value}" is not one we know. Give one or more of ${HANDLING_MARKS.map((m) => `${m.code} ("${m.en}")`).join(', ')}, comma-separated; a label with spaces in quotes or as written here, or its code (none for no mark).`,
    'input.kind': 'The kind must be warning or info.',
  },
});
