/**
 * The report items (issue 17) between the commands' input and the Incident row: which column
 * holds each, what an input sets, what it changes.
 */
import type { Incident } from '../db/generated/sqlite/client.ts';
import { CONTENT_FIELDS, type ContentField, notifiedText } from '../domain/report-contents.ts';
import type { ContentInput } from './incidents.ts';

/** The Incident column of each item (`public` is a reserved word in SQL: `disclosure`). */
export const COLUMN = {
  contact: 'contact',
  found: 'found',
  damage: 'damage',
  personal: 'personal',
  records: 'records',
  hosts: 'hosts',
  impact: 'impact',
  cause: 'cause',
  actions: 'actions',
  plan: 'plan',
  notified: 'notified',
  public: 'disclosure',
} as const satisfies Record<ContentField, keyof Incident>;

/** The columns of the items, as an input sets them. */
export type Columns = {
  [F in ContentField as (typeof COLUMN)[F]]?: F extends 'records' | 'hosts' ? number : string;
};

/** The columns an input sets (items not given are left out). */
export function contentColumns(input: ContentInput): Columns {
  const out: Columns = {};
  for (const f of CONTENT_FIELDS) {
    const v = input[f];
    if (v === undefined) continue;
    (out as Record<string, string | number>)[COLUMN[f]] = Array.isArray(v) ? notifiedText(v) : v;
  }
  return out;
}

/** The items whose value the input changes, in form order. */
export function changedItems(inc: Incident, cols: Columns): ContentField[] {
  return CONTENT_FIELDS.filter((f) => {
    const v = cols[COLUMN[f]];
    return v !== undefined && v !== inc[COLUMN[f]];
  });
}

/** The items of an input for the audit record (as stored). */
export function contentAudit(input: ContentInput): Record<string, string | number> {
  const cols = contentColumns(input);
  return Object.fromEntries(
    CONTENT_FIELDS.filter((f) => cols[COLUMN[f]] !== undefined).map((f) => [f, cols[COLUMN[f]] as string | number]),
  );
}
