import { defineCatalog } from './catalog.ts';

/** Advisories (注意喚起) and the TLP rules. TLP labels are written in capitals and never translated. */
export const advisory = defineCatalog({
  ja: {
    'input.tlp': 'TLP は clear, green, amber, amber+strict, red のいずれかを指定してください',

    'tlp.red_no_channels':
      '{tlp} の情報はチャンネルには配信できません。audience= は指定せず、recipients= に受信者を個別に指定してください。',
    'tlp.red_needs_recipients': '{tlp} の{kind}には、受信者（recipients）を個別に指定してください。',
    'tlp.recipients_only_red':
      '個人宛ての配信（recipients=）は TLP:RED の場合のみ指定できます。{tlp} では audience= に組織を指定してください。',
    'tlp.amber_no_all':
      '{tlp} の情報は、知る必要のある組織に限って共有するものです。audience=all（全組織）は指定できませんので、配信先の組織コードを列挙してください。',
    'tlp.audience_required': '{tlp} の{kind}には配信先（audience=all または組織コードの列挙）を指定してください。',
    'tlp.not_in_audience': '{tlp} の{kind}は、配信先に含まれない組織 {org} のチャンネルには配信できません。',
    'tlp.not_a_recipient': '{tlp} の{kind}は、指定された受信者以外（{user}）には配信できません。',

    'advisory.sev.low': '低',
    'advisory.sev.medium': '中',
    'advisory.sev.high': '高',
    'advisory.sev.critical': '緊急',
    'advisory.st.draft': '起案中',
    'advisory.st.consent': '情報提供元の同意確認中',
    'advisory.st.review': '承認待ち',
    'advisory.st.approved': '承認済み（配信中）',
    'advisory.st.sent': '配信完了',
    'advisory.st.rejected': '承認者が却下',
    'advisory.st.declined': '同意が得られなかったため中止',
    'advisory.kind.warning': '注意喚起',
    'advisory.kind.info': '情報提供',
    'advisory.kind_word.warning': '注意喚起',
    'advisory.kind_word.info': '情報提供',
    'advisory.kind_word.any': '注意喚起等',
    'advisory.action.submit': '提出',
    'advisory.action.consent': '同意の回答',
    'advisory.action.approve': '承認',
    'advisory.action.reject': '却下',
    'advisory.action.withdraw': '取下げ',
    'advisory.action.ack': '受領確認',
    'advisory.f.kind': '種類',
    'advisory.info_hint': '情報提供のため、受領確認は不要です。',
    'advisory.ack_not_expected': '{id} は情報提供のため、受領確認は不要です。何も記録していません。',
    'advisory.declined_by': '{org} が同意しませんでした',
    'advisory.confidentiality_below_source':
      '情報提供元のインシデント（{incidents}）は機密性{level}です。この{kind}の機密性をこれより低くすることはできません。confidentiality={value} 以上を指定してください。何も記録していません。',
    'advisory.handling_below_source':
      '情報提供元のインシデント（{incidents}）には取扱制限（{marks}）が付されています。この{kind}にも同じ取扱制限を付してください（handling={value}）。何も記録していません。',
    'advisory.list_title': '注意喚起等の一覧（{count} 件）',
    'advisory.list_empty': '該当する注意喚起等はありません。',
    'advisory.f.id': '注意喚起番号',
    'advisory.f.created': '起案日時',
    'advisory.st.withdrawn': '取下げ',
    'advisory.share.none': '共有不可',
    'advisory.share.anonymized': '組織名を伏せて共有可',
    'advisory.share.attributed': '組織名を明示して共有可',
    'advisory.consent.pending': '同意待ち',
    'advisory.consent.given': '同意済み',
    'advisory.consent.declined': '不同意',

    'advisory.f.title': '件名',
    'advisory.f.severity': '重大度',
    'advisory.f.sources': '情報提供元',
    'advisory.f.targets': '配信先',
    'advisory.f.targets_planned': '配信先（{count} 件）:',
    'advisory.f.status': '状態',
    'advisory.f.reason': '理由',
    'advisory.f.drafter': '起案者',
    'advisory.f.approver': '承認者',
    'advisory.f.sent_at': '配信完了',
    'advisory.f.incident': 'インシデント',
    'advisory.f.org': '組織',
    'advisory.f.share': '共有可否',
    'advisory.f.consent': '同意',
    'advisory.f.target': '配信先',
    'advisory.f.delivery': '配信',
    'advisory.f.ack': '受領確認',

    'advisory.post_heading': '【{kind}】{tlp} {id}「{title}」',
    'advisory.handling.clear': '公開に制限はありません。',
    'advisory.handling.green': 'コミュニティ内で共有できますが、公開の場には掲載しないでください。',
    'advisory.handling.amber': '貴組織内およびその委託先等に限り、知る必要のある範囲で共有してください。',
    'advisory.handling.amber+strict': '貴組織内に限り、知る必要のある範囲で共有してください。',
    'advisory.handling.red': '受信者ご本人限りとし、他の方には共有しないでください。',
    'advisory.ack_hint': 'ご確認のうえ、受領確認をお願いいたします。',
    'advisory.ack_button': '受領確認',
    'advisory.withdrawn_heading': '【取下げ】{kind} {id}「{title}」',
    'advisory.withdrawn_body':
      'この{kind}（{id}）は{coordinator}により取り下げられました。本件に基づく対応は不要です。既に共有された場合は、共有先にもお知らせください。',
    'advisory.consent_heading': '情報提供元の同意のお願い（{kind} {id}）',
    'advisory.consent_body':
      '貴組織からご報告いただいたインシデント（{incidents}）の情報を、次の{kind}に利用することについて、ご同意をお願いいたします。配信される内容は以下のとおりです。同意の後に内容、報告の共有可否または TLP が変わった場合は、改めてご同意をお願いします。',
    'advisory.consent_named':
      'この{kind}では、貴組織名を情報提供元として記載します（インシデント番号は記載しません）。',
    'advisory.consent_anonymous': '貴組織名やインシデント番号は、配信される内容には記載しません。',
    'advisory.consent_lower_tlp':
      '貴組織の報告（{incidents}）は {source} ですが、この{kind}は {tlp} で配信されます。より緩い区分での配信にご同意いただける場合は「同意する」を押すか、{command} と入力してください。',
    'advisory.consent_yes': '同意する',
    'advisory.consent_no': '同意しない',
    'advisory.review_heading': '{kind} {id} の承認をお願いします',
    'advisory.review_red':
      'TLP:RED の{kind} {id}（受信者 {count} 名）が承認待ちです。件名・本文・受信者は /csirt advisory status {id} でご確認ください。',
    'advisory.review_hint':
      '承認は起案者以外の承認者が行ってください。却下する場合は /csirt advisory reject {id} reason="…" を実行してください。',
    'advisory.approve_button': '承認して配信',
    'advisory.reminder_heading': '受領確認のお願い（{n} 回目）',
    'advisory.reminder_body':
      '{kind} {id}「{title}」の受領確認がまだ行われていません。内容をご確認のうえ、受領確認をお願いいたします。',
    'advisory.notice_declined':
      '{kind} {id}「{title}」は、情報提供元（{reason}）の同意が得られなかったため中止しました。配信はしていません。',
    'advisory.notice_rejected': '{kind} {id}「{title}」は承認者が却下しました。理由: {reason}',
    'advisory.notice_reconsent':
      '{kind} {id}「{title}」は、情報提供元の同意の後に変更があったため、同意の確認に戻しました（{reasons}）。情報提供元には改めて同意をお願いしています。未配信の分は配信を取り消しました。',
    'advisory.approve_reconsent':
      '{kind} {id} は承認できませんでした。情報提供元の同意の後に変更があったため（{reasons}）、同意の確認に戻しました。起案者に通知しました。',
    'advisory.why.share_changed': '{incident} の共有可否が「{from}」から「{to}」に変更されました',
    'advisory.why.tlp_changed': '{incident} の TLP が {from} から {to} に変更されました',
    'advisory.why.text_changed': '配信される内容が同意の後に変わりました',
    'advisory.why.confidentiality_raised': '{incident} の機密性が機密性{level}に引き上げられました',
    'advisory.why.handling_added': '{incident} に取扱制限（{marks}）が付されました',
    'advisory.why.label_not_agreed': '{incident} は {source} ですが、{tlp} での配信への同意がありません',
    'advisory.why.no_consent': '{org} の同意がまだありません',
    'advisory.why.sep': '、',
    'advisory.agreed_tlp': '{tlp} での配信に同意',
    'advisory.earlier_copies': '以前の版は {count} 件配信済みです（同意の確認に戻る前に配信されたもの）。',
    'advisory.draft_lower_tlp':
      'インシデント {incident} は {source} です。{tlp} で配信するには、提出後に情報提供元の組織から、この区分での配信への同意が必要です。',
    'advisory.by_dm': '個人宛て',
    'advisory.no_channel': '（チャンネル未設定のため配信できません）',
    'advisory.not_connected': '（この基盤には接続していないため配信できません）',
    'advisory.anonymous_note':
      '組織名を明示した共有の同意がない情報提供元は、配信物・受信組織向けの表示には一切記載しません。',
    'advisory.d.sent': '配信済み {at}',
    'advisory.d.failed': '配信失敗（{reason}）',
    'advisory.d.pending': '配信待ち',
    'advisory.d.cancelled': '配信取消',
    'advisory.d.withdrawn': '取下げを表示済み',
    'advisory.d.none': '-',
    'advisory.ack_by': '{by} {at}',
    'advisory.ack_none': '未確認',
    'advisory.ack_summary': '受領確認: {total} 件中 {acked} 件',

    'advisory.unknown_recipient': '受信者 {user} は担当者として登録されていません。登録済みの方を指定してください。',
    'advisory.unknown_org': '配信先の組織「{org}」は登録されていません。/csirt org list で組織コードをご確認ください。',
    'advisory.source_not_found':
      '情報提供元のインシデント {incident} は見つかりません。インシデント番号をご確認ください。',
    'advisory.source_no_poc':
      '情報提供元の組織 {org} に窓口担当者（poc）が登録されていないため、同意を確認できません。先に担当者を登録してください。',
    'advisory.consent_stale':
      '{kind} {id} の内容または情報提供元の報告が、この同意依頼（第 {version} 版）の後に変わりました。最新の同意依頼（第 {current} 版）をご確認のうえ、改めてご回答ください。何も記録していません。',
    'advisory.consent_needs_tlp':
      '{kind} {id} は {tlp} で配信されますが、貴組織の報告（{incidents}）は {source} です。より緩い区分での配信にご同意いただける場合は、tlp={value} を付けてもう一度ご回答ください（/csirt advisory consent {id} yes tlp={value}）。何も記録していません。',
    'advisory.consent_tlp_mismatch':
      '{kind} {id} は {tlp} で配信されます。{given} への同意は記録できません。tlp= にはこの{kind}と同じ区分を指定してください。',
    'advisory.consent_done': '{kind} {id} についての貴組織の回答は既に記録されています。',
    'advisory.consent_restarted':
      '{kind} {id} は、同意依頼の後に内容または報告の共有可否・TLP が変わっていました（{reasons}）。ご回答は記録していません。現在の内容で改めて同意依頼をお送りしましたので、ご確認のうえご回答ください。',
    'advisory.consent_restarted_text':
      '{kind} {id} は、同意依頼の後に配信される内容が変わっていました。ご回答は記録していません。現在の内容で改めて同意依頼をお送りしましたので、ご確認のうえご回答ください。',
    'advisory.four_eyes':
      '{kind} {id} はご自身が起案したものです。起案者は承認・却下できませんので、別の承認者にご依頼ください。',
    'advisory.already_acked': '{kind} {id} は、{at} に {by} により既に受領確認されています。',
    'advisory.not_found': '{id} は見つかりません。注意喚起番号をご確認ください。',
    'advisory.names_source':
      '件名または本文に、組織名の明示に同意していない情報提供元を特定できる記載（「{word}」、{incident} 関係）があります。該当箇所を削除してから起案・承認してください。',
    'advisory.is_draft':
      '{kind} {id} はまだ起案中のため、{action}はできません。先に /csirt advisory submit {id} で提出してください。',
    'advisory.is_consent': '{kind} {id} は情報提供元の同意確認中のため、{action}はできません。',
    'advisory.is_review': '{kind} {id} は承認待ちのため、{action}はできません。',
    'advisory.is_approved': '{kind} {id} は既に承認され配信中のため、{action}はできません。',
    'advisory.is_sent': '{kind} {id} は既に配信が完了しているため、{action}はできません。',
    'advisory.is_rejected': '{kind} {id} は却下されているため、{action}はできません。',
    'advisory.is_withdrawn': '{kind} {id} は取り下げられているため、{action}はできません。',

    'advisory.drafted': '{kind} {id}（{tlp}）を起案しました。内容をご確認のうえ、提出してください。',
    'advisory.submit_button': '提出する',
    'advisory.submitted_review': '{kind} {id} を提出しました。同意の必要な情報提供元はなく、承認待ちとなりました。',
    'advisory.submitted_consent':
      '{kind} {id} を提出しました。情報提供元（{orgs}）の窓口担当者に同意を依頼しました。全ての同意が得られた後、承認待ちとなります。',
    'advisory.consent_recorded': '{kind} {id} への同意を記録しました。他の情報提供元の回答をお待ちしています。',
    'advisory.consent_complete': '{kind} {id} への同意を記録しました。必要な同意が揃ったため、承認待ちとなりました。',
    'advisory.consent_declined': '{kind} {id} への不同意を記録しました。この{kind}は配信されません。',
    'advisory.approved': '{kind} {id} を承認しました。次の配信先 {count} 件に配信します（配信 {deliveries} 件）。',
    'advisory.rejected': '{kind} {id} を却下しました。起案者に通知します。',
    'advisory.withdrawn':
      '{kind} {id} を取り下げました。配信済みの {updated} 件に取下げを表示し、未配信の {cancelled} 件の配信を取り消しました。',
    'advisory.acked': '{kind} {id} の受領確認を記録しました（{org}）。ご対応ありがとうございます。',
  },
  en: {
    'input.tlp': 'TLP is one of clear, green, amber, amber+strict, red',

    'tlp.red_no_channels':
      '{tlp} information is never posted to a channel. Leave audience= out and name each person in recipients=.',
    'tlp.red_needs_recipients': 'A {tlp} {kind} advisory needs named recipients (recipients=…).',
    'tlp.recipients_only_red':
      'Direct messages (recipients=) are for TLP:RED only. For {tlp}, name organisations in audience=.',
    'tlp.amber_no_all':
      '{tlp} information is shared only with the organisations that need to know: audience=all is not allowed. List the organisation codes instead.',
    'tlp.audience_required': 'A {tlp} {kind} advisory needs an audience (audience=all or organisation codes).',
    'tlp.not_in_audience': 'A {tlp} {kind} advisory cannot go to the channel of {org}, which is not in its audience.',
    'tlp.not_a_recipient': 'A {tlp} {kind} advisory cannot go to anyone but its named recipients ({user}).',

    'advisory.sev.low': 'low',
    'advisory.sev.medium': 'medium',
    'advisory.sev.high': 'high',
    'advisory.sev.critical': 'critical',
    'advisory.st.draft': 'draft',
    'advisory.st.consent': 'waiting for source consent',
    'advisory.st.review': 'waiting for approval',
    'advisory.st.approved': 'approved (delivering)',
    'advisory.st.sent': 'sent',
    'advisory.st.rejected': 'rejected by the approver',
    'advisory.st.declined': 'declined by a source',
    'advisory.kind.warning': 'Warning',
    'advisory.kind.info': 'Information',
    'advisory.kind_word.warning': 'warning',
    'advisory.kind_word.info': 'information',
    'advisory.kind_word.any': 'warning and information',
    'advisory.action.submit': 'submitting',
    'advisory.action.consent': 'answering the consent request',
    'advisory.action.approve': 'approving',
    'advisory.action.reject': 'rejecting',
    'advisory.action.withdraw': 'withdrawing',
    'advisory.action.ack': 'acknowledging',
    'advisory.f.kind': 'Kind',
    'advisory.info_hint': 'For information: no acknowledgement is needed.',
    'advisory.ack_not_expected': '{id} is for information: no acknowledgement is needed. Nothing was recorded.',
    'advisory.declined_by': '{org} did not consent',
    'advisory.confidentiality_below_source':
      'The source incidents ({incidents}) are confidentiality level {level}: this {kind} advisory cannot be marked lower. Please give confidentiality={value} or higher. Nothing was recorded.',
    'advisory.handling_below_source':
      'The source incidents ({incidents}) carry the handling marks {marks}: this {kind} advisory must carry them too (handling={value}). Nothing was recorded.',
    'advisory.list_title': 'Advisories ({count})',
    'advisory.list_empty': 'No advisory matches.',
    'advisory.f.id': 'Advisory ID',
    'advisory.f.created': 'Drafted',
    'advisory.st.withdrawn': 'withdrawn',
    'advisory.share.none': 'not shareable',
    'advisory.share.anonymized': 'shareable anonymised',
    'advisory.share.attributed': 'shareable with attribution',
    'advisory.consent.pending': 'pending',
    'advisory.consent.given': 'given',
    'advisory.consent.declined': 'declined',

    'advisory.f.title': 'Title',
    'advisory.f.severity': 'Severity',
    'advisory.f.sources': 'Sources',
    'advisory.f.targets': 'Recipients',
    'advisory.f.targets_planned': 'Will be delivered to ({count}):',
    'advisory.f.status': 'Status',
    'advisory.f.reason': 'Reason',
    'advisory.f.drafter': 'Drafted by',
    'advisory.f.approver': 'Approved by',
    'advisory.f.sent_at': 'Delivery completed',
    'advisory.f.incident': 'Incident',
    'advisory.f.org': 'Organisation',
    'advisory.f.share': 'Sharing',
    'advisory.f.consent': 'Consent',
    'advisory.f.target': 'Recipient',
    'advisory.f.delivery': 'Delivery',
    'advisory.f.ack': 'Acknowledged',

    'advisory.post_heading': '[{kind}] {tlp} {id} "{title}"',
    'advisory.handling.clear': 'Disclosure is not limited.',
    'advisory.handling.green': 'Share within the community; not on public channels.',
    'advisory.handling.amber': 'Share within your organisation and its clients, on a need-to-know basis.',
    'advisory.handling.amber+strict': 'Share within your organisation only, on a need-to-know basis.',
    'advisory.handling.red': 'For the named recipients only; do not share further.',
    'advisory.ack_hint': 'Please acknowledge receipt.',
    'advisory.ack_button': 'Acknowledge',
    'advisory.withdrawn_heading': '[WITHDRAWN] {kind} {id} "{title}"',
    'advisory.withdrawn_body':
      'This {kind} advisory ({id}) has been withdrawn by the {coordinator}. No action based on it is needed. If you passed it on, please tell those you shared it with.',
    'advisory.consent_heading': 'Consent requested as a source ({kind} advisory {id})',
    'advisory.consent_body':
      'Please consent to the use of the information from your incident {count|report|reports} ({incidents}) in the {kind} advisory below, which shows exactly what will be sent. Should the text, or the sharing or TLP of your report, change after your consent, you will be asked again.',
    'advisory.consent_named': 'This {kind} advisory names your organisation as a source (not your incident numbers).',
    'advisory.consent_anonymous': 'Neither your organisation nor your incident numbers are named in what is sent.',
    'advisory.consent_lower_tlp':
      'What your organisation reported ({incidents}) is labelled {source}, but this {kind} advisory is sent as {tlp}. If you agree to that lower label, press Consent or type {command}.',
    'advisory.consent_yes': 'Consent',
    'advisory.consent_no': 'Decline',
    'advisory.review_heading': 'Advisory {id} ({kind}) is waiting for approval',
    'advisory.review_red':
      'The TLP:RED {kind} advisory {id} ({count} {count|recipient|recipients}) is waiting for approval. Read its title, body and recipients with /csirt advisory status {id}.',
    'advisory.review_hint':
      'It must be approved by an approver other than its drafter. To reject it: /csirt advisory reject {id} reason="…".',
    'advisory.approve_button': 'Approve and send',
    'advisory.reminder_heading': 'Please acknowledge (reminder {n})',
    'advisory.reminder_body':
      'The {kind} advisory {id} "{title}" has not been acknowledged yet. Please read it and acknowledge.',
    'advisory.notice_declined':
      'The {kind} advisory {id} "{title}" has been stopped, declined by a source: {reason} did not consent to the use of its information.',
    'advisory.notice_rejected': 'The {kind} advisory {id} "{title}" was rejected by the approver. Reason: {reason}',
    'advisory.notice_reconsent':
      'The {kind} advisory {id} "{title}" went back to the consent step: things changed after its sources consented ({reasons}). The sources are asked again; copies not yet delivered were cancelled.',
    'advisory.approve_reconsent':
      'The {kind} advisory {id} could not be approved: things changed after its sources consented ({reasons}). It went back to the consent step and its drafter has been told.',
    'advisory.why.share_changed': 'the sharing of {incident} changed from "{from}" to "{to}"',
    'advisory.why.tlp_changed': 'the TLP of {incident} changed from {from} to {to}',
    'advisory.why.text_changed': 'what will be sent changed after the consent',
    'advisory.why.confidentiality_raised': 'the confidentiality of {incident} was raised to level {level}',
    'advisory.why.handling_added': '{incident} now carries the handling marks {marks}',
    'advisory.why.label_not_agreed': '{incident} is {source}, and sending it as {tlp} was not agreed',
    'advisory.why.no_consent': '{org} has not consented yet',
    'advisory.why.sep': '; ',
    'advisory.agreed_tlp': 'agreed to {tlp}',
    'advisory.earlier_copies':
      '{count} {count|copy|copies} of an earlier version {count|was|were} delivered (before it went back to the consent step).',
    'advisory.draft_lower_tlp':
      'The source {incident} is {source}. To send it as {tlp}, the source organisation must agree to that label when it is asked to consent.',
    'advisory.by_dm': 'direct message',
    'advisory.no_channel': '(no channel set: cannot be delivered)',
    'advisory.not_connected': '(the bot is not connected to this platform)',
    'advisory.anonymous_note':
      'Sources without consent to attribution are never named in what is sent or in what recipients see.',
    'advisory.d.sent': 'delivered ({at})',
    'advisory.d.failed': 'failed ({reason})',
    'advisory.d.pending': 'pending',
    'advisory.d.cancelled': 'cancelled',
    'advisory.d.withdrawn': 'marked withdrawn',
    'advisory.d.none': '-',
    'advisory.ack_by': '{by} ({at})',
    'advisory.ack_none': 'not yet',
    'advisory.ack_summary': 'Acknowledged: {acked} of {total}',

    'advisory.unknown_recipient': 'The recipient {user} is not registered. Please name registered people.',
    'advisory.unknown_org': 'The audience organisation "{org}" is not registered. See /csirt org list for the codes.',
    'advisory.source_not_found': 'The source incident {incident} was not found. Please check the id.',
    'advisory.source_no_poc':
      'The source organisation {org} has no registered point of contact (poc) to give consent. Please register one first.',
    'advisory.consent_stale':
      'The {kind} advisory {id}, or the state of its sources, changed after this request (version {version}). Please read the latest request (version {current}) and answer it. Nothing was recorded.',
    'advisory.consent_needs_tlp':
      'The {kind} advisory {id} is sent as {tlp}, but what your organisation reported ({incidents}) is labelled {source}. If you agree to that lower label, answer again with tlp={value} (/csirt advisory consent {id} yes tlp={value}). Nothing was recorded.',
    'advisory.consent_tlp_mismatch':
      'The {kind} advisory {id} is sent as {tlp}: consent to {given} cannot be recorded. Give the label of the {kind} advisory in tlp=.',
    'advisory.consent_done': "Your organisation's answer on the {kind} advisory {id} has already been recorded.",
    'advisory.consent_restarted':
      'The {kind} advisory {id} had changed since the consent request ({reasons}). Your answer has not been recorded. A new request with the current text has been sent: please review it and answer again.',
    'advisory.consent_restarted_text':
      'What the {kind} advisory {id} will send had changed since the consent request. Your answer has not been recorded. A new request with the current text has been sent: please review it and answer again.',
    'advisory.four_eyes':
      'You drafted the {kind} advisory {id}. Its drafter cannot approve or reject it: please ask another approver.',
    'advisory.already_acked': 'The {kind} advisory {id} was already acknowledged by {by} ({at}).',
    'advisory.not_found': '{id} was not found. Please check the advisory ID.',
    'advisory.names_source':
      'The title or body identifies a source that has not agreed to be named ("{word}", from {incident}). Please remove it before drafting or approving.',
    'advisory.is_draft':
      'The {kind} advisory {id} is still a draft: {action} is not possible. Submit it first with /csirt advisory submit {id}.',
    'advisory.is_consent': 'The {kind} advisory {id} is waiting for source consent: {action} is not possible.',
    'advisory.is_review': 'The {kind} advisory {id} is waiting for approval: {action} is not possible.',
    'advisory.is_approved':
      'The {kind} advisory {id} is already approved and being delivered: {action} is not possible.',
    'advisory.is_sent': 'The {kind} advisory {id} has already been sent: {action} is not possible.',
    'advisory.is_rejected': 'The {kind} advisory {id} was rejected: {action} is not possible.',
    'advisory.is_withdrawn': 'The {kind} advisory {id} was withdrawn: {action} is not possible.',

    'advisory.drafted': 'Drafted advisory {id} ({kind}, {tlp}). Please check it and submit it.',
    'advisory.submit_button': 'Submit',
    'advisory.submitted_review':
      'Submitted the {kind} advisory {id}. No source needs to consent: it is waiting for approval.',
    'advisory.submitted_consent':
      "Submitted the {kind} advisory {id}. The sources' points of contact ({orgs}) have been asked to consent; it goes to approval once all have.",
    'advisory.consent_recorded': 'Recorded your consent to the {kind} advisory {id}. Other sources have yet to answer.',
    'advisory.consent_complete':
      'Recorded your consent to the {kind} advisory {id}. Every consent is in: it now waits for approval.',
    'advisory.consent_declined':
      'Recorded that you decline the {kind} advisory {id}. This {kind} advisory will not be sent.',
    'advisory.approved':
      'Approved the {kind} advisory {id}. Delivering to the following {count} {count|recipient|recipients} ({deliveries} {deliveries|delivery|deliveries}):',
    'advisory.rejected': 'Rejected the {kind} advisory {id}. Its drafter will be told.',
    'advisory.withdrawn':
      'Withdrew the {kind} advisory {id}: {updated} delivered {updated|copy is|copies are} marked withdrawn and {cancelled} pending {cancelled|delivery|deliveries} cancelled.',
    'advisory.acked': 'Recorded your acknowledgement of the {kind} advisory {id} ({org}). Thank you.',
  },
});
