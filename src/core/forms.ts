/**
 * Forms generated from a command's zod schema and help texts, for the platforms that have
 * them (Slack modals, Mattermost interactive dialogs). A command added later gets its form
 * for free; the submission goes back through the same router and schema.
 */
import type * as z from 'zod';
import type { Locale } from '../i18n/index.ts';
import type { CommandDef } from './command.ts';
import { fieldShape } from './schema-info.ts';

export interface FormField {
  name: string;
  label: string;
  hint?: string;
  optional: boolean;
  kind: 'text' | 'textarea' | 'select' | 'multi';
  options?: string[];
  /** a value already given on the command line */
  value?: string;
  /** the heading of the group the field belongs to (CommandDef.groups), in the form's language */
  group?: string;
}

export interface Form {
  /** the command this form completes, e.g. `report` or `incident update` */
  command: string;
  title: string;
  fields: FormField[];
}

const LONG = new Set(['summary', 'body', 'actions', 'agenda', 'note', 'reason']);

export function buildForm(
  groupName: string,
  def: CommandDef<never, never>,
  locale: Locale,
  given: Record<string, string | string[]>,
  /** fills the directory's names into help texts (Translate.fill); as written without it */
  fill: (text: string) => string = (x) => x,
): Form {
  const shape = def.schema.shape as Record<string, z.ZodType>;
  const fields: FormField[] = Object.entries(shape).map(([name, s]) => {
    const f = fieldShape(s);
    const raw = def.fields?.[name]?.[locale];
    const help = raw === undefined ? undefined : fill(raw);
    const v = given[name];
    return {
      name,
      label: help
        ? help
            .split(/[（(:：]/)[0]!
            .trim()
            .slice(0, 48) || name
        : name,
      ...(help ? { hint: help.slice(0, 150) } : {}),
      optional: f.optional,
      kind: f.options ? 'select' : f.array ? 'multi' : f.long || LONG.has(name) ? 'textarea' : 'text',
      ...(f.options ? { options: f.options } : {}),
      ...(v !== undefined ? { value: Array.isArray(v) ? v.join('\n') : v } : {}),
    };
  });
  const groupOf = new Map<string, { index: number; name: string }>();
  def.groups?.forEach((g, i) => {
    for (const f of g.fields) groupOf.set(f, { index: i, name: fill(g.name[locale]) });
  });
  const rank = (f: FormField) => groupOf.get(f.name)?.index ?? Number.MAX_SAFE_INTEGER;
  const within = (f: FormField) => def.groups?.[rank(f)]?.fields.indexOf(f.name) ?? 0;
  for (const f of fields) {
    const g = groupOf.get(f.name);
    if (g) f.group = g.name;
  }
  // required fields first; then by group and the group's order (declaration order without groups)
  fields.sort((a, b) => Number(a.optional) - Number(b.optional) || rank(a) - rank(b) || within(a) - within(b));
  const command = def.name ? `${groupName} ${def.name}` : groupName;
  return { command, title: fill(def.summary[locale]).slice(0, 24), fields };
}

/** Form values back to router form values: multi fields split on new lines or commas. */
export function formValues(form: Form, submitted: Record<string, unknown>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const f of form.fields) {
    const v = submitted[f.name];
    if (v === undefined || v === null || v === '') continue;
    const s = String(v);
    out[f.name] =
      f.kind === 'multi'
        ? s
            .split(/[\n,、]+/)
            .map((x) => x.trim())
            .filter(Boolean)
        : s;
  }
  return out;
}
