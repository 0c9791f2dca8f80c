// npm run audit:verify: walks the audit hash chain; prints the count and the head hash, or
// the first broken record and exits 1. `--head` prints only the head hash (keep it elsewhere).
// `--expect <seq>:<hash>` (repeatable) and `--anchors <file>` (every line of an anchor file)
// also check that the chain still holds each anchored head: a truncated chain (newest records
// deleted, head rewound) verifies as a chain but fails here, naming the records missing.
// Redacted records (retention, erasure: src/audit/redact.ts) verify against the audit.redact
// record that attests them, and are counted with the records that attest them.
// Exit: 0 OK, 1 broken or an anchor not matched, 2 could not check (configuration, arguments).
import { type Anchor, checkAnchor, formatAnchor, parseAnchor, readAnchorFile } from '../src/audit/anchor.ts';
import { verifyChain } from '../src/audit/chain.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/client.ts';

class UsageError extends Error {}

async function anchorsOf(argv: string[]): Promise<Anchor[]> {
  const anchors: Anchor[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    if (flag !== '--expect' && flag !== '--anchors') {
      if (flag === '--head') continue;
      throw new UsageError(`unknown argument ${arg} (use --expect <seq>:<hash>, --anchors <file>, --head)`);
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    if (flag === '--expect') {
      const a = parseAnchor(value);
      if (!a) throw new UsageError(`--expect ${value}: expected <seq>:<64 hex digits>, e.g. 57:9f86d081…`);
      anchors.push(a);
    } else {
      const f = await readAnchorFile(value).catch((e: Error) => {
        throw new UsageError(`--anchors ${value}: ${e.message}`);
      });
      if (f.bad.length) throw new UsageError(`--anchors ${value}: lines ${f.bad.join(', ')} are not anchors`);
      anchors.push(...f.anchors);
    }
  }
  return anchors;
}

try {
  const argv = process.argv.slice(2);
  const anchors = await anchorsOf(argv);
  const config = loadConfig(process.env);
  const db = await openDatabase(config.DATABASE_URL);
  try {
    const r = await verifyChain(db.prisma);
    if (!r.ok) {
      console.error(
        `audit chain BROKEN at record ${r.seq} (${r.kind}): ${r.detail}; ${r.count} records before it are intact`,
      );
      process.exitCode = 1;
    } else {
      const failed = [];
      for (const a of anchors) {
        const c = await checkAnchor(db.prisma, a);
        if (!c.ok) failed.push(c);
      }
      if (failed.length) {
        for (const c of failed)
          console.error(`audit chain does NOT match anchor ${formatAnchor(c.anchor)} (${c.kind}): ${c.detail}`);
        console.error(
          `${r.count} records link correctly, but ${failed.length} of ${anchors.length} anchors are not matched`,
        );
        process.exitCode = 1;
      } else if (argv.includes('--head')) console.log(r.head);
      else {
        console.log(`audit chain OK: ${r.count} records, head ${r.count}:${r.head}`);
        if (r.redacted)
          console.log(
            `${r.redacted} records redacted (retention, erasure), as attested by audit.redact record${r.redactions.length === 1 ? '' : 's'} ${r.redactions.join(', ')}`,
          );
        if (anchors.length) console.log(`matches ${anchors.length} anchor${anchors.length === 1 ? '' : 's'}`);
      }
    }
  } finally {
    await db.close();
  }
} catch (e) {
  if (e instanceof ConfigError) for (const p of e.problems) console.error(`configuration error: ${p}`);
  else if (e instanceof UsageError) console.error(`audit:verify: ${e.message}`);
  else console.error(`audit verification failed: ${(e as Error).message}`);
  process.exitCode = 2;
}
