// Zhang's shift consistency: the pairs drawn as the model cards' shiftReport draws them.
import { describe, expect, it } from 'vitest';
import { createRng, shiftConsistency, shiftPairs } from '../src/index.js';

describe('shiftPairs', () => {
  it('draws the pairs in the order of the cards (round, digit; dy, dx; view a, b)', () => {
    // The loop of @receptive/models' scripts/lib/evaluate.ts shiftReport, written out.
    const rng = createRng(7);
    const keys: string[] = [];
    for (let r = 0; r < 2; r++) {
      for (let i = 0; i < 5; i++) {
        const a = `${rng.int(7) - 3},${rng.int(7) - 3}`;
        const b = `${rng.int(7) - 3},${rng.int(7) - 3}`;
        keys.push(`${i}:${a}|${b}`);
      }
    }
    const pairs = shiftPairs(5, { maxShift: 3, draws: 2, seed: 7 });
    expect(pairs.length).toBe(40);
    const ours = Array.from({ length: 10 }, (_, p) => {
      const q = pairs.subarray(4 * p, 4 * p + 4);
      return `${p % 5}:${q[0]},${q[1]}|${q[2]},${q[3]}`;
    });
    expect(ours).toEqual(keys);
    expect(Math.max(...pairs)).toBeLessThanOrEqual(3);
    expect(Math.min(...pairs)).toBeGreaterThanOrEqual(-3);
  });

  it('rejects a count, shift or draws it cannot use', () => {
    expect(() => shiftPairs(0, { maxShift: 3, draws: 5, seed: 7 })).toThrow(/count/);
    expect(() => shiftPairs(1, { maxShift: 1.5, draws: 5, seed: 7 })).toThrow(/maxShift/);
    expect(() => shiftPairs(1, { maxShift: 3, draws: 0, seed: 7 })).toThrow(/draws/);
  });
});

describe('shiftConsistency', () => {
  const pairs = shiftPairs(4, { maxShift: 2, draws: 3, seed: 1 });
  it('is 1 for a model that ignores shifts and counts every pair', () => {
    expect(shiftConsistency(pairs, 4, (d) => d % 10)).toEqual({ consistency: 1, pairs: 12 });
  });
  it('counts a pair as consistent exactly when both views agree', () => {
    const top1 = (_d: number, dy: number, dx: number) => (dy >= 0 ? 1 : 0) + 0 * dx;
    let same = 0;
    for (let p = 0; p < 12; p++)
      if (top1(0, pairs[4 * p]!, 0) === top1(0, pairs[4 * p + 2]!, 0)) same++;
    expect(shiftConsistency(pairs, 4, top1).consistency).toBe(same / 12);
  });
  it('scores only the digits before upTo', () => {
    expect(shiftConsistency(pairs, 4, () => 0, 2).pairs).toBe(6);
  });
});
