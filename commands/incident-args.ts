/** Argument schemas shared by report, incident and ioc. */
import { z } from 'zod';
import { CATEGORY_CODES, findCategory } from '../src/domain/incident-categories.ts';
import { SEVERITIES, SHARES, STATUSES, TLPS } from '../src/domain/incident-status.ts';

const lower = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : v);

/** a category code or its Japanese label (`malware`, `マルウェア感染`) → the code */
export const category = z.preprocess(
  (v) => (typeof v === 'string' ? (findCategory(v)?.code ?? v) : v),
  z.enum(CATEGORY_CODES as [string, ...string[]], { error: 'input.category' }),
);
export const severity = z.preprocess(lower, z.enum(SEVERITIES));
/** `amber`, `TLP:AMBER`, `amber+strict` */
export const tlp = z.preprocess(
  (v) => (typeof v === 'string' ? v.trim().toLowerCase().replace(/^tlp:/, '') : v),
  z.enum(TLPS),
);
export const share = z.preprocess(lower, z.enum(SHARES));
export const status = z.preprocess(lower, z.enum(STATUSES));
export const indicators = z.array(z.string().trim().min(1));

/** Japanese and English labels of the report fields (help, forms, missing-field errors). */
export const reportFields = {
  category: {
    ja: '種別（targeted-email 標的型メール, malware マルウェア感染, unauthorized-access 不正アクセス, dos サービス妨害, defacement ウェブ改ざん, data-leak 情報漏えい, phishing フィッシング, scan スキャン, p2p-file-sharing ファイル共有ソフト, lost-media 記録媒体の紛失, other その他）',
    en: 'Category (targeted-email, malware, unauthorized-access, dos, defacement, data-leak, phishing, scan, p2p-file-sharing, lost-media, other)',
  },
  summary: { ja: '概要（何が起きたか）', en: 'Summary (what happened)' },
  severity: {
    ja: '重大度（low, medium, high, critical。既定は medium）',
    en: 'Severity (low, medium, high, critical; default medium)',
  },
  tlp: {
    ja: 'TLP（clear, green, amber, amber+strict, red。既定は amber）',
    en: 'TLP (clear, green, amber, amber+strict, red; default amber)',
  },
  share: {
    ja: '共有可否（none 共有不可・既定, anonymized 組織名を伏せて共有可, attributed 組織名を明示して共有可）',
    en: 'Sharing consent (none — default, anonymized, attributed)',
  },
  confidentiality: {
    ja: '機密性（影響を受けた情報の格付 1〜3）',
    en: 'Confidentiality (level 1–3 of the information affected)',
  },
  system: { ja: '影響範囲（対象システム SYS-…）', en: 'Scope (affected system SYS-…)' },
  detected: {
    ja: '検知日時（YYYY-MM-DD HH:MM、日本時間。既定は現在）',
    en: 'Detected (YYYY-MM-DD HH:MM, Japan time; default now)',
  },
  occurred: { ja: '発生日時（YYYY-MM-DD HH:MM、日本時間）', en: 'Occurred (YYYY-MM-DD HH:MM, Japan time)' },
  actions: { ja: '対処状況（実施済みの対処）', en: 'Actions taken so far' },
  ioc: {
    ja: '指標（IP アドレス、ドメイン、URL、メールアドレス、ハッシュ値。複数指定可、hxxp:// や [.] の表記も可）',
    en: 'Indicators (IP, domain, URL, e-mail, hash; several allowed; defanged forms accepted)',
  },
  org: {
    ja: '報告組織（{coordinator}が府省庁に代わって報告する場合のみ）',
    en: "Organisation (only when the {coordinator} reports on a ministry's behalf)",
  },
};
