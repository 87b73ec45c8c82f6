// The fast forward paths (direct 3x3 convolution with zero-span skipping, eight-row sparse
// linear, 2x2 max pooling by comparisons, pool-before-ReLU in model.forward) against plain
// reference loops written from the formulas, on random shapes and on zero-heavy inputs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Conv2dLayer,
  conv2d,
  createRng,
  type LinearLayer,
  layers,
  linear,
  maxPool2d,
  NonFiniteError,
  relu,
  sequential,
  sgd,
  type Tensor,
  trainStep,
} from '../src/index.js';
import { maxPool2x2Into } from '../src/ops/max-pool2d.js';
import { twoBlockCnn } from './helpers/models.js';
import { maxAbsDiff, randomTensor } from './helpers/random-data.js';

/** Sets about `fraction` of the values to exactly 0, and whole rows to 0 now and then. */
function withZeros(t: Tensor, fraction: number, seed: number): Tensor {
  const rng = createRng(seed);
  const data = t.data.slice();
  for (let i = 0; i < data.length; i++) if (rng.uniform() < fraction) data[i] = 0;
  const w = t.shape.at(-1)!;
  for (let r = 0; r < data.length / w; r++)
    if (rng.uniform() < fraction / 2) data.fill(0, r * w, (r + 1) * w);
  return { shape: t.shape, data };
}

/** y[n, k, oy, ox] = b[k] + sum w[k, c, i, j] * x[n, c, oy*s + i - p, ox*s + j - p], in float64. */
function conv2dLoop(x: Tensor, w: Tensor, b: Tensor | null, s: number, p: number): Float64Array {
  const [n, c, h, wd] = x.shape as number[] as [number, number, number, number];
  const [k, , kh, kw] = w.shape as number[] as [number, number, number, number];
  const oh = Math.floor((h + 2 * p - kh) / s) + 1;
  const ow = Math.floor((wd + 2 * p - kw) / s) + 1;
  const y = new Float64Array(n * k * oh * ow);
  let o = 0;
  for (let ni = 0; ni < n; ni++)
    for (let ki = 0; ki < k; ki++)
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++, o++) {
          let sum = b ? b.data[ki]! : 0;
          for (let ci = 0; ci < c; ci++)
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) {
                const iy = oy * s + i - p;
                const ix = ox * s + j - p;
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                sum +=
                  w.data[((ki * c + ci) * kh + i) * kw + j]! *
                  x.data[((ni * c + ci) * h + iy) * wd + ix]!;
              }
          y[o] = sum;
        }
  return y;
}

describe('direct 3x3 convolution', () => {
  it('matches the reference loop on random shapes, paddings and zero-heavy inputs', () => {
    const cases = fc.record({
      n: fc.integer({ min: 1, max: 3 }),
      c: fc.integer({ min: 1, max: 4 }),
      k: fc.integer({ min: 1, max: 9 }),
      h: fc.integer({ min: 1, max: 12 }),
      w: fc.integer({ min: 1, max: 12 }),
      pad: fc.integer({ min: 0, max: 2 }),
      zeros: fc.constantFrom(0, 0.5, 0.8, 0.97, 1),
      bias: fc.boolean(),
      seed: fc.integer({ min: 0, max: 1e6 }),
    });
    fc.assert(
      fc.property(cases, (o) => {
        fc.pre(o.h + 2 * o.pad >= 3 && o.w + 2 * o.pad >= 3);
        const x = withZeros(randomTensor([o.n, o.c, o.h, o.w], o.seed), o.zeros, o.seed + 1);
        const w = randomTensor([o.k, o.c, 3, 3], o.seed + 2);
        const b = o.bias ? randomTensor([o.k], o.seed + 3) : null;
        const y = conv2d(x, w, b, { padding: o.pad });
        expect(maxAbsDiff(y.data, conv2dLoop(x, w, b, 1, o.pad))).toBeLessThan(1e-5);
      }),
      { numRuns: 200, seed: 3 },
    );
  });

  it('gives the bias alone where the whole window is zero', () => {
    const x = { shape: [1, 1, 6, 6], data: new Float32Array(36) };
    x.data[0] = 1;
    const w = randomTensor([5, 1, 3, 3], 9);
    const b = randomTensor([5], 10);
    const y = conv2d(x, w, b);
    for (let k = 0; k < 5; k++) {
      expect(y.data[k * 16]).toBe(Math.fround(b.data[k]! + w.data[k * 9]!));
      for (let q = 1; q < 16; q++) expect(y.data[k * 16 + q]).toBe(b.data[k]!);
    }
  });
});

describe('sparse linear (eight rows per pass)', () => {
  it('matches the reference loop for dense and zero-heavy rows and any number of outputs', () => {
    for (const [inF, outF, zeros] of [
      [784, 512, 0.8],
      [50, 13, 0.9],
      [50, 7, 0.6],
      [33, 17, 0],
      [20, 9, 1],
    ] as const) {
      const x = withZeros(randomTensor([3, inF], inF + outF), zeros, 5);
      const w = randomTensor([outF, inF], 6);
      const b = randomTensor([outF], 7);
      const y = linear(x, w, b);
      const ref = new Float64Array(3 * outF);
      for (let r = 0; r < 3; r++)
        for (let o = 0; o < outF; o++) {
          let s = b.data[o]!;
          for (let i = 0; i < inF; i++) s += w.data[o * inF + i]! * x.data[r * inF + i]!;
          ref[r * outF + o] = s;
        }
      expect(maxAbsDiff(y.data, ref)).toBeLessThan(1e-5);
    }
  });
});

describe('2x2 max pooling and pool-before-ReLU', () => {
  it('2x2 pooling equals the max of each window', () => {
    const x = withZeros(randomTensor([2, 3, 9, 8], 11), 0.5, 12);
    const y = maxPool2d(x, { kernel: 2 });
    const [, , oh, ow] = y.shape as [number, number, number, number];
    let o = 0;
    for (let nc = 0; nc < 6; nc++)
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++, o++) {
          const at = (dy: number, dx: number) => x.data[(nc * 9 + 2 * oy + dy) * 8 + 2 * ox + dx]!;
          expect(y.data[o]).toBe(Math.max(at(0, 0), at(0, 1), at(1, 0), at(1, 1)));
        }
  });

  it('model.forward (pool, then ReLU) gives the bits of forwardAll (ReLU, then pool)', () => {
    const net = sequential(
      [
        layers.conv2d({ filters: 6, kernel: 3, padding: 1 }),
        layers.relu(),
        layers.maxPool2d({ kernel: 2 }),
        layers.conv2d({ filters: 5, kernel: 3 }),
        layers.relu(),
        layers.maxPool2d({ kernel: 3, stride: 1 }),
        layers.flatten(),
        layers.linear({ units: 7 }),
        layers.relu(),
        layers.linear({ units: 3 }),
      ],
      { inputShape: [2, 12, 12], seed: 4 },
    );
    const x = withZeros(randomTensor([3, 2, 12, 12], 13), 0.8, 14);
    expect(Array.from(net.forward(x).data)).toEqual(Array.from(net.forwardAll(x).output.data));
  });
});

// model.forward runs a compiled plan (forward-plan.ts): the ops' loops on buffers it reuses,
// ReLU fused into the conv, linear or pool before it, and the conv rows a 2x2 pool never reads
// left out. Its output must keep the bits
// of forwardAll (the ops one by one), and nothing it reuses may show in what a caller holds.
describe('model.forward (compiled plan)', () => {
  const digitNet = (seed: number, units = 72) =>
    twoBlockCnn({ input: [2, 15, 13], c1: 5, c2: 6, pad2: 1, hidden: units, seed });

  it('gives the bits of forwardAll on random models, batch sizes and zero-heavy inputs', () => {
    const cases = fc.record({
      n: fc.integer({ min: 1, max: 4 }),
      units: fc.integer({ min: 1, max: 140 }),
      zeros: fc.constantFrom(0, 0.5, 0.8, 0.97, 1),
      seed: fc.integer({ min: 0, max: 1e6 }),
    });
    fc.assert(
      fc.property(cases, (o) => {
        const net = digitNet(o.seed, o.units);
        const x = withZeros(randomTensor([o.n, 2, 15, 13], o.seed + 1), o.zeros, o.seed + 2);
        const y = net.forward(x);
        expect(y.shape).toEqual([o.n, 10]);
        expect(Array.from(y.data)).toEqual(Array.from(net.forwardAll(x).output.data));
      }),
      { numRuns: 60, seed: 5 },
    );
  });

  it('wide linear layers match forwardAll for dense and sparse rows', () => {
    for (const [inF, units, zeros] of [
      [784, 512, 0.8],
      [100, 67, 0.9],
      [100, 64, 0.3],
      [50, 130, 0.6],
      [9, 200, 1],
    ] as const) {
      const net = sequential(
        [layers.linear({ units }), layers.relu(), layers.linear({ units: 3 })],
        { inputShape: [inF], seed: inF + units },
      );
      const x = withZeros(randomTensor([3, inF], units, 2), zeros, 8);
      expect(Array.from(net.forward(x).data)).toEqual(Array.from(net.forwardAll(x).output.data));
    }
  });

  it('returns a new tensor each call: a later forward leaves an earlier result intact', () => {
    const net = digitNet(7);
    const a = withZeros(randomTensor([2, 2, 15, 13], 20), 0.8, 21);
    const b = withZeros(randomTensor([2, 2, 15, 13], 22), 0.8, 23);
    const c = withZeros(randomTensor([1, 2, 15, 13], 24), 0.8, 25);
    const ya = net.forward(a);
    const kept = Array.from(ya.data);
    const yb = net.forward(b);
    net.forward(c); // another batch size, then back
    net.forward(a);
    expect(Array.from(ya.data)).toEqual(kept);
    expect(ya.data).not.toBe(yb.data);
    expect(Array.from(yb.data)).toEqual(Array.from(net.forwardAll(b).output.data));
    // Writing into a result changes neither the next result nor the input.
    const input = Array.from(a.data);
    ya.data.fill(123);
    expect(Array.from(net.forward(a).data)).toEqual(kept);
    expect(Array.from(a.data)).toEqual(input);
  });

  it('sees new weights after a training step and after weights are written in place', () => {
    const net = digitNet(8, 96);
    const x = withZeros(randomTensor([4, 2, 15, 13], 30), 0.8, 31);
    net.forward(x);
    trainStep(net, x, [1, 2, 3, 4], sgd({ lr: 0.5 }));
    expect(Array.from(net.forward(x).data)).toEqual(Array.from(net.forwardAll(x).output.data));
    const w = (net.layer('linear1') as LinearLayer).weight.data;
    for (let i = 0; i < w.length; i += 3) w[i] = -w[i]!;
    expect(Array.from(net.forward(x).data)).toEqual(Array.from(net.forwardAll(x).output.data));
  });

  it('still reports a non-finite input or weight with the op error it always gave', () => {
    const net = digitNet(9);
    const x = randomTensor([1, 2, 15, 13], 40);
    x.data[7] = Number.NaN;
    expect(() => net.forward(x)).toThrow('conv2d: input holds NaN at flat index 7');
    const ok = randomTensor([1, 2, 15, 13], 41);
    const w = (net.layer('linear1') as LinearLayer).weight.data;
    w[5] = Number.POSITIVE_INFINITY;
    expect(() => net.forward(ok)).toThrow(NonFiniteError);
    w[5] = 0;
    (net.layer('conv2') as Conv2dLayer).weight.data[3] = Number.NaN;
    expect(() => net.forward(ok)).toThrow('conv2d: kernel holds NaN at flat index 3');
  });

  it('2x2 pooling with ReLU fused equals ReLU then pooling, and keeps NaN', () => {
    const x = withZeros(randomTensor([2, 3, 9, 8], 50), 0.5, 51);
    const g = { n: 2, c: 3, h: 9, w: 8, oh: 4, ow: 4 };
    const fused = new Float32Array(96);
    maxPool2x2Into(x.data, g, fused, true);
    const ref = maxPool2d(relu(x), { kernel: 2 });
    expect(Array.from(fused)).toEqual(Array.from(ref.data));
    // A window of NaN gives NaN, not the 0 a ReLU would make of it, so forward can report it.
    for (const i of [0, 1, 8, 9]) x.data[i] = Number.NaN;
    maxPool2x2Into(x.data, g, fused, true);
    expect(fused[0]).toBeNaN();
  });
});
