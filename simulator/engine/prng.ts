// A small seeded PRNG (mulberry32 seeded through splitmix32) so that a run with
// `--seed N` plans the same journeys every time. Math.random cannot be seeded.
// Each journey gets its own generator derived from (seed, journey index), so the plan
// of journey 17 does not depend on how concurrent journeys happened to interleave.

/** splitmix32 step: spreads nearby seeds (1, 2, 3...) into unrelated states. */
export function mixSeed(a: number, b = 0): number {
  let z = (Math.imul(a | 0, 0x9e3779b9) + Math.imul(b | 0, 0x85ebca6b) + 0x6d2b79f5) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = mixSeed(seed) >>> 0;
  }

  /** uniform in [0, 1) */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** integer in [min, max], both included */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** true with probability p */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** exponential variate with mean 1 (for Poisson arrivals) */
  exponential(): number {
    return -Math.log(1 - this.next());
  }

  /** a 32-bit seed for a child generator or for faker.seed */
  seed(): number {
    return Math.floor(this.next() * 4294967296) >>> 0;
  }
}
