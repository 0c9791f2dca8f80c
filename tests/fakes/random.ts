/**
 * A small seeded random sequence (mulberry32) for the fakes' random faults: the same seed gives
 * the same faults, so a failing run can be repeated.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Faults injected at random: each call draws once; `hit()` says whether this call fails. */
export class RandomFaults {
  private next: () => number = () => 1;
  probability = 0;
  retryAfterSeconds = 1;
  /** how many calls were failed so far */
  count = 0;

  set(probability: number, retryAfterSeconds = 1, seed = 1): void {
    this.probability = probability;
    this.retryAfterSeconds = retryAfterSeconds;
    this.next = seededRandom(seed);
    this.count = 0;
  }

  hit(): boolean {
    if (this.probability <= 0) return false;
    const yes = this.next() < this.probability;
    if (yes) this.count += 1;
    return yes;
  }
}
