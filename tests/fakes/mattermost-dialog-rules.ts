/**
 * What the server checks in a dialog it is asked to open: model.Dialog.IsValid and
 * DialogElement.IsValid (server/public/model/integration_action.go, mattermost/mattermost @
 * 02c02352). Lengths are Go `len()` of a string, i.e. UTF-8 bytes: a Japanese label of more
 * than 8 characters is over the 24-byte display name limit. The server only logs "Interactive
 * dialog is invalid" and opens it anyway (app/integration_action.go OpenInteractiveDialog), so the
 * fake records each problem as a violation and answers OK. There is no limit on the number of
 * elements in the source (the "up to 5 elements" of older documentation is not enforced).
 */
const TITLE_MAX = 24;
const DISPLAY_NAME_MAX = 24;
const NAME_MAX = 300;
const HELP_TEXT_MAX = 150;
const TEXT_MAX = 150;
const TEXTAREA_MAX = 3000;
const SELECT_MAX = 3000;
const BOOL_MAX = 150;
const SUBTYPES = new Set(['', 'text', 'email', 'number', 'tel', 'url', 'password']);

type Json = Record<string, unknown>;

/** The UTF-8 length of a string, as Go's len(). */
export const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

const str = (o: Json, k: string) => (typeof o[k] === 'string' ? (o[k] as string) : '');
const num = (o: Json, k: string) => (typeof o[k] === 'number' ? (o[k] as number) : 0);

function maxLength(field: string, value: string, max: number, required = false): string | null {
  if (required && value === '') return `${field} cannot be empty`;
  const n = bytes(value);
  return n > max ? `${field} cannot be longer than ${max} characters, got ${n}` : null;
}

function inOptions(value: string, options: unknown): boolean {
  if (value === '') return true;
  return Array.isArray(options) && options.some((o) => (o as Json | null)?.value === value);
}

/** The problems of one element, as DialogElement.IsValid reports them. */
function elementProblems(e: Json): string[] {
  const out: (string | null)[] = [];
  const min = num(e, 'min_length');
  const max = num(e, 'max_length');
  if (min < 0) out.push(`min length cannot be a negative number, got ${min}`);
  if (min > max) out.push(`min length should be less then max length, got ${min} > ${max}`);
  out.push(maxLength('DisplayName', str(e, 'display_name'), DISPLAY_NAME_MAX, true));
  out.push(maxLength('Name', str(e, 'name'), NAME_MAX, true));
  out.push(maxLength('HelpText', str(e, 'help_text'), HELP_TEXT_MAX));
  const type = str(e, 'type');
  const dflt = str(e, 'default');
  const placeholder = str(e, 'placeholder');
  switch (type) {
    case 'text':
    case 'textarea': {
      const limit = type === 'text' ? TEXT_MAX : TEXTAREA_MAX;
      out.push(maxLength('Default', dflt, limit), maxLength('Placeholder', placeholder, limit));
      if (!SUBTYPES.has(str(e, 'subtype'))) out.push(`invalid subtype ${JSON.stringify(type)}`);
      break;
    }
    case 'select': {
      out.push(maxLength('Default', dflt, SELECT_MAX), maxLength('Placeholder', placeholder, SELECT_MAX));
      const source = str(e, 'data_source');
      if (!['', 'users', 'channels', 'dynamic'].includes(source)) out.push(`invalid data source ${source}`);
      if (source === '' && !inOptions(dflt, e.options))
        out.push(`default value ${JSON.stringify(dflt)} doesn't exist in options`);
      break;
    }
    case 'bool':
      if (!['', 'true', 'false'].includes(dflt)) out.push('invalid default of bool');
      out.push(maxLength('Placeholder', placeholder, BOOL_MAX));
      break;
    case 'radio':
      if (!inOptions(dflt, e.options)) out.push(`default value ${JSON.stringify(dflt)} doesn't exist in options`);
      break;
    default:
      out.push(`invalid element type: ${JSON.stringify(type)}`);
  }
  return out.filter((x): x is string => x !== null);
}

/** Every problem Dialog.IsValid finds in `dialog`; empty when the server accepts it silently. */
export function dialogProblems(dialog: unknown): string[] {
  const d = (typeof dialog === 'object' && dialog !== null ? dialog : {}) as Json;
  const out: string[] = [];
  const title = str(d, 'title');
  if (title === '' || bytes(title) > TITLE_MAX) out.push(`invalid dialog title ${JSON.stringify(title)}`);
  const icon = str(d, 'icon_url');
  if (icon !== '' && !/^https?:\/\/\S+$/.test(icon)) out.push('invalid icon url');
  const seen = new Set<string>();
  for (const raw of Array.isArray(d.elements) ? d.elements : []) {
    const e = (typeof raw === 'object' && raw !== null ? raw : {}) as Json;
    const name = str(e, 'name');
    if (seen.has(name)) out.push(`duplicate dialog element ${JSON.stringify(name)}`);
    seen.add(name);
    for (const p of elementProblems(e)) out.push(`${JSON.stringify(name)} field is not valid: ${p}`);
  }
  return out;
}
