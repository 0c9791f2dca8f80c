import assert from 'node:assert/strict';
import { test } from 'vitest';
import { type Candidate, greedyPlan, plan } from '../../../src/domain/budget-plan.ts';

/** mulberry32: a small seeded PRNG so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function bruteForce(cands: readonly Candidate[], budget: number): number {
  let best = 0;
  const walk = (i: number, cost: number, red: number): void => {
    if (cost > budget) return;
    if (i === cands.length) {
      if (red > best) best = red;
      return;
    }
    walk(i + 1, cost + cands[i]!.cost, red + cands[i]!.reduction);
    walk(i + 1, cost, red);
  };
  walk(0, 0, 0);
  return best;
}

/** Yen-like costs: round figures in ¥10,000 steps, some odd estimates, the odd free item. */
function instance(rand: () => number): { cands: Candidate[]; budget: number } {
  const n = 1 + Math.floor(rand() * 20);
  const cands: Candidate[] = [];
  for (let i = 0; i < n; i++) {
    const kind = rand();
    const cost =
      kind < 0.05 ? 0 : kind < 0.7 ? 10_000 * (1 + Math.floor(rand() * 500)) : 1 + Math.floor(rand() * 5_000_000);
    const reduction = kind > 0.97 ? 0 : Math.round(rand() * 1000) / 100;
    cands.push({ key: `K${i}`, cost, reduction });
  }
  const total = cands.reduce((s, c) => s + c.cost, 0);
  const budget = Math.floor(total * rand() * 0.8);
  return { cands, budget };
}

function checkValid(p: ReturnType<typeof plan>, budget: number): void {
  assert.ok(p.totalCost <= budget, `cost ${p.totalCost} > budget ${budget}`);
  const sum = p.chosen.reduce((s, c) => s + c.reduction, 0);
  assert.ok(Math.abs(sum - p.totalReduction) < 1e-9);
}

test('plan equals brute force on 300 random instances (auto and forced branch and bound)', () => {
  const rand = prng(20130130);
  const methods = ['auto', 'branch-and-bound'] as const;
  const seen = new Map<string, number>();
  for (let k = 0; k < 300; k++) {
    const { cands, budget } = instance(rand);
    const want = bruteForce(cands, budget);
    for (const method of methods) {
      const p = plan(cands, budget, { method });
      checkValid(p, budget);
      assert.ok(p.exact, `${method} #${k} should be exact`);
      assert.ok(Math.abs(p.totalReduction - want) < 1e-9, `${method} #${k}: ${p.totalReduction} vs ${want}`);
      if (method === 'auto') seen.set(p.method, (seen.get(p.method) ?? 0) + 1);
    }
    const g = greedyPlan(cands, budget);
    checkValid(g, budget);
    assert.ok(g.totalReduction <= want + 1e-9);
  }
  console.log(`# auto chose: ${JSON.stringify(Object.fromEntries(seen))}`);
  assert.ok((seen.get('dp') ?? 0) >= 20, 'auto used dynamic programming often');
  assert.ok((seen.get('branch-and-bound') ?? 0) >= 20, 'auto used branch and bound often');
});

test('non-integer costs go to branch and bound and stay exact', () => {
  const rand = prng(7);
  for (let k = 0; k < 50; k++) {
    const cands = Array.from({ length: 12 }, (_, i) => ({
      key: `F${i}`,
      cost: 0.5 + rand() * 100,
      reduction: rand() * 10,
    }));
    const budget = 150 + rand() * 200;
    const p = plan(cands, budget);
    assert.notEqual(p.method, 'dp');
    assert.ok(Math.abs(p.totalReduction - bruteForce(cands, budget)) < 1e-9);
  }
});

test('greedy is worse on a hand-made case', () => {
  const cands: Candidate[] = [
    { key: 'sandbox', cost: 6_000_000, reduction: 7 }, // best ratio, but blocks the other two
    { key: 'proxy', cost: 5_000_000, reduction: 5 },
    { key: 'egress', cost: 5_000_000, reduction: 5 },
  ];
  const budget = 10_000_000;
  const g = greedyPlan(cands, budget);
  const p = plan(cands, budget);
  assert.deepEqual(
    g.chosen.map((c) => c.key),
    ['sandbox'],
  );
  assert.equal(g.totalReduction, 7);
  assert.deepEqual(
    p.chosen.map((c) => c.key),
    ['proxy', 'egress'],
  );
  assert.equal(p.totalReduction, 10);
  assert.ok(p.exact && !g.exact);
  assert.ok(g.totalReduction < p.totalReduction);
});

test('edge cases: free items always, useless items never, everything fits, zero budget, bad input', () => {
  const cands: Candidate[] = [
    { key: 'free', cost: 0, reduction: 1 },
    { key: 'useless', cost: 10, reduction: 0 },
    { key: 'a', cost: 10, reduction: 2 },
  ];
  assert.deepEqual(
    plan(cands, 0).chosen.map((c) => c.key),
    ['free'],
  );
  const all = plan(cands, 1_000);
  assert.equal(all.method, 'trivial');
  assert.deepEqual(
    all.chosen.map((c) => c.key),
    ['free', 'a'],
  );
  const same = { key: 'dup', cost: 5, reduction: 1 };
  assert.equal(plan([same, same], 5).chosen.length, 1, 'the same object twice is two candidates, one affordable');
  assert.throws(() => plan(cands, -1), RangeError);
  assert.throws(() => plan([{ key: 'x', cost: Number.NaN, reduction: 1 }], 1), RangeError);
});

test('the guard stops a hard search and falls back with exact: false', () => {
  // equal ratios: the LP bound cannot prune, the search becomes subset sum
  const rand = prng(99);
  const cands = Array.from({ length: 60 }, (_, i) => {
    const cost = 1_000_003 + Math.floor(rand() * 9_000_000);
    return { key: `E${i}`, cost, reduction: cost / 1e6 };
  });
  const budget = cands.reduce((s, c) => s + c.cost, 0) / 2 + 0.5;
  const p = plan(cands, budget, { method: 'branch-and-bound', maxNodes: 10_000 });
  checkValid(p, budget);
  const g = greedyPlan(cands, budget);
  assert.ok(p.totalReduction >= g.totalReduction - 1e-9, 'never worse than greedy');
  assert.equal(p.exact, false, 'equal ratios defeat the bound, so the node guard must trip');
  assert.ok(p.nodes > 10_000);
});

test('performance sanity: 300 candidates (prints time)', () => {
  const rand = prng(300);
  const cands: Candidate[] = Array.from({ length: 300 }, (_, i) => ({
    key: `SYS-${Math.floor(i / 40)}/I${i % 40}`,
    cost: i % 3 === 0 ? 1 + Math.floor(rand() * 30_000_000) : 100_000 * (1 + Math.floor(rand() * 200)),
    reduction: rand() * 3,
  }));
  const budget = 200_000_000;
  for (const method of ['auto', 'branch-and-bound'] as const) {
    const t0 = performance.now();
    const p = plan(cands, budget, { method });
    const ms = performance.now() - t0;
    checkValid(p, budget);
    const g = greedyPlan(cands, budget);
    assert.ok(p.totalReduction >= g.totalReduction - 1e-9);
    console.log(
      `# 300 candidates, ${method}: ${p.method} exact=${p.exact} nodes=${p.nodes} ${ms.toFixed(1)} ms; ` +
        `reduction ${p.totalReduction.toFixed(3)} vs greedy ${g.totalReduction.toFixed(3)}`,
    );
  }
  const roundYen = cands.map((c) => ({ ...c, cost: Math.max(10_000, Math.round(c.cost / 10_000) * 10_000) }));
  const t0 = performance.now();
  const d = plan(roundYen, budget);
  assert.equal(d.method, 'dp');
  const b = plan(roundYen, budget, { method: 'branch-and-bound' });
  if (b.exact) assert.ok(Math.abs(b.totalReduction - d.totalReduction) < 1e-9, 'dp and branch and bound agree');
  console.log(`# 300 round-yen candidates: ${d.method} exact=${d.exact} ${(performance.now() - t0).toFixed(1)} ms`);
});
