import { ShapeError } from '../errors.js';
import { activeSimd } from '../simd/kernels.js';
import { simdMaxPool2x2, simdMaxPool2x2Backward } from '../simd/ops.js';
import { stepBuffer } from '../step-buffers.js';
import type { Tensor } from '../tensor.js';
import { type Pool2dOptions, type PoolGeometry, poolGeometry } from './pool-geometry.js';

/**
 * Index into x (flat) of the maximum of every output window; padding never wins (it counts
 * as -Infinity). On ties the first element in reading order wins.
 */
export function maxPool2dArgmax(x: Tensor, g: PoolGeometry): Int32Array {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const idx = new Int32Array(n * c * oh * ow);
  const xd = x.data;
  let o = 0;
  for (let nc = 0; nc < n * c; nc++) {
    const base = nc * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = Math.max(0, oy * sh - ph);
      const y1 = Math.min(h, oy * sh - ph + kh);
      for (let ox = 0; ox < ow; ox++, o++) {
        const x0 = Math.max(0, ox * sw - pw);
        const x1 = Math.min(w, ox * sw - pw + kw);
        let best = base + y0 * w + x0;
        let bv = xd[best]!;
        for (let yy = y0; yy < y1; yy++) {
          const row = base + yy * w;
          for (let xx = x0; xx < x1; xx++) {
            const v = xd[row + xx]!;
            if (v > bv) {
              bv = v;
              best = row + xx;
            }
          }
        }
        idx[o] = best;
      }
    }
  }
  return idx;
}

// The lecture's 2x2 stride-2 pooling, the one every digit model uses: no bounds checks and no
// argmax bookkeeping on the forward pass.
function maxPool2x2(x: Tensor, g: PoolGeometry): Tensor {
  const out = stepBuffer(g.n * g.c * g.oh * g.ow);
  maxPool2x2Into(x.data, g, out, false);
  return { shape: [g.n, g.c, g.oh, g.ow], data: out };
}

/**
 * The loops of the 2x2 pooling above, writing into `out` with no checks (`model.forward` runs
 * it on its own scratch buffers). `relu` rectifies each maximum as it is written: relu is
 * monotone, so relu(max(window)) = max(relu(window)), the bits of ReLU-then-pool. A NaN or
 * -Infinity maximum becomes NaN rather than 0, so that `model.forward` can still see it in its
 * output and report it.
 *
 * Branch-free: which of two values is larger is data the CPU cannot predict (a conv output
 * is noise at the pixel scale), and with `b > a ? b : a` per comparison this loop took about a
 * fifth of a LeNet forward pass in a profile. Instead the comparison, as 0 or 1 (`+(b > a)`),
 * moves an index, and the value is loaded from the winning index (Math.max measured no faster
 * than the comparisons). On ties the first element in reading order wins, as in
 * maxPool2dArgmax, so the value is always x at the argmax that backward uses.
 */
export function maxPool2x2Into(
  xd: Float32Array,
  g: Pick<PoolGeometry, 'n' | 'c' | 'h' | 'w' | 'oh' | 'ow'>,
  out: Float32Array,
  relu: boolean,
): void {
  const { n, c, h, w, oh, ow } = g;
  let o = 0;
  for (let nc = 0; nc < n * c; nc++) {
    const base = nc * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const r0 = base + 2 * oy * w;
      for (let ox = 0; ox < ow; ox++, o++) {
        const m = xd[winner2x2(xd, r0 + 2 * ox, w)]!;
        out[o] = relu ? reluValue(m) : m;
      }
    }
  }
}

/**
 * Flat index of the largest value of the 2x2 window whose top left is xd[i] (rows `w` apart),
 * by the comparisons of maxPool2x2Into: the first in reading order on ties.
 */
function winner2x2(xd: Float32Array, i: number, w: number): number {
  const j = i + w;
  const top = i + +(xd[i + 1]! > xd[i]!);
  const bottom = j + +(xd[j + 1]! > xd[j]!);
  // (bottom - top) & -1 is bottom - top, & -0 is 0.
  return top + ((bottom - top) & -+(xd[bottom]! > xd[top]!));
}

/**
 * max(0, v) without a branch: v * 1 + 0 for v > 0, v * 0 + 0 = +0 for v <= 0 (a -0 product
 * plus +0 is +0, the bits of {@link relu}); NaN and -Infinity give NaN (see maxPool2x2Into).
 */
export function reluValue(v: number): number {
  return v * +(v > 0) + 0;
}

/**
 * Max pooling: each output is the largest value in its window, per channel.
 *
 *   y[n, c, oy, ox] = max_{i < kh, j < kw} x[n, c, oy*sh + i - ph, ox*sw + j - pw]
 *
 * @throws {ShapeError} input not [N, C, H, W] or window larger than the padded input.
 * @throws {ArgumentError} kernel or stride < 1, padding < 0 or not smaller than the window.
 * @example
 * maxPool2d(tensor([1, 0, 0, 0], [1, 1, 2, 2]), { kernel: 2 }); // [[[[1]]]]
 */
export function maxPool2d(x: Tensor, opts: Pool2dOptions): Tensor {
  return maxPool2dFrom(poolGeometry('maxPool2d', x, opts), x);
}

function maxPool2dFrom(g: PoolGeometry, x: Tensor): Tensor {
  if (g.kh === 2 && g.kw === 2 && g.sh === 2 && g.sw === 2 && g.ph === 0 && g.pw === 0) {
    const simd = activeSimd();
    if (simd) {
      const out = stepBuffer(g.n * g.c * g.oh * g.ow);
      simdMaxPool2x2(simd, x.data, g, out);
      return { shape: [g.n, g.c, g.oh, g.ow], data: out };
    }
    return maxPool2x2(x, g);
  }
  const idx = maxPool2dArgmax(x, g);
  const out = stepBuffer(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = x.data[idx[i]!]!;
  return { shape: [g.n, g.c, g.oh, g.ow], data: out };
}

/** Backward of {@link maxPool2d}: each dy flows to the input element that won its window. */
export function maxPool2dBackward(x: Tensor, dy: Tensor, opts: Pool2dOptions): Tensor {
  return maxPool2dBackwardFrom(poolGeometry('maxPool2d', x, opts), x, dy);
}

/**
 * {@link maxPool2d}, also returning the checked geometry, so that a tape can run the backward
 * from it ({@link maxPool2dBackwardFrom}) without checking the same input again.
 */
export function maxPool2dWithGeometry(
  x: Tensor,
  opts: Pool2dOptions,
): { y: Tensor; g: PoolGeometry } {
  const g = poolGeometry('maxPool2d', x, opts);
  return { y: maxPool2dFrom(g, x), g };
}

/** {@link maxPool2dBackward} from the geometry the forward pass checked; dy's size is checked. */
export function maxPool2dBackwardFrom(g: PoolGeometry, x: Tensor, dy: Tensor): Tensor {
  if (dy.data.length !== g.n * g.c * g.oh * g.ow) {
    throw new ShapeError(
      'maxPool2dBackward',
      `[${g.n}, ${g.c}, ${g.oh}, ${g.ow}] for dy`,
      dy.shape,
    );
  }
  if (g.kh === 2 && g.kw === 2 && g.sh === 2 && g.sw === 2 && g.ph === 0 && g.pw === 0) {
    const simd = activeSimd();
    if (simd) {
      const dx = stepBuffer(x.data.length);
      simdMaxPool2x2Backward(simd, x.data, g, dy.data, dx);
      return { shape: [...x.shape], data: dx };
    }
    return { shape: [...x.shape], data: maxPool2x2Backward(x.data, g, dy.data) };
  }
  const idx = maxPool2dArgmax(x, g);
  const dx = stepBuffer(x.data.length);
  for (let i = 0; i < idx.length; i++) dx[idx[i]!]! += dy.data[i]!;
  return { shape: [...x.shape], data: dx };
}

// The 2x2 stride-2 case of maxPool2dBackward: the winner of each window found by comparisons
// without branches, as in maxPool2x2Into (same winner on ties: the first in reading order),
// and its gradient written there; windows do not overlap, so each input gets at most one.
function maxPool2x2Backward(xd: Float32Array, g: PoolGeometry, dyd: Float32Array): Float32Array {
  const { n, c, h, w, oh, ow } = g;
  const dx = stepBuffer(xd.length);
  let o = 0;
  for (let nc = 0; nc < n * c; nc++) {
    const base = nc * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const r0 = base + 2 * oy * w;
      for (let ox = 0; ox < ow; ox++, o++) dx[winner2x2(xd, r0 + 2 * ox, w)] = dyd[o]!;
    }
  }
  return dx;
}
