import { defineCatalog } from './catalog.ts';

/**
 * E-mail, the second channel (docs/email.md): an organisation's address (`org set email=`),
 * the mail itself, and why a mail was not sent.
 */
export const email = defineCatalog({
  ja: {
    'org.f.email': 'メールアドレス',
    'org.email_set': '組織 {org} のメールアドレスを {email} に設定しました。',
    'org.email_cleared': '組織 {org} のメールアドレスを削除しました。',
    'org.email_same': '組織 {org} のメールアドレスは既に {email} です。',
    'person.email_set': '{user} のメールアドレスを {email} に設定しました。',
    'person.email_cleared': '{user} のメールアドレスを削除しました。',
    'person.email_same': '{user} のメールアドレスは既に {email} です。',
    'person.email_not_allowed':
      'ほかの方のメールアドレスを設定できるのは管理者のみです。ご自身の分は /csirt person set <ご自身> email=… で設定できます。',
    'person.changed_meanwhile': '{user} のメールアドレスが同時に変更されました。もう一度お試しください。',
    'person.f.email': 'メールアドレス',
    'input.email_empty': 'メールアドレスを指定してください（削除する場合は email=- と指定してください）。',
    'input.email_line_break': 'メールアドレスに改行を含めることはできません。',
    'input.email_invisible':
      'メールアドレスに、目に見えない文字または制御文字（{char}）が含まれています。その文字を削除してください。',
    'input.email_shape': 'メールアドレスは「名前@ドメイン」の形で、空白を含めずに 1 つだけ指定してください。',
    'input.email_local': 'メールアドレスの「@」より前に使用できない記号があります。',
    'input.email_local_not_ascii': 'メールアドレスの「@」より前には、半角英数字と記号のみを使用してください。',
    'input.email_domain': 'メールアドレスの「@」より後のドメイン名が正しくありません（例: example.go.jp）。',
    'input.email_too_long': 'メールアドレスが長すぎます。',
    'delivery.platform.email': 'メール',
    'delivery.reason.mail_uncertain':
      '送信中に処理が中断したため、メールが届いたかどうか確認できません。二重送信を避けるため再送していません。宛先に確認のうえ、必要な場合のみ再送してください',
    'mail.intro': 'このメールは、チャットでお届けできなかったため、電子メールでお送りしています。',
    'mail.ack_by_command': '受領の連絡は、チャットで次のコマンドを実行してください: {command}',
    'mail.english_follows': '（英語版は日本語の後に続きます。）',
    'mail.action_by_command': '「{label}」は、チャットで次のコマンドを入力してください: /csirt {command}',
  },
  en: {
    'org.f.email': 'E-mail address',
    'org.email_set': 'Set the e-mail address of {org} to {email}.',
    'org.email_cleared': 'Removed the e-mail address of {org}.',
    'org.email_same': 'The e-mail address of {org} is {email} already.',
    'person.email_set': 'Set the e-mail address of {user} to {email}.',
    'person.email_cleared': 'Removed the e-mail address of {user}.',
    'person.email_same': 'The e-mail address of {user} is {email} already.',
    'person.email_not_allowed':
      "Only an administrator may set another person's e-mail address. You may set your own with /csirt person set <yourself> email=….",
    'person.changed_meanwhile': 'The e-mail address of {user} was changed at the same time. Please try again.',
    'person.f.email': 'E-mail',
    'input.email_empty': 'Please give an e-mail address (email=- removes it).',
    'input.email_line_break': 'An e-mail address cannot hold a line break.',
    'input.email_invisible':
      'The e-mail address holds an invisible or control character ({char}). Please remove the character.',
    'input.email_shape': 'Please give one e-mail address, name@domain, without spaces.',
    'input.email_local': 'The e-mail address has a character that cannot be used before the "@".',
    'input.email_local_not_ascii': 'Before the "@", an e-mail address may hold only ASCII letters, digits and symbols.',
    'input.email_domain': 'The domain after the "@" is not a valid domain name (e.g. example.go.jp).',
    'input.email_too_long': 'The e-mail address is too long.',
    'delivery.platform.email': 'E-mail',
    'delivery.reason.mail_uncertain':
      'sending was interrupted, so whether the mail arrived is not known; it was not sent again, to avoid a duplicate. Please check with the recipient and resend only if needed',
    'mail.intro': 'This message could not be delivered by chat, so it comes by e-mail.',
    'mail.ack_by_command': 'To acknowledge it, run this command in the chat: {command}',
    'mail.english_follows': '(The English version follows the Japanese.)',
    'mail.action_by_command': '{label}: type this command in the chat: /csirt {command}',
  },
});
