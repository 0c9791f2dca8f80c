/**
 * Multi-row statements within the bound-parameter limits: SQLite's 32,766 and PostgreSQL's
 * 65,535 per statement. A batch of 32 reports with 100 indicators each binds ~13,000 for its
 * links alone, and its correlation posts could bind more: rows are cut into chunks that stay
 * under the smaller limit.
 */

/** Parameters one statement may bind here (below SQLite's 32,766, with room for a few more). */
export const MAX_PARAMS = 32_000;

/** `rows` cut into chunks of at most `MAX_PARAMS` parameters (`perRow` each); none when empty. */
export function chunks<T>(rows: readonly T[], perRow: number): T[][] {
  const size = Math.max(1, Math.floor(MAX_PARAMS / perRow));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** `(?, ?, …), (?, ?, …)`: the placeholders of `count` rows of `perRow` values. */
export function placeholders(count: number, perRow: number): string {
  const row = `(${Array.from({ length: perRow }, () => '?').join(', ')})`;
  return Array.from({ length: count }, () => row).join(', ');
}
