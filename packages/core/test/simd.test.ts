// The SIMD kernel set against the scalar reference: the committed wasm bytes against their
// .wat source, every SIMD kernel against the scalar loops on random shapes, the compiled
// forward plan and training on real digits, and the choice of kernels with its fallback.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { compileKernels } from '../scripts/build-wasm.js';
import {
  type Conv2dLayer,
  conv2d,
  conv2dBackward,
  type KernelSet,
  kernels,
  layers,
  linear,
  linearBackward,
  lossAndGradients,
  maxPool2d,
  maxPool2dBackward,
  relu,
  reluBackward,
  sequential,
  setKernels,
  simdSupported,
  type Tensor,
} from '../src/index.js';
import { kernelsWasmBytes, loadSimdKernels, SimdKernels } from '../src/simd/kernels.js';
import { simdLinearPays } from '../src/simd/ops.js';
import { convCase } from './helpers/cases.js';
import { loadDigits } from './helpers/digits.js';
import { twoBlockCnn } from './helpers/models.js';
import { maxAbsDiff, randomTensor, withZeros } from './helpers/random-data.js';

/** f run on one kernel set, then the other; the scalar set is restored afterwards. */
function both<T>(f: () => T): { scalar: T; simd: T } {
  expect(setKernels('scalar').active).toBe('scalar');
  const scalar = f();
  expect(setKernels('simd').active).toBe('simd');
  const simd = f();
  setKernels('scalar');
  return { scalar, simd };
}

afterEach(() => {
  setKernels('scalar');
});

describe('the SIMD kernels module', () => {
  it('is the committed compile of kernels.wat by the pinned wat2wasm', async () => {
    const wat = readFileSync(new URL('../src/simd/kernels.wat', import.meta.url), 'utf8');
    const fresh = await compileKernels(wat);
    expect(fresh.length).toBeGreaterThan(1000);
    expect(Array.from(kernelsWasmBytes())).toEqual(Array.from(fresh));
  });

  it('is chosen by name, reports what runs, and refuses other names', () => {
    expect(simdSupported()).toBe(true); // Node 24's V8 runs wasm SIMD
    expect(kernels()).toEqual({ requested: 'scalar', active: 'scalar', reason: null });
    expect(setKernels('simd')).toEqual({ requested: 'simd', active: 'simd', reason: null });
    expect(setKernels('scalar').active).toBe('scalar');
    expect(() => setKernels('avx' as KernelSet)).toThrow(
      'setKernels: received "avx", expected one of simd, scalar',
    );
  });

  it('a module that does not compile gives a reason instead of kernels', () => {
    const broken = kernelsWasmBytes().slice(0, 100);
    const r = loadSimdKernels(broken);
    expect(typeof r).toBe('string');
    expect(r).toMatch(/^the SIMD kernels failed to compile: /);
    expect(loadSimdKernels(kernelsWasmBytes())).toBeInstanceOf(SimdKernels);
  });
});

describe('SIMD kernels match the scalar loops on random shapes', () => {
  const cases = convCase(
    { n: 3, c: 5, k: 11, kernel: 4, size: 14, seed: 1e6 },
    { zeros: fc.constantFrom(0, 0.7), bias: fc.boolean() },
  );

  it('conv2d forward, and its gradients for input, kernel and bias', () => {
    fc.assert(
      fc.property(cases, (o) => {
        const x = withZeros(randomTensor([o.n, o.c, o.h, o.w], o.seed), o.zeros, o.seed + 1);
        const w = randomTensor([o.k, o.c, o.kh, o.kw], o.seed + 2);
        const b = o.bias ? randomTensor([o.k], o.seed + 3) : null;
        const opts = { stride: [o.sh, o.sw] as const, padding: [o.ph, o.pw] as const };
        const y = both(() => conv2d(x, w, b, opts));
        expect(y.simd.shape).toEqual(y.scalar.shape);
        expect(maxAbsDiff(y.simd.data, y.scalar.data)).toBeLessThan(1e-5);
        const dy = withZeros(randomTensor([...y.scalar.shape], o.seed + 4), 0.5, o.seed + 5);
        const g = both(() => conv2dBackward(x, w, b, dy, opts));
        expect(maxAbsDiff(g.simd.dx!.data, g.scalar.dx!.data)).toBeLessThan(1e-5);
        expect(maxAbsDiff(g.simd.dw.data, g.scalar.dw.data)).toBeLessThan(1e-4);
        if (b) expect(maxAbsDiff(g.simd.db!.data, g.scalar.db!.data)).toBeLessThan(1e-5);
        else expect(g.simd.db).toBeNull();
        const noDx = both(() => conv2dBackward(x, w, b, dy, opts, false));
        expect(noDx.simd.dx).toBeNull();
        expect(maxAbsDiff(noDx.simd.dw.data, g.simd.dw.data)).toBe(0);
      }),
      { numRuns: 150, seed: 18 },
    );
  });

  it('linear forward and its gradients, dense and mostly-zero rows, any feature count', () => {
    const linCase = fc.record({
      n: fc.integer({ min: 1, max: 9 }),
      inF: fc.integer({ min: 1, max: 70 }),
      outF: fc.integer({ min: 1, max: 19 }),
      zeros: fc.constantFrom(0, 0.8, 1),
      bias: fc.boolean(),
      seed: fc.integer({ min: 0, max: 1e6 }),
    });
    fc.assert(
      fc.property(linCase, (o) => {
        const x = withZeros(randomTensor([o.n, o.inF], o.seed), o.zeros, o.seed + 1);
        const w = randomTensor([o.outF, o.inF], o.seed + 2);
        const b = o.bias ? randomTensor([o.outF], o.seed + 3) : null;
        const y = both(() => linear(x, w, b));
        expect(y.simd.shape).toEqual([o.n, o.outF]);
        expect(maxAbsDiff(y.simd.data, y.scalar.data)).toBeLessThan(1e-5);
        const dy = randomTensor([o.n, o.outF], o.seed + 4);
        const g = both(() => linearBackward(x, w, b, dy));
        expect(maxAbsDiff(g.simd.dx!.data, g.scalar.dx!.data)).toBeLessThan(1e-5);
        expect(maxAbsDiff(g.simd.dw.data, g.scalar.dw.data)).toBeLessThan(1e-5);
        if (b) expect(maxAbsDiff(g.simd.db!.data, g.scalar.db!.data)).toBeLessThan(1e-5);
      }),
      { numRuns: 150, seed: 18 },
    );
  });

  it('relu and its backward, bit for bit, and a NaN still named', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 0, max: 1e6 }),
        (len, seed) => {
          const x = withZeros(randomTensor([1, len], seed), 0.3, seed + 1);
          const dy = randomTensor([1, len], seed + 2);
          const y = both(() => relu(x));
          expect(Array.from(y.simd.data)).toEqual(Array.from(y.scalar.data));
          const g = both(() => reluBackward(x, dy));
          expect(Array.from(g.simd.data)).toEqual(Array.from(g.scalar.data));
        },
      ),
      { numRuns: 100, seed: 18 },
    );
    const bad = randomTensor([1, 9], 3);
    bad.data[6] = Number.NEGATIVE_INFINITY;
    setKernels('simd');
    expect(() => relu(bad)).toThrow('relu: input holds -Infinity at flat index 6');
  });

  it('2x2 max pooling and its backward, bit for bit, with ties and odd sizes', () => {
    fc.assert(
      fc.property(
        fc.record({
          n: fc.integer({ min: 1, max: 3 }),
          c: fc.integer({ min: 1, max: 5 }),
          h: fc.integer({ min: 2, max: 17 }),
          w: fc.integer({ min: 2, max: 17 }),
          ties: fc.boolean(),
          seed: fc.integer({ min: 0, max: 1e6 }),
        }),
        (o) => {
          const x = randomTensor([o.n, o.c, o.h, o.w], o.seed);
          // Few distinct values make ties, where the first in reading order must win.
          if (o.ties) for (let i = 0; i < x.data.length; i++) x.data[i] = Math.round(x.data[i]!);
          const y = both(() => maxPool2d(x, { kernel: 2 }));
          expect(Array.from(y.simd.data)).toEqual(Array.from(y.scalar.data));
          const dy = randomTensor([...y.scalar.shape], o.seed + 1);
          const g = both(() => maxPool2dBackward(x, dy, { kernel: 2 }));
          expect(Array.from(g.simd.data)).toEqual(Array.from(g.scalar.data));
        },
      ),
      { numRuns: 150, seed: 18 },
    );
  });

  it('the sizes of the lesson MLP (784-512-10) and of a batch of 32 for the CNN', () => {
    // A batch of 4: the size from which linear runs this matrix on the SIMD kernels.
    expect(simdLinearPays(4, 784, 512)).toBe(true);
    expect(simdLinearPays(3, 784, 512)).toBe(false);
    const x = withZeros(randomTensor([4, 784], 1), 0.8, 2);
    const w = randomTensor([512, 784], 3, 0.05);
    const y = both(() => linear(x, w, null));
    expect(maxAbsDiff(y.simd.data, y.scalar.data)).toBeLessThan(1e-5);
    const img = withZeros(randomTensor([32, 8, 13, 13], 4), 0.5, 5);
    const k = randomTensor([16, 8, 3, 3], 6, 0.3);
    const c = both(() => conv2d(img, k, null));
    expect(maxAbsDiff(c.simd.data, c.scalar.data)).toBeLessThan(1e-5);
  });
});

describe('models on the SIMD kernels, on real digits', () => {
  const { test } = loadDigits(10, 20);
  const net = twoBlockCnn({ c1: 8, c2: 16, pad2: 1, hidden: 32, seed: 7 });

  it('the compiled forward plan gives the scalar outputs to 1e-5, batch 1 and whole', () => {
    const one: Tensor = { shape: [1, 1, 28, 28], data: test.x.data.slice(0, 784) };
    for (const x of [one, test.x]) {
      const y = both(() => net.forward(x));
      expect(y.simd.shape).toEqual([x.shape[0], 10]);
      expect(maxAbsDiff(y.simd.data, y.scalar.data)).toBeLessThan(1e-5);
      // the plan and the op-by-op path agree on the SIMD kernels too
      setKernels('simd');
      const all = net.forwardAll(x);
      expect(maxAbsDiff(all.output.data, y.simd.data)).toBeLessThan(1e-6);
    }
  });

  it('kernel counts that are not a multiple of 4 and odd maps, through the fused conv-pool step', () => {
    const odd = sequential(
      [
        layers.conv2d({ filters: 5, kernel: 3, padding: 1 }),
        layers.relu(),
        layers.maxPool2d({ kernel: 2 }),
        layers.conv2d({ filters: 7, kernel: 3 }),
        layers.relu(),
        layers.maxPool2d({ kernel: 2 }),
        layers.flatten(),
        layers.linear({ units: 10 }),
      ],
      { inputShape: [1, 28, 28], seed: 3 },
    );
    const y = both(() => odd.forward(test.x));
    expect(maxAbsDiff(y.simd.data, y.scalar.data)).toBeLessThan(1e-5);
  });

  it('a kernel that is not finite is still reported by the forward pass on the SIMD kernels', () => {
    const copy = sequential(
      [
        layers.conv2d({ filters: 4, kernel: 3 }),
        layers.relu(),
        layers.maxPool2d({ kernel: 2 }),
        layers.flatten(),
        layers.linear({ units: 16 }),
        layers.relu(),
        layers.linear({ units: 10 }),
      ],
      { inputShape: [1, 28, 28], seed: 4 },
    );
    const conv = copy.layers[0] as Conv2dLayer;
    conv.weight.data[5] = Number.NaN;
    expect(setKernels('simd').active).toBe('simd');
    expect(() => copy.forward(test.x)).toThrow('conv2d: kernel holds NaN at flat index 5');
    setKernels('scalar');
    expect(() => copy.forward(test.x)).toThrow('conv2d: kernel holds NaN at flat index 5');
  });

  it('loss and every parameter gradient of a batch agree with the scalar ones', () => {
    const labels = Array.from(test.labels);
    const r = both(() => lossAndGradients(net, test.x, labels));
    expect(Math.abs(r.simd.loss - r.scalar.loss)).toBeLessThan(1e-5);
    r.scalar.gradients.forEach((g, i) => {
      expect(maxAbsDiff(r.simd.gradients[i]!.data, g.data)).toBeLessThan(1e-5);
    });
  });
});
