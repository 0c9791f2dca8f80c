import assert from 'node:assert/strict';
import fc from 'fast-check';
import { test } from 'vitest';
import {
  ADVISORY_EVENTS,
  ADVISORY_STATUSES,
  ADVISORY_TRANSITIONS,
  copiesOutcome,
  FINAL_STATUSES,
  nextStatus,
} from '../../../src/domain/advisory-status.ts';

test('the happy path: draft → consent → review → approved → sent', () => {
  assert.equal(nextStatus('draft', 'submit'), 'consent');
  assert.equal(nextStatus('consent', 'consented'), 'review');
  assert.equal(nextStatus('review', 'approve'), 'approved');
  assert.equal(nextStatus('approved', 'delivered'), 'sent');
});

test('no approval without review; nothing leaves rejected or withdrawn', () => {
  for (const s of ['draft', 'consent', 'approved', 'sent', 'rejected', 'withdrawn'])
    assert.equal(nextStatus(s, 'approve'), null);
  for (const s of FINAL_STATUSES) for (const e of ADVISORY_EVENTS) assert.equal(nextStatus(s, e), null, `${s} ${e}`);
  assert.equal(nextStatus('consent', 'decline'), 'rejected');
  assert.equal(nextStatus('sent', 'withdraw'), 'withdrawn');
  assert.equal(nextStatus('bogus', 'withdraw'), null);
});

test('a source changed after its consent: back to consent from consent, review or approved; never once sent', () => {
  for (const s of ['consent', 'review', 'approved']) assert.equal(nextStatus(s, 'source_changed'), 'consent', s);
  for (const s of ['draft', 'sent', 'rejected', 'withdrawn']) assert.equal(nextStatus(s, 'source_changed'), null, s);
});

test('every transition names known statuses', () => {
  for (const t of Object.values(ADVISORY_TRANSITIONS)) {
    assert.ok(ADVISORY_STATUSES.includes(t.to));
    for (const f of t.from) assert.ok(ADVISORY_STATUSES.includes(f));
  }
});

test('the copies read together: a refusal for sharing wins over every other copy, in any order; sent only when none is open', () => {
  const copy = fc.record({
    status: fc.constantFrom('pending', 'sending', 'sent', 'failed', 'cancelled'),
    refusedForSharing: fc.boolean(),
  });
  fc.assert(
    fc.property(fc.array(copy, { maxLength: 6 }), (copies) => {
      const refused = copies.filter((c) => c.status === 'failed' && c.refusedForSharing).length;
      const open = copies.filter((c) => c.status === 'pending' || c.status === 'sending').length;
      const expected = refused > 0 ? 'source_changed' : open > 0 ? null : 'delivered';
      assert.equal(copiesOutcome(copies), expected);
      assert.equal(copiesOutcome([...copies].reverse()), expected);
    }),
  );
  // a refusal recorded on a copy that is not failed is no refusal
  assert.equal(copiesOutcome([{ status: 'sent', refusedForSharing: true }]), 'delivered');
});
