/**
 * Budget plan: choose the countermeasures that remove the most risk within a budget
 * (0/1 knapsack). Reductions are taken as independent and additive — see docs/risk-model.md
 * for why that is an approximation when two items share a system and area.
 *
 * Two exact methods, picked automatically:
 * - dynamic programming over costs divided by their greatest common divisor, when
 *   n × (budget / gcd) ≤ `maxDpCells` (yen figures are usually round, so this is the usual case);
 * - otherwise depth-first branch and bound, items sorted by reduction/cost, pruned with the
 *   LP-relaxation (Dantzig) bound. Worst case 2^n nodes (e.g. every ratio equal, which makes it a
 *   subset-sum search); the `maxNodes` / `maxMillis` guard then stops it and returns the best
 *   plan found so far — never worse than greedy, which seeds it — with `exact: false`.
 */

/** Something that can be bought: its cost in yen and the risk it removes (score points). */
export interface Candidate {
  readonly key: string;
  readonly cost: number;
  readonly reduction: number;
}

/** A chosen set of candidates. */
export interface Plan<C extends Candidate = Candidate> {
  /** Chosen candidates, in input order. */
  readonly chosen: readonly C[];
  readonly totalCost: number;
  readonly totalReduction: number;
  /** True when the plan is proven optimal; false for greedy or when the guard stopped the search. */
  readonly exact: boolean;
  readonly method: 'trivial' | 'dp' | 'branch-and-bound' | 'greedy';
  /** Branch-and-bound nodes visited (0 for other methods). */
  readonly nodes: number;
}

/** Limits and method choice; the defaults suit a chat reply. */
export interface PlanOptions {
  /** Largest n × (budget / gcd) for which dynamic programming is used. Default 20,000,000. */
  readonly maxDpCells?: number;
  /** Branch-and-bound node limit. Default 5,000,000. */
  readonly maxNodes?: number;
  /** Branch-and-bound time limit in milliseconds. Default 2,000. */
  readonly maxMillis?: number;
  /** Force a method (for tests and benchmarks). Default `auto`. */
  readonly method?: 'auto' | 'dp' | 'branch-and-bound';
}

/** A candidate by its position in the input, so that equal objects given twice stay distinct. */
interface Entry {
  readonly at: number;
  readonly cost: number;
  readonly reduction: number;
}

interface Prepared {
  /** Zero-cost candidates with positive reduction: always taken. */
  readonly free: Entry[];
  /** Positive cost within the budget and positive reduction. */
  readonly open: Entry[];
}

function prepare(candidates: readonly Candidate[], budget: number): Prepared {
  if (!(budget >= 0)) throw new RangeError(`budget must be a non-negative number, got ${budget}`);
  const free: Entry[] = [];
  const open: Entry[] = [];
  for (const [at, cand] of candidates.entries()) {
    const c: Entry = { at, cost: cand.cost, reduction: cand.reduction };
    if (!(Number.isFinite(c.cost) && c.cost >= 0 && Number.isFinite(c.reduction))) {
      throw new RangeError(`candidate ${cand.key}: cost must be finite and ≥ 0, reduction finite`);
    }
    if (c.reduction <= 0) continue;
    if (c.cost === 0) free.push(c);
    else if (c.cost <= budget) open.push(c);
  }
  return { free, open };
}

function finish<C extends Candidate>(
  all: readonly C[],
  picked: readonly Entry[],
  exact: boolean,
  method: Plan['method'],
  nodes: number,
): Plan<C> {
  const at = new Set(picked.map((e) => e.at));
  const chosen = all.filter((_, i) => at.has(i));
  return {
    chosen,
    totalCost: chosen.reduce((s, c) => s + c.cost, 0),
    totalReduction: chosen.reduce((s, c) => s + c.reduction, 0),
    exact,
    method,
    nodes,
  };
}

const byRatio = (a: Entry, b: Entry): number =>
  b.reduction / b.cost - a.reduction / a.cost || b.reduction - a.reduction;

function greedyPick(open: readonly Entry[], budget: number): Entry[] {
  let left = budget;
  const out: Entry[] = [];
  for (const c of [...open].sort(byRatio)) {
    if (c.cost <= left) {
      out.push(c);
      left -= c.cost;
    }
  }
  return out;
}

/** Greedy by reduction per yen, skipping what no longer fits: fast, not optimal. */
export function greedyPlan<C extends Candidate>(candidates: readonly C[], budget: number): Plan<C> {
  const { free, open } = prepare(candidates, budget);
  return finish(candidates, [...free, ...greedyPick(open, budget)], false, 'greedy', 0);
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Exact 0/1 knapsack by DP over scaled integer costs; `open` costs are positive integers. */
function dpPick(open: readonly Entry[], budget: number, g: number): Entry[] {
  const n = open.length;
  const cap = Math.floor(budget / g);
  const width = cap + 1;
  const best = new Float64Array(width);
  const take = new Uint32Array(Math.ceil((n * width) / 32));
  for (let i = 0; i < n; i++) {
    const c = open[i]!;
    const w = c.cost / g;
    for (let x = cap; x >= w; x--) {
      const v = best[x - w]! + c.reduction;
      if (v > best[x]!) {
        best[x] = v;
        const bit = i * width + x;
        take[bit >>> 5]! |= 1 << (bit & 31);
      }
    }
  }
  // best[] is non-decreasing in x, so the optimum sits at x = cap; walk back the choices
  const out: Entry[] = [];
  let x = cap;
  for (let i = n - 1; i >= 0; i--) {
    const bit = i * width + x;
    if (take[bit >>> 5]! & (1 << (bit & 31))) {
      out.push(open[i]!);
      x -= open[i]!.cost / g;
    }
  }
  return out;
}

/** Exact 0/1 knapsack by branch and bound; stops at the guard with the best found so far. */
function bnbPick(
  open: readonly Entry[],
  budget: number,
  maxNodes: number,
  maxMillis: number,
): { pick: Entry[]; exact: boolean; nodes: number } {
  const items = [...open].sort(byRatio);
  const n = items.length;
  // prefix sums for an O(log n) LP bound
  const pc = new Float64Array(n + 1);
  const pr = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    pc[i + 1] = pc[i]! + items[i]!.cost;
    pr[i + 1] = pr[i]! + items[i]!.reduction;
  }
  const bound = (i: number, cap: number, value: number): number => {
    // largest k ≥ i with pc[k] − pc[i] ≤ cap
    let lo = i;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (pc[mid]! - pc[i]! <= cap) lo = mid;
      else hi = mid - 1;
    }
    let b = value + pr[lo]! - pr[i]!;
    if (lo < n) b += ((cap - (pc[lo]! - pc[i]!)) * items[lo]!.reduction) / items[lo]!.cost;
    return b;
  };

  const seed = new Set(greedyPick(items, budget));
  let bestValue = 0;
  for (const c of seed) bestValue += c.reduction;
  let bestSet: boolean[] = items.map((c) => seed.has(c));
  const cur: boolean[] = new Array<boolean>(n).fill(false);
  let nodes = 0;
  let stopped = false;
  const start = performance.now();

  const visit = (i: number, cap: number, value: number): void => {
    if (stopped) return;
    nodes++;
    if ((nodes & 0x3fff) === 0 && performance.now() - start > maxMillis) stopped = true;
    if (nodes > maxNodes) stopped = true;
    if (value > bestValue) {
      bestValue = value;
      bestSet = cur.slice();
    }
    if (i === n || stopped) return;
    // relative tolerance only absorbs rounding in the prefix sums
    if (bound(i, cap, value) - bestValue <= 1e-12 * Math.max(1, bestValue)) return;
    const c = items[i]!;
    if (c.cost <= cap) {
      cur[i] = true;
      visit(i + 1, cap - c.cost, value + c.reduction);
      cur[i] = false;
    }
    visit(i + 1, cap, value);
  };
  visit(0, budget, 0);
  return { pick: items.filter((_, i) => bestSet[i]), exact: !stopped, nodes };
}

/**
 * The set of candidates with the greatest total reduction whose total cost is within the
 * budget. Candidates with no positive reduction are never chosen; free ones always are.
 */
export function plan<C extends Candidate>(
  candidates: readonly C[],
  budget: number,
  options: PlanOptions = {},
): Plan<C> {
  const { maxDpCells = 20_000_000, maxNodes = 5_000_000, maxMillis = 2_000, method = 'auto' } = options;
  const { free, open } = prepare(candidates, budget);
  const openCost = open.reduce((s, c) => s + c.cost, 0);
  if (openCost <= budget && method === 'auto') {
    return finish(candidates, [...free, ...open], true, 'trivial', 0);
  }
  const integral = open.every((c) => Number.isSafeInteger(c.cost));
  const g = integral ? open.reduce((a, c) => gcd(a, c.cost), 0) : 0;
  const cells = g > 0 ? open.length * (Math.floor(Math.min(budget, openCost) / g) + 1) : Number.POSITIVE_INFINITY;
  const useDp = method === 'dp' || (method === 'auto' && cells <= maxDpCells);
  if (useDp) {
    if (!integral) throw new RangeError('dynamic programming needs integer costs');
    const pick = open.length ? dpPick(open, Math.min(budget, openCost), g) : [];
    return finish(candidates, [...free, ...pick], true, 'dp', 0);
  }
  const r = bnbPick(open, budget, maxNodes, maxMillis);
  return finish(candidates, [...free, ...r.pick], r.exact, 'branch-and-bound', r.nodes);
}
