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
      'インシデント {id} は注意喚起の情報提供元になっているため、削除できません。先に注意喚起から外してください。',
    'exercise.not_a_source': 'インシデント {id} は訓練の報告のため、注意喚起の情報提供元にはできません。',
    'exercise.only_incidents':
      '訓練として作成できるのは、インシデントの報告と PoC 会合です。{id} は訓練の記録ではないため削除できません。',
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
      'Incident {id} is a source of an advisory, so it cannot be purged. Please remove it from the advisory first.',
    'exercise.not_a_source': 'Incident {id} is an exercise report, so it cannot be a source of an advisory.',
    'exercise.only_incidents':
      'Only incident reports and PoC meetings can be made as exercises so far. {id} is not an exercise record, so it cannot be purged.',
    'exercise.purged':
      'The records of exercise {id} were purged ({deliveries} delivered {deliveries|message|messages} removed, {audit} audit {audit|record|records} redacted; the audit chain still verifies).',
  },
});
