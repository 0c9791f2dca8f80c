import { defineCatalog } from './catalog.ts';

/** Messages of the chat platform adapters: forms, mentions, attachments. */
export const platform = defineCatalog({
  ja: {
    'form.submit': '送信',
    'form.cancel': 'キャンセル',
    'form.failed': 'フォームを開けませんでした。項目をコマンドに直接指定してください。\n書式: /csirt {usage}',
    'slack.channel_mention':
      'チャンネル「{channel}」を確認できませんでした。「#」を入力し、候補からチャンネルを選択して指定してください。',
    'slack.user_mention':
      '利用者「{user}」を確認できませんでした。「@」を入力し、候補から利用者を選択して指定してください。',
    'slack.attachment': '📎 {filename}（Slack ではファイルを添付できません）',
    'mattermost.attachment':
      '📎 {filename}（Mattermost ではファイルを添付できません。コンソールまたは API で取得してください）',
    'mattermost.user_not_found':
      '利用者「{user}」が Mattermost に見つかりませんでした。「@」に続けて利用者名を指定してください（例: @tanaka）。',
    'mattermost.channel_not_found':
      'チャンネル「{channel}」がチーム「{team}」に見つかりませんでした。「~」に続けてチャンネル名を指定してください（例: ~maff-csirt）。ボットをチャンネルに追加してください。',
    'mattermost.no_team': 'チームが分からないため、チャンネル「{channel}」を確認できませんでした。',
    'mattermost.working': '処理しています。結果は追ってお知らせします。',
    'app.about': '{coordinator}と府省庁の CSIRT 窓口をつなぐ連絡ボット',
    'app.autocomplete': '{coordinator}と府省庁 CSIRT の連絡ボット（{commands}）。まず /csirt help',
  },
  en: {
    'form.submit': 'Submit',
    'form.cancel': 'Cancel',
    'form.failed': 'The form could not be opened. Please give the fields in the command.\nUsage: /csirt {usage}',
    'slack.channel_mention': 'Could not find the channel "{channel}". Type "#" and pick the channel from the list.',
    'slack.user_mention': 'Could not find the user "{user}". Type "@" and pick the person from the list.',
    'slack.attachment': '📎 {filename} (files cannot be attached on Slack)',
    'mattermost.attachment': '📎 {filename} (files cannot be attached on Mattermost; use the console or the API)',
    'mattermost.user_not_found':
      'Could not find the Mattermost user "{user}". Write "@" and the username (e.g. @tanaka).',
    'mattermost.channel_not_found':
      'Could not find the channel "{channel}" in team "{team}". Write "~" and the channel name (e.g. ~maff-csirt), and add the bot to the channel.',
    'mattermost.no_team': 'Could not look up the channel "{channel}": no team is known.',
    'mattermost.working': 'Working on it; the result will follow.',
    'app.about': "Links the {coordinator} with the ministries' CSIRT points of contact",
    'app.autocomplete':
      "Contact bot of the {coordinator} and the ministries' CSIRTs ({commands}). Start with /csirt help",
  },
});
