/** The reminder policy after downtime (src/domain/reminder-policy.ts): one test per row, then rule 1. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { test } from 'vitest';
import { ROOT } from '../../../src/app.ts';
import { decide, REMINDER_POLICY, type Step, supersededSteps } from '../../../src/domain/reminder-policy.ts';

const at = (iso: string) => new Date(iso);

test('row meeting.reminder: asks those who have not answered, reminds the others plainly; nothing once cancelled or begun', () => {
  const m = { status: 'scheduled', startAt: at('2027-01-12T01:00:00Z') };
  const orgs = [{ answered: false }, { answered: true }];
  assert.deepEqual(decide('meeting.reminder', m, orgs, at('2027-01-11T01:00:00Z')), {
    send: true,
    actions: ['ask', 'plain'],
  });
  // everyone answered: still a plain reminder to each (the meeting is not settled by answers)
  assert.deepEqual(decide('meeting.reminder', m, [{ answered: true }], at('2027-01-11T01:00:00Z')), {
    send: true,
    actions: ['plain'],
  });
  assert.deepEqual(decide('meeting.reminder', { ...m, status: 'cancelled' }, orgs, at('2027-01-11T01:00:00Z')), {
    send: false,
    reason: 'settled',
  });
  assert.deepEqual(decide('meeting.reminder', m, orgs, at('2027-01-12T01:00:00Z')), { send: false, reason: 'started' });
  assert.deepEqual(decide('meeting.reminder', m, orgs, at('2027-03-01T00:00:00Z')), { send: false, reason: 'started' });
});

test('row advisory.ack-reminder: only targets that have not acknowledged; nothing once withdrawn or all acknowledged', () => {
  const now = at('2026-12-05T00:00:00Z');
  assert.deepEqual(
    decide('advisory.ack-reminder', { status: 'sent' }, [{ acknowledged: true }, { acknowledged: false }], now),
    { send: true, actions: ['none', 'ask'] },
  );
  assert.deepEqual(decide('advisory.ack-reminder', { status: 'sent' }, [{ acknowledged: true }], now), {
    send: false,
    reason: 'settled',
  });
  for (const status of ['withdrawn', 'approved', 'draft']) {
    assert.deepEqual(decide('advisory.ack-reminder', { status }, [{ acknowledged: false }], now), {
      send: false,
      reason: 'settled',
    });
  }
  // no due date: a reminder weeks later still goes to whoever has not acknowledged
  assert.equal(
    decide('advisory.ack-reminder', { status: 'sent' }, [{ acknowledged: false }], at('2027-06-01')).send,
    true,
  );
});

test('row campaign.reminder: the organisations not finished, until the end of the due day; nothing once closed', () => {
  // due 2026-12-20 (Tokyo): the end of that day is 2026-12-20T14:59:59.999Z
  const c = { status: 'open', dueDate: at('2026-12-20T14:59:59.999Z') };
  const orgs = [{ complete: false }, { complete: true }];
  assert.deepEqual(decide('campaign.reminder', c, orgs, at('2026-12-19T01:00:00Z')), {
    send: true,
    actions: ['ask', 'none'],
  });
  assert.equal(decide('campaign.reminder', c, orgs, at('2026-12-20T14:59:59.999Z')).send, true);
  assert.deepEqual(decide('campaign.reminder', c, orgs, at('2026-12-20T15:00:00Z')), {
    send: false,
    reason: 'past-due',
  });
  // the case seen: a reminder two months after the due date
  assert.deepEqual(decide('campaign.reminder', c, orgs, at('2027-02-20T01:00:00Z')), {
    send: false,
    reason: 'past-due',
  });
  assert.deepEqual(decide('campaign.reminder', { ...c, status: 'closed' }, orgs, at('2026-12-19T01:00:00Z')), {
    send: false,
    reason: 'settled',
  });
  assert.deepEqual(decide('campaign.reminder', c, [{ complete: true }], at('2026-12-19T01:00:00Z')), {
    send: false,
    reason: 'settled',
  });
});

test('row readiness.reminder: the organisations not ready, until the end of 31 March', () => {
  const fy = { fiscalYear: 2026 };
  const orgs = [{ ready: true }, { ready: false }];
  assert.deepEqual(decide('readiness.reminder', fy, orgs, at('2027-03-24T01:00:00Z')), {
    send: true,
    actions: ['none', 'ask'],
  });
  assert.equal(decide('readiness.reminder', fy, orgs, at('2027-03-31T14:59:59.999Z')).send, true);
  assert.deepEqual(decide('readiness.reminder', fy, orgs, at('2027-03-31T15:00:00Z')), {
    send: false,
    reason: 'past-due',
  });
  assert.deepEqual(decide('readiness.reminder', fy, [{ ready: true }], at('2027-03-24T01:00:00Z')), {
    send: false,
    reason: 'settled',
  });
});

test('every row of the table is documented in docs/reminders.md', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'reminders.md'), 'utf8');
  for (const kind of Object.keys(REMINDER_POLICY))
    assert.match(doc, new RegExp(`\`${kind.replace('.', '\\.')}\``), kind);
});

const step = (id: string, kind: string, subject: string | null, dueAt: string): Step => ({
  id,
  kind,
  subject,
  dueAt: at(dueAt),
});

test('rule 1: of the steps of one subject overdue together only the latest survives, per kind and subject', () => {
  const now = at('2026-12-10T00:00:00Z');
  const steps = [
    step('a1', 'advisory.ack-reminder', 'advisory:ADV-1', '2026-12-01T00:00:00Z'),
    step('a2', 'advisory.ack-reminder', 'advisory:ADV-1', '2026-12-02T00:00:00Z'),
    step('a3', 'advisory.ack-reminder', 'advisory:ADV-1', '2026-12-03T00:00:00Z'),
    step('b1', 'advisory.ack-reminder', 'advisory:ADV-2', '2026-12-01T00:00:00Z'),
    // not yet due: supersedes nothing
    step('c1', 'meeting.reminder', 'meeting:MTG-1', '2026-12-09T00:00:00Z'),
    step('c2', 'meeting.reminder', 'meeting:MTG-1', '2026-12-11T00:00:00Z'),
    // no subject, or not a reminder kind: never coalesced
    step('x1', 'meeting.reminder', null, '2026-12-01T00:00:00Z'),
    step('x2', 'meeting.reminder', null, '2026-12-02T00:00:00Z'),
    step('y1', 'report.other', 'incident:INC-1', '2026-12-01T00:00:00Z'),
    step('y2', 'report.other', 'incident:INC-1', '2026-12-02T00:00:00Z'),
  ];
  assert.deepEqual([...supersededSteps(steps, now)].sort(), ['a1', 'a2']);
});

test('rule 1, property: each (kind, subject) keeps exactly its latest overdue step; later steps are untouched', () => {
  const kinds = Object.keys(REMINDER_POLICY);
  const now = at('2026-12-10T00:00:00Z');
  fc.assert(
    fc.property(
      fc.uniqueArray(
        fc.record({
          id: fc.string({ minLength: 1, maxLength: 6 }),
          kind: fc.constantFrom(...kinds),
          subject: fc.constantFrom('s:1', 's:2', 's:3'),
          offset: fc.integer({ min: -20, max: 5 }),
        }),
        { selector: (r) => r.id, maxLength: 20 },
      ),
      (rows) => {
        const steps = rows.map((r) =>
          step(r.id, r.kind, r.subject, new Date(now.getTime() + r.offset * 86_400_000).toISOString()),
        );
        const out = supersededSteps(steps, now);
        const groups = new Map<string, Step[]>();
        for (const s of steps.filter((x) => x.dueAt <= now)) {
          const k = `${s.kind}|${s.subject}`;
          groups.set(k, [...(groups.get(k) ?? []), s]);
        }
        for (const g of groups.values()) assert.equal(g.filter((s) => !out.has(s.id)).length, 1);
        for (const s of steps.filter((x) => x.dueAt > now)) assert.ok(!out.has(s.id));
      },
    ),
    { seed: 16_002, numRuns: 300 },
  );
});
