// npm run db:migrate: applies the checked-in migrations of DATABASE_URL's provider.
import { ROOT } from '../src/app.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { applyMigrations } from '../src/db/migrator.ts';

try {
  const config = loadConfig(process.env);
  const applied = await applyMigrations(config.DATABASE_URL, ROOT);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date');
} catch (e) {
  if (e instanceof ConfigError) for (const p of e.problems) console.error(`configuration error: ${p}`);
  else console.error(`migration failed: ${(e as Error).message}`);
  process.exit(1);
}
// Done: on PostgreSQL the schema engine (WebAssembly) leaves a 10 s timer behind, which kept
// the process alive for ~9 s after its last line. Its connections are closed by now.
process.exit(0);
