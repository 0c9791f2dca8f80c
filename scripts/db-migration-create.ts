// npm run db:migration:create -- <name>: a new migration for both providers from the
// difference between the last migration's schema snapshot and prisma/models/*.prisma.
// The PostgreSQL diff needs a server: PG_URL, else the tests' (scripts/test-pg.mjs).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMigration } from '../src/db/migrator.ts';
import { testPgServer } from './test-pg.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const name = process.argv[2] ?? 'change';
const server = process.env.PG_URL ? null : await testPgServer(root);
const pgUrl = process.env.PG_URL ?? server?.url ?? '';
const now = new Date();
try {
  for (const provider of ['sqlite', 'postgresql'] as const) {
    const dir = await createMigration(provider, root, name, { pgUrl, now });
    console.log(dir ? `${provider}: wrote ${dir}` : `${provider}: the schema has not changed`);
  }
} finally {
  await server?.stop();
}
