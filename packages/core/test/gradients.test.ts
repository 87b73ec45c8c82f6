// Every op's backward against central finite differences, on fixed and on random shapes.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adam,
  avgPool2d,
  avgPool2dBackward,
  blurPool2d,
  blurPool2dBackward,
  conv2d,
  conv2dBackward,
  createRng,
  crossEntropy,
  crossEntropyBackward,
  flatten,
  flattenBackward,
  KERNEL_SETS,
  layers,
  linear,
  linearBackward,
  logSoftmax,
  logSoftmaxBackward,
  lossAndGradients,
  maxPool2d,
  maxPool2dBackward,
  relu,
  reluBackward,
  sequential,
  setKernels,
  softmax,
  softmaxBackward,
  Tape,
  type Tensor,
} from '../src/index.js';
import { convCase } from './helpers/cases.js';
import { gradCheck } from './helpers/grad-check.js';
import { randomTensor } from './helpers/random-data.js';

// Distinct values 0.1 apart in random order: a perturbation of 1e-2 never changes which
// element wins a max window.
function distinct(shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const rng = createRng(seed);
  const data = rng.shuffle(Float32Array.from({ length: n }, (_, i) => (i - n / 2 + 0.5) * 0.1));
  return { shape, data };
}

/** One op of one input: its backward (`dy` at `x`) against central differences, at `x`. */
function expectGradient(
  forward: (x: Tensor) => Tensor,
  backward: (x: Tensor, dy: Tensor) => Tensor,
  x: Tensor,
): void {
  expect(
    gradCheck(
      ([x]) => forward(x!),
      [x],
      ([x], dy) => [backward(x!, dy)],
    ),
  ).toBeLessThanOrEqual(1);
}

/**
 * An op of x, w and b (conv2d, linear): its backward's dx, dw and db against central
 * differences at x, w, b; the worst ratio of {@link gradCheck}, which `check` tunes.
 */
function xwbGradCheck(
  forward: (x: Tensor, w: Tensor, b: Tensor) => Tensor,
  backward: (
    x: Tensor,
    w: Tensor,
    b: Tensor,
    dy: Tensor,
  ) => { dx: Tensor | null; dw: Tensor; db: Tensor | null },
  xwb: [Tensor, Tensor, Tensor],
  check?: Parameters<typeof gradCheck>[3],
): number {
  return gradCheck(
    ([x, w, b]) => forward(x!, w!, b!),
    xwb,
    ([x, w, b], dy) => {
      const g = backward(x!, w!, b!, dy);
      return [g.dx, g.dw, g.db];
    },
    check,
  );
}

// Every check below runs on each kernel set (the scalar loops and the SIMD kernels).
describe.each(KERNEL_SETS)('gradients on the %s kernels', (set) => {
  beforeAll(() => {
    expect(setKernels(set).active).toBe(set);
  });
  afterAll(() => {
    setKernels('scalar');
  });

  describe('gradients match central differences', () => {
    it('conv2d: input, kernel and bias, with stride and padding', () => {
      const x = randomTensor([2, 3, 7, 6], 1);
      const w = randomTensor([4, 3, 3, 2], 2);
      const b = randomTensor([4], 3);
      const opts = { stride: [2, 1] as [number, number], padding: [1, 1] as [number, number] };
      const worst = xwbGradCheck(
        (x, w, b) => conv2d(x, w, b, opts),
        (x, w, b, dy) => conv2dBackward(x, w, b, dy, opts),
        [x, w, b],
      );
      expect(worst).toBeLessThanOrEqual(1);
    });

    it('maxPool2d with overlapping windows and padding', () => {
      const x = distinct([2, 2, 7, 7], 4);
      const opts = { kernel: 3, stride: 2, padding: 1 };
      expectGradient(
        (x) => maxPool2d(x, opts),
        (x, dy) => maxPool2d(x, opts) && maxPool2dBackward(x, dy, opts),
        x,
      );
    });

    it('avgPool2d with padding (padding not counted)', () => {
      const x = randomTensor([2, 2, 6, 5], 5);
      const opts = { kernel: [3, 2] as [number, number], stride: 2, padding: 1 };
      expectGradient(
        (x) => avgPool2d(x, opts),
        (x, dy) => avgPool2dBackward(x, dy, opts),
        x,
      );
    });

    it('blurPool2d (max stride 1, then binomial blur stride 2)', () => {
      const x = distinct([1, 2, 8, 7], 6);
      for (const filter of [1, 3, 5]) {
        const opts = { filter };
        expectGradient(
          (x) => blurPool2d(x, opts),
          (x, dy) => blurPool2dBackward(x, dy, opts),
          x,
        );
      }
    });

    it('relu away from its kink, flatten', () => {
      const x = distinct([2, 3, 4, 4], 7);
      expectGradient(
        (x) => relu(x),
        (x, dy) => reluBackward(x, dy),
        x,
      );
      expectGradient(
        (x) => flatten(x),
        (x, dy) => flattenBackward(x, dy),
        x,
      );
    });

    it('linear: input, weight and bias', () => {
      const x = randomTensor([3, 7], 8);
      x.data.fill(0, 0, 4); // a sparse row takes the sparse path
      const w = randomTensor([5, 7], 9);
      const b = randomTensor([5], 10);
      const worst = xwbGradCheck(linear, linearBackward, [x, w, b]);
      expect(worst).toBeLessThanOrEqual(1);
    });

    it('softmax, logSoftmax and crossEntropy', () => {
      const x = randomTensor([4, 6], 11, 3);
      expectGradient(
        (x) => softmax(x),
        (x, dy) => softmaxBackward(softmax(x), dy),
        x,
      );
      expectGradient(
        (x) => logSoftmax(x),
        (x, dy) => logSoftmaxBackward(logSoftmax(x), dy),
        x,
      );
      const labels = [0, 5, 2, 2];
      expectGradient(
        (x) => crossEntropy(x, labels),
        (x, dy) => crossEntropyBackward(x, labels, dy.data[0]!),
        x,
      );
    });

    it('a whole CNN: every parameter gradient from reverse-mode autograd', () => {
      // Average pooling here: a max window whose two largest values lie within the step would
      // make the difference quotient straddle a kink (the max ops are checked above on inputs
      // without near-ties).
      const net = sequential(
        [
          layers.conv2d({ filters: 3, kernel: 3, padding: 1 }),
          layers.relu(),
          layers.avgPool2d({ kernel: 2 }),
          layers.conv2d({ filters: 4, kernel: 2, stride: 2 }),
          layers.relu(),
          layers.flatten(),
          layers.linear({ units: 5 }),
          layers.softmax(),
        ],
        { inputShape: [2, 8, 8], seed: 3 },
      );
      const x = randomTensor([3, 2, 8, 8], 12);
      const labels = [1, 4, 0];
      const { gradients } = lossAndGradients(net, x, labels);
      const params = net.parameters().map((p) => p.value);
      const worst = gradCheck(
        () => ({ shape: [1], data: Float32Array.of(lossAndGradients(net, x, labels).loss) }),
        params,
        (_, dy) =>
          gradients.map((g) => ({ shape: g.shape, data: g.data.map((v) => v * dy.data[0]!) })),
        { eps: 1e-3, atol: 5e-3, samples: 12 },
      );
      expect(worst).toBeLessThanOrEqual(1);
    });

    it('the tape accumulates a gradient used twice and takes a seed for one unit', () => {
      const tape = new Tape();
      const w = tape.variable(randomTensor([1, 1, 2, 2], 13), true);
      const x = tape.variable(randomTensor([1, 1, 3, 3], 14));
      const y1 = tape.conv2d(x, w, null);
      const y2 = tape.conv2d(x, w, null);
      const s = tape.crossEntropy(tape.flatten(y1), [0]);
      tape.backward(s);
      expect(w.grad).not.toBeNull();
      expect(y2.grad).toBeNull(); // unused branch receives nothing
    });

    it('adam and sgd change parameters deterministically', () => {
      const p = randomTensor([4], 15);
      const g = randomTensor([4], 16);
      const q = { shape: p.shape, data: p.data.slice() };
      adam({ lr: 0.1 }).step([p], [g]);
      adam({ lr: 0.1 }).step([q], [g]);
      expect(Array.from(p.data)).toEqual(Array.from(q.data));
    });
  });

  describe('property tests over random shapes, strides and paddings', () => {
    const cases = convCase({ n: 2, c: 3, k: 3, kernel: 3, size: 7, seed: 1000 });

    it('conv2d follows the shape rule, matches the defining sum and passes a gradient check', () => {
      fc.assert(
        fc.property(cases, (o) => {
          const x = randomTensor([o.n, o.c, o.h, o.w], o.seed);
          const w = randomTensor([o.k, o.c, o.kh, o.kw], o.seed + 1);
          const b = randomTensor([o.k], o.seed + 2);
          const opts = {
            stride: [o.sh, o.sw] as [number, number],
            padding: [o.ph, o.pw] as [number, number],
          };
          const y = conv2d(x, w, b, opts);
          const oh = Math.floor((o.h + 2 * o.ph - o.kh) / o.sh) + 1;
          const ow = Math.floor((o.w + 2 * o.pw - o.kw) / o.sw) + 1;
          expect(y.shape).toEqual([o.n, o.k, oh, ow]);
          // The defining sum, written out directly.
          for (let n = 0; n < o.n; n++)
            for (let k = 0; k < o.k; k++)
              for (let i = 0; i < oh; i++)
                for (let j = 0; j < ow; j++) {
                  let s = b.data[k]!;
                  for (let c = 0; c < o.c; c++)
                    for (let a = 0; a < o.kh; a++)
                      for (let bb = 0; bb < o.kw; bb++) {
                        const yy = i * o.sh + a - o.ph;
                        const xx = j * o.sw + bb - o.pw;
                        if (yy >= 0 && yy < o.h && xx >= 0 && xx < o.w) {
                          s +=
                            w.data[((k * o.c + c) * o.kh + a) * o.kw + bb]! *
                            x.data[((n * o.c + c) * o.h + yy) * o.w + xx]!;
                        }
                      }
                  expect(Math.abs(y.data[((n * o.k + k) * oh + i) * ow + j]! - s)).toBeLessThan(
                    1e-5,
                  );
                }
          const worst = xwbGradCheck(
            (x, w, b) => conv2d(x, w, b, opts),
            (x, w, b, dy) => conv2dBackward(x, w, b, dy, opts),
            [x, w, b],
            { samples: 10 },
          );
          expect(worst).toBeLessThanOrEqual(1);
        }),
        { numRuns: 60, seed: 1 },
      );
    });

    it('pooling follows the shape rule and passes a gradient check', () => {
      const poolCase = fc
        .record({
          c: fc.integer({ min: 1, max: 3 }),
          k: fc.integer({ min: 1, max: 3 }),
          s: fc.integer({ min: 1, max: 3 }),
          p: fc.integer({ min: 0, max: 2 }),
          h: fc.integer({ min: 1, max: 8 }),
          w: fc.integer({ min: 1, max: 8 }),
          seed: fc.integer({ min: 0, max: 1000 }),
        })
        .filter((o) => o.p < o.k && o.h + 2 * o.p >= o.k && o.w + 2 * o.p >= o.k);
      fc.assert(
        fc.property(poolCase, (o) => {
          const x = distinct([1, o.c, o.h, o.w], o.seed);
          const opts = { kernel: o.k, stride: o.s, padding: o.p };
          const oh = Math.floor((o.h + 2 * o.p - o.k) / o.s) + 1;
          const ow = Math.floor((o.w + 2 * o.p - o.k) / o.s) + 1;
          expect(maxPool2d(x, opts).shape).toEqual([1, o.c, oh, ow]);
          expect(avgPool2d(x, opts).shape).toEqual([1, o.c, oh, ow]);
          expectGradient(
            (x) => maxPool2d(x, opts),
            (x, dy) => maxPool2dBackward(x, dy, opts),
            x,
          );
          expectGradient(
            (x) => avgPool2d(x, opts),
            (x, dy) => avgPool2dBackward(x, dy, opts),
            x,
          );
        }),
        { numRuns: 60, seed: 2 },
      );
    });
  });
});
