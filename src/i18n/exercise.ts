import { defineCatalog } from './catalog.ts';

/** Exercise mode (訓練). */
export const exercise = defineCatalog({
  ja: {
    'exercise.mark': '【訓練】',
    'exercise.notice.incident': '【訓練】これは訓練です。実際のインシデントではありません。',
    'exercise.notice.meeting': '【訓練】これは訓練です。実際の PoC 会合ではありません。',
    'exercise.notice.advisory': '【訓練】これは訓練です。実際の注意喚起ではありません。',
    'exercise.not_exercise':
      '{id} は訓練として作成されたものではないため、削除できません。訓練の記録のみ削除できます。',
    'exercise.in_advisory':
      'インシデント {id} は注意喚起等の情報提供元になっているため、削除できません。先にその注意喚起等を削除（/csirt exercise purge）してください。',
    'exercise.not_a_source': 'インシデント {id} は訓練の報告のため、注意喚起等の情報提供元にはできません。',
    'exercise.real_source':
      'インシデント {id} は訓練ではない実際の報告のため、訓練の注意喚起等の情報提供元にはできません。',
    'exercise.purged':
      '訓練の記録 {id} を削除しました（配信記録 {deliveries} 件を削除し、監査記録 {audit} 件を伏せ字にしました。監査記録の連鎖は引き続き検証できます）。',
  },
  en: {
    'exercise.mark': '[EXERCISE]',
    'exercise.notice.incident': '[EXERCISE] This is an exercise, not a real incident.',
    'exercise.notice.meeting': '[EXERCISE] This is an exercise, not a real PoC meeting.',
    'exercise.notice.advisory': '[EXERCISE] This is an exercise, not a real advisory.',
    'exercise.not_exercise':
      '{id} was not made as an exercise, so it cannot be purged. Only exercise records can be purged.',
    'exercise.in_advisory':
      'Incident {id} is a source of an advisory, so it cannot be purged. Please purge that advisory first (/csirt exercise purge).',
    'exercise.not_a_source': 'Incident {id} is an exercise report, so it cannot be a source of an advisory.',
    'exercise.real_source': 'Incident {id} is a real report, so it cannot be a source of an exercise advisory.',
    'exercise.purged':
      'The records of exercise {id} were purged ({deliveries} delivered {deliveries|message|messages} removed, {audit} audit {audit|record|records} redacted; the audit chain still verifies).',
  },
});
