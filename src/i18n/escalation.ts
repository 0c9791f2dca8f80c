import { defineCatalog } from './catalog.ts';

/**
 * Escalation until acknowledged (src/domain/escalation.ts): the direct messages to the people of
 * the chain, and what `advisory status` and the start-up check say about it. A request, never a
 * demand (督促: docs/glossary.md).
 */
export const escalation = defineCatalog({
  ja: {
    'escalation.role.primary': '窓口担当（正）',
    'escalation.role.deputy': '窓口担当（副）',
    'escalation.role.ciso': '最高情報セキュリティ責任者（CISO）',
    'escalation.role.duty': '当番者',
    'escalation.heading': '受領確認のお願い（{org}）',
    'escalation.body.poc':
      '{org}では、{kind} {id}「{title}」の受領確認がまだ行われていません。{role}として内容をご確認のうえ、受領確認をお願いいたします。',
    'escalation.body.ciso':
      '{org}では、{kind} {id}「{title}」の受領確認がまだ行われていません。窓口担当者に受領確認をお願いしましたが、まだ確認が得られていません。組織内で内容をご確認いただき、窓口担当者から受領確認を行うようご手配をお願いいたします。',
    'escalation.body.duty':
      '{org}から、{kind} {id}「{title}」の受領確認がまだありません。{org}の窓口担当者等にお願いしましたが、確認が得られていません。当番者として、{org}へのご連絡をお願いいたします。',
    'escalation.step':
      '{steps} 段階のうち {step} 段階目のお願いです。受領確認があった時点で、以降のお願いは行いません。',
    'escalation.status_button': '配信状況を確認',
    'escalation.status.told': '{ack}（受領確認のお願い: {step} 段階目・{role}まで）',
    'chase.body.poc':
      '{org}から報告されたインシデント {id} について、{coordinator}への{stage}が期限を過ぎております。{role}として、/csirt incident update {id} で報告をお願いいたします。',
    'chase.body.ciso':
      '{org}から報告されたインシデント {id} について、{coordinator}への{stage}が期限を過ぎており、窓口担当者からの報告がまだありません。担当者への確認と報告のご手配をお願いいたします。',
    'chase.body.duty':
      '{org}から報告されたインシデント {id} について、{stage}が期限を過ぎており、{org}の窓口担当者等にお願いしましたが、まだ報告がありません。当番者として、{org}へのご連絡をお願いいたします。',
    'chase.step': '{steps} 段階のうち {step} 段階目のお願いです。報告があった時点で、以降のお願いは行いません。',
    'chase.show_button': 'インシデントを表示',
    'escalation.config.bad_step':
      '「{step}」は段階として読み取れません。役割と待ち時間を「primary:24h」のように書き、カンマで区切ってください（停止する場合は off）。',
    'escalation.config.unknown_role':
      '「{role}」は役割として使えません。primary, deputy, ciso, duty のいずれかを指定してください。',
    'escalation.config.repeated_role': '役割「{role}」が2回指定されています。各役割は1回までです。',
    'escalation.config.bad_wait': '「{step}」の待ち時間は1分以上30日以内にしてください（例: 30m, 4h, 2d）。',
  },
  en: {
    'escalation.role.primary': 'primary contact',
    'escalation.role.deputy': 'deputy contact',
    'escalation.role.ciso': 'chief information security officer (CISO)',
    'escalation.role.duty': 'duty officer',
    'escalation.heading': 'Please acknowledge ({org})',
    'escalation.body.poc':
      '{org} has not yet acknowledged the {kind} advisory {id} "{title}". As its {role}, please read it and acknowledge it.',
    'escalation.body.ciso':
      '{org} has not yet acknowledged the {kind} advisory {id} "{title}". Its points of contact were asked to acknowledge it and have not yet done so. Please have it read in your organisation and arrange for a point of contact to acknowledge it.',
    'escalation.body.duty':
      '{org} has not yet acknowledged the {kind} advisory {id} "{title}". The points of contact of {org} and others were asked and have not yet done so. As the duty officer, please contact {org}.',
    'escalation.step': 'This is step {step} of {steps}. Once it is acknowledged, nobody further is asked.',
    'escalation.status_button': 'Delivery status',
    'escalation.status.told': '{ack} (asked: up to step {step}, {role})',
    'chase.body.poc':
      'The {stage} to the {coordinator} of incident {id}, reported by {org}, is past its deadline. As the {role}, please report it with /csirt incident update {id}.',
    'chase.body.ciso':
      'The {stage} to the {coordinator} of incident {id}, reported by {org}, is past its deadline, and its points of contact have not reported yet. Please check with them and arrange for it to be reported.',
    'chase.body.duty':
      'The {stage} of incident {id}, reported by {org}, is past its deadline; the points of contact of {org} and others were asked and have not reported yet. As the duty officer, please contact {org}.',
    'chase.step': 'This is step {step} of {steps}. Once it is reported, nobody further is asked.',
    'chase.show_button': 'Show the incident',
    'escalation.config.bad_step':
      'cannot read "{step}" as a step. Write each role and its wait like "primary:24h", separated by commas (off to turn it off).',
    'escalation.config.unknown_role': '"{role}" is not a role of the chain. Use primary, deputy, ciso or duty.',
    'escalation.config.repeated_role': 'the role "{role}" is given twice. Each role may appear once.',
    'escalation.config.bad_wait': 'the wait of "{step}" must be from 1 minute to 30 days (e.g. 30m, 4h, 2d).',
  },
});
