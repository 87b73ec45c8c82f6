// trainStep reuses the buffers of its previous step (src/step-buffers.ts). Reuse must change
// nothing: the same steps taken through lossAndGradients and the optimiser directly, with fresh
// arrays throughout, give bit-identical weights, losses and accuracies, on both kernel sets and
// with a batch size that changes between steps.
import { afterEach, describe, expect, it } from 'vitest';
import { adam, lossAndGradients, setKernels, type Tensor, trainStep } from '../src/index.js';
import { accuracy } from '../src/metrics.js';
import { stepBuffer, withStepBuffers } from '../src/step-buffers.js';
import { twoBlockCnn } from './helpers/models.js';
import { randomTensor } from './helpers/random-data.js';

const lessonCnn = () => twoBlockCnn({ size: 16, seed: 4 });

const batches: { x: Tensor; y: number[] }[] = [8, 8, 5, 8, 3, 8].map((n, i) => ({
  x: randomTensor([n, 1, 16, 16], 100 + i),
  y: Array.from({ length: n }, (_, j) => (i * 7 + j * 3) % 10),
}));

afterEach(() => {
  setKernels('scalar');
});

describe('trainStep with reused step buffers', () => {
  for (const set of ['scalar', 'simd'] as const) {
    it(`gives bit-identical weights to fresh arrays, on the ${set} kernels`, () => {
      setKernels(set);
      const pooled = lessonCnn();
      const fresh = lessonCnn();
      const optPooled = adam({ lr: 1e-2 });
      const optFresh = adam({ lr: 1e-2 });
      for (const { x, y } of batches) {
        const a = trainStep(pooled, x, y, optPooled);
        const r = lossAndGradients(fresh, x, y);
        optFresh.step(
          fresh.parameters().map((p) => p.value),
          r.gradients,
        );
        expect(a.loss).toBe(r.loss);
        expect(a.accuracy).toBe(accuracy(r.logits, y));
      }
      const pw = pooled.parameters();
      const fw = fresh.parameters();
      for (let i = 0; i < pw.length; i++) {
        expect(Array.from(pw[i]!.value.data)).toEqual(Array.from(fw[i]!.value.data));
      }
    });
  }
});

describe('withStepBuffers', () => {
  it('hands a step the previous step’s buffers, zeroed, and plain new arrays outside a step', () => {
    const first = withStepBuffers(() => {
      const b = stepBuffer(1000);
      b.fill(7);
      return b;
    });
    const second = withStepBuffers(() => stepBuffer(1000));
    expect(second).toBe(first);
    expect(second.every((v) => v === 0)).toBe(true);
    const outside = stepBuffer(1000);
    expect(outside).not.toBe(first);
  });

  it('keeps only what the latest step used', () => {
    const old = withStepBuffers(() => stepBuffer(64));
    withStepBuffers(() => stepBuffer(32));
    expect(withStepBuffers(() => stepBuffer(64))).not.toBe(old);
  });

  it('returns the buffers even when the step throws', () => {
    let kept: Float32Array | null = null;
    expect(() =>
      withStepBuffers(() => {
        kept = stepBuffer(16);
        throw new Error('bad batch');
      }),
    ).toThrow('bad batch');
    expect(withStepBuffers(() => stepBuffer(16))).toBe(kept);
  });
});
