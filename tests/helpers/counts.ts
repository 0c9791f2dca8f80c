/** Row counts of every table: a denial or a rejected input must leave all of them unchanged. */
import type { App } from '../../src/app.ts';
import { Prisma } from '../../src/db/generated/sqlite/client.ts';

const MODELS = Object.values(Prisma.ModelName);
/** One statement for every table (one round trip, and on PostgreSQL one snapshot of them all). */
const COUNT_ALL = MODELS.map((m, i) => `SELECT ${i} AS i, COUNT(*) AS n FROM "${m}"`).join(' UNION ALL ');

export async function tableCounts(app: App): Promise<Record<string, number>> {
  const rows = await app.db.query<{ i: number | bigint; n: number | bigint }>(app.db.prisma, COUNT_ALL);
  const out: Record<string, number> = {};
  for (const model of MODELS) out[model] = 0;
  for (const r of rows) out[MODELS[Number(r.i)] as string] = Number(r.n);
  if (rows.length !== MODELS.length) throw new Error(`tableCounts: ${rows.length} rows for ${MODELS.length} tables`);
  return out;
}
