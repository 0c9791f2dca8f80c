// npm run audit:verify: walks the audit hash chain; prints the count and the head hash, or
// the first broken record and exits 1. `--head` prints only the head hash (keep it elsewhere).
import { verifyChain } from '../src/audit/chain.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/client.ts';

try {
  const config = loadConfig(process.env);
  const db = await openDatabase(config.DATABASE_URL);
  const r = await verifyChain(db.prisma);
  await db.close();
  if (r.ok) {
    console.log(process.argv.includes('--head') ? r.head : `audit chain OK: ${r.count} records, head ${r.head}`);
  } else {
    console.error(
      `audit chain BROKEN at record ${r.seq} (${r.kind}): ${r.detail}; ${r.count} records before it are intact`,
    );
    process.exit(1);
  }
} catch (e) {
  if (e instanceof ConfigError) for (const p of e.problems) console.error(`configuration error: ${p}`);
  else console.error(`audit verification failed: ${(e as Error).message}`);
  process.exit(2);
}
