/**
 * What a command's zod schema says about each field, for forms (Slack modals, Mattermost
 * dialogs), help and error messages: optional or not, a list or not, the allowed values.
 */
import { z } from 'zod';
import type { Translate } from '../i18n/index.ts';
import type { Params } from './errors.ts';

export interface FieldShape {
  optional: boolean;
  array: boolean;
  /** the allowed values of an enum field */
  options?: string[];
  /** a long free text (rendered as a textarea) */
  long?: boolean;
}

export function fieldShape(s: z.ZodType): FieldShape {
  let cur: z.ZodType = s;
  let optional = false;
  let array = false;
  for (let i = 0; i < 10; i++) {
    if (cur instanceof z.ZodOptional || cur instanceof z.ZodDefault || cur instanceof z.ZodNullable) {
      optional = true;
      cur = (cur as z.ZodOptional<z.ZodType>).unwrap() as z.ZodType;
    } else if (cur instanceof z.ZodPipe) {
      // z.preprocess(fn, schema) is a pipe from a transform: what it accepts is its output schema
      const pipe = cur as z.ZodPipe<z.ZodType, z.ZodType>;
      cur = (pipe.in instanceof z.ZodTransform ? pipe.out : pipe.in) as z.ZodType;
    } else if (cur instanceof z.ZodArray) {
      array = true;
      cur = (cur as z.ZodArray<z.ZodType>).element as z.ZodType;
    } else break;
  }
  const out: FieldShape = { optional, array };
  if (cur instanceof z.ZodEnum) out.options = (cur as z.ZodEnum).options.map(String);
  const meta = (cur as z.ZodType).meta?.() as { long?: boolean } | undefined;
  if (meta?.long) out.long = true;
  return out;
}

/** One line per problem, in the caller's language: `summary: 入力されていません`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], t: Translate): string {
  return issues
    .map((i) => {
      const field = i.path.map(String).join('.') || '-';
      return `・${field}: ${issueText(i, t)}`;
    })
    .join('\n');
}

/** The message of one zod issue, in the caller's language (without the field name). */
export function issueText(i: z.core.$ZodIssue, t: Translate): string {
  // schemas give their own messages as i18n keys
  if (i.message && /^[a-z_]+\.[a-z_.]+$/.test(i.message))
    return t(i.message, i.code === 'custom' ? (i.params as Params | undefined) : undefined);
  switch (i.code) {
    case 'invalid_type':
      return i.input === undefined ? t('input.missing') : t('input.wrong_type');
    case 'invalid_value':
      return t('input.one_of', { values: i.values.map(String).join(', ') });
    case 'too_big':
      return i.origin === 'array'
        ? t('input.too_many', { max: String(i.maximum) })
        : t('input.too_long', { field: '', max: String(i.maximum) });
    case 'too_small':
      return i.origin === 'string' && Number(i.minimum) <= 1
        ? t('input.missing')
        : t('input.too_small', { min: String(i.minimum) });
    case 'invalid_format':
      return t('input.format');
    case 'unrecognized_keys':
      return t('input.unknown_key', { key: i.keys.join(', '), allowed: '' });
    default:
      return t('input.format');
  }
}
