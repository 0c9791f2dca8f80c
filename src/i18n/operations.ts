import type { Catalog } from './catalog.ts';

/** Messages of operation (issue 22): the audit chain's anchor, deliveries that need a person. */
export const operations: Catalog = {
  ja: {
    'audit.anchor.title': '監査記録の照合値',
    'audit.anchor.body':
      '{at} 時点の監査記録の末尾を記録します。通番 {seq}、ハッシュ値 {hash} です。監査記録が後から削除・書換えされていないことを、この値で確認できます（手順は運用手順書の「改ざん検知」を参照してください）。',
    'audit.anchor.keep': 'この投稿は削除せず、保管してください。',
    'audit.anchored':
      '監査記録の末尾（通番 {seq}、ハッシュ値 {hash}）を照合値として記録しました。{office} のチャンネルに投稿し、照合値ファイルにも追記しています。',
    'audit.anchored_no_office':
      '監査記録の末尾（通番 {seq}、ハッシュ値 {hash}）を照合値ファイルに追記しました。調整機関に当たる組織が登録されていないため、チャンネルへの投稿は行っていません。',
  },
  en: {
    'audit.anchor.title': 'Audit trail checkpoint',
    'audit.anchor.body':
      'The audit trail as of {at} ends at record {seq} with hash {hash}. This value shows later that no audit record has been deleted or rewritten since (see "Tamper evidence" in the operations guide).',
    'audit.anchor.keep': 'Please keep this post; do not delete it.',
    'audit.anchored':
      'The end of the audit trail (record {seq}, hash {hash}) was recorded as a checkpoint: posted to the channel of {office} and appended to the checkpoint file.',
    'audit.anchored_no_office':
      'The end of the audit trail (record {seq}, hash {hash}) was appended to the checkpoint file. No coordinating office is registered, so nothing was posted.',
  },
};
