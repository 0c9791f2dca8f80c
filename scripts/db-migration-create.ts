import { execFileSync } from 'node:child_process';
// npm run db:migration:create -- <name>: a new migration for both providers from the
// difference between the last migration's schema snapshot and prisma/models/*.prisma.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMigration } from '../src/db/migrator.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const name = process.argv[2] ?? 'change';
const pgUrl =
  process.env.PG_URL ?? execFileSync(join(root, 'scripts', 'pg-test-server.sh'), { encoding: 'utf8' }).trim();
const now = new Date();
for (const provider of ['sqlite', 'postgresql'] as const) {
  const dir = await createMigration(provider, root, name, { pgUrl, now });
  console.log(dir ? `${provider}: wrote ${dir}` : `${provider}: the schema has not changed`);
}
