import { EmptyBatchError } from '../errors.js';
import { activeSimd } from '../simd/kernels.js';
import { simdRelu, simdReluBackward } from '../simd/ops.js';
import { stepBuffer } from '../step-buffers.js';
import { assertFinite, type Tensor } from '../tensor.js';

/**
 * Rectified linear unit, element-wise: max(0, x).
 *
 * @example
 * relu(tensor([-1, 0, 2])).data; // [0, 0, 2]
 */
export function relu(x: Tensor): Tensor {
  if (x.shape[0] === 0) throw new EmptyBatchError('relu', x.shape);
  const out = stepBuffer(x.data.length);
  const d = x.data;
  const simd = activeSimd();
  if (simd) {
    // setKernels('simd'): the same formula, four lanes at a time.
    if (simdRelu(simd, d, out) !== 0) assertFinite('relu', 'input', d);
    return { shape: [...x.shape], data: out };
  }
  // Branch-free (whether a unit fires is data the CPU cannot predict): v * 1 + 0 for v > 0,
  // v * 0 + 0 = +0 otherwise. `bad` sums v - v, which is 0 for every finite v and NaN once a
  // NaN or ±Infinity is met: the check that then names it runs only in that case.
  let bad = 0;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    bad += v - v;
    out[i] = v * +(v > 0) + 0;
  }
  if (bad !== 0) assertFinite('relu', 'input', d);
  return { shape: [...x.shape], data: out };
}

/** Backward of {@link relu}: dy where x > 0, else 0 (the subgradient 0 is taken at x = 0). */
export function reluBackward(x: Tensor, dy: Tensor): Tensor {
  const dx = stepBuffer(x.data.length);
  const xd = x.data;
  const g = dy.data;
  const simd = activeSimd();
  if (simd && g.length === dx.length) {
    simdReluBackward(simd, xd, g, dx);
    return { shape: [...x.shape], data: dx };
  }
  // Branch-free as in relu: dy * 1 + 0 where x > 0, dy * 0 + 0 = +0 elsewhere (for finite dy).
  for (let i = 0; i < dx.length; i++) dx[i] = g[i]! * +(xd[i]! > 0) + 0;
  return { shape: [...x.shape], data: dx };
}

/** max(0, x) written over x itself; x must be finite (an op's fresh output is). */
export function reluInPlace(d: Float32Array): void {
  for (let i = 0; i < d.length; i++) if (!(d[i]! > 0)) d[i] = 0;
}

/**
 * max(0, x) written over `d[from..to)` for `model.forward`'s own buffers, without a branch
 * (whether a unit fires is data the CPU cannot predict): +0 for every value <= 0 (the bits of
 * {@link relu}), while NaN and -Infinity turn into NaN instead of 0, so that a non-finite value
 * still reaches the model's output, where it is caught.
 */
export function reluKeepNaN(d: Float32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const v = d[i]!;
    d[i] = v * +(v > 0) + 0;
  }
}
