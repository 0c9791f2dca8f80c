/**
 * Every internal error is a bug (issue 16, item 10). A property test (fast-check, fixed seed)
 * drives every command of the registry through the router with random *valid-looking* input —
 * the values a person would plausibly type for each field (existing and neighbouring ids,
 * codes, dates around now, amounts, Japanese text, indicators), now and then one value made odd
 * — as every role, typed or as form values, on a database that fills up as it goes. The
 * assertion: no reply is the internal error (the one with a reference number), no unhandled
 * rejection, and a refused command writes nothing. (tests/security/properties.test.ts sends
 * arbitrary hostile records, which mostly stop at the schema; these reach the handlers.)
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { afterAll, beforeAll, test } from 'vitest';
import type { z } from 'zod';
import { groups } from '../../commands/index.ts';
import { consoleRefs } from '../../src/adapters/console/refs.ts';
import { quoteArg } from '../../src/core/parser.ts';
import { replyToText } from '../../src/core/reply.ts';
import { fieldShape } from '../../src/core/schema-info.ts';
import { P, registerAdvisoryPeople } from '../helpers/advisory-fixtures.ts';
import { type TestApp, testApp } from '../helpers/app.ts';
import { tableCounts } from '../helpers/counts.ts';

const SEED = Number(process.env.ROUTER_VALID_SEED ?? 16_010);
// the everyday size; npm run test:deep runs 700 (scripts/test-files.mjs DEEP_ENV)
const RUNS = Number(process.env.ROUTER_VALID_RUNS ?? 150);

const rejections: unknown[] = [];
const onRejection = (e: unknown) => rejections.push(e);
process.on('unhandledRejection', onRejection);

const COMMANDS = groups.flatMap((g) =>
  g.commands.map((c) => ({ group: g.name, name: c.name ? `${g.name} ${c.name}` : g.name, def: c })),
);
const WHO = [P.admin, P.coordinator, P.approver, P.both, P.poc, P.otherPoc, P.ciso, P.env, P.stranger];
/** the roles each person holds (tests/helpers/personas.ts, advisory-fixtures.ts) */
const ROLES: Record<string, readonly string[]> = {
  [P.admin]: ['admin'],
  [P.coordinator]: ['coordinator'],
  [P.approver]: ['approver'],
  [P.both]: ['coordinator', 'approver'],
  [P.poc]: ['poc'],
  [P.otherPoc]: ['poc'],
  [P.ciso]: ['ciso'],
  [P.env]: ['poc'],
  [P.stranger]: [],
};
/** Mostly someone allowed to run the command (so that it reaches its handler), now and then anyone. */
function whoFor(c: (typeof COMMANDS)[number]): fc.Arbitrary<string> {
  const a = c.def.access;
  const fits = WHO.filter((w) =>
    a === 'anyone'
      ? true
      : a === 'person'
        ? w !== P.stranger
        : a === 'registered'
          ? w !== P.stranger && (ROLES[w]?.length ?? 0) > 0
          : a.some((r) => ROLES[w]?.includes(r)),
  );
  return fits.length
    ? fc.oneof({ weight: 4, arbitrary: one(...fits) }, { weight: 1, arbitrary: one(...WHO) })
    : one(...WHO);
}

const one = <T>(...xs: T[]) => fc.constantFrom(...xs);
/** one of `good` three times in four, else one of `other` */
const likely = <T>(good: T[], other: T[]) =>
  fc.oneof({ weight: 3, arbitrary: one(...good) }, { weight: 1, arbitrary: one(...other) });
const ids = (prefix: string, n = 4) =>
  Array.from({ length: n }, (_, i) => `${prefix}-2026-${String(i + 1).padStart(4, '0')}`);
const text = fc.oneof(
  {
    weight: 3,
    arbitrary: one(
      '不審なメールを受信',
      '端末の隔離を完了しました',
      'Suspicious login',
      '第3回 定例会議',
      'x',
      '「引用」を含む文',
      'a"b',
    ),
  },
  {
    weight: 1,
    arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).filter((s) => s.trim().length > 0),
  },
);
const dateAround = (withTime: boolean) =>
  fc.integer({ min: -800, max: 800 }).map((d) => {
    const at = new Date(Date.UTC(2026, 10, 25, 1, 0) + d * 86_400_000 + (d % 7) * 3_600_000);
    const s = new Date(at.getTime() + 9 * 3_600_000).toISOString();
    return withTime ? `${s.slice(0, 10)} ${s.slice(11, 16)}` : s.slice(0, 10);
  });
const INDICATORS = [
  '192.0.2.1',
  '198.51.100.7',
  'evil.example',
  'hxxps://bad[.]example[.]jp/login',
  'user[@]bad.example',
  'd41d8cd98f00b204e9800998ecf8427e',
  '2001:db8::1',
];
const ORGS = ['maff', 'mof', 'nisc', 'env', 'mlit', 'MAFF', 'ｍａｆｆ', 'zz'];
const USERS = [P.poc, P.otherPoc, '@maff-poc', '@env-poc', 'console:newbie', P.coordinator];

/** Valid-looking values for a field, by its name (and its options, where it has some). */
/** the organisation of each person (their systems, their answers) */
const ORG_OF: Record<string, string> = { [P.poc]: 'maff', [P.ciso]: 'maff', [P.otherPoc]: 'mof', [P.env]: 'env' };

/** Valid-looking values for a field, by its name (and its options, where it has some), as `who` would type them. */
function valueFor(group: string, key: string, s: z.ZodType, who: string): fc.Arbitrary<string | string[]> {
  const org = ORG_OF[who] ?? 'maff';
  const options = fieldShape(s).options;
  if (options) {
    const also = options.includes('yes')
      ? ['はい', 'いいえ', '同意']
      : options.includes('attend')
        ? ['出席', '代理']
        : [];
    return fc.oneof(
      { weight: 5, arbitrary: one(...options) },
      { weight: 1, arbitrary: one(...options.map((o) => o.toUpperCase()), ...also) },
    );
  }
  switch (key) {
    case 'id': {
      // the ids of the seeded records first, a neighbour or another form now and then
      const [prefix, n] =
        group === 'incident'
          ? ['INC', 2]
          : group === 'advisory'
            ? ['ADV', 2]
            : group === 'meeting'
              ? ['MTG', 2]
              : ['CMP', 1];
      const seeded = ids(prefix, n);
      return likely([...seeded, (seeded[0] as string).toLowerCase()], ids(prefix, n + 2).slice(n));
    }
    case 'campaign':
      return likely(['CMP-2026-0001', 'cmp-2026-0001'], ['CMP-2026-0002', 'CMP-2025-0001']);
    case 'system':
      // mostly the person's own organisation's system (the one they may answer for)
      return likely(
        [`SYS-${org}-001`, `sys-${org.toUpperCase()}-001`],
        ['SYS-maff-001', 'SYS-mof-002', 'SYS-maff-999'],
      );
    case 'item':
      return likely(['ENT-01', 'INT-02', 'ext-03'], ['VIO-04', 'ZZZ-99']);
    case 'category':
      return one('malware', 'マルウェア感染', 'phishing', 'other');
    case 'tlp':
      return one('green', 'amber', 'TLP:AMBER', 'red', 'clear', 'amber+strict');
    case 'detected':
    case 'occurred':
    case 'start':
      return dateAround(true);
    case 'since':
    case 'due':
    case 'planned':
    case 'established':
      return dateAround(false);
    case 'ioc':
      return fc.array(one(...INDICATORS), { minLength: 1, maxLength: 3 });
    case 'value':
      return one(...INDICATORS);
    case 'org':
      return one(...ORGS);
    case 'audience':
    case 'invite':
      return one('all', 'maff', 'maff,mof', 'env,mlit', 'maff,zz');
    case 'sources':
      return one('INC-2026-0001', 'INC-2026-0001,INC-2026-0002', 'inc-2026-0003');
    case 'recipients':
      return one(P.poc, `${P.poc},${P.otherPoc}`, '@env-poc');
    case 'user':
      // poc add/remove change who may do what: never the people who drive the test
      return group === 'poc' ? one(P.mlit, '@mlit-deputy', 'console:newbie', 'console:mof-deputy') : one(...USERS);
    case 'primary':
    case 'deputy':
    case 'proxy':
      return one(...USERS);
    case 'role':
      return one('poc', 'ciso', 'poc,ciso', 'coordinator', 'approver');
    case 'channel':
      return one('#maff-csirt', 'maff', '#env');
    case 'duration':
      return one('90m', '1h', '2h30m', '30');
    case 'reminders':
      return one('7d,1d,1h', '1d', '1h', '30m');
    case 'url':
      return one('https://meet.example.jp/a', 'http://example.jp');
    case 'budget':
    case 'cost':
      // yen: a ministry's countermeasure or plan easily exceeds 2^31 (2,147,483,648)
      return one(
        '3000000',
        '1,000,000',
        '¥500000',
        '0',
        '1000',
        '2147483648',
        '2,000,000,000',
        '3,500,000,000',
        '120000000000',
      );
    case 'page':
      return one('1', '2', '3');
    case 'version':
      return one('1', '2');
    case 'command':
      return one(...groups.map((g) => g.name), '窓口');
    case 'sub':
      return one('add', 'list', 'show', '追加');
    default:
      return text;
  }
}

/** A record for one command: each required field, some optional ones, now and then one odd value. */
function recordFor(c: (typeof COMMANDS)[number], who: string): fc.Arbitrary<Record<string, string | string[]>> {
  const shape = c.def.schema.shape as Record<string, z.ZodType>;
  const entries = Object.entries(shape).map(([k, s]) => {
    const v = valueFor(c.group, k, s, who);
    return [k, fieldShape(s).optional ? fc.option(v, { freq: 2, nil: undefined }) : v] as const;
  });
  const odd = one(
    '',
    ' ',
    '0',
    '-1',
    '9999-12-31',
    '2026-02-30',
    'ＩＮＣ－２０２６－０００１',
    '\u200bmaff',
    'all',
    'x'.repeat(300),
  );
  return fc
    .tuple(
      fc.tuple(...entries.map(([, a]) => a)),
      // one record in six has one odd value (most should reach the handler)
      fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.tuple(fc.nat(), odd) }),
    )
    .map(([values, mutation]) => {
      const raw: Record<string, string | string[]> = {};
      entries.forEach(([k], i) => {
        const v = values[i];
        if (v !== undefined) raw[k] = v as string | string[];
      });
      const keys = Object.keys(raw);
      if (mutation && keys.length) raw[keys[mutation[0] % keys.length] as string] = mutation[1];
      return raw;
    });
}

/** The command line for a record: positional fields as words, the rest as key=value. */
function asLine(c: (typeof COMMANDS)[number], raw: Record<string, string | string[]>): string {
  const parts = [c.name];
  const positional = c.def.positional ?? [];
  let gap = false;
  for (const k of positional) {
    const v = raw[k];
    if (typeof v === 'string' && v !== '' && !gap) parts.push(quoteArg(v));
    else gap = true;
  }
  for (const [k, v] of Object.entries(raw)) {
    if (positional.includes(k) && typeof raw[k] === 'string' && parts.includes(quoteArg(raw[k] as string))) continue;
    for (const x of Array.isArray(v) ? v : [v]) parts.push(`${k}=${quoteArg(x)}`);
  }
  return parts.join(' ');
}

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: '2026-11-25T01:00:00Z' });
  await registerAdvisoryPeople(t);
  // some state for the ids to find
  for (const [who, cmd] of [
    [P.poc, 'report category=malware summary="seed" ioc=192.0.2.1'],
    [P.otherPoc, 'report category=phishing summary="seed 2" ioc=192.0.2.1 share=attributed'],
    [P.poc, 'system add name="seed" confidentiality=2 exposure=internet'],
    [P.otherPoc, 'system add name="seed" confidentiality=3 exposure=internal'],
    [P.env, 'system add name="seed" confidentiality=1 exposure=isolated'],
    [P.coordinator, 'check campaign open due=2027-01-15'],
    [P.coordinator, 'meeting schedule title="seed" start="2026-12-10 10:00"'],
    [P.coordinator, 'meeting schedule title="seed 2" start="2027-01-12 14:00" invite=maff,mof reminders=7d,1d,1h'],
    // ADV-2026-0001 sent (to be acknowledged), ADV-2026-0002 a draft citing an incident (consent)
    [P.coordinator, 'advisory draft title=seed body=seed severity=high tlp=green audience=maff,mof'],
    [P.coordinator, 'advisory submit ADV-2026-0001'],
    [P.approver, 'advisory approve ADV-2026-0001'],
    [
      P.coordinator,
      'advisory draft title=seed2 body=seed2 severity=medium tlp=amber audience=maff,env sources=INC-2026-0002',
    ],
  ] as const) {
    const o = await t.run(who, cmd);
    assert.equal(o.status, 'ok', `${cmd}: ${replyToText(o.reply)}`);
  }
  await t.app.dispatcher.drain();
});
afterAll(async () => {
  await t.close();
  process.off('unhandledRejection', onRejection);
});

test(`every command through the router with valid-looking input as every role: ${RUNS} runs, never an internal error`, async () => {
  const tally: Record<string, number> = {};
  const byCommand: Record<string, number> = {};
  const commandArb = fc.nat(COMMANDS.length - 1).chain((i) => {
    const c = COMMANDS[i] as (typeof COMMANDS)[number];
    // the command by its name, so that a counterexample reads as a command line
    return whoFor(c).chain((who) =>
      fc.tuple(
        fc.constant(c.name),
        recordFor(c, who),
        fc.constant(who),
        fc.boolean(),
        fc.integer({ min: 0, max: 3_600_000 }),
      ),
    );
  });
  await fc.assert(
    fc.asyncProperty(commandArb, async ([name, raw, who, typed, later]) => {
      const c = COMMANDS.find((x) => x.name === name) as (typeof COMMANDS)[number];
      // time moves on between commands: what came due fires first (reminders, deadlines)
      t.clock.advance(later);
      await t.app.scheduler.runDue();
      await t.app.dispatcher.drain();
      const before = await tableCounts(t.app);
      const o = await t.app.router.handle({
        platform: 'console',
        identity: who,
        text: typed ? asLine(c, raw) : c.name,
        ...(typed ? {} : { formValues: raw }),
        channelId: null,
        refs: consoleRefs,
        unlimited: true,
      });
      await t.app.dispatcher.drain();
      tally[o.status] = (tally[o.status] ?? 0) + 1;
      if (process.env.ROUTER_VALID_TALLY && o.status !== 'ok')
        console.log(
          `${o.status} ${who} ${typed ? asLine(c, raw) : JSON.stringify(raw)} => ${replyToText(o.reply).slice(0, 160).replace(/\n/g, ' ')}`,
        );
      if (process.env.ROUTER_VALID_TALLY)
        byCommand[`${c.name} ${o.status}`] = (byCommand[`${c.name} ${o.status}`] ?? 0) + 1;
      const reply = replyToText(o.reply);
      assert.notEqual(
        o.status,
        'error',
        `${c.name} as ${who} (${typed ? asLine(c, raw) : JSON.stringify(raw)}): ${reply}`,
      );
      if (o.status !== 'ok') {
        assert.deepEqual(await tableCounts(t.app), before, `${c.name} (${o.code}) as ${who}: nothing written`);
      }
    }),
    { seed: SEED, numRuns: RUNS },
  );
  if (process.env.ROUTER_VALID_TALLY)
    console.log(
      Object.entries(byCommand)
        .sort()
        .map(([k, v]) => `${k}: ${v}`)
        .join('\n'),
    );
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(rejections, [], 'no unhandled rejection');
  console.log(
    `router, valid-looking input: ${RUNS} runs over ${COMMANDS.length} commands; outcomes ${JSON.stringify(tally)}`,
  );
});
