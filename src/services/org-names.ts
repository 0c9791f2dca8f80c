/**
 * The names an organisation goes by, as stored (the directory's names and short names, its
 * channels, its people's platform ids), and the check that refuses a text naming a source that
 * has not agreed to be named. The matching itself is the pure src/domain/names.ts.
 */
import { UserError } from '../core/errors.ts';
import type { Tx } from '../db/client.ts';
import { findName, type Name, type NameHit, namesOf, type OrgNames } from '../domain/names.ts';
import { showInvisible } from '../domain/text.ts';

/** Short names as stored: a JSON array of strings. */
export function decodeShortNames(stored: string | null | undefined): string[] {
  try {
    const v: unknown = JSON.parse(stored ?? '[]');
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

export function encodeShortNames(list: readonly string[]): string {
  return JSON.stringify([...list]);
}

/**
 * Every name of an organisation as the checks use it: code, official names, short names, and
 * its handles (channel ids and names on every platform, the Slack and Mattermost user ids of
 * its people — a mention of either points at it). Null for an unknown organisation.
 */
export async function orgNames(tx: Tx, orgId: number): Promise<OrgNames | null> {
  const o = await tx.organization.findUnique({ where: { id: orgId }, include: { channels: true } });
  if (!o) return null;
  const people = await tx.person.findMany({ where: { orgId }, select: { identity: true } });
  const handles = [
    ...o.channels.flatMap((c) => [c.channelId, ...(c.name ? [c.name] : [])]),
    ...people
      .map((p) => p.identity)
      .filter((i) => !i.startsWith('console:'))
      .map((i) => i.slice(i.indexOf(':') + 1)),
  ];
  return { code: o.code, nameJa: o.nameJa, nameEn: o.nameEn, short: decodeShortNames(o.shortNames), handles };
}

/** A source of an advisory as the check needs it. */
export interface CheckedSource {
  incidentId: string;
  orgId: number;
  share: string;
}

/**
 * Refuses (UserError `advisory.names_source`) a title or body in which a source that is not
 * `attributed` can be recognised: any of its organisation's names however spelt, or the id of
 * any of its incidents among the sources.
 */
export async function refuseNamedSources(
  tx: Tx,
  a: { title: string; body: string },
  sources: readonly CheckedSource[],
): Promise<void> {
  const found = await namedSource(tx, a, sources);
  if (!found) return;
  const { hit, incident } = found;
  const word = showInvisible(hit.found);
  if (word.toLowerCase() === hit.name.text.toLowerCase())
    throw new UserError('advisory.names_source', { word, incident });
  throw new UserError('advisory.names_source_as', { word, name: hit.name.text, incident });
}

/**
 * The first name of a source that is not `attributed` found in the title or body, with the
 * source incident it points at, or null: the check of {@link refuseNamedSources} for callers
 * that refuse in their own way (the dispatcher's pre-send check, src/services/advisory-guard.ts).
 */
export async function namedSource(
  tx: Tx,
  a: { title: string; body: string },
  sources: readonly CheckedSource[],
): Promise<{ hit: NameHit; incident: string } | null> {
  const byOrg = new Map<number, string[]>();
  for (const s of sources) {
    if (s.share === 'attributed') continue;
    byOrg.set(s.orgId, [...(byOrg.get(s.orgId) ?? []), s.incidentId]);
  }
  for (const [orgId, incidents] of byOrg) {
    const org = await orgNames(tx, orgId);
    const names: Name[] = org ? namesOf(org, incidents) : incidents.map((text) => ({ kind: 'incident', text }));
    const hit = findName(a.title, names) ?? findName(a.body, names);
    if (hit) return { hit, incident: hit.name.kind === 'incident' ? hit.name.text : (incidents[0] as string) };
  }
  return null;
}
