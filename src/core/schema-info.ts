/**
 * What a command's zod schema says about each field, for forms (Slack modals, Mattermost
 * dialogs), help and error messages: optional or not, a list or not, the allowed values.
 */
import * as z from 'zod';
import { codeKey, type Translate } from '../i18n/index.ts';
import type { Params } from './errors.ts';

export interface FieldShape {
  optional: boolean;
  array: boolean;
  /** the allowed values of an enum field */
  options?: string[];
  /** a long free text (rendered as a textarea) */
  long?: boolean;
  /** the most characters a text field takes (its schema's `.max`), when it says */
  maxLength?: number;
}

/**
 * Each schema's shape, worked out once: the router asks for every field of a command at every
 * request, and each look is a chain of zod `instanceof` checks (zod's own Symbol.hasInstance,
 * a trait lookup per check) and a registry read for `.meta()`. Schemas are built once, at
 * import, and not changed afterwards, so the answer for one stays right; it is frozen, being
 * shared by every caller.
 */
const shapes = new WeakMap<z.ZodType, Readonly<FieldShape>>();

export function fieldShape(s: z.ZodType): Readonly<FieldShape> {
  let known = shapes.get(s);
  if (!known) {
    known = shapeOf(s);
    if (known.options) Object.freeze(known.options);
    shapes.set(s, Object.freeze(known));
  }
  return known;
}

/** What `fieldShape` says, worked out from the schema (exported for its test). */
export function shapeOf(s: z.ZodType): FieldShape {
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
  if (cur instanceof z.ZodString && typeof cur.maxLength === 'number') out.maxLength = cur.maxLength;
  const meta = (cur as z.ZodType).meta?.() as { long?: boolean } | undefined;
  if (meta?.long) out.long = true;
  return out;
}

/** A field as people read it: `summary`, `ioc 1` (list items counted from 1). */
export function fieldName(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? String(p + 1) : String(p))).join(' ') || '-';
}

/**
 * One line per problem, in the caller's language: `・summary（概要）: 入力されていません`.
 * `label` gives a field's name with its label (the command's help), else the field's own name.
 */
export function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  t: Translate,
  label: (field: string) => string = (f) => f,
): string {
  return issues
    .map((i) => {
      const [head, ...rest] = i.path;
      const field =
        head === undefined ? '-' : [label(String(head)), ...(rest.length ? [fieldName(rest)] : [])].join(' ');
      return `・${field}: ${issueText(i, t)}`;
    })
    .join('\n');
}

/**
 * The message of one zod issue, in the caller's language (without the field name). Parse with
 * `reportInput: true` so that a value given in the wrong form is told apart from one missing.
 */
export function issueText(i: z.core.$ZodIssue, t: Translate): string {
  // schemas give their own messages as i18n keys, with their parameters
  if (i.message && /^[a-z_]+\.[a-z_.]+$/.test(i.message)) {
    return t(codeKey(i.message), i.code === 'custom' ? (i.params as Params | undefined) : undefined);
  }
  switch (i.code) {
    case 'invalid_type':
      if (i.input === undefined) return t('input.missing');
      return i.expected === 'number' || i.expected === 'int' ? t('input.number') : t('input.wrong_type');
    case 'invalid_value':
      return t('input.one_of', { values: i.values.map(String).join(', ') });
    case 'too_big':
      if (i.origin === 'array') return t('input.too_many', { max: String(i.maximum) });
      if (i.origin === 'string') return t('input.too_long_value', { max: String(i.maximum) });
      return t('input.too_big', { max: String(i.maximum) });
    case 'too_small':
      if (i.origin === 'string')
        return Number(i.minimum) <= 1 ? t('input.missing') : t('input.too_short', { min: String(i.minimum) });
      if (i.origin === 'array') return t('input.too_few', { min: String(i.minimum) });
      return t('input.too_small', { min: String(i.minimum) });
    case 'invalid_format':
      return t('input.format');
    case 'unrecognized_keys':
      return t('input.unknown_key', { key: i.keys.join(', '), allowed: '' });
    default:
      return t('input.format');
  }
}
