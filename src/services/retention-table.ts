/**
 * The retention table in use: the file named by RETENTION_FILE, else the shipped
 * data/retention.json (docs/operations.md "Retention and erasure"). A missing or bad file is a
 * configuration error naming every problem.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config.ts';
import { parseRetentionTable, type RetentionTable } from '../domain/retention.ts';
import { PACKAGE_ROOT } from '../package-root.ts';

export const SHIPPED_RETENTION = join(PACKAGE_ROOT, 'data', 'retention.json');

export function loadRetentionTable(file: string | undefined): RetentionTable {
  const where = file ? `RETENTION_FILE (${file})` : 'data/retention.json';
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file || SHIPPED_RETENTION, 'utf8'));
  } catch (e) {
    throw new ConfigError([`${where}: cannot read a JSON file (${(e as Error).message})`]);
  }
  const r = parseRetentionTable(json);
  if (!r.ok) throw new ConfigError(r.problems.map((p) => `${where}: ${p}`));
  return r.table;
}
