import { defineCatalog } from './catalog.ts';

/** Organisations, people and roles. */
export const directory = defineCatalog({
  ja: {
    'org.list_title': '登録組織一覧（{count} 組織）',
    'org.code': 'コード',
    'org.name_ja': '名称',
    'org.name_en': '英語名称',
    'org.channel': 'チャンネル',
    'org.people': '担当者',
    'org.role': '区分',
    'org.coordinator': '調整機関（全報告の通知先）',
    'org.member': '府省庁等',
    'org.no_channel': '（未設定）',
    'org.not_found': '組織「{org}」は登録されていません。/csirt org list で組織コードをご確認ください。',
    'org.no_coordinator': '調整機関が登録されていません。管理者にご連絡ください。',
    'org.bad_code':
      '組織コード「{org}」は使えません。英小文字で始まる 2〜16 文字（英小文字・数字・ハイフン）で指定してください。',
    'org.exists': '組織コード「{org}」は既に登録されています。',
    'org.code_is_alias':
      '組織コード「{org}」は、組織 {holder} の組織コードの別名として使われているため登録できません。別の組織コードを指定してください。',
    'org.code_aliases': '{code}（別名: {aliases}）',
    'org.f.aliases': '組織コードの別名',
    'org.added': '組織「{name}」（{org}）を登録しました。',
    'org.bad_channel':
      'チャンネル「{channel}」を確認できませんでした。チャンネルを選択するか、正しい名前で指定してください。',
    'org.channel_set': '組織 {org} の {platform} のチャンネルを #{channel} に設定しました。',
    'org.renamed': '組織 {org} の名称を「{from}」から「{to}」に変更しました。',
    'org.same_names': '組織 {org} の名称は既にそのとおりです。変更はありません。',
    'org.changed_meanwhile':
      '組織 {org} の名称が同時に変更されました。/csirt org show {org} で現在の名称をご確認のうえ、再度お試しください。何も変更していません。',
    'poc.bad_user': '利用者「{user}」を確認できませんでした。メンションの形式（@名前）で指定してください。',
    'poc.added': '{user} を {org} の担当者として登録し、役割 {roles} を付与しました。',
    'poc.removed': '{user} の役割 {roles} を解除しました。',
    'poc.other_org':
      '{user} は既に組織 {org} に所属しています。所属の変更は、役割をすべて解除してから登録し直してください。',
    'poc.nothing_changed': '{user} には既にその役割が付与されています。',
    'poc.duplicate_role': '役割 {role} が重複して指定されています。同じ役割は一度だけ指定してください。',
    'poc.role_coordinating_only':
      '{user} は {org} の所属のため、役割 {role} は付与できません。調整担当者（coordinator）と承認者（approver）は、調整機関（{coord}）の職員にのみ付与できます。',
    'poc.primary_moved':
      '{org} の窓口担当（正）を {from} から {to} に変更しました。{from} は引き続き窓口担当者（poc）です。',
    'poc.deputy_moved':
      '{org} の窓口担当（副）を {from} から {to} に変更しました。{from} は引き続き窓口担当者（poc）です。',
    'poc.not_found': '{user} は登録されていません。',
    'poc.no_such_role': '{user} には役割 {role} が付与されていません。',
    'poc.self_admin': 'ご自身の管理者権限は解除できません。他の管理者にご依頼ください。',
    'poc.last_admin': '最後の管理者の権限は解除できません。先に別の管理者を登録してください。',
    'poc.primary_and_deputy':
      '正（primary=yes）と副（deputy=yes）は同時に指定できません。どちらか一方を指定してください。',
    'poc.position_needs_poc':
      '正・副の指定（primary=yes、deputy=yes）は、役割（role=）に窓口担当者（poc）を含む場合のみ有効です。',
    'poc.own_org_only': 'ご所属の組織の担当者のみ表示できます。',
    'poc.none': '該当する担当者はいません。',
    'poc.user': '担当者',
    'poc.roles': '役割',
    'poc.position': '正・副',
    'poc.primary': '正',
    'poc.deputy': '副',
  },
  en: {
    'org.list_title': 'Registered organisations ({count})',
    'org.code': 'Code',
    'org.name_ja': 'Name (ja)',
    'org.name_en': 'Name',
    'org.channel': 'Channel',
    'org.people': 'People',
    'org.role': 'Type',
    'org.coordinator': 'Coordinator (receives every report)',
    'org.member': 'Ministry or agency',
    'org.no_channel': '(not set)',
    'org.not_found': 'The organisation "{org}" is not registered. See /csirt org list for the codes.',
    'org.no_coordinator': 'No coordinating organisation is registered. Please contact an administrator.',
    'org.bad_code':
      'The code "{org}" cannot be used: 2–16 characters, lower-case letters, digits and hyphens, starting with a letter.',
    'org.exists': 'The code "{org}" is already registered.',
    'org.code_is_alias':
      'The code "{org}" cannot be registered: it is an alias of the organisation code {holder}. Please choose another code.',
    'org.code_aliases': '{code} (alias: {aliases})',
    'org.f.aliases': 'Code aliases',
    'org.added': 'Registered the organisation "{name}" ({org}).',
    'org.bad_channel': 'Could not find the channel "{channel}". Please pick the channel or give its exact name.',
    'org.channel_set': "Set {org}'s {platform} channel to #{channel}.",
    'org.renamed': 'Renamed the organisation {org} from "{from}" to "{to}".',
    'org.same_names': 'The organisation {org} already has those names; nothing changed.',
    'org.changed_meanwhile':
      'The names of {org} were changed at the same moment. Please check them with /csirt org show {org} and try again. Nothing was changed.',
    'poc.bad_user': 'Could not find the user "{user}". Please mention them (@name).',
    'poc.added': 'Registered {user} for {org} with the roles {roles}.',
    'poc.removed': 'Revoked the roles {roles} from {user}.',
    'poc.other_org':
      '{user} already belongs to {org}. To move them, revoke all their roles first and register them again.',
    'poc.nothing_changed': '{user} already has that role.',
    'poc.duplicate_role': 'The role {role} is given more than once. Please give each role once.',
    'poc.role_coordinating_only':
      '{user} belongs to {org}, so the role {role} cannot be granted: coordinator and approver are for staff of the coordinating organisation ({coord}) only.',
    'poc.primary_moved':
      'The primary contact of {org} is now {to} instead of {from}; {from} remains a point of contact (poc).',
    'poc.deputy_moved':
      'The deputy contact of {org} is now {to} instead of {from}; {from} remains a point of contact (poc).',
    'poc.not_found': '{user} is not registered.',
    'poc.no_such_role': '{user} does not have the role {role}.',
    'poc.self_admin': 'You cannot revoke your own admin role. Please ask another administrator.',
    'poc.last_admin': 'The last administrator cannot be removed. Please register another administrator first.',
    'poc.primary_and_deputy': 'Give primary=yes or deputy=yes, not both.',
    'poc.position_needs_poc': 'primary=yes and deputy=yes apply only when role= includes poc (point of contact).',
    'poc.own_org_only': 'You can list the people of your own organisation only.',
    'poc.none': 'Nobody matches.',
    'poc.user': 'Person',
    'poc.roles': 'Roles',
    'poc.position': 'Primary/deputy',
    'poc.primary': 'primary',
    'poc.deputy': 'deputy',
  },
});
