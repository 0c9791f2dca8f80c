/**
 * Property-based tests of every registry command through the full router on a real database
 * (fast-check, seed 424242): arbitrary records per command (25 a command in npm test, 100 in
 * npm run test:deep), as the admin or a ministry PoC, given as form values or as a typed line.
 * Any input gives a reply (ok or a localised error), never an internal error, never an
 * unhandled rejection, and never a partial write (not ok → every table's row count unchanged).
 * The parser, the indicator normaliser and the schemas alone (no database, run once):
 * tests/security/input-properties.test.ts; the hostile input: tests/helpers/hostile-input.ts.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { afterAll, beforeAll, test } from 'vitest';
import { consoleRefs } from '../../src/adapters/console/refs.ts';
import { quoteArg } from '../../src/core/parser.ts';
import { replyToText } from '../../src/core/reply.ts';
import { Prisma } from '../../src/db/generated/sqlite/client.ts';
import { type TestApp, testApp } from '../helpers/app.ts';
import { COMMANDS, type Raw, recordFor, SEED } from '../helpers/hostile-input.ts';
import { PERSONAS, registerPersonas } from '../helpers/personas.ts';

// the everyday size; npm run test:deep runs 100 (scripts/test-files.mjs DEEP_ENV)
const ROUTER_RUNS_PER_COMMAND = Number(process.env.PROPERTY_ROUTER_RUNS ?? 25);

const rejections: unknown[] = [];
const onRejection = (e: unknown) => rejections.push(e);
process.on('unhandledRejection', onRejection);

// ---------------------------------------------------------------- schemas, through the router
let t: TestApp;
let countSql = '';
beforeAll(async () => {
  t = await testApp({ env: { MAX_FIELD_LENGTH: '4000' } });
  await registerPersonas(t);
  countSql = `SELECT ${Object.values(Prisma.ModelName)
    .map((m) => `(SELECT COUNT(*) FROM "${m}") AS "${m}"`)
    .join(', ')}`;
  // some state for ids to hit: an incident, a system, a campaign, a meeting
  for (const [who, cmd] of [
    [PERSONAS.poc, 'report category=malware summary="seed" ioc=192.0.2.1'],
    [PERSONAS.poc, 'system add name="seed" confidentiality=2 exposure=internet'],
    [PERSONAS.coordinator, 'check campaign open due=2027-01-15'],
    [PERSONAS.coordinator, 'meeting schedule title="seed" start="2026-12-10 10:00"'],
  ] as const) {
    const o = await t.run(who, cmd);
    assert.equal(o.status, 'ok', `${cmd}: ${replyToText(o.reply)}`);
  }
});
afterAll(async () => {
  await t.close();
  process.off('unhandledRejection', onRejection);
});

async function counts(): Promise<Record<string, number>> {
  const [row] = await t.app.db.query<Record<string, number | bigint>>(t.app.db.prisma, countSql);
  return Object.fromEntries(Object.entries(row ?? {}).map(([k, v]) => [k, Number(v)]));
}

function asLine(command: string, raw: Raw): string {
  const parts = [command];
  for (const [k, v] of Object.entries(raw))
    for (const x of Array.isArray(v) ? v : [v]) parts.push(`${k}=${quoteArg(x)}`);
  return parts.join(' ');
}

test(`every command through the router: ${ROUTER_RUNS_PER_COMMAND} arbitrary records each, never a crash or a partial write`, async () => {
  const tally: Record<string, number> = {};
  let runs = 0;
  let snapshot = await counts();
  for (const { name, def } of COMMANDS) {
    await fc.assert(
      fc.asyncProperty(
        recordFor(def.schema),
        fc.constantFrom(PERSONAS.admin, PERSONAS.poc, PERSONAS.otherPoc),
        fc.boolean(),
        async (raw, who, typed) => {
          runs++;
          const o = await t.app.router.handle({
            platform: 'console',
            identity: who,
            text: typed ? asLine(name, raw) : name,
            ...(typed ? {} : { formValues: raw }),
            channelId: null,
            refs: consoleRefs,
            unlimited: true,
          });
          await t.app.dispatcher.drain();
          tally[o.status] = (tally[o.status] ?? 0) + 1;
          const text = replyToText(o.reply);
          assert.notEqual(o.status, 'error', `${name} as ${who} with ${JSON.stringify(raw).slice(0, 300)}: ${text}`);
          assert.ok(text.length > 0, `${name}: a reply`);
          const now = await counts();
          if (o.status !== 'ok') assert.deepEqual(now, snapshot, `${name} (${o.code}): nothing written`);
          snapshot = now;
        },
      ),
      { seed: SEED, numRuns: ROUTER_RUNS_PER_COMMAND },
    );
  }
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(rejections, [], 'no unhandled rejection');
  console.log(
    `router: ${COMMANDS.length} commands × ${ROUTER_RUNS_PER_COMMAND} records = ${runs} runs; outcomes ${JSON.stringify(tally)}`,
  );
});
