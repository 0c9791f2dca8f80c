/**
 * What advisories look like in channels and direct messages. Every builder here is given only
 * what its reader may see: sources appear by name only when their report was shared
 * `attributed`; an anonymised source is never passed in, so it cannot leak into a post.
 */
import type { Bilingual } from '../core/errors.ts';
import type { OutMessage } from '../core/platform.ts';
import type { Block } from '../core/reply.ts';
import { expectsAck, kindOf } from '../domain/advisory-kind.ts';
import { declinedOrg } from '../domain/advisory-status.ts';
import { stricter } from '../domain/sharing.ts';
import { type Tlp, tlpLabel } from '../domain/tlp.ts';
import { keyOf, type Translate, t as translate } from '../i18n/index.ts';
import { marked, markMessage } from './exercise.ts';
import { markFields } from './marks-format.ts';

/** The fields of an advisory a message may show. */
export interface AdvisoryText {
  id: string;
  title: string;
  body: string;
  severity: string;
  tlp: string;
  /** warning (注意喚起) | info (情報提供) */
  kind: string;
  /** 機密性 and 取扱制限, shown beside TLP */
  confidentiality: number | null;
  handling: string | null;
  /** 訓練: every copy and view says so (src/services/exercise.ts) */
  exercise?: boolean;
}

export const label = (a: { tlp: string }) => tlpLabel(a.tlp as Tlp);

export function severityText(t: Translate, s: string): string {
  return t(keyOf('advisory.sev.', s));
}

/**
 * The status as a reader reads it; a rejected advisory says who ended it: a source that did not
 * consent, or the approver (rows from before `endedBy` existed: by the reason recorded).
 */
export function statusText(
  t: Translate,
  a: { status: string; endedBy?: string | null; reason?: string | null },
): string {
  if (a.status === 'rejected' && endedBySource(a)) return t('advisory.st.declined');
  return t(keyOf('advisory.st.', a.status));
}

/** Whether a rejected advisory was ended by a source's decline (not by the approver). */
export function endedBySource(a: { endedBy?: string | null; reason?: string | null }): boolean {
  return a.endedBy ? a.endedBy === 'source' : declinedOrg(a.reason) !== null;
}

/** 注意喚起 / 情報提供 ("Warning" / "Information"). */
export function kindText(t: Translate, a: { kind: string }): string {
  return t(keyOf('advisory.kind.', kindOf(a)));
}

/**
 * The kind as a sentence names it (注意喚起 / 情報提供; "warning" / "information"), in both
 * languages: the reader's is chosen when the text is made (a UserError's too).
 */
export function kindWord(a: { kind?: string | null }): Bilingual {
  const k = keyOf('advisory.kind_word.', kindOf(a));
  return { ja: translate('ja', k), en: translate('en', k) };
}

/** Several advisories: their one kind, or 注意喚起等 ("warning and information") when both. */
export function kindsWord(list: readonly { kind?: string | null }[]): Bilingual {
  const kinds = new Set(list.map((a) => kindOf(a)));
  if (kinds.size === 1) return kindWord(list[0] as { kind?: string | null });
  return { ja: translate('ja', 'advisory.kind_word.any'), en: translate('en', 'advisory.kind_word.any') };
}

/** 【注意喚起】TLP:AMBER ADV-2026-0001「件名」: how every copy and view of an advisory is headed. */
export function heading(t: Translate, a: AdvisoryText): string {
  return marked(
    t,
    a.exercise === true,
    t('advisory.post_heading', { kind: kindText(t, a), tlp: label(a), id: a.id, title: a.title }),
  );
}

/** A message about advisory `a`: opened by the exercise notice and marked when it is an exercise. */
function ex(t: Translate, a: AdvisoryText, msg: OutMessage): OutMessage {
  return markMessage(t, a.exercise === true, msg, 'advisory');
}

/** TLP and the handling marks beside it (機密性, 取扱制限), as fields. */
export function labelFields(t: Translate, a: AdvisoryText): [string, string][] {
  return [['TLP', label(a)], ...markFields(t, a)];
}

/** The advisory itself, as every audience channel (or TLP:RED recipient) receives it. */
export function broadcastMessage(t: Translate, a: AdvisoryText, attributed: readonly string[]): OutMessage {
  return ex(t, a, broadcastMessagePlain(t, a, attributed));
}

function broadcastMessagePlain(t: Translate, a: AdvisoryText, attributed: readonly string[]): OutMessage {
  const fields: [string, string][] = [...labelFields(t, a), [t('advisory.f.severity'), severityText(t, a.severity)]];
  if (attributed.length > 0) fields.push([t('advisory.f.sources'), attributed.join(', ')]);
  const ack = expectsAck(a);
  return {
    blocks: [
      { kind: 'heading', text: heading(t, a) },
      { kind: 'fields', fields },
      { kind: 'text', text: a.body },
      { kind: 'context', text: `${label(a)}: ${t(keyOf('advisory.handling.', a.tlp))}` },
      // 情報提供: nothing to acknowledge, so no button and no request to press one
      { kind: 'context', text: t(ack ? 'advisory.ack_hint' : 'advisory.info_hint') },
    ],
    ...(ack
      ? { actions: [{ label: t('advisory.ack_button'), command: `advisory ack ${a.id}`, style: 'primary' }] }
      : {}),
    readMore: `advisory status ${a.id}`,
  };
}

/** What replaces every delivered copy when the advisory is withdrawn. */
export function withdrawnMessage(t: Translate, a: AdvisoryText): OutMessage {
  return ex(t, a, withdrawnMessagePlain(t, a));
}

function withdrawnMessagePlain(t: Translate, a: AdvisoryText): OutMessage {
  return {
    blocks: [
      {
        kind: 'heading',
        text: `${label(a)} ${t('advisory.withdrawn_heading', { kind: kindText(t, a), id: a.id, title: a.title })}`,
      },
      { kind: 'text', text: t('advisory.withdrawn_body', { id: a.id, kind: kindWord(a) }) },
    ],
  };
}

/** What a consent request shows besides the advisory itself. */
export interface ConsentAsk {
  /** the advisory's version the answer is for (the buttons carry it) */
  version: number;
  /** the organisation's own reports used as sources */
  incidents: readonly string[];
  /** where it will be delivered (organisation codes or people) */
  audience: string;
  /** the sources named in what is sent, as the copies will show them */
  named: readonly string[];
  /** whether the asked organisation is itself among the named */
  namedSelf: boolean;
  /** its reports labelled stricter than the advisory: the lower label needs its explicit agreement */
  lower: readonly { incident: string; tlp: Tlp }[];
}

/**
 * To a source organisation's PoC: the exact final text — title, TLP, severity, recipients, the
 * sources named, the body — and Consent / Decline for that version of it.
 */
export function consentRequest(t: Translate, a: AdvisoryText, o: ConsentAsk): OutMessage {
  return ex(t, a, consentRequestPlain(t, a, o));
}

function consentRequestPlain(t: Translate, a: AdvisoryText, o: ConsentAsk): OutMessage {
  const fields: [string, string][] = [
    [t('advisory.f.kind'), kindText(t, a)],
    [t('advisory.f.title'), a.title],
    ...labelFields(t, a),
    [t('advisory.f.severity'), severityText(t, a.severity)],
    [t('advisory.f.targets'), o.audience],
  ];
  if (o.named.length > 0) fields.push([t('advisory.f.sources'), o.named.join(', ')]);
  const blocks: Block[] = [
    { kind: 'heading', text: t('advisory.consent_heading', { id: a.id, kind: kindWord(a) }) },
    {
      kind: 'text',
      text: t('advisory.consent_body', {
        incidents: o.incidents.join(', '),
        count: o.incidents.length,
        kind: kindWord(a),
      }),
    },
    {
      kind: 'text',
      text: t(o.namedSelf ? 'advisory.consent_named' : 'advisory.consent_anonymous', { kind: kindWord(a) }),
    },
    { kind: 'fields', fields },
    { kind: 'code', text: a.body },
  ];
  const agree = o.lower.length > 0 ? ` tlp=${a.tlp}` : '';
  if (o.lower.length > 0) {
    const strictest = o.lower.reduce((m, x) => (stricter(x.tlp, m) ? x.tlp : m), o.lower[0]?.tlp as Tlp);
    blocks.push({
      kind: 'text',
      text: t('advisory.consent_lower_tlp', {
        incidents: o.lower.map((x) => x.incident).join(', '),
        source: tlpLabel(strictest),
        tlp: label(a),
        kind: kindWord(a),
        command: `/csirt advisory consent ${a.id} yes${agree} version=${o.version}`,
      }),
    });
  }
  return {
    blocks,
    actions: [
      {
        label: t('advisory.consent_yes'),
        command: `advisory consent ${a.id} yes${agree} version=${o.version}`,
        style: 'primary',
      },
      { label: t('advisory.consent_no'), command: `advisory consent ${a.id} no version=${o.version}`, style: 'danger' },
    ],
  };
}

/** To the drafter: the advisory went back to the consent step, and why. */
export function reconsentNotice(t: Translate, a: AdvisoryText, reasons: string): OutMessage {
  return ex(t, a, reconsentNoticePlain(t, a, reasons));
}

function reconsentNoticePlain(t: Translate, a: AdvisoryText, reasons: string): OutMessage {
  return {
    blocks: [
      { kind: 'text', text: t('advisory.notice_reconsent', { id: a.id, title: a.title, reasons, kind: kindWord(a) }) },
    ],
  };
}

/**
 * To NISC's channel: an advisory waits for approval, with the exact list of targets. For
 * TLP:RED the channel gets neither title nor body (approvers read them with `advisory status`).
 */
export function approvalPrompt(t: Translate, a: AdvisoryText, targets: readonly string[]): OutMessage {
  return ex(t, a, approvalPromptPlain(t, a, targets));
}

function approvalPromptPlain(t: Translate, a: AdvisoryText, targets: readonly string[]): OutMessage {
  const blocks: Block[] = [
    { kind: 'heading', text: `${label(a)} ${t('advisory.review_heading', { kind: kindText(t, a), id: a.id })}` },
  ];
  if (a.tlp === 'red') {
    blocks.push({
      kind: 'text',
      text: t('advisory.review_red', { id: a.id, count: targets.length, kind: kindWord(a) }),
    });
  } else {
    blocks.push(
      {
        kind: 'fields',
        fields: [
          [t('advisory.f.title'), a.title],
          ...markFields(t, a),
          [t('advisory.f.severity'), severityText(t, a.severity)],
        ],
      },
      { kind: 'code', text: a.body },
      { kind: 'text', text: `${t('advisory.f.targets')} (${targets.length}):\n${targets.join('\n')}` },
    );
  }
  blocks.push({ kind: 'context', text: t('advisory.review_hint', { id: a.id }) });
  return { blocks, actions: [{ label: t('advisory.approve_button'), command: `advisory approve ${a.id}` }] };
}

/** A reminder to acknowledge, to an organisation (or TLP:RED recipient) that has not. */
export function reminderMessage(t: Translate, a: AdvisoryText, n: number): OutMessage {
  return ex(t, a, reminderMessagePlain(t, a, n));
}

function reminderMessagePlain(t: Translate, a: AdvisoryText, n: number): OutMessage {
  return {
    blocks: [
      { kind: 'heading', text: `${label(a)} ${t('advisory.reminder_heading', { id: a.id, n })}` },
      { kind: 'text', text: t('advisory.reminder_body', { id: a.id, title: a.title, kind: kindWord(a) }) },
    ],
    actions: [{ label: t('advisory.ack_button'), command: `advisory ack ${a.id}`, style: 'primary' }],
  };
}

/** To the drafter: a source declined, or an approver rejected. */
export function closedNotice(
  t: Translate,
  a: { id: string; title: string; kind: string; exercise?: boolean },
  key: 'declined' | 'rejected',
  reason: string,
): OutMessage {
  return markMessage(t, a.exercise === true, closedNoticePlain(t, a, key, reason), 'advisory');
}

function closedNoticePlain(
  t: Translate,
  a: { id: string; title: string; kind: string },
  key: 'declined' | 'rejected',
  reason: string,
): OutMessage {
  return {
    blocks: [
      { kind: 'text', text: t(`advisory.notice_${key}`, { id: a.id, title: a.title, reason, kind: kindWord(a) }) },
    ],
  };
}
