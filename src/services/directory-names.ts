/**
 * The directory's names for text: read from the database (the coordinating organisation's
 * record), turned into text by src/domain/org-names.ts through the translator. Read in the
 * transaction that writes a post, so a post says the name current when it was written.
 */
import type { Prisma$, Tx } from '../db/client.ts';
import type { OrgNames } from '../domain/org-names.ts';
import type { DirectoryNames } from '../i18n/index.ts';
import { coordinatingOrg, coordinatingOrgInTx } from './coordinating-org.ts';
import { decodeShortNames } from './org-names.ts';

/** The names of one organisation record (short names as stored: a JSON array). */
export function orgNamesOf(o: { nameJa: string; nameEn: string; shortNames: string }): OrgNames {
  return { nameJa: o.nameJa, nameEn: o.nameEn, short: decodeShortNames(o.shortNames) };
}

/** The names every message may say, as the database holds them now. */
export async function directoryNames(q: Tx | Prisma$): Promise<DirectoryNames> {
  const c = await coordinatingOrg(q);
  return { coordinator: c ? orgNamesOf(c) : null };
}

/**
 * {@link directoryNames} read once per transaction, for the posts it writes: its posts all say
 * the same names (the coordinating organisation as first read in the transaction).
 */
export async function namesInTx(tx: Tx): Promise<DirectoryNames> {
  const c = await coordinatingOrgInTx(tx);
  return { coordinator: c ? orgNamesOf(c) : null };
}
