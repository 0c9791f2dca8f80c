import { HANDLING_MARKS } from '../domain/handling.ts';
import type { Catalog } from './catalog.ts';

/**
 * Handling marks beside TLP (issue 18 item 4): 機密性 and 取扱制限. The marks' labels come from
 * their one home, data/handling-marks.json (src/domain/handling.ts).
 */
export const marks: Catalog = {
  ja: {
    'marks.f.confidentiality': '機密性',
    'marks.f.handling': '取扱制限',
    'marks.confidentiality': '機密性{level}',
    'marks.separator': '・',
    'marks.none': 'なし',
    ...Object.fromEntries(HANDLING_MARKS.map((m) => [`marks.mark.${m.code}`, m.ja])),
    'input.handling': `取扱制限「{value}」は指定できません。${HANDLING_MARKS.map((m) => `${m.ja}（${m.code}）`).join('、')} から選び、カンマ区切りで指定してください（なし（none）で取扱制限なし）。`,
    'input.kind': '種類は 注意喚起（warning） または 情報提供（info） を指定してください。',
  },
  en: {
    'marks.f.confidentiality': 'Confidentiality',
    'marks.f.handling': 'Handling',
    'marks.confidentiality': 'level {level}',
    'marks.separator': ', ',
    'marks.none': 'none',
    ...Object.fromEntries(HANDLING_MARKS.map((m) => [`marks.mark.${m.code}`, m.en])),
    'input.handling': `The handling mark "{value}" is not one of ${HANDLING_MARKS.map((m) => m.code).join(', ')}. Please give them comma-separated (none for no mark).`,
    'input.kind': 'The kind must be warning or info.',
  },
};
