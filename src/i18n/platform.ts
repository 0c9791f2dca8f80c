import type { Catalog } from './catalog.ts';

/** Messages of the chat platform adapters: forms, mentions, attachments. */
export const platform: Catalog = {
  ja: {
    'form.submit': '送信',
    'form.cancel': 'キャンセル',
    'form.failed': 'フォームを開けませんでした。項目をコマンドに直接指定してください。\n書式: /csirt {usage}',
    'slack.channel_mention':
      'チャンネル「{channel}」を確認できませんでした。「#」を入力し、候補からチャンネルを選択して指定してください。',
    'slack.user_mention':
      '利用者「{user}」を確認できませんでした。「@」を入力し、候補から利用者を選択して指定してください。',
    'slack.attachment': '📎 {filename}（Slack ではファイルを添付できません）',
  },
  en: {
    'form.submit': 'Submit',
    'form.cancel': 'Cancel',
    'form.failed': 'The form could not be opened. Please give the fields in the command.\nUsage: /csirt {usage}',
    'slack.channel_mention': 'Could not find the channel "{channel}". Type "#" and pick the channel from the list.',
    'slack.user_mention': 'Could not find the user "{user}". Type "@" and pick the person from the list.',
    'slack.attachment': '📎 {filename} (files cannot be attached on Slack)',
  },
};
