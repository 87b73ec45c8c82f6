import { createRequire } from 'node:module';
import type { Tensor } from '../../src/index.js';

const require = createRequire(import.meta.url);

/**
 * Real MNIST digits from the `mnist` package (about 1,000 per class, 28x28, values in [0, 1]).
 * A fixed split by index: for every class, examples [0, train) go to training and
 * [train, train + test) to the held-out set; then classes are interleaved so that no batch is
 * all one digit.
 */
export function loadDigits(
  perClassTrain: number,
  perClassTest: number,
): {
  train: { x: Tensor; labels: number[] };
  test: { x: Tensor; labels: number[] };
} {
  const raw: number[][] = [];
  for (let d = 0; d < 10; d++)
    raw.push((require(`mnist/src/digits/${d}.json`) as { data: number[] }).data);
  const take = (from: number, count: number) => {
    const x = new Float32Array(count * 10 * 784);
    const labels: number[] = [];
    let k = 0;
    for (let i = 0; i < count; i++) {
      for (let d = 0; d < 10; d++, k++) {
        const start = (from + i) * 784;
        x.set(raw[d]!.slice(start, start + 784), k * 784);
        labels.push(d);
      }
    }
    return { x: { shape: [count * 10, 1, 28, 28], data: x } as Tensor, labels };
  };
  return { train: take(0, perClassTrain), test: take(perClassTrain, perClassTest) };
}
