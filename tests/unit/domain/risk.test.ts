import assert from 'node:assert/strict';
import fc from 'fast-check';
import { test } from 'vitest';
import { AREAS, catalog } from '../../../src/domain/catalog.ts';
import {
  type AnswerStatus,
  type Confidentiality,
  combinedReduction,
  type Exposure,
  organisationRisk,
  remediationCandidates,
  residualShare,
  riskReduction,
  type SystemProfile,
  systemRisk,
  withAnswers,
} from '../../../src/domain/risk.ts';

const c = catalog(1);
const ids = c.items.map((it) => it.id);
const sys = (
  confidentiality: Confidentiality,
  exposure: Exposure,
  answers: SystemProfile['answers'] = {},
  id = 'SYS-0001',
): SystemProfile => ({ id, confidentiality, exposure, answers });
const all = (status: AnswerStatus) => Object.fromEntries(ids.map((id) => [id, status]));
const close = (a: number, b: number, msg?: string) => assert.ok(Math.abs(a - b) < 1e-9, msg ?? `${a} ≈ ${b}`);

test('the worst system scores 100; nothing is ever above 100 or below 0', () => {
  close(systemRisk(sys(3, 'internet'), c).score, 100);
  for (const area of AREAS) close(systemRisk(sys(3, 'internet'), c).areas[area].score, 100);
  const best = systemRisk(sys(1, 'isolated', all('implemented')), c);
  assert.ok(best.score > 0 && best.score < 5, `floor ${best.score}`);
});

test('impact grows with 機密性, likelihood with exposure (except insider misuse)', () => {
  const s = (k: Confidentiality, e: Exposure) => systemRisk(sys(k, e), c);
  assert.ok(s(1, 'internet').score < s(2, 'internet').score);
  assert.ok(s(2, 'internet').score < s(3, 'internet').score);
  assert.ok(s(3, 'isolated').score < s(3, 'internal').score);
  assert.ok(s(3, 'internal').score < s(3, 'internet').score);
  close(s(3, 'isolated').areas.violation.residual, s(3, 'internet').areas.violation.residual);
  assert.ok(s(3, 'isolated').areas.entry.residual < s(3, 'internet').areas.entry.residual);
});

test('implemented < partial < missing = unanswered', () => {
  const score = (a: SystemProfile['answers']) => systemRisk(sys(2, 'internet', a), c).score;
  assert.ok(score(all('implemented')) < score(all('partial')));
  assert.ok(score(all('partial')) < score(all('missing')));
  close(score(all('missing')), score({}));
});

test('without n/a answers an area keeps Π(1 − e·s) of its risk', () => {
  const answers: Record<string, AnswerStatus> = { 'ENT-01': 'implemented', 'ENT-03': 'partial', 'ENT-04': 'missing' };
  const entry = c.items.filter((it) => it.area === 'entry');
  const expect = entry.reduce((p, it) => {
    const s = answers[it.id] === 'implemented' ? 1 : answers[it.id] === 'partial' ? 0.5 : 0;
    return p * (1 - it.effectiveness * s);
  }, 1);
  close(residualShare(entry, answers), expect);
});

test('n/a items leave the denominator: the applicable ones done count as the whole area done', () => {
  const entry = c.items.filter((it) => it.area === 'entry');
  const full = residualShare(entry, Object.fromEntries(entry.map((it) => [it.id, 'implemented'])));
  const someNa = Object.fromEntries(
    entry.map((it, i): [string, AnswerStatus] => [it.id, i % 2 ? 'na' : 'implemented']),
  );
  close(residualShare(entry, someNa), full);
  close(residualShare(entry, Object.fromEntries(entry.map((it) => [it.id, 'na']))), full);
  const noneDone = Object.fromEntries(entry.map((it, i): [string, AnswerStatus] => [it.id, i % 2 ? 'na' : 'missing']));
  close(residualShare(entry, noneDone), 1);
});

test('riskReduction is the drop in score; zero for implemented and n/a items', () => {
  const s = sys(3, 'internal', { 'ENT-01': 'implemented', 'VIO-01': 'na', 'EXT-01': 'partial' });
  for (const id of ['ENT-02', 'EXT-01', 'DET-05']) {
    const d = riskReduction(s, id, c);
    close(d, systemRisk(s, c).score - systemRisk(withAnswers(s, [id], 'implemented'), c).score);
    assert.ok(d > 0, id);
  }
  assert.equal(riskReduction(s, 'ENT-01', c), 0);
  assert.equal(riskReduction(s, 'VIO-01', c), 0);
  assert.ok(riskReduction(s, 'EXT-01', c) < riskReduction(sys(3, 'internal'), 'EXT-01', c), 'partial gains less');
});

const statusArb = fc.constantFrom<AnswerStatus | undefined>('implemented', 'partial', 'missing', 'na', undefined);
const systemArb = fc.record({
  id: fc.constant('SYS-0001'),
  confidentiality: fc.constantFrom<Confidentiality>(1, 2, 3),
  exposure: fc.constantFrom<Exposure>('internet', 'internal', 'isolated'),
  answers: fc
    .array(statusArb, { minLength: ids.length, maxLength: ids.length })
    .map((xs) => Object.fromEntries(xs.flatMap((x, i) => (x ? [[ids[i]!, x]] : [])))),
});

test('property: scores lie in [0, 100]; reductions are non-negative and sub-additive', () => {
  fc.assert(
    fc.property(systemArb, fc.subarray(ids, { maxLength: 8 }), (s, pick) => {
      const r = systemRisk(s, c);
      assert.ok(r.score >= 0 && r.score <= 100 + 1e-9);
      for (const area of AREAS) assert.ok(r.areas[area].score >= 0 && r.areas[area].score <= 100 + 1e-9);
      const singles = pick.map((id) => riskReduction(s, id, c));
      assert.ok(singles.every((d) => d >= -1e-12));
      const together = combinedReduction(s, pick, c);
      assert.ok(together <= singles.reduce((a, b) => a + b, 0) + 1e-9, 'within an area gains overlap');
      assert.ok(together >= Math.max(0, ...singles) - 1e-9);
    }),
    { seed: 20130130, numRuns: 300 },
  );
});

test('organisation: worst system for display, sum for planning, nulls when empty', () => {
  const a = sys(3, 'internet', all('partial'), 'SYS-A');
  const b = sys(1, 'internal', {}, 'SYS-B');
  const org = organisationRisk([a, b], c);
  const ra = systemRisk(a, c);
  const rb = systemRisk(b, c);
  close(org.score, Math.max(ra.score, rb.score));
  close(org.total, ra.score + rb.score);
  close(org.areas.violation!, Math.max(ra.areas.violation.score, rb.areas.violation.score));
  const empty = organisationRisk([], c);
  assert.equal(empty.score, 0);
  assert.equal(empty.areas.entry, null);
});

test('completion counts answered items, n/a included', () => {
  const r = systemRisk(sys(2, 'internet', { 'ENT-01': 'na', 'ENT-02': 'missing' }), c);
  close(r.completion, 2 / ids.length);
  assert.equal(r.areas.entry.applicable, c.items.filter((it) => it.area === 'entry').length - 1);
  assert.equal(r.areas.entry.answered, 1);
});

test('remediation candidates: open applicable items, PoC estimates override typical cost', () => {
  const s = sys(2, 'internet', { ...all('implemented'), 'ENT-01': 'missing', 'VIO-02': 'partial', 'EXT-03': 'na' });
  const cands = remediationCandidates([s], c, new Map([['SYS-0001/VIO-02', 1_234_567]]));
  assert.deepEqual(
    cands.map((x) => x.key),
    ['SYS-0001/ENT-01', 'SYS-0001/VIO-02'],
  );
  assert.equal(cands[0]!.cost, c.items.find((it) => it.id === 'ENT-01')!.typicalCost);
  assert.equal(cands[1]!.cost, 1_234_567);
  assert.ok(cands.every((x) => x.reduction > 0));
});
