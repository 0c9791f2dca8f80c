/** Argument schemas shared by report, incident and ioc. */
import * as z from 'zod';
import { HANDLING_MARKS, parseHandling } from '../src/domain/handling.ts';
import { foldCode } from '../src/domain/ids.ts';
import { CATEGORIES, CATEGORY_CODES, findCategory } from '../src/domain/incident-categories.ts';
import { SEVERITIES, SHARES, STATUSES, TLPS } from '../src/domain/incident-status.ts';
import { DISCLOSURE, PERSONAL, parseNotified } from '../src/domain/report-contents.ts';
import { plausibleTime, text, tokyoDateTime } from './args.ts';

/** any case, full-width forms accepted (src/domain/ids.ts foldCode) */
const lower = (v: unknown) => (typeof v === 'string' ? foldCode(v).toLowerCase() : v);

/** a category code or its Japanese label (`malware`, `マルウェア感染`) → the code */
export const category = z.preprocess(
  (v) => (typeof v === 'string' ? (findCategory(v)?.code ?? v) : v),
  z.enum(CATEGORY_CODES as [string, ...string[]], { error: 'input.category' }),
);
export const severity = z.preprocess(lower, z.enum(SEVERITIES));
/** `amber`, `TLP:AMBER`, `amber+strict` */
export const tlp = z.preprocess(
  (v) => (typeof v === 'string' ? foldCode(v).toLowerCase().replace(/^tlp:/, '') : v),
  z.enum(TLPS),
);
export const share = z.preprocess(lower, z.enum(SHARES));
export const status = z.preprocess(lower, z.enum(STATUSES));
export const indicators = z.array(z.string().trim().min(1));

/**
 * 取扱制限: marks from the fixed list (data/handling-marks.json), comma-separated, as codes or
 * labels; NFKC-normalised, an invisible or control character refused (src/domain/handling.ts).
 */
export const handling = z.string().transform((v, ctx) => {
  const r = parseHandling(v);
  if (r.ok) return r.codes;
  ctx.addIssue({ code: 'custom', message: r.code, params: r.params });
  return z.NEVER;
});

/** `value` or one of its Japanese spellings → the value (`あり` → `yes`). */
const aliased = (aliases: Record<string, string>) => (v: unknown) => {
  if (typeof v !== 'string') return v;
  const k = v.normalize('NFKC').trim().toLowerCase();
  return aliases[k] ?? k;
};
/** a count (records, hosts): full-width digits and separators as people type them (`１２０`, `1,200`) */
const count = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .normalize('NFKC')
          .trim()
          .replace(/(?<=\d),(?=\d{3}(?:\D|$))/g, '')
      : v,
  z.coerce.number({ error: 'input.count' }).int('input.count').min(0, 'input.count').max(1_000_000_000, 'input.count'),
);

/** The report items (issue 17): optional at 速報, asked for as the report matures. */
export const contentArgs = {
  awareness: plausibleTime(tokyoDateTime, 'incidentTime').optional(),
  contact: text(500).optional(),
  found: text(2000).optional(),
  damage: text(2000).optional(),
  personal: z
    .preprocess(
      aliased({ なし: 'none', 無し: 'none', あり: 'yes', 有り: 'yes', 不明: 'unknown', 調査中: 'unknown' }),
      z.enum(PERSONAL),
    )
    .optional(),
  records: count.optional(),
  hosts: count.optional(),
  impact: text(2000).optional(),
  cause: text(2000).optional(),
  actions: text(4000).optional(),
  plan: text(2000).optional(),
  notified: z
    .string()
    .transform((s, ctx) => {
      const list = parseNotified(s);
      if (list) return list;
      ctx.addIssue({ code: 'custom', message: 'input.notified' });
      return z.NEVER;
    })
    .optional(),
  public: z
    .preprocess(
      aliased({
        はい: 'yes',
        公表する: 'yes',
        公表: 'yes',
        いいえ: 'no',
        公表しない: 'no',
        非公表: 'no',
        未定: 'undecided',
      }),
      z.enum(DISCLOSURE),
    )
    .optional(),
};

/** `final=yes` (also はい): the reporter marks the report final (確報). */
export const finalFlag = z
  .preprocess(aliased({ はい: 'yes', いいえ: 'no' }), z.enum(['yes', 'no'], { error: 'input.final' }))
  .transform((v) => v === 'yes');

/** The form's groups of report fields, in order (a heading each in modals and dialogs). */
export const reportGroups = [
  {
    name: { ja: '基本情報', en: 'Basics' },
    fields: [
      'category',
      'summary',
      'severity',
      'tlp',
      'share',
      'confidentiality',
      'handling',
      'system',
      'detected',
      'occurred',
      'awareness',
      'org',
    ],
  },
  { name: { ja: '報告者・発見の経緯', en: 'Reporter and discovery' }, fields: ['contact', 'found'] },
  { name: { ja: '被害状況', en: 'Damage' }, fields: ['damage', 'personal', 'records', 'hosts', 'impact'] },
  { name: { ja: '原因と対処', en: 'Cause and response' }, fields: ['cause', 'actions', 'plan'] },
  { name: { ja: '通報・公表', en: 'Notification and disclosure' }, fields: ['notified', 'public'] },
  { name: { ja: '指標', en: 'Indicators' }, fields: ['ioc'] },
] as const;

/** Japanese and English labels of the report fields (help, forms, missing-field errors). */
export const reportFields = {
  category: {
    // from data/categories.json: 「ラベル（code）」, either may be typed
    ja: `種別（${CATEGORIES.map((c) => `${c.ja}（${c.code}）`).join('、')}）`,
    en: `Category (${CATEGORY_CODES.join(', ')})`,
  },
  summary: { ja: '概要（何が起きたか）', en: 'Summary (what happened)' },
  severity: {
    ja: '重大度（低（low）、中（medium）、高（high）、緊急（critical）。既定は中（medium））',
    en: 'Severity (low, medium, high, critical; default medium)',
  },
  tlp: {
    ja: 'TLP（clear, green, amber, amber+strict, red。既定は TLP:AMBER）',
    en: 'TLP (clear, green, amber, amber+strict, red; default amber)',
  },
  share: {
    ja: '共有可否（共有不可（none）：既定、組織名を伏せて共有可（anonymized）、組織名を明示して共有可（attributed））',
    en: 'Sharing consent (none — default, anonymized, attributed)',
  },
  confidentiality: {
    ja: '機密性（影響を受けた情報の格付 1〜3）',
    en: 'Confidentiality (level 1–3 of the information affected)',
  },
  handling: {
    ja: `取扱制限（${HANDLING_MARKS.map((m) => `${m.ja}（${m.code}）`).join('、')}。カンマ区切りで複数可、なし（none）で取扱制限なし）`,
    en: `Handling marks (${HANDLING_MARKS.map((m) => m.code).join(', ')}; comma-separated; none for no mark)`,
  },
  system: { ja: '影響範囲（対象システム SYS-…）', en: 'Scope (affected system SYS-…)' },
  detected: {
    ja: '検知日時（YYYY-MM-DD HH:MM、日本時間。既定は現在）',
    en: 'Detected (YYYY-MM-DD HH:MM, Japan time; default now)',
  },
  occurred: { ja: '発生日時（YYYY-MM-DD HH:MM、日本時間）', en: 'Occurred (YYYY-MM-DD HH:MM, Japan time)' },
  actions: { ja: '対処状況（実施済みの対処）', en: 'Actions taken so far' },
  awareness: {
    ja: '認知日時（YYYY-MM-DD HH:MM、日本時間。報告期限の起算点。既定は検知日時）',
    en: 'Aware since (YYYY-MM-DD HH:MM, Japan time; deadlines count from it; default: detected)',
  },
  contact: { ja: '報告者の連絡先（所属・氏名・電話番号）', en: "Reporter's contact (unit, name, telephone)" },
  found: { ja: '発見の経緯（誰が・何によって気付いたか）', en: 'How it was found (who noticed, and how)' },
  damage: {
    ja: '被害の内容（情報漏えいの有無、改ざん・停止の範囲など）',
    en: 'Damage (whether information leaked, what was altered or stopped)',
  },
  personal: {
    ja: '個人情報の漏えい等: なし（none）、あり（yes）、不明（unknown）',
    en: 'Personal data involved (none, yes, unknown)',
  },
  records: {
    ja: '対象となる個人情報の件数（personal=yes のとき）',
    en: 'Records of personal data (when personal=yes)',
  },
  hosts: { ja: '影響を受けた端末・サーバの台数', en: 'Hosts affected' },
  impact: { ja: '業務・サービスへの影響', en: 'Impact on work and services' },
  cause: { ja: '推定原因', en: 'Presumed cause' },
  plan: { ja: '今後の対応（予定している対処）', en: 'Next steps (what is planned)' },
  notified: {
    ja: '通報・届出先: 警察（police）、個人情報保護委員会（ppc）、JPCERT/CC（jpcert）、その他（other）をカンマ区切りで。どこにも通報していなければ なし（none）',
    en: 'Notified (police, ppc, jpcert, other; comma-separated; none if nobody yet)',
  },
  public: {
    ja: '公表の予定: 公表する（yes）、公表しない（no）、未定（undecided）',
    en: 'To be made public (yes, no, undecided)',
  },
  ioc: {
    ja: '指標（IP アドレス、ドメイン、URL、メールアドレス、ハッシュ値。複数指定可、hxxp:// や [.] の表記も可）',
    en: 'Indicators (IP, domain, URL, e-mail, hash; several allowed; defanged forms accepted)',
  },
  org: {
    ja: '報告組織（{coordinator}が府省庁に代わって報告する場合のみ）',
    en: "Organisation (only when the {coordinator} reports on a ministry's behalf)",
  },
};
