import assert from 'node:assert/strict';
import fc from 'fast-check';
import { test } from 'vitest';
import { figures, intervals, median, percentile } from '../../../src/domain/figures.ts';

test('median and nearest-rank p90 against a sort-and-count oracle', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 60 }), (xs) => {
      const s = [...xs].sort((a, b) => a - b);
      const p = percentile(s, 90);
      // at least 90% at or below it, and fewer than 90% strictly below it
      assert.ok(s.filter((x) => x <= p).length >= 0.9 * s.length);
      assert.ok(s.filter((x) => x < p).length < 0.9 * s.length);
      const m = median(s);
      assert.ok(s.filter((x) => x <= m).length >= s.length / 2 && s.filter((x) => x >= m).length >= s.length / 2);
    }),
  );
  assert.equal(median([1, 2, 3, 10]), 2.5);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90), 9);
});

const at = (s: string) => new Date(s);

test('intervals: from the audit records, once each, with the records they lie between', () => {
  const list = intervals([
    {
      seq: 1,
      at: at('2026-11-30T15:30:00Z'),
      action: 'incident.report',
      subject: 'INC-1',
      data: { org: 'maff', detectedAt: '2026-11-30T13:30:00Z' },
    },
    { seq: 2, at: at('2026-12-01T00:00:00Z'), action: 'incident.update', subject: 'INC-1', data: { step: 'update:1' } },
    { seq: 3, at: at('2026-12-02T15:30:00Z'), action: 'incident.update', subject: 'INC-1', data: { step: 'final' } },
    { seq: 4, at: at('2026-12-03T00:00:00Z'), action: 'incident.update', subject: 'INC-1', data: { step: 'final' } },
    { seq: 5, at: at('2026-12-01T00:00:00Z'), action: 'advisory.sent', subject: 'ADV-1', data: {} },
    { seq: 6, at: at('2026-12-01T06:00:00Z'), action: 'advisory.ack', subject: 'ADV-1', data: { org: 'mof' } },
    // an ack without a sending on record, and a detection after the report, measure nothing
    { seq: 7, at: at('2026-12-01T06:00:00Z'), action: 'advisory.ack', subject: 'ADV-2', data: { org: 'mof' } },
    {
      seq: 8,
      at: at('2026-12-01T00:00:00Z'),
      action: 'incident.report',
      subject: 'INC-2',
      data: { org: 'mof', detectedAt: '2026-12-02T00:00:00Z' },
    },
  ]);
  assert.deepEqual(
    list.map((i) => [i.org, i.month, i.measure, i.fromSeq, i.toSeq, i.hours]),
    [
      // 2026-11-30 15:30 UTC is 1 December in Tokyo
      ['maff', '2026-12', 'detect_to_quick', null, 1, 2],
      ['maff', '2026-12', 'quick_to_final', 1, 3, 48],
      ['mof', '2026-12', 'sent_to_ack', 5, 6, 6],
    ],
  );
  assert.deepEqual(
    figures(list).map((f) => [f.org, f.measure, f.n, f.median, f.p90]),
    [
      ['maff', 'detect_to_quick', 1, 2, 2],
      ['maff', 'quick_to_final', 1, 48, 48],
      ['mof', 'sent_to_ack', 1, 6, 6],
    ],
  );
});
