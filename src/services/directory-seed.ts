/**
 * The shipped directory (data/directory.json) and how it reaches a database: all of it into an
 * empty one; into an existing one, the organisations it lacks (matched by code and by Japanese
 * name, so one an admin registered under another code is not doubled) and the current names of
 * an organisation whose record still carries one of its `former` names (NISC → 国家サイバー統括室
 * in July 2025). Names an admin has set are never overwritten. Each change is audited.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tx } from '../db/client.ts';
import { type AliasTable, aliasTable } from '../domain/org-codes.ts';
import type { DirectoryNames } from '../i18n/index.ts';
import { PACKAGE_ROOT } from '../package-root.ts';
import { audit, type ServiceDeps } from './context.ts';
import { decodeShortNames, encodeShortNames } from './org-names.ts';

export interface SeedOrg {
  code: string;
  ja: string;
  en: string;
  /** the short names officials write (format: the sharing checks', src/domain/names.ts) */
  short?: string[];
  coordinator?: boolean;
  /** other codes people may type for it (`nco` for `nisc`): src/domain/org-codes.ts */
  aliases?: string[];
  /** names the organisation went by before (a record still carrying them is renamed on start) */
  former?: { ja: string; en: string; until?: string }[];
}

export function loadSeedDirectory(): SeedOrg[] {
  const file = join(PACKAGE_ROOT, 'data', 'directory.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { organizations: SeedOrg[] }).organizations;
}

let aliases: AliasTable | null = null;

/**
 * The organisation-code aliases of the shipped directory (read once per process; a
 * contradictory table throws, so the process refuses to start: see {@link seedDirectory}).
 */
export function shippedAliases(): AliasTable {
  aliases ??= aliasTable(loadSeedDirectory());
  return aliases;
}

/** The names the shipped directory gives (for texts made without a database: the Slack manifest). */
export function shippedNames(): DirectoryNames {
  const c = loadSeedDirectory().find((o) => o.coordinator);
  return { coordinator: c ? { nameJa: c.ja, nameEn: c.en, short: c.short ?? [] } : null };
}

/** Brings the database's directory up to the shipped one (see the file comment); in `tx`. */
export async function seedDirectory(deps: ServiceDeps, tx: Tx): Promise<void> {
  const seed = loadSeedDirectory();
  const table = shippedAliases();
  const existing = await tx.organization.findMany({
    select: { id: true, code: true, nameJa: true, nameEn: true, shortNames: true },
  });
  // an alias that is the code of an organisation registered here (an admin's `org add` before
  // the alias was shipped) would make one code mean two organisations: refuse to start
  for (const o of existing) {
    const holder = table.get(o.code);
    if (holder !== undefined)
      throw new Error(
        `data/directory.json: alias "${o.code}" of ${holder} is the code of a registered organisation; remove the alias or the organisation`,
      );
  }
  if (existing.length === 0) {
    for (const o of seed) await insertOrg(deps, tx, o);
    await audit(deps, tx, 'system', 'directory.seed', 'organizations', { count: seed.length });
    return;
  }
  const codes = new Set(existing.map((o) => o.code));
  const jaNames = new Set(existing.map((o) => o.nameJa));
  const added: string[] = [];
  for (const o of seed) {
    if (codes.has(o.code) || jaNames.has(o.ja)) continue;
    if (await insertOrg(deps, tx, o)) added.push(o.code);
  }
  if (added.length) await audit(deps, tx, 'system', 'directory.add', 'organizations', { codes: added });
  for (const o of seed) {
    const cur = existing.find((e) => e.code === o.code);
    if (!cur || !o.former?.some((f) => f.ja === cur.nameJa && f.en === cur.nameEn)) continue;
    // the shipped short names join the ones the record has (NCO first: the abbreviation messages print)
    const had = decodeShortNames(cur.shortNames);
    const short = [...(o.short ?? []), ...had.filter((s) => !(o.short ?? []).includes(s))];
    // conditional on the names read above: a second process starting at once renames nothing twice
    const r = await tx.organization.updateMany({
      where: { id: cur.id, nameJa: cur.nameJa, nameEn: cur.nameEn },
      data: { nameJa: o.ja, nameEn: o.en, shortNames: encodeShortNames(short) },
    });
    if (r.count === 1) {
      await audit(deps, tx, 'system', 'org.rename', o.code, {
        from: { ja: cur.nameJa, en: cur.nameEn },
        to: { ja: o.ja, en: o.en },
        short,
        via: 'directory',
      });
    }
  }
}

/** Inserts one organisation unless its code exists (another process may be seeding at once). */
async function insertOrg(deps: ServiceDeps, tx: Tx, o: SeedOrg): Promise<boolean> {
  const n = await deps.db.execute(
    tx,
    `INSERT INTO "Organization" (code, "nameJa", "nameEn", "shortNames", coordinator, "createdAt")
     VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO NOTHING`,
    o.code,
    o.ja,
    o.en,
    encodeShortNames(o.short ?? []),
    deps.db.provider === 'postgresql' ? !!o.coordinator : Number(!!o.coordinator),
    deps.clock.now(),
  );
  return n === 1;
}
