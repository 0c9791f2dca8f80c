/**
 * Forms (src/core/forms.ts) as Mattermost interactive dialogs, and submissions back to router
 * form values. Element names are the schema's field names, so the router's field issues come
 * back as `{errors: {field: message}}` beside the right element.
 *
 * The dialog's `state` carries what the submission needs (command, channel, language,
 * response_url), signed with the action secret (src/core/action-token.ts): Mattermost sends
 * dialog submissions unsigned, so a forged or altered state is refused.
 */
import { signAction, verifyAction } from '../../core/action-token.ts';
import type { Form, FormField } from '../../core/forms.ts';
import type { Locale, Translate } from '../../i18n/index.ts';
import { clip, plainText } from './escape.ts';

/**
 * Mattermost's documentation allows up to 5 elements per dialog: required fields always,
 * then optional ones up to that; the rest can be given in the command (said in the intro).
 */
export const MAX_ELEMENTS = 5;

export interface DialogState {
  /** the command, e.g. `org add` */
  c: string;
  /** what was typed after `/csirt` (values given inline, also those the dialog does not show) */
  x: string;
  /** the channel the command came from */
  ch: string | null;
  /** the caller's language when the dialog was opened */
  l: Locale;
  /** the slash command's response_url, for the result after submission */
  r?: string;
  /** the team name the command came from (for ~channel references) */
  tm?: string;
}

export interface DialogElement {
  display_name: string;
  name: string;
  type: 'text' | 'textarea' | 'select';
  optional: boolean;
  help_text?: string;
  default?: string;
  max_length?: number;
  options?: { text: string; value: string }[];
}

export function buildDialog(
  form: Form,
  state: DialogState,
  t: Translate,
  secret: string,
  now: Date,
  maxFieldLength: number,
): Record<string, unknown> {
  const { shown, rest } = shownFields(form);
  return {
    callback_id: form.command,
    title: plainText(form.title, 24),
    ...(rest.length
      ? { introduction_text: plainText(t('mattermost.dialog_more', { fields: restByGroup(form, rest) }), 500) }
      : {}),
    elements: shown.map((f) => element(f, maxFieldLength)),
    submit_label: plainText(t('form.submit'), 24),
    notify_on_cancel: false,
    state: signAction(secret, JSON.stringify(state), now),
  };
}

/** The fields a dialog cannot show, by group: `被害状況: damage, personal / 原因と対処: cause`. */
function restByGroup(form: Form, rest: readonly string[]): string {
  const groups = new Map<string, string[]>();
  for (const name of rest) {
    const g = form.fields.find((f) => f.name === name)?.group ?? '';
    groups.set(g, [...(groups.get(g) ?? []), name]);
  }
  return [...groups].map(([g, names]) => (g ? `${g}: ${names.join(', ')}` : names.join(', '))).join(' / ');
}

/** The fields a dialog shows (required ones, then optional ones up to MAX_ELEMENTS) and the rest. */
export function shownFields(form: Form): { shown: FormField[]; rest: string[] } {
  const required = form.fields.filter((f) => !f.optional);
  const optional = form.fields.filter((f) => f.optional);
  const room = Math.max(0, MAX_ELEMENTS - required.length);
  return { shown: [...required, ...optional.slice(0, room)], rest: optional.slice(room).map((f) => f.name) };
}

function element(f: FormField, maxFieldLength: number): DialogElement {
  const base = {
    display_name: plainText(f.label, 24),
    name: f.name,
    optional: f.optional,
    ...(f.hint ? { help_text: plainText(f.hint, 150) } : {}),
  };
  if (f.kind === 'select' && f.options && f.options.length > 0) {
    const options = f.options.slice(0, 100).map((o) => ({ text: plainText(o, 75), value: o }));
    return {
      ...base,
      type: 'select',
      options,
      ...(f.value !== undefined && f.options.includes(f.value) ? { default: f.value } : {}),
    };
  }
  const long = f.kind === 'textarea' || f.kind === 'multi';
  return {
    ...base,
    type: long ? 'textarea' : 'text',
    max_length: Math.min(maxFieldLength, long ? 3000 : 150),
    ...(f.value !== undefined && f.value !== '' ? { default: clip(f.value, long ? 3000 : 150) } : {}),
  };
}

/** The state of a submission, when it is ours and unaltered; null otherwise. */
export function verifyState(secret: string, raw: unknown, now: Date): DialogState | null {
  if (typeof raw !== 'string') return null;
  const json = verifyAction(secret, raw, now);
  if (json === null) return null;
  try {
    const m = JSON.parse(json) as Partial<DialogState>;
    if (typeof m.c !== 'string' || typeof m.x !== 'string' || (m.l !== 'ja' && m.l !== 'en')) return null;
    return {
      c: m.c,
      x: m.x,
      ch: typeof m.ch === 'string' ? m.ch : null,
      l: m.l,
      ...(typeof m.r === 'string' ? { r: m.r } : {}),
      ...(typeof m.tm === 'string' ? { tm: m.tm } : {}),
    };
  } catch {
    return null;
  }
}

/** The submitted values as strings (Mattermost sends strings, booleans for bool, null when empty). */
export function submittedValues(submission: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!submission || typeof submission !== 'object') return out;
  for (const [k, v] of Object.entries(submission as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  }
  return out;
}
