// npm run erase -- <identity> [--reason <text>] [--apply]: erases one person's personal data on
// request (src/services/erasure.ts; docs/operations.md "Retention and erasure"); without --apply it
// only counts what would be erased. Audited; the audit chain still verifies.
// Exit: 0 done (or nothing to do), 1 failed or no such person, 2 bad arguments or configuration.
import { ConfigError, loadConfig } from '../src/config.ts';
import { offsetClock } from '../src/core/clock.ts';
import { openDatabase } from '../src/db/client.ts';
import { codePointLabel } from '../src/domain/text.ts';
import { describeErasure, erasePerson } from '../src/services/erasure.ts';
import { operator } from '../src/services/retention.ts';

const USAGE = 'usage: npm run erase -- <identity, e.g. slack:U0123ABCD> [--reason <text>] [--apply]';

function usage(message: string): never {
  console.error(`erase: ${message}\n${USAGE}`);
  process.exit(2);
}

try {
  const argv = process.argv.slice(2);
  let identity: string | undefined;
  let reason: string | undefined;
  let apply = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--apply') apply = true;
    else if (a === '--reason') reason = argv[++i] ?? usage('--reason needs a value');
    else if (a.startsWith('-')) usage(`unknown argument ${a}`);
    else if (identity !== undefined) usage(`one identity at a time (${identity}, ${a})`);
    else identity = a;
  }
  if (identity === undefined) usage('which person? give their identity');
  // an identity is matched exactly: what was typed must be what is stored, no look-alikes
  const invisible = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2028\u2029\s]/u.exec(identity);
  if (invisible) usage(`the identity contains an invisible or space character ${codePointLabel(invisible[0])}`);
  if (identity.normalize('NFKC') !== identity)
    usage(`the identity ${identity} is not written as identities are (NFKC: ${identity.normalize('NFKC')})`);
  if (!/^(slack|mattermost|console):\S+$/.test(identity))
    usage(`${identity} is not an identity (slack:U…, mattermost:<id>, console:<name>)`);
  const config = loadConfig(process.env);
  if (apply && config.BOT_ADMINS.includes(identity))
    usage(`${identity} is in BOT_ADMINS, which would grant it again at the next start: remove it there first`);
  const now = offsetClock(config.BOT_CLOCK_OFFSET_MS).now();
  const db = await openDatabase(config.DATABASE_URL);
  try {
    const r = await erasePerson(db, { identity, now, apply, by: operator(), reason });
    console.log(describeErasure(identity, r));
    if (r.kind === 'unknown') process.exitCode = 1;
  } finally {
    await db.close();
  }
} catch (e) {
  if (e instanceof ConfigError) {
    for (const p of e.problems) console.error(`configuration error: ${p}`);
    process.exit(2);
  }
  console.error(`erase failed (nothing was changed): ${(e as Error).message}`);
  process.exit(1);
}
