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
import { clipBytes, plainText, plainTextBytes } from './escape.ts';

/**
 * The server's limits on a dialog (model.Dialog.IsValid, server/public/model/integration_action.go),
 * counted in UTF-8 bytes: a title and a label of 24 bytes are 8 Japanese characters. Beyond them
 * the server only logs "Interactive dialog is invalid" and the dialog may not show as meant.
 * There is no limit on the number of elements (the "up to 5" of older documentation is not in
 * the server): every field of the form is shown.
 */
const TITLE_BYTES = 24;
const LABEL_BYTES = 24;
const HELP_BYTES = 150;
const TEXT_BYTES = 150;
const TEXTAREA_BYTES = 3000;

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
  return {
    callback_id: form.command,
    title: plainTextBytes(form.title, TITLE_BYTES),
    elements: form.fields.map((f, i) => element(f, maxFieldLength, f.group !== form.fields[i - 1]?.group)),
    submit_label: plainText(t('form.submit'), 24),
    notify_on_cancel: false,
    state: signAction(secret, JSON.stringify(state), now),
  };
}

/**
 * A dialog has no headings: the first field of each group (CommandDef.groups) says the group's
 * name first in its help text, `【被害状況】…`.
 */
function element(f: FormField, maxFieldLength: number, groupStarts = false): DialogElement {
  const hint = groupStarts && f.group ? `【${f.group}】${f.hint ?? ''}` : f.hint;
  const base = {
    // a label cut to fit is still whole in the help text below it (the hint begins with it)
    display_name: plainTextBytes(f.label, LABEL_BYTES),
    name: f.name,
    optional: f.optional,
    ...(hint ? { help_text: plainTextBytes(hint, HELP_BYTES) } : {}),
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
    ...(f.value !== undefined && f.value !== ''
      ? { default: clipBytes(f.value, long ? TEXTAREA_BYTES : TEXT_BYTES) }
      : {}),
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
