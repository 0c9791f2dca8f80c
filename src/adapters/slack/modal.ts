/**
 * Forms (src/core/forms.ts) as Slack modals, and submissions back to router form values.
 * Each field is an input block whose block_id is the field name, so validation errors from
 * the router come back on the right block (`response_action: 'errors'`).
 */
import type { Form, FormField } from '../../core/forms.ts';
import type { Locale, Translate } from '../../i18n/index.ts';
import { clip } from './escape.ts';
import type { SlackBlock } from './render.ts';

export const FORM_CALLBACK_ID = 'csirt:form';
/** every input element has this action_id; the block_id carries the field name */
export const FIELD_ACTION_ID = 'value';

/** What the modal remembers between opening and submission (Slack returns it untouched). */
export interface FormMeta {
  /** the command, e.g. `org add` */
  c: string;
  /** the channel the command came from */
  ch: string | null;
  /** the caller's language when the form was opened */
  l: Locale;
  /** the slash command's response_url, for the reply after submission */
  r?: string;
}

const plain = (text: string, max: number) => ({ type: 'plain_text', text: clip(text || '-', max), emoji: true });

export function buildModal(form: Form, meta: FormMeta, t: Translate): Record<string, unknown> {
  const metaJson = JSON.stringify(meta);
  return {
    type: 'modal',
    callback_id: FORM_CALLBACK_ID,
    title: plain(form.title, 24),
    submit: plain(t('form.submit'), 24),
    close: plain(t('form.cancel'), 24),
    private_metadata: metaJson.length <= 3000 ? metaJson : JSON.stringify({ ...meta, r: undefined }),
    blocks: formBlocks(form.fields),
  };
}

/** Each field's input block, with a header block where a new group starts (at most 100 blocks in all). */
function formBlocks(fields: readonly FormField[]): SlackBlock[] {
  const out: SlackBlock[] = [];
  let group: string | undefined;
  for (const f of fields) {
    if (f.group && f.group !== group) out.push({ type: 'header', text: plain(f.group, 150) });
    group = f.group;
    out.push(inputBlock(f));
  }
  // never cut a header off from its first field
  const cut = out.slice(0, 100);
  return cut.at(-1)?.type === 'header' ? cut.slice(0, -1) : cut;
}

/** A modal that only says something (e.g. why the form cannot be used), with a close button. */
export function messageModal(text: string, t: Translate): Record<string, unknown> {
  return {
    type: 'modal',
    callback_id: FORM_CALLBACK_ID,
    title: plain('/csirt', 24),
    close: plain(t('form.close'), 24),
    blocks: [{ type: 'section', text: { type: 'plain_text', text: clip(text || '-', 3000), emoji: true } }],
  };
}

function inputBlock(f: FormField): SlackBlock {
  let element: Record<string, unknown>;
  if (f.kind === 'select' && f.options && f.options.length > 0) {
    const options = f.options.slice(0, 100).map((o) => ({ text: plain(o, 75), value: clip(o, 150) }));
    element = { type: 'static_select', action_id: FIELD_ACTION_ID, options };
    const initial = options.find((o) => o.value === f.value);
    if (initial) element.initial_option = initial;
  } else {
    element = {
      type: 'plain_text_input',
      action_id: FIELD_ACTION_ID,
      multiline: f.kind === 'textarea' || f.kind === 'multi',
    };
    if (f.value !== undefined && f.value !== '') element.initial_value = clip(f.value, 3000);
  }
  return {
    type: 'input',
    block_id: f.name,
    optional: f.optional,
    label: plain(f.label, 2000),
    ...(f.hint ? { hint: plain(f.hint, 2000) } : {}),
    element,
  };
}

/** The submitted values by block id (field name), from a view's state. */
export function submittedValues(state: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const values = (state as { values?: Record<string, Record<string, Record<string, unknown>>> } | undefined)?.values;
  for (const [block, actions] of Object.entries(values ?? {})) {
    const a = actions[FIELD_ACTION_ID] ?? Object.values(actions)[0];
    if (!a) continue;
    const selected = a.selected_option as { value?: unknown } | null | undefined;
    const v = typeof a.value === 'string' ? a.value : typeof selected?.value === 'string' ? selected.value : null;
    if (v !== null) out[block] = v;
  }
  return out;
}

export function parseMeta(raw: unknown): FormMeta | null {
  if (typeof raw !== 'string') return null;
  try {
    const m = JSON.parse(raw) as Partial<FormMeta>;
    if (typeof m.c !== 'string' || (m.l !== 'ja' && m.l !== 'en')) return null;
    return {
      c: m.c,
      ch: typeof m.ch === 'string' ? m.ch : null,
      l: m.l,
      ...(typeof m.r === 'string' ? { r: m.r } : {}),
    };
  } catch {
    return null;
  }
}
