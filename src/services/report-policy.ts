/**
 * The deployment's reporting rules, read once at start (the composition root): the file named by
 * REPORT_POLICY_FILE, else the shipped data/report-policy.json. A missing or bad file stops the
 * start with every problem named, like a bad environment variable.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config.ts';
import { parseReportPolicy, type ReportPolicy } from '../domain/report-policy.ts';
import { PACKAGE_ROOT } from '../package-root.ts';

/** from the package root: the same path from the sources and from the build (dist/) */
export const SHIPPED_POLICY = join(PACKAGE_ROOT, 'data', 'report-policy.json');

export function loadReportPolicy(file: string | undefined): ReportPolicy {
  const where = file ? 'REPORT_POLICY_FILE' : 'data/report-policy.json';
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file ?? SHIPPED_POLICY, 'utf8'));
  } catch (e) {
    throw new ConfigError([`${where}: cannot read a JSON file (${(e as Error).message})`]);
  }
  const r = parseReportPolicy(json);
  if (!r.ok) throw new ConfigError(r.problems.map((p) => `${where}: ${p}`));
  return r.policy;
}
