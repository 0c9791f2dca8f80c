/**
 * Anchors for the audit chain (issue 22 item 3). A hash chain kept only in the database does
 * not reveal truncation: delete the newest records, rewind the head, and the rest still
 * verifies. So the head (sequence and hash) is copied outside the database — posted to the
 * coordinating office's channel and appended to a file — and `npm run audit:verify -- --expect
 * <seq>:<hash>` checks that the chain still holds that exact record.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Prisma$ } from '../db/client.ts';

export interface Anchor {
  seq: number;
  hash: string;
}

/** `57:9f86d0…` (64 hex digits) → an anchor, or null when it is not one. */
export function parseAnchor(text: string): Anchor | null {
  const m = /^\s*(\d{1,12}):([0-9a-fA-F]{64})\s*$/.exec(text);
  if (!m) return null;
  const seq = Number(m[1]);
  return Number.isSafeInteger(seq) && seq > 0 ? { seq, hash: (m[2] as string).toLowerCase() } : null;
}

export function formatAnchor(a: Anchor): string {
  return `${a.seq}:${a.hash}`;
}

/** One line of the anchor file: `<ISO time> <seq>:<hash>`. */
export function anchorLine(a: Anchor, at: Date): string {
  return `${at.toISOString()} ${formatAnchor(a)}\n`;
}

/** The anchors of an anchor file's text (lines that are not anchors are reported, not skipped). */
export function parseAnchorFile(text: string): { anchors: Anchor[]; bad: number[] } {
  const anchors: Anchor[] = [];
  const bad: number[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const a = parseAnchor(line.trim().split(/\s+/).at(-1) ?? '');
    if (a) anchors.push(a);
    else bad.push(i + 1);
  });
  return { anchors, bad };
}

/**
 * Where anchors are appended: AUDIT_ANCHOR_FILE, else `audit-anchors.log` beside a SQLite
 * database file, else (PostgreSQL) `./data/audit-anchors.log`.
 */
export function anchorFilePath(configured: string | undefined, databaseUrl: string): string {
  if (configured) return resolve(configured);
  if (databaseUrl.startsWith('file:')) {
    const file = databaseUrl.slice('file:'.length).replace(/\?.*$/, '');
    return join(dirname(isAbsolute(file) ? file : resolve(file)), 'audit-anchors.log');
  }
  return resolve('data', 'audit-anchors.log');
}

/** Appends one line (O_APPEND: lines already written are never rewritten). */
export async function appendAnchor(path: string, a: Anchor, at: Date): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await appendFile(path, anchorLine(a, at), { flag: 'a', mode: 0o640 });
}

export async function readAnchorFile(path: string): Promise<{ anchors: Anchor[]; bad: number[] }> {
  return parseAnchorFile(await readFile(path, 'utf8'));
}

export type AnchorCheck =
  | { ok: true; anchor: Anchor }
  | { ok: false; anchor: Anchor; kind: 'missing'; last: number; detail: string }
  | { ok: false; anchor: Anchor; kind: 'rewritten'; stored: string; detail: string };

/**
 * Whether the chain still holds the anchored record with the anchored hash. Run it after
 * verifyChain: records 1..count are then known to link, so an intact record `seq` with the
 * anchored hash proves every record up to it is the one anchored.
 */
export async function checkAnchor(prisma: Prisma$, a: Anchor): Promise<AnchorCheck> {
  const r = await prisma.auditRecord.findUnique({ where: { seq: a.seq }, select: { hash: true } });
  if (!r) {
    const lastRec = await prisma.auditRecord.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } });
    const last = lastRec?.seq ?? 0;
    const missing = last + 1 === a.seq ? `record ${a.seq}` : `records ${last + 1}–${a.seq}`;
    return {
      ok: false,
      anchor: a,
      kind: 'missing',
      last,
      detail: `the anchored head ${formatAnchor(a)} is not in the chain: it ends at record ${last}, so ${missing} (${a.seq - last} in all) were removed (truncation)`,
    };
  }
  if (r.hash !== a.hash)
    return {
      ok: false,
      anchor: a,
      kind: 'rewritten',
      stored: r.hash,
      detail: `record ${a.seq} has hash ${r.hash} but was anchored as ${a.hash}: the chain up to record ${a.seq} was rewritten`,
    };
  return { ok: true, anchor: a };
}
