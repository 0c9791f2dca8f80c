/**
 * The escalation rule (src/domain/escalation.ts) and ESCALATION_CHAIN: examples, then a
 * simulation of the scheduler over random chains, role holders that change, acknowledgements
 * and clock moves (ten-day jumps included), checked against the rules.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { test } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.ts';
import {
  type Candidate,
  chainText,
  ESCALATION_ROLES,
  type EscalationChain,
  type EscalationRole,
  escalate,
  firstStepDue,
  parseChain,
  type StepOutcome,
} from '../../../src/domain/escalation.ts';

const H = 3_600_000;
const person = (identity: string, over: Partial<Candidate> = {}): Candidate => ({
  identity,
  chat: true,
  mayKnow: true,
  ...over,
});

test('ESCALATION_CHAIN: the default, full-width forms, off; bad values refused with a Japanese and English start error', () => {
  const c = loadConfig({});
  assert.equal(chainText(c.ESCALATION_CHAIN), 'primary:1d,deputy:4h,ciso:4h,duty:2h');
  assert.deepEqual(loadConfig({ ESCALATION_CHAIN: 'ｄｕｔｙ：９０ｍ' }).ESCALATION_CHAIN, [
    { role: 'duty', afterMs: 90 * 60_000 },
  ]);
  assert.deepEqual(loadConfig({ ESCALATION_CHAIN: ' OFF ' }).ESCALATION_CHAIN, []);
  assert.equal(chainText(c.REPORT_ESCALATION_CHAIN), 'primary:1h,deputy:2h,duty:2h');
  assert.throws(
    () => loadConfig({ REPORT_ESCALATION_CHAIN: 'primary:1h,owner:2h' }),
    (e: unknown) =>
      e instanceof ConfigError && /^REPORT_ESCALATION_CHAIN: 「owner」は役割として使えません/.test(e.problems[0] ?? ''),
  );
  for (const [value, ja] of [
    ['primary:24h,boss:1h', /「boss」は役割として使えません/],
    ['primary:24h,primary:1h', /役割「primary」が2回指定されています/],
    ['primary:0m', /待ち時間は1分以上30日以内/],
    ['primary:31d', /待ち時間は1分以上30日以内/],
    ['primary:24h;deputy:4h', /段階として読み取れません/],
    ['primary:24h,', /段階として読み取れません/],
    ['pri\u200Bmary:24h', /段階として読み取れません/],
    ['\u202Eprimary:24h', /段階として読み取れません/],
    ['primary:-1h', /段階として読み取れません/],
  ] as const) {
    assert.throws(
      () => loadConfig({ ESCALATION_CHAIN: value }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.problems.length === 1 &&
        (e.problems[0] ?? '').startsWith('ESCALATION_CHAIN: ') &&
        ja.test(e.problems[0] ?? '') &&
        / \/ [a-z"]/.test(e.problems[0] ?? ''),
      value,
    );
  }
});

test('examples: a skipped role is taken over at once; an acknowledgement or a withdrawal stops; the last step ends the chain', () => {
  const chain = (parseChain('primary:24h,deputy:4h,ciso:4h,duty:2h') as { ok: true; chain: EscalationChain }).chain;
  const now = new Date('2026-12-01T00:00:00Z');
  assert.equal(firstStepDue(chain, now)?.toISOString(), '2026-12-02T00:00:00.000Z');
  const s = {
    acknowledged: false,
    settled: false,
    holders: { primary: [person('p')], ciso: [person('c')], duty: [person('d')] },
    told: new Set(['p']),
  };
  assert.deepEqual(escalate(chain, 1, now, s), {
    outcomes: [
      { index: 1, role: 'deputy', skipped: 'nobody' },
      { index: 2, role: 'ciso', to: ['c'] },
    ],
    next: { index: 3, dueAt: new Date(now.getTime() + 2 * H) },
    stopped: null,
  });
  assert.deepEqual(escalate(chain, 1, now, { ...s, acknowledged: true }), {
    outcomes: [],
    next: null,
    stopped: 'acknowledged',
  });
  assert.deepEqual(escalate(chain, 0, now, { ...s, settled: true }).stopped, 'settled');
  assert.deepEqual(escalate(chain, 3, now, s), {
    outcomes: [{ index: 3, role: 'duty', to: ['d'] }],
    next: null,
    stopped: null,
  });
  // the same person as primary and CISO is asked once; no chat, or TLP:RED outside the recipients: skipped
  const same = { ...s, told: new Set<string>(), holders: { primary: [person('p')], ciso: [person('p')] } };
  assert.deepEqual(escalate(chain, 2, now, { ...same, told: new Set(['p']) }).outcomes, [
    { index: 2, role: 'ciso', skipped: 'already_told' },
    { index: 3, role: 'duty', skipped: 'nobody' },
  ]);
  const odd = { ...s, holders: { deputy: [person('x', { chat: false })], ciso: [person('y', { mayKnow: false })] } };
  assert.deepEqual(escalate(chain, 1, now, odd).outcomes, [
    { index: 1, role: 'deputy', skipped: 'no_chat' },
    { index: 2, role: 'ciso', skipped: 'not_a_recipient' },
    { index: 3, role: 'duty', skipped: 'nobody' },
  ]);
  // no chat but an e-mail address (issue 20 item 5): the step is taken (by e-mail); TLP still first
  const mailed = {
    ...s,
    holders: {
      deputy: [person('x', { chat: false, mail: true })],
      ciso: [person('y', { chat: false, mail: true, mayKnow: false })],
    },
  };
  assert.deepEqual(escalate(chain, 1, now, mailed).outcomes, [{ index: 1, role: 'deputy', to: ['x'] }]);
  assert.deepEqual(escalate(chain, 2, now, mailed).outcomes, [
    { index: 2, role: 'ciso', skipped: 'not_a_recipient' },
    { index: 3, role: 'duty', skipped: 'nobody' },
  ]);
  // a step beyond a chain shortened since: nothing
  assert.deepEqual(escalate(chain.slice(0, 2), 3, now, s), { outcomes: [], next: null, stopped: null });
});

const arbChain = fc
  .uniqueArray(fc.constantFrom(...ESCALATION_ROLES), { minLength: 1, maxLength: 4 })
  .chain((roles) =>
    fc.tuple(...roles.map((role) => fc.integer({ min: 1, max: 72 }).map((h) => ({ role, afterMs: h * H })))),
  );

/** Who holds each role during a stretch of time: a few people, sometimes nobody, sometimes shared. */
const arbHolders = fc.dictionary(
  fc.constantFrom(...ESCALATION_ROLES),
  fc.array(fc.record({ identity: fc.constantFrom('a', 'b', 'c', 'd'), chat: fc.boolean(), mayKnow: fc.boolean() }), {
    maxLength: 2,
  }),
) as fc.Arbitrary<Partial<Record<EscalationRole, Candidate[]>>>;

test('simulated: in order, each step at most once, one message-step per pass, nothing after the acknowledgement, skips exactly when nobody fits, waits kept', () => {
  fc.assert(
    fc.property(
      arbChain,
      // clock moves: minutes to ten days, each with who holds the roles from then on
      fc.array(fc.record({ moveH: fc.oneof(fc.integer({ min: 0, max: 6 }), fc.constant(240)), holders: arbHolders }), {
        minLength: 1,
        maxLength: 25,
      }),
      fc.option(fc.integer({ min: 0, max: 24 * 30 }), { nil: null }),
      (chain, moves, ackAfterH) => {
        const sent = 0;
        const ackAt = ackAfterH === null ? Number.POSITIVE_INFINITY : ackAfterH * H;
        let now = sent;
        let job: { index: number; dueAt: number } | null = {
          index: 0,
          dueAt: (firstStepDue(chain, new Date(sent)) as Date).getTime(),
        };
        const told = new Set<string>();
        const seen: (StepOutcome & { at: number })[] = [];
        for (const m of moves) {
          now += m.moveH * H;
          // the scheduler: a due job fires once (its successor is due strictly later: never in the same pass)
          if (job && job.dueAt <= now) {
            const e = escalate(chain, job.index, new Date(now), {
              acknowledged: now >= ackAt,
              settled: false,
              holders: m.holders,
              told,
            });
            if (now >= ackAt) assert.deepEqual(e, { outcomes: [], next: null, stopped: 'acknowledged' });
            // one pass: skipped steps, then at most one that tells people, as the last
            const telling = e.outcomes.filter((o) => 'to' in o);
            assert.ok(telling.length <= 1);
            if (telling.length === 1) assert.ok('to' in (e.outcomes.at(-1) as StepOutcome));
            // contiguous from the job's step
            const from: number = job.index;
            assert.deepEqual(
              e.outcomes.map((o) => o.index),
              e.outcomes.map((_, k) => from + k),
            );
            for (const o of e.outcomes) {
              const role = (chain[o.index] as { role: EscalationRole }).role;
              assert.equal(o.role, role);
              const holders = m.holders[role] ?? [];
              const fit = holders.filter((c) => c.mayKnow && !told.has(c.identity) && c.chat);
              if ('to' in o) {
                assert.deepEqual(new Set(o.to), new Set(fit.map((c) => c.identity)));
                assert.ok(o.to.length > 0);
                for (const x of o.to) told.add(x);
              } else assert.equal(fit.length, 0, `skipped ${o.skipped} with someone fitting`);
              seen.push({ ...o, at: now });
            }
            if (e.next) {
              const last = e.outcomes.at(-1) as StepOutcome;
              assert.equal(e.next.index, last.index + 1);
              assert.equal(e.next.dueAt.getTime(), now + (chain[e.next.index] as { afterMs: number }).afterMs);
            } else if (e.stopped === null) assert.equal((e.outcomes.at(-1) as StepOutcome).index, chain.length - 1);
            job = e.next ? { index: e.next.index, dueAt: e.next.dueAt.getTime() } : null;
          }
        }
        // every step at most once, strictly in order; nothing at or after the acknowledgement
        const idx = seen.map((o) => o.index);
        assert.deepEqual(
          idx,
          [...new Set(idx)].sort((x, y) => x - y),
        );
        assert.ok(seen.every((o) => o.at < ackAt));
        // message steps are spaced by at least the wait of the later one
        const msgs = seen.filter((o) => 'to' in o);
        for (let k = 1; k < msgs.length; k++) {
          const [a, b] = [msgs[k - 1], msgs[k]] as [StepOutcome & { at: number }, StepOutcome & { at: number }];
          assert.ok(b.at - a.at >= (chain[a.index + 1] as { afterMs: number }).afterMs);
        }
        // nobody told twice
        const people = msgs.flatMap((o) => ('to' in o ? o.to : []));
        assert.equal(people.length, new Set(people).size);
      },
    ),
    { seed: 20_002, numRuns: 400 },
  );
});
