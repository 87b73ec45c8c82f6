import { createRng, type Tensor } from '../../src/index.js';

/** A tensor of uniform values in [-scale, scale), from a seeded generator. */
export function randomTensor(shape: number[], seed: number, scale = 1): Tensor {
  const rng = createRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = (rng.uniform() * 2 - 1) * scale;
  return { shape, data };
}

/** Largest absolute difference between two arrays of the same length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** `t` with about `fraction` of its values set to exactly 0 (seeded), in a new tensor. */
export function withZeros(t: Tensor, fraction: number, seed: number): Tensor {
  const rng = createRng(seed);
  return { shape: t.shape, data: t.data.map((v) => (rng.uniform() < fraction ? 0 : v)) };
}
