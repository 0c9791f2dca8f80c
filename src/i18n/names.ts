import { defineCatalog } from './catalog.ts';

/**
 * The names an organisation goes by (short names, channels held by one organisation) and text
 * that cannot disguise itself (src/domain/names.ts, src/domain/text.ts).
 */
export const names = defineCatalog({
  ja: {
    'org.f.short': '略称',
    'org.short_set': '組織 {org} の略称を設定しました: {short}',
    'org.short_cleared': '組織 {org} の略称をすべて削除しました。',
    'org.short_taken': '略称「{short}」は、組織 {org} の名称・略称またはコードと同じため、設定できません。',
    'org.name_taken': '名称「{name}」は、組織 {org} の名称・略称またはコードと同じため、使用できません。',
    'org.channel_taken':
      '{platform} のチャンネル #{channel} は、既に組織 {org} に割り当てられています。1 つのチャンネルを複数の組織に割り当てることはできません。',
    'org.nothing_to_set': '変更する項目を指定してください（channel=、ja=、en=、short=、email= のいずれか）。',
    'input.invisible_char': '目に見えない文字または制御文字（{char}）は使用できません。その文字を削除してください。',
    'input.short_invisible':
      '略称「{short}」に、目に見えない文字または制御文字（{char}）が含まれています。その文字を削除してください。',
    'input.short_too_short': '略称「{short}」は短すぎます。2 文字以上で指定してください。',
    'input.short_number': '略称「{short}」は数字だけのため使用できません。',
    'advisory.channel_moved': '宛先の組織のチャンネルが変更されたため、送信を中止しました',
    'advisory.names_source_as':
      '件名または本文に、組織名の明示に同意していない情報提供元を特定できる記載（「{word}」は「{name}」と読めます。{incident} 関係）があります。該当箇所を削除してから起案・承認してください。',
  },
  en: {
    'org.f.short': 'Short names',
    'org.short_set': 'Set the short names of {org}: {short}',
    'org.short_cleared': 'Removed every short name of {org}.',
    'org.short_taken': 'The short name "{short}" cannot be used: it is a name, short name or code of {org}.',
    'org.name_taken': 'The name "{name}" cannot be used: it is a name, short name or code of {org}.',
    'org.channel_taken':
      'The {platform} channel #{channel} already belongs to {org}. A channel can belong to one organisation only.',
    'org.nothing_to_set': 'Please give what to change (channel=, ja=, en=, short= or email=).',
    'input.invisible_char': 'Invisible or control characters ({char}) cannot be used. Please remove the character.',
    'input.short_invisible':
      'The short name "{short}" holds an invisible or control character ({char}). Please remove the character.',
    'input.short_too_short': 'The short name "{short}" is too short: give at least two characters.',
    'input.short_number': 'The short name "{short}" is a number only and cannot be used.',
    'advisory.channel_moved': "not sent: the organisation's channel has changed since",
    'advisory.names_source_as':
      'The title or body identifies a source that has not agreed to be named ("{word}" reads as "{name}", from {incident}). Please remove it before drafting or approving.',
  },
});
