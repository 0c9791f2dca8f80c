// npm run retention [-- --apply]: removes what has passed its retention period (data/retention.json
// or RETENTION_FILE), redacting — not removing — the audit records concerned, so audit:verify and
// its anchors still pass (docs/operations.md "Retention and erasure"). Without --apply it only
// counts, per kind, what would go. Exit: 0 done, 1 failed, 2 bad arguments or configuration.
import { ConfigError, loadConfig } from '../src/config.ts';
import { offsetClock } from '../src/core/clock.ts';
import { openDatabase } from '../src/db/client.ts';
import { describeRetention, operator, runRetention } from '../src/services/retention.ts';
import { loadRetentionTable } from '../src/services/retention-table.ts';

try {
  const argv = process.argv.slice(2);
  const bad = argv.filter((a) => a !== '--apply');
  if (bad.length) {
    console.error(`retention: unknown argument ${bad[0]} (usage: npm run retention [-- --apply])`);
    process.exit(2);
  }
  const config = loadConfig(process.env);
  const table = loadRetentionTable(config.RETENTION_FILE);
  const now = offsetClock(config.BOT_CLOCK_OFFSET_MS).now();
  const db = await openDatabase(config.DATABASE_URL);
  try {
    const r = await runRetention(db, { table, now, apply: argv.includes('--apply'), by: operator() });
    console.log(describeRetention(r, now));
  } finally {
    await db.close();
  }
} catch (e) {
  if (e instanceof ConfigError) {
    for (const p of e.problems) console.error(`configuration error: ${p}`);
    process.exit(2);
  }
  console.error(`retention failed (nothing was changed): ${(e as Error).message}`);
  process.exit(1);
}
