/**
 * Organisation codes as people type them, and their aliases. A code is an identifier (in the
 * audit chain, the outbox keys, operators' scripts), so it does not follow a rename; an alias is
 * another code a person may type for the same organisation (`nco` for `nisc` since the office
 * became 国家サイバー統括室, a ministry's code after a reorganisation). Aliases are data
 * (`aliases` in data/directory.json, docs/directory.md); this module is the one rule that reads a
 * typed code: folded like every code (full-width, case, dashes, zero-width: foldCode) and an
 * alias turned into the canonical code, which is what every record and reply carries.
 */
import { foldCode } from './ids.ts';

/** folded alias → canonical code */
export type AliasTable = ReadonlyMap<string, string>;

/** The shape of an organisation code (lower case once folded). */
export const ORG_CODE_SHAPE = /^[a-z][a-z0-9-]{1,15}$/;

/** A typed organisation code folded as codes are: `ＮＣＯ`, `n\u200bco` → `nco`. */
export function foldOrgCode(input: string): string {
  return foldCode(input).toLowerCase();
}

/**
 * The alias table of a directory (each organisation's `code` and `aliases`). Throws when the
 * data contradicts itself — an alias that is not a code's shape, that is an organisation's
 * code, or that two organisations claim — so a bad directory is refused when it is loaded,
 * never half-applied.
 */
export function aliasTable(orgs: readonly { code: string; aliases?: readonly string[] }[]): AliasTable {
  const codes = new Set(orgs.map((o) => foldOrgCode(o.code)));
  const table = new Map<string, string>();
  for (const o of orgs) {
    for (const raw of o.aliases ?? []) {
      const alias = foldOrgCode(raw);
      if (!ORG_CODE_SHAPE.test(alias))
        throw new Error(`directory: alias "${raw}" of ${o.code} is not an organisation code (a-z, 0-9, -)`);
      if (alias === 'all') throw new Error(`directory: alias "${raw}" of ${o.code} is the word for every organisation`);
      if (codes.has(alias)) throw new Error(`directory: alias "${raw}" of ${o.code} is the code of an organisation`);
      const holder = table.get(alias);
      if (holder !== undefined && holder !== o.code)
        throw new Error(`directory: alias "${raw}" is claimed by both ${holder} and ${o.code}`);
      table.set(alias, o.code);
    }
  }
  return table;
}

/** The canonical code of a typed code: folded, an alias replaced by its organisation's code. */
export function canonicalOrgCode(input: string, table: AliasTable): string {
  const code = foldOrgCode(input);
  return table.get(code) ?? code;
}

/** The organisation whose alias `code` is (folded), or null. */
export function aliasHolder(code: string, table: AliasTable): string | null {
  return table.get(foldOrgCode(code)) ?? null;
}

/** The aliases of an organisation, in the order the data gives them. */
export function aliasesOf(code: string, table: AliasTable): string[] {
  return [...table].filter(([, c]) => c === code).map(([alias]) => alias);
}
