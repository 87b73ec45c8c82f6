// conv2d's named algorithms: each kernel gives the reference loop's sums, whatever the data,
// and one that does not apply to a geometry is refused, not silently swapped.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArgumentError, type Conv2dAlgorithm, conv2d } from '../src/index.js';
import { maxAbsDiff, randomTensor, withZeros } from './helpers/random-data.js';

describe('conv2d algorithms', () => {
  it('direct3x3, im2col, sparse and auto match the reference on random shapes', () => {
    const cases = fc.record({
      n: fc.integer({ min: 1, max: 2 }),
      c: fc.integer({ min: 1, max: 3 }),
      k: fc.integer({ min: 1, max: 6 }),
      h: fc.integer({ min: 3, max: 10 }),
      w: fc.integer({ min: 3, max: 10 }),
      kernel: fc.constantFrom(1, 2, 3),
      stride: fc.constantFrom(1, 2),
      pad: fc.integer({ min: 0, max: 1 }),
      zeros: fc.constantFrom(0, 0.7, 1),
      seed: fc.integer({ min: 0, max: 1e6 }),
    });
    fc.assert(
      fc.property(cases, (o) => {
        const x = withZeros(randomTensor([o.n, o.c, o.h, o.w], o.seed), o.zeros, o.seed + 1);
        const w = randomTensor([o.k, o.c, o.kernel, o.kernel], o.seed + 2);
        const b = randomTensor([o.k], o.seed + 3);
        const opts = { stride: o.stride, padding: o.pad };
        const ref = conv2d(x, w, b, { ...opts, algorithm: 'reference' });
        const algorithms: Conv2dAlgorithm[] = ['auto', 'im2col'];
        if (o.stride === 1) algorithms.push('sparse');
        if (o.stride === 1 && o.kernel === 3) algorithms.push('direct3x3');
        for (const algorithm of algorithms) {
          const y = conv2d(x, w, b, { ...opts, algorithm });
          expect(y.shape).toEqual(ref.shape);
          expect(maxAbsDiff(y.data, ref.data)).toBeLessThan(1e-5);
        }
      }),
      { numRuns: 100, seed: 5 },
    );
  });

  it('auto picks by geometry alone: the same kernel for a blank input as for a busy one', () => {
    // A 5x5 kernel with stride 1: 'auto' runs im2col whatever the data, bit for bit; 'sparse'
    // runs only when named (its sums come in another order, so they differ in the last bits).
    const w5 = randomTensor([4, 2, 5, 5], 7);
    for (const zeros of [0, 0.9]) {
      const x = withZeros(randomTensor([2, 2, 12, 12], 8), zeros, 9);
      const auto = conv2d(x, w5, null, { algorithm: 'auto' });
      expect(auto.data).toEqual(conv2d(x, w5, null, { algorithm: 'im2col' }).data);
    }
  });

  it('refuses an algorithm that does not fit the geometry, and an unknown one', () => {
    const x = randomTensor([1, 1, 6, 6], 1);
    const w5 = randomTensor([2, 1, 5, 5], 2);
    expect(() => conv2d(x, w5, null, { algorithm: 'direct3x3' })).toThrow(ArgumentError);
    expect(() => conv2d(x, w5, null, { stride: 2, algorithm: 'sparse' })).toThrow(/stride 1/);
    expect(() => conv2d(x, w5, null, { algorithm: 'winograd' as 'im2col' })).toThrow(
      /expected one of auto, reference/,
    );
  });
});
