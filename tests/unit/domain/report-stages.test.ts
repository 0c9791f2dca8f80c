/**
 * Report contents, stages and deadline clocks (issue 17) as pure rules: the stage a change
 * makes (table), what a 確報 lacks, the notification list however written, the reporting rules
 * file with every problem named, and the clocks' notices against a small oracle (fast-check,
 * fixed seed): per clock at most one notice, the escalation once the deadline has passed, else
 * the latest reminder whose time has come, nothing for a clock met or stopped.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { test } from 'vitest';
import { businessDaysAfter } from '../../../src/domain/business-days.ts';
import {
  type ClockInput,
  deadlineAt,
  dueNotices,
  plannedNotices,
  reportClocks,
} from '../../../src/domain/report-clocks.ts';
import {
  CONTENT_FIELDS,
  missingForFinal,
  parseNotified,
  type ReportContents,
} from '../../../src/domain/report-contents.ts';
import { parseDue, parseReportPolicy, type ReportPolicy } from '../../../src/domain/report-policy.ts';
import { afterStep, type StageState, stageStep } from '../../../src/domain/report-stages.ts';

const EMPTY: ReportContents = {
  contact: null,
  found: null,
  damage: null,
  personal: null,
  records: null,
  hosts: null,
  impact: null,
  cause: null,
  actions: null,
  plan: null,
  notified: null,
  public: null,
};

test('stageStep: the reporter makes 続報 numbered in turn and the 確報; anyone else makes a note', () => {
  const quick: StageState = { stage: 'quick', updates: 0 };
  const rows: [StageState, 'reporting-org' | 'other', boolean, string[], string][] = [
    [quick, 'reporting-org', false, [], 'update:1'],
    [{ stage: 'update', updates: 1 }, 'reporting-org', false, [], 'update:2'],
    [quick, 'other', false, [], 'note'],
    [{ stage: 'update', updates: 3 }, 'other', false, [], 'note'],
    [quick, 'reporting-org', true, [], 'final'],
    [{ stage: 'update', updates: 2 }, 'reporting-org', true, [], 'final'],
    [{ stage: 'update', updates: 2 }, 'reporting-org', true, ['impact'], 'incident.final_missing'],
    [{ stage: 'update', updates: 2 }, 'other', true, [], 'incident.final_not_reporter'],
    [{ stage: 'final', updates: 2 }, 'reporting-org', true, [], 'incident.already_final'],
    [{ stage: 'final', updates: 2 }, 'reporting-org', false, [], 'note'],
    [{ stage: 'final', updates: 2 }, 'other', false, [], 'note'],
  ];
  for (const [s, by, final, missing, want] of rows) {
    const r = stageStep(s, by, final, missing);
    const got = !r.ok ? r.code : r.step === 'update' ? `update:${r.n}` : r.step;
    assert.equal(got, want, JSON.stringify({ s, by, final, missing }));
  }
  // the missing items travel with the refusal; a refused step leaves the state as it was
  const refused = stageStep({ stage: 'update', updates: 2 }, 'reporting-org', true, ['impact', 'public']);
  assert.deepEqual(refused, { ok: false, code: 'incident.final_missing', missing: ['impact', 'public'] });
  assert.deepEqual(afterStep({ stage: 'update', updates: 2 }, refused), { stage: 'update', updates: 2 });
});

test('stages as a model: any sequence of changes numbers the 続報 1, 2, … and reaches 確報 at most once', () => {
  const change = fc.record({
    by: fc.constantFrom<'reporting-org' | 'other'>('reporting-org', 'other'),
    final: fc.boolean(),
    missing: fc.boolean(),
  });
  fc.assert(
    fc.property(fc.array(change, { maxLength: 20 }), (changes) => {
      let s: StageState = { stage: 'quick', updates: 0 };
      const made: string[] = [];
      for (const c of changes) {
        const step = stageStep(s, c.by, c.final, c.missing ? ['cause'] : []);
        if (step.ok && step.step !== 'note') made.push(step.step === 'update' ? `update:${step.n}` : 'final');
        s = afterStep(s, step);
      }
      const updates = made.filter((m) => m.startsWith('update:'));
      assert.deepEqual(
        updates,
        updates.map((_, i) => `update:${i + 1}`),
      );
      assert.ok(made.filter((m) => m === 'final').length <= 1);
      if (made.includes('final')) assert.equal(made.at(-1), 'final', 'nothing is a stage after the 確報');
      assert.equal(s.updates, updates.length);
    }),
    { seed: 17, numRuns: 500 },
  );
});

test('missingForFinal: the required items in form order, and records whenever personal=yes', () => {
  assert.deepEqual(missingForFinal(EMPTY, ['public', 'contact', 'cause']), ['contact', 'cause', 'public']);
  const withPersonal = { ...EMPTY, contact: 'x', personal: 'yes' as const };
  assert.deepEqual(missingForFinal(withPersonal, ['contact', 'personal']), ['records']);
  assert.deepEqual(missingForFinal({ ...withPersonal, records: 0 }, ['contact', 'personal']), []);
  assert.deepEqual(missingForFinal({ ...EMPTY, personal: 'none' }, ['personal']), []);
  // blank text and an empty list are not given
  assert.deepEqual(missingForFinal({ ...EMPTY, cause: '  ', notified: [] }, ['cause', 'notified']), [
    'cause',
    'notified',
  ]);
  assert.deepEqual(missingForFinal({ ...EMPTY, notified: ['none'] }, ['notified']), []);
});

test('parseNotified: codes and Japanese names, full-width and either comma; none never with another', () => {
  assert.deepEqual(parseNotified('ppc, police'), ['police', 'ppc']);
  assert.deepEqual(parseNotified('警察、個人情報保護委員会'), ['police', 'ppc']);
  assert.deepEqual(parseNotified('ＪＰＣＥＲＴ／ＣＣ，その他'), ['jpcert', 'other']);
  assert.deepEqual(parseNotified('個情委 警察 警察'), ['police', 'ppc']);
  assert.deepEqual(parseNotified('なし'), ['none']);
  for (const bad of ['', ' , ', 'none,police', 'fbi', 'police,ｆｂｉ', 'pol\u200bice'])
    assert.equal(parseNotified(bad), null, bad);
});

test('parseDue and the reporting rules file: the shipped file loads; every problem is named', () => {
  assert.deepEqual(parseDue('24h'), { unit: 'hours', n: 24 });
  assert.deepEqual(parseDue(' 3bd '), { unit: 'businessDays', n: 3 });
  assert.deepEqual(parseDue('30d'), { unit: 'days', n: 30 });
  for (const bad of ['0h', '3', 'd', '3w', '-1d', '1.5d', '367d', '３d']) assert.equal(parseDue(bad), null, bad);

  const shipped = JSON.parse(readFileSync(new URL('../../../data/report-policy.json', import.meta.url), 'utf8'));
  const ok = parseReportPolicy(shipped);
  assert.ok(ok.ok, JSON.stringify(ok));
  assert.deepEqual(
    ok.policy.deadlines.map((d) => d.stage),
    ['quick', 'update', 'final'],
  );
  assert.ok(
    ok.policy.deadlines.every((d) => d.source),
    'each shipped rule says where it comes from',
  );

  const bad = parseReportPolicy({
    version: 1,
    deadlines: [
      { stage: 'update', due: '3w' },
      { stage: 'update', due: '1d', remind: 'soon' },
    ],
    finalRequires: ['cause'],
  });
  assert.ok(!bad.ok);
  assert.deepEqual(bad.problems, [
    'deadlines.0.due: "3w" is not <n>h, <n>d or <n>bd',
    'deadlines.1.stage: update is given twice',
    'deadlines.1.remind: "soon" is not a list such as 7d,1d,2h',
  ]);
  const unknown = parseReportPolicy({ version: 1, deadlines: [], finalRequires: ['phone'], extra: 1 });
  assert.ok(!unknown.ok);
  assert.ok(unknown.problems.some((p) => p.startsWith('finalRequires.0')));
  assert.ok(unknown.problems.some((p) => /extra|Unrecognized/i.test(p)));
  assert.ok(CONTENT_FIELDS.length === 12);
});

const POLICY: ReportPolicy = {
  deadlines: [
    { stage: 'quick', due: { unit: 'hours', n: 24 }, remind: [] },
    { stage: 'update', due: { unit: 'businessDays', n: 3 }, remind: [{ text: '8h', minutes: 480 }] },
    {
      stage: 'final',
      due: { unit: 'days', n: 30 },
      remind: [
        { text: '7d', minutes: 7 * 1440 },
        { text: '1d', minutes: 1440 },
      ],
    },
  ],
  finalRequires: ['cause'],
};

test('clocks: deadlines from the awareness time, business days over the year-end closure; met, late, running, overdue, stopped', () => {
  // aware Mon 28 Dec 2026 10:00 JST: 3 business days skip 29 Dec – 3 Jan → end of Wed 6 Jan 2027
  const aware = new Date('2026-12-28T01:00:00Z');
  assert.equal(deadlineAt(aware, { unit: 'businessDays', n: 3 }).toISOString(), '2027-01-06T14:59:59.999Z');
  assert.equal(deadlineAt(aware, { unit: 'businessDays', n: 3 }).getTime(), businessDaysAfter(aware, 3).getTime());
  assert.equal(deadlineAt(aware, { unit: 'hours', n: 24 }).toISOString(), '2026-12-29T01:00:00.000Z');

  const base: ClockInput = { awareAt: aware, reportedAt: aware, updateAt: null, finalAt: null, open: true };
  const states = (i: ClockInput, now: string) => reportClocks(i, POLICY, new Date(now)).map((c) => c.state);
  assert.deepEqual(states(base, '2026-12-30T00:00:00Z'), ['met', 'running', 'running']);
  assert.deepEqual(states(base, '2027-01-07T00:00:00Z'), ['met', 'overdue', 'running']);
  const lateQuick = { ...base, reportedAt: new Date('2026-12-29T02:00:00Z') };
  assert.deepEqual(states(lateQuick, '2026-12-30T00:00:00Z'), ['late', 'running', 'running']);
  const updated = { ...base, updateAt: new Date('2027-01-08T00:00:00Z') };
  assert.deepEqual(states(updated, '2027-01-09T00:00:00Z'), ['met', 'late', 'running']);
  // a 確報 also answers the first 続報's clock
  const final = { ...base, finalAt: new Date('2027-01-05T00:00:00Z') };
  assert.deepEqual(states(final, '2027-02-09T00:00:00Z'), ['met', 'met', 'met']);
  assert.deepEqual(states({ ...base, open: false }, '2027-02-09T00:00:00Z'), ['met', 'stopped', 'stopped']);
});

test('notices against an oracle: at most one per clock; escalation once due, else the latest reminder come; none when met or stopped', () => {
  const day = 86_400_000;
  const t0 = Date.parse('2026-04-01T00:00:00Z');
  const input = fc
    .record({
      aware: fc.integer({ min: 0, max: 400 * day }),
      reportLag: fc.integer({ min: 0, max: 5 * day }),
      update: fc.option(fc.integer({ min: 0, max: 40 * day }), { nil: null }),
      final: fc.option(fc.integer({ min: 0, max: 40 * day }), { nil: null }),
      open: fc.boolean(),
      now: fc.integer({ min: 0, max: 45 * day }),
    })
    .map((r) => {
      const awareAt = new Date(t0 + r.aware);
      const reportedAt = new Date(awareAt.getTime() + r.reportLag);
      const after = (ms: number | null) => (ms === null ? null : new Date(reportedAt.getTime() + ms));
      const i: ClockInput = { awareAt, reportedAt, updateAt: after(r.update), finalAt: after(r.final), open: r.open };
      return { i, now: new Date(reportedAt.getTime() + r.now) };
    });
  fc.assert(
    fc.property(input, ({ i, now }) => {
      const got = dueNotices(i, POLICY, now);
      for (const rule of POLICY.deadlines) {
        const mine = got.filter((n) => n.stage === rule.stage);
        const dueAt = deadlineAt(i.awareAt, rule.due);
        const met =
          rule.stage === 'quick'
            ? i.reportedAt
            : rule.stage === 'final'
              ? i.finalAt
              : ([i.updateAt, i.finalAt].filter(Boolean) as Date[]).sort((a, b) => a.getTime() - b.getTime())[0];
        let want: string[] = [];
        if (!met && i.open) {
          if (now.getTime() >= dueAt.getTime()) want = ['escalate'];
          else {
            const come = rule.remind
              .map((r) => ({ r, at: dueAt.getTime() - r.minutes * 60_000 }))
              .filter((x) => x.at <= now.getTime() && x.at > i.reportedAt.getTime())
              .sort((a, b) => b.at - a.at)[0];
            if (come) want = [`remind:${come.r.text}`];
          }
        }
        assert.deepEqual(
          mine.map((n) => (n.kind === 'remind' ? `remind:${n.offset}` : 'escalate')),
          want,
          `${rule.stage} at ${now.toISOString()} ${JSON.stringify(i)}`,
        );
        for (const n of mine) {
          assert.deepEqual(n.tell, n.kind === 'remind' ? ['organisation'] : ['ciso', 'coordinator']);
          assert.equal(n.dueAt.getTime(), dueAt.getTime());
        }
      }
      // every notice given is one of those planned (a job exists for it), keys unique
      const planned = new Set(plannedNotices(i, POLICY).map((n) => n.key));
      for (const n of got) assert.ok(planned.has(n.key), n.key);
      assert.equal(new Set(got.map((n) => n.key)).size, got.length);
    }),
    { seed: 17, numRuns: 2000 },
  );
});

test('a corrected awareness time gives new notice keys: the old wake-ups skip, the new ones speak', () => {
  const aware = new Date('2026-06-01T01:00:00Z');
  const i: ClockInput = { awareAt: aware, reportedAt: aware, updateAt: null, finalAt: null, open: true };
  const moved = { ...i, awareAt: new Date('2026-05-29T01:00:00Z') };
  const keys = (x: ClockInput) => new Set(plannedNotices(x, POLICY).map((n) => n.key));
  const a = keys(i);
  for (const k of keys(moved)) assert.ok(!a.has(k) || k.startsWith('quick:'), k);
  // an incident first known long before it was reported has no reminder before the report itself
  const late: ClockInput = { ...i, awareAt: new Date('2026-04-01T00:00:00Z') };
  assert.ok(
    plannedNotices(late, POLICY).every((n) => n.kind === 'escalate' || n.at.getTime() > late.reportedAt.getTime()),
  );
});
