/**
 * A deployment's reporting rules, as data (data/report-policy.json, or the file named by
 * REPORT_POLICY_FILE): when each stage is due, counted from the awareness time (認知日時) in
 * hours, calendar days or business days (行政機関の休日 excluded, business-days.ts); when the
 * reporter is reminded before; which items a 確報 must have. Parsed and checked here, once at
 * start; every problem is named.
 */
import * as z from 'zod';
import { MAX_BUSINESS_DAYS } from './business-days.ts';
import { parseReminderOffsets, type ReminderOffset } from './reminders.ts';
import { CONTENT_FIELDS, type ContentField } from './report-contents.ts';
import { REPORT_STAGES, type ReportStage } from './report-stages.ts';

/** How long after the awareness time a stage is due. */
export type Due = { unit: 'hours' | 'days' | 'businessDays'; n: number };

export interface DeadlineRule {
  stage: ReportStage;
  due: Due;
  /** reminders to the reporting organisation before the deadline, longest first */
  remind: ReminderOffset[];
  /** where the rule comes from (shown in docs, kept with the data) */
  source?: string;
}

export interface ReportPolicy {
  deadlines: DeadlineRule[];
  /** the items a 確報 must have (records too whenever personal data is involved) */
  finalRequires: ContentField[];
}

const MAX_DUE: Readonly<Record<Due['unit'], number>> = { hours: 24 * 366, days: 366, businessDays: MAX_BUSINESS_DAYS };

/** `24h`, `30d`, `3bd` (business days) → a Due, or null. */
export function parseDue(s: string): Due | null {
  const m = /^(\d{1,4})(h|d|bd)$/.exec(s.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit: Due['unit'] = m[2] === 'h' ? 'hours' : m[2] === 'd' ? 'days' : 'businessDays';
  return n >= 1 && n <= MAX_DUE[unit] ? { unit, n } : null;
}

const ruleSchema = z.strictObject({
  stage: z.enum(REPORT_STAGES),
  due: z.string(),
  remind: z.string().default(''),
  source: z.string().optional(),
});

const policySchema = z.strictObject({
  version: z.literal(1),
  note: z.string().optional(),
  deadlines: z.array(ruleSchema),
  finalRequires: z.array(z.enum(CONTENT_FIELDS)),
});

export type PolicyResult = { ok: true; policy: ReportPolicy } | { ok: false; problems: string[] };

/** Reads a policy from parsed JSON: every problem at once, each naming where it is. */
export function parseReportPolicy(json: unknown): PolicyResult {
  const r = policySchema.safeParse(json);
  if (!r.success) {
    return { ok: false, problems: r.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`) };
  }
  const problems: string[] = [];
  const deadlines: DeadlineRule[] = [];
  const seen = new Set<ReportStage>();
  r.data.deadlines.forEach((d, i) => {
    if (seen.has(d.stage)) problems.push(`deadlines.${i}.stage: ${d.stage} is given twice`);
    seen.add(d.stage);
    const due = parseDue(d.due);
    if (!due) problems.push(`deadlines.${i}.due: "${d.due}" is not <n>h, <n>d or <n>bd`);
    let remind: ReminderOffset[] = [];
    if (d.remind.trim() !== '') {
      const p = parseReminderOffsets(d.remind);
      if (p.ok) remind = p.value;
      else problems.push(`deadlines.${i}.remind: "${d.remind}" is not a list such as 7d,1d,2h`);
    }
    if (due) deadlines.push({ stage: d.stage, due, remind, ...(d.source ? { source: d.source } : {}) });
  });
  if (problems.length) return { ok: false, problems };
  deadlines.sort((a, b) => REPORT_STAGES.indexOf(a.stage) - REPORT_STAGES.indexOf(b.stage));
  return { ok: true, policy: { deadlines, finalRequires: [...new Set(r.data.finalRequires)] } };
}
