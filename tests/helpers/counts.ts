/** Row counts of every table: a denial or a rejected input must leave all of them unchanged. */
import type { App } from '../../src/app.ts';
import { Prisma } from '../../src/db/generated/sqlite/client.ts';

export async function tableCounts(app: App): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const model of Object.values(Prisma.ModelName)) {
    const rows = await app.db.query<{ n: number | bigint }>(app.db.prisma, `SELECT COUNT(*) AS n FROM "${model}"`);
    out[model] = Number(rows[0]?.n ?? 0);
  }
  return out;
}
