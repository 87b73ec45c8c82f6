// The lecture's digit CNN trained end to end on real digits, reproducibly.
import { describe, expect, it } from 'vitest';
import { accuracy, adam, confusionMatrix, predict, train } from '../src/index.js';
import { loadDigits } from './helpers/digits.js';
import { digitCnn } from './helpers/models.js';

const { train: trainSet, test: testSet } = loadDigits(40, 20); // 400 to train, 200 held out

function run() {
  const net = digitCnn();
  const history = train(net, trainSet, {
    optimizer: adam({ lr: 0.005 }),
    epochs: 6,
    batchSize: 16,
    seed: 1,
  });
  const scores = predict(net, testSet.x);
  return {
    net,
    history,
    acc: accuracy(scores, testSet.labels),
    confusion: confusionMatrix(scores, testSet.labels),
  };
}

describe('digit CNN on 400 real MNIST digits (seed 1)', () => {
  it('reaches >= 85% held-out accuracy, identically on a second run', () => {
    const a = run();
    expect(a.acc).toBeGreaterThanOrEqual(0.85);
    expect(a.confusion.flat().reduce((s, v) => s + v, 0)).toBe(200);
    expect(a.history.at(-1)!.loss).toBeLessThan(a.history[0]!.loss);
    const b = run();
    expect(b.acc).toBe(a.acc);
    expect(Array.from(b.net.parameters()[4]!.value.data)).toEqual(
      Array.from(a.net.parameters()[4]!.value.data),
    );
    console.log(
      `held-out accuracy ${(a.acc * 100).toFixed(1)}%, final train loss ${a.history.at(-1)!.loss.toFixed(4)}`,
    );
  });
});
