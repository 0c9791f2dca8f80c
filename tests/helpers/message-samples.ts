/**
 * Sample values for every message parameter, per language, as the services fill them in:
 * labels (not codes) for statuses and roles, names for organisations, dates from the date
 * module. A parameter not listed here gets a neutral placeholder, so a new key still renders.
 */
import { formatDate, formatDateTime } from '../../src/domain/dates.ts';
import type { Locale } from '../../src/i18n/index.ts';

const AT = new Date('2026-12-02T01:00:00Z'); // 令和8年12月2日(水) 10:00（日本時間）
const JA = { locale: 'ja', calendar: 'wareki' } as const;
const EN = { locale: 'en', calendar: 'seireki' } as const;

type Sample = Record<Locale, string>;
const same = (v: string): Sample => ({ ja: v, en: v });

const SAMPLES: Record<string, Sample> = {
  id: same('INC-2026-0001'),
  incident: same('INC-2026-0001'),
  incidents: same('INC-2026-0001, INC-2026-0002'),
  system: same('SYS-maff-001'),
  item: same('ENT-01'),
  org: { ja: '農林水産省', en: 'Ministry of Agriculture, Forestry and Fisheries' },
  orgs: { ja: '農林水産省、総務省', en: 'MAFF, MIC' },
  user: same('@tanaka'),
  by: same('@tanaka'),
  name: { ja: '共済業務システム', en: 'Mutual aid system' },
  title: { ja: '不審メールの送付について', en: 'Suspicious e-mails' },
  text: { ja: '調査中です', en: 'Under investigation' },
  reason: { ja: '記載内容の確認が必要なため', en: 'the wording needs checking' },
  status: { ja: '対処完了', en: 'resolved' },
  previous: { ja: '一部実施', en: 'partial' },
  from: { ja: '報告受付', en: 'reported' },
  to: { ja: '対処完了', en: 'resolved' },
  allowed: { ja: 'トリアージ中、却下', en: 'triaging, rejected' },
  state: { ja: '回答受付中', en: 'open' },
  stage: { ja: '速報', en: 'quick report' },
  answer: { ja: '出席', en: 'Attend' },
  ready: { ja: '整備済み', en: 'ready' },
  role: { ja: '窓口担当者', en: 'point of contact' },
  roles: { ja: '窓口担当者、最高情報セキュリティ責任者', en: 'point of contact, CISO' },
  action: { ja: '承認', en: 'approval' },
  changes: { ja: '状態: 対処完了', en: 'status: resolved' },
  missing: { ja: '設置日、窓口担当（副）', en: 'established date, deputy contact' },
  exposure: { ja: 'インターネット接続', en: 'internet-facing' },
  confidentiality: same('2'),
  level: same('2'),
  tlp: same('TLP:AMBER'),
  format: same('STIX 2.1'),
  platform: same('Slack'),
  channel: same('maff-csirt'),
  team: same('kasumigaseki'),
  filename: same('CMP-2026-0001.csv'),
  url: same('https://bot.example.go.jp/calendar/abc.ics'),
  value: same('hxxp://example[.]com/a'),
  indicator: same('example.com'),
  input: same('2027-02-30'),
  command: same('report'),
  key: same('summry'),
  field: { ja: '概要', en: 'summary' },
  fields: { ja: '種別、概要', en: 'category, summary' },
  details: { ja: '・概要: 入力されていません', en: '- summary: missing' },
  usage: same('report category=<c> summary="…"'),
  words: same('extra'),
  values: same('low, medium, high, critical'),
  quote: same('「'),
  close: same('」'),
  word: { ja: '農水省', en: 'MAFF' },
  budget: { ja: '10,000,000 円', en: '¥10,000,000' },
  versions: same('1, 2'),
  reminders: { ja: formatDate(AT, JA), en: formatDate(AT, EN) },
  list: { ja: '7 日前、1 日前', en: '7 days, 1 day' },
  before: { ja: '1 日', en: '1 day' },
  day: { ja: '土曜日', en: 'Saturday' },
  due: { ja: formatDate(AT, JA), en: formatDate(AT, EN) },
  deadline: { ja: formatDate(AT, JA), en: formatDate(AT, EN) },
  date: { ja: formatDate(AT, JA), en: formatDate(AT, EN) },
  published: { ja: formatDate(AT, JA), en: formatDate(AT, EN) },
  at: { ja: formatDateTime(AT, JA), en: formatDateTime(AT, EN) },
};

/** Where one parameter name carries different things, the value for that key. */
const BY_KEY: Record<string, Record<string, Sample>> = {
  'button.hint': { command: same('/csirt advisory ack ADV-2026-0001') },
  'advisory.consent_lower_tlp': { command: same('/csirt advisory consent ADV-2026-0001 yes tlp=clear') },
  // the whole command to type (advisory-mail.ts fills it with `/csirt advisory ack <id>`)
  'mail.ack_by_command': { command: same('/csirt advisory ack ADV-2026-0001') },
  'parse.unterminated_quote': { quote: { ja: '「', en: '"' }, close: { ja: '」', en: '"' } },
};

/** The id a key's area uses (`meeting.*` → MTG-…). */
function sampleId(key: string): string {
  const area = key.split('.')[0] ?? '';
  if (area === 'meeting') return 'MTG-2026-0001';
  if (area === 'advisory' || area === 'tlp') return 'ADV-2026-0001';
  if (area === 'check') return 'CMP-2026-0001';
  if (area === 'system') return 'SYS-maff-001';
  return 'INC-2026-0001';
}

/** The parameter values to render the message `key` (template `template`) with in `locale`. */
export function sampleParams(key: string, template: string, locale: Locale): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of template.matchAll(/\{(\w+)\}/g)) {
    const name = m[1] as string;
    if (name === 'id') {
      out[name] = sampleId(key);
      continue;
    }
    out[name] =
      BY_KEY[key]?.[name]?.[locale] ??
      SAMPLES[name]?.[locale] ??
      (/^(count|n|total|answered|done|days|seconds|max|min|page|pages|next|items|systems|candidates|unanswered|acked|jobs|updated|cancelled|deliveries|attend|absent|proxy|none|version|reduction|exact)$/.test(
        name,
      )
        ? '3'
        : locale === 'ja'
          ? '〇〇'
          : 'sample');
  }
  return out;
}
