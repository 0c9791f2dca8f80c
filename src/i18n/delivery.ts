import { defineCatalog } from './catalog.ts';

/**
 * Messages about how a message reached people when the platform did not let it go the usual
 * way: a post clipped to the platform's size, a withdrawal posted after a post that could no
 * longer be edited, a reply sent as a direct message.
 */
export const delivery = defineCatalog({
  ja: {
    'delivery.clipped': '（本文が長いため、ここまでを表示しています。全文は「/csirt {command}」で確認できます。）',
    'delivery.clipped_plain': '（本文が長いため、ここまでを表示しています。）',
    'reply.fallback_dm':
      'この返信は、コマンドを実行した画面に表示できなかったため、ダイレクトメッセージでお送りしています。',
    'mattermost.earlier_post': '対象の投稿: {url}',
    'form.close': '閉じる',
    'advisory.d.withdrawn_followup':
      '取下げを表示済み（元の投稿は編集期限を過ぎていたため、取下げのお知らせを続けて投稿）',
    'advisory.d.withdraw_pending': '取下げを表示中',
    'advisory.d.withdraw_failed': '取下げの表示に失敗（{reason}）',
  },
  en: {
    'delivery.clipped': '(Shortened to fit one message. Read it in full with "/csirt {command}".)',
    'delivery.clipped_plain': '(Shortened to fit one message.)',
    'reply.fallback_dm': 'This reply could not be shown where you ran the command, so it comes as a direct message.',
    'mattermost.earlier_post': 'The post concerned: {url}',
    'form.close': 'Close',
    'advisory.d.withdrawn_followup':
      'marked withdrawn (the post could no longer be edited: a withdrawal notice was posted after it)',
    'advisory.d.withdraw_pending': 'withdrawal being shown',
    'advisory.d.withdraw_failed': 'withdrawal not shown ({reason})',
  },
});
