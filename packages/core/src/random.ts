/**
 * A seeded pseudo-random generator (mulberry32 for bits, sfc-style seeding). Integer maths only,
 * so the same seed gives the same numbers on every machine and JavaScript engine. `normal()`
 * uses Math.log and Math.cos, which engines may round differently in the last bit; weight
 * init and shuffling use only `uniform()` so that they stay bit-for-bit reproducible.
 *
 * @example
 * const rng = createRng(42);
 * rng.uniform(); // 0 <= u < 1, same value for seed 42 everywhere
 */
export interface Rng {
  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number;
  /** Uniform in [0, 1), with 32 bits of resolution. */
  uniform(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Shuffles `a` in place (Fisher–Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T;
  /** A new generator split off from this one, for an independent stream. */
  fork(): Rng;
}

export function createRng(seed: number): Rng {
  // splitmix32-style mixing of the seed so that seeds 0, 1, 2 start far apart.
  let s = (seed | 0) ^ 0x9e3779b9;
  s = Math.imul(s ^ (s >>> 16), 0x85ebca6b);
  s = Math.imul(s ^ (s >>> 13), 0xc2b2ae35);
  s ^= s >>> 16;
  let state = s >>> 0;
  const nextUint32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const uniform = (): number => nextUint32() / 4294967296;
  const rng: Rng = {
    nextUint32,
    uniform,
    int: (n) => Math.floor(uniform() * n),
    normal: () => {
      const u1 = 1 - uniform();
      const u2 = uniform();
      return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    },
    shuffle: (a) => {
      for (let i = a.length - 1; i > 0; i--) {
        const j = Math.floor(uniform() * (i + 1));
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
      }
      return a;
    },
    fork: () => createRng(nextUint32()),
  };
  return rng;
}
