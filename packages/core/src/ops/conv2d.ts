import { ArgumentError, ShapeError } from '../errors.js';
import { activeSimd } from '../simd/kernels.js';
import { simdConv2d, simdConv2dBackward } from '../simd/ops.js';
import { stepBuffer } from '../step-buffers.js';
import { assertFinite, assertNCHW, pair, type Tensor } from '../tensor.js';
import {
  type Conv2dKernel,
  Conv2dScratch,
  col2im,
  conv2d3x3Into,
  conv2dIm2colInto,
  conv2dSparseInto,
  im2col,
} from './conv2d-kernels.js';
import type { PoolGeometry } from './pool-geometry.js';
import { slidingOutputSize } from './shape-rule.js';

/** Stride and zero padding of a convolution, as one number or `[vertical, horizontal]`. */
export interface Conv2dOptions {
  /** Step between windows, >= 1. Default 1. */
  stride?: number | readonly [number, number];
  /** Zeros added on each side, >= 0. Default 0 (the output is smaller than the input). */
  padding?: number | readonly [number, number];
  /** Which loops compute it (see {@link Conv2dAlgorithm}). Default `'auto'`. */
  algorithm?: Conv2dAlgorithm;
}

/**
 * Parsed geometry of one conv2d call, shared by forward, backward and the explainers: a
 * pooling window's geometry plus `k`, the number of kernels (output channels).
 */
export interface Conv2dGeometry extends PoolGeometry {
  k: number;
}

/** Checks shapes and options and computes the output size. */
export function conv2dGeometry(
  x: Tensor,
  w: Tensor,
  b: Tensor | null | undefined,
  opts: Conv2dOptions = {},
): Conv2dGeometry {
  const op = 'conv2d';
  const [n, c, h, wd] = assertNCHW(op, x);
  if (w.shape.length !== 4 || w.shape[1] !== c) {
    throw new ShapeError(op, `[K, ${c}, kh, kw] for the kernel (input has ${c} channels)`, w.shape);
  }
  const [k, , kh, kw] = w.shape as [number, number, number, number];
  if (k === 0 || kh === 0 || kw === 0)
    throw new ShapeError(op, '[K >= 1, C, kh >= 1, kw >= 1] for the kernel', w.shape);
  assertFinite(op, 'kernel', w.data);
  if (b) {
    if (b.shape.length !== 1 || b.shape[0] !== k) {
      throw new ShapeError(op, `[${k}] for the bias (one per kernel)`, b.shape);
    }
    assertFinite(op, 'bias', b.data);
  }
  const [sh, sw] = pair(op, 'stride', opts.stride, 1);
  const [ph, pw] = pair(op, 'padding', opts.padding, 0, 0);
  const expected = `[N, ${c}, H, W] with H + 2*${ph} >= ${kh} and W + 2*${pw} >= ${kw}`;
  const oh = slidingOutputSize(op, 'height', h, kh, sh, ph, x.shape, expected);
  const ow = slidingOutputSize(op, 'width', wd, kw, sw, pw, x.shape, expected);
  return { n, c, h, w: wd, k, kh, kw, sh, sw, ph, pw, oh, ow };
}

/**
 * Which loops compute a convolution. All give the same sum up to float rounding (the order of
 * the additions differs); a fast path is a named choice, never a guess, except under `'auto'`.
 *
 * - `'reference'`: the formula below as seven nested loops: the one to read.
 * - `'direct3x3'`: 3x3 kernels with stride 1 only; direct loops that skip zero row spans.
 * - `'im2col'`: any geometry; every window unrolled into a column, then one matrix product.
 * - `'sparse'`: stride 1 only; each nonzero input pixel scatters into the outputs it reaches,
 *   so zero pixels (a digit's background, a ReLU's output) cost nothing.
 * - `'auto'` (the default): `'direct3x3'` where it applies, else `'im2col'`. It looks at the
 *   geometry only, never at the data: a caller that knows its input is mostly zeros (a digit on
 *   a blank background, a ReLU's output) names `'sparse'`.
 */
export type Conv2dAlgorithm = 'auto' | 'reference' | 'direct3x3' | 'im2col' | 'sparse';

/** The algorithms {@link conv2d} accepts. */
export const CONV2D_ALGORITHMS: readonly Conv2dAlgorithm[] = [
  'auto',
  'reference',
  'direct3x3',
  'im2col',
  'sparse',
];

/**
 * The algorithm `'auto'` picks for a geometry: `'direct3x3'` for a 3x3 kernel with stride 1,
 * else `'im2col'` (see {@link Conv2dAlgorithm}).
 */
export function autoConv2dAlgorithm(g: Conv2dGeometry): Conv2dAlgorithm {
  return g.kh === 3 && g.kw === 3 && g.sh === 1 && g.sw === 1 ? 'direct3x3' : 'im2col';
}

/** The convolution formula as loops, one output at a time: the reference the kernels match. */
const conv2dReferenceInto: Conv2dKernel = (xd, wd, bias, g, out) => {
  const { n, c, h, w, k, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  let o = 0;
  for (let ni = 0; ni < n; ni++)
    for (let ki = 0; ki < k; ki++)
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++, o++) {
          let sum = bias ? bias[ki]! : 0;
          for (let ci = 0; ci < c; ci++)
            for (let i = 0; i < kh; i++) {
              const iy = oy * sh + i - ph;
              if (iy < 0 || iy >= h) continue; // zero padding adds nothing
              for (let j = 0; j < kw; j++) {
                const ix = ox * sw + j - pw;
                if (ix < 0 || ix >= w) continue;
                sum +=
                  wd[((ki * c + ci) * kh + i) * kw + j]! * xd[((ni * c + ci) * h + iy) * w + ix]!;
              }
            }
          out[o] = sum;
        }
};

const KERNELS: { readonly [A in Exclude<Conv2dAlgorithm, 'auto'>]: Conv2dKernel } = {
  reference: conv2dReferenceInto,
  direct3x3: conv2d3x3Into,
  im2col: conv2dIm2colInto,
  sparse: conv2dSparseInto,
};

// The algorithm that will run: 'auto' resolved, and one that does not apply refused.
function resolveAlgorithm(
  algorithm: Conv2dAlgorithm,
  g: Conv2dGeometry,
): Exclude<Conv2dAlgorithm, 'auto'> {
  const a = algorithm === 'auto' ? autoConv2dAlgorithm(g) : algorithm;
  if (a === 'auto' || !Object.hasOwn(KERNELS, a)) {
    throw new ArgumentError(
      'conv2d',
      `algorithm received ${JSON.stringify(a)}, expected one of ${CONV2D_ALGORITHMS.join(', ')}`,
    );
  }
  const stride1 = g.sh === 1 && g.sw === 1;
  if (
    (a === 'direct3x3' && !(stride1 && g.kh === 3 && g.kw === 3)) ||
    (a === 'sparse' && !stride1)
  ) {
    throw new ArgumentError(
      'conv2d',
      `algorithm '${a}' needs ${a === 'sparse' ? 'stride 1' : 'a 3x3 kernel with stride 1'}, received kernel ${g.kh}x${g.kw}, stride ${g.sh}x${g.sw}`,
    );
  }
  return a;
}

/**
 * 2-D convolution as every framework computes it (cross-correlation: the kernel is not flipped):
 *
 *   y[n, k, oy, ox] = b[k] + sum_{c, i, j} w[k, c, i, j] * x[n, c, oy*sh + i - ph, ox*sw + j - pw]
 *
 * with zeros outside the input. Shapes: x [N, C, H, W], w [K, C, kh, kw], b [K] -> y [N, K, oh, ow].
 *
 * @throws {ShapeError} wrong ranks, channel mismatch, or a kernel larger than the padded input.
 * @throws {ArgumentError} stride < 1, padding < 0, or an algorithm that does not apply.
 * @throws {NonFiniteError} NaN or ±Infinity in x, w or b.
 * @throws {EmptyBatchError} N = 0.
 * @example
 * const box = tensor(new Float32Array(9).fill(1 / 9), [1, 1, 3, 3]);
 * conv2d(image, box); // the lecture's 1/9 blur, 7x7 -> 5x5
 * conv2d(image, box, null, { padding: 1 }); // same size as the input
 * conv2d(image, box, null, { algorithm: 'reference' }); // the plain loops, same numbers
 */
export function conv2d(x: Tensor, w: Tensor, b?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  return conv2dWithGeometry(x, w, b, opts).y;
}

/**
 * {@link conv2d}, also returning the checked geometry, so that a tape can run the backward
 * from it ({@link conv2dBackwardFrom}) without checking the same input again.
 */
export function conv2dWithGeometry(
  x: Tensor,
  w: Tensor,
  b: Tensor | null | undefined,
  opts: Conv2dOptions,
): { y: Tensor; g: Conv2dGeometry } {
  const g = conv2dGeometry(x, w, b, opts);
  return { y: conv2dFrom(g, x, w, b, opts), g };
}

function conv2dFrom(
  g: Conv2dGeometry,
  x: Tensor,
  w: Tensor,
  b: Tensor | null | undefined,
  opts: Conv2dOptions,
): Tensor {
  const out = stepBuffer(g.n * g.k * g.oh * g.ow);
  const simd = activeSimd();
  if (simd && (opts.algorithm ?? 'auto') === 'auto') {
    // setKernels('simd'): im2col and one SIMD matrix product per example.
    simdConv2d(simd, x.data, w.data, b ? b.data : null, g, out);
    return { shape: [g.n, g.k, g.oh, g.ow], data: out };
  }
  const run = KERNELS[resolveAlgorithm(opts.algorithm ?? 'auto', g)];
  run(x.data, w.data, b ? b.data : null, g, out, new Conv2dScratch());
  return { shape: [g.n, g.k, g.oh, g.ow], data: out };
}

/** Gradients of a conv2d with respect to its input, kernel and bias. */
export interface Conv2dGrads {
  /** dL/dx, or null when not asked for (the first layer's input needs none). */
  dx: Tensor | null;
  dw: Tensor;
  db: Tensor | null;
}

/**
 * Backward pass of {@link conv2d}, given dL/dy:
 *
 *   dL/db[k] = sum_{n, p} dy[n, k, p]
 *   dL/dw[k, r] = sum_{n, p} dy[n, k, p] * col_n[r, p]
 *   dL/dcol_n[r, p] = sum_k w[k, r] * dy[n, k, p], folded back onto x by col2im
 */
export function conv2dBackward(
  x: Tensor,
  w: Tensor,
  b: Tensor | null | undefined,
  dy: Tensor,
  opts: Conv2dOptions = {},
  needDx = true,
): Conv2dGrads {
  return conv2dBackwardFrom(conv2dGeometry(x, w, b, opts), x, w, b, dy, needDx);
}

/**
 * {@link conv2dBackward} from the geometry that the forward pass checked (the tape's path):
 * only dy's size is checked here.
 */
export function conv2dBackwardFrom(
  g: Conv2dGeometry,
  x: Tensor,
  w: Tensor,
  b: Tensor | null | undefined,
  dy: Tensor,
  needDx = true,
): Conv2dGrads {
  const p = g.oh * g.ow;
  const rows = g.c * g.kh * g.kw;
  if (dy.data.length !== g.n * g.k * p) {
    throw new ShapeError('conv2dBackward', `[${g.n}, ${g.k}, ${g.oh}, ${g.ow}] for dy`, dy.shape);
  }
  const dw = stepBuffer(w.data.length);
  const db = b ? stepBuffer(g.k) : null;
  const dx = needDx ? stepBuffer(x.data.length) : null;
  const simd = activeSimd();
  if (simd) {
    // setKernels('simd'): the two matrix products below as SIMD kernels, dense.
    simdConv2dBackward(simd, x.data, w.data, dy.data, g, dw, dx);
    if (db) {
      const dyd = dy.data;
      for (let n = 0; n < g.n; n++)
        for (let k = 0; k < g.k; k++) {
          const d = (n * g.k + k) * p;
          let s = 0;
          for (let q = 0; q < p; q++) s += dyd[d + q]!;
          db[k]! += s;
        }
    }
    return {
      dx: dx ? { shape: [...x.shape], data: dx } : null,
      dw: { shape: [...w.shape], data: dw },
      db: db ? { shape: [g.k], data: db } : null,
    };
  }
  const col = stepBuffer(rows * p);
  const dcol = needDx ? stepBuffer(rows * p) : null;
  const wd = w.data;
  const g_ = dy.data;
  // dy is mostly zeros in a CNN (a 2x2 max pool passes back one gradient in four, a ReLU
  // blocks the rest), so each row of dy is packed into (position, value) lists first and the
  // three sums below visit only the nonzero terms.
  const qIdx = new Int32Array(p);
  const qVal = stepBuffer(p);
  for (let n = 0; n < g.n; n++) {
    im2col(x.data, g, n, col);
    const base = n * g.k * p;
    if (dcol) dcol.fill(0);
    for (let k = 0; k < g.k; k++) {
      const d = base + k * p;
      let nnz = 0;
      let s = 0;
      for (let q = 0; q < p; q++) {
        const v = g_[d + q]!;
        if (v !== 0) {
          qIdx[nnz] = q;
          qVal[nnz++] = v;
          s += v;
        }
      }
      if (db) db[k]! += s;
      if (nnz === 0) continue;
      const wr = k * rows;
      for (let r = 0; r < rows; r++) {
        const c0 = r * p;
        let acc = 0;
        for (let j = 0; j < nnz; j++) acc += qVal[j]! * col[c0 + qIdx[j]!]!;
        dw[wr + r]! += acc;
        if (dcol) {
          const wv = wd[wr + r]!;
          if (wv !== 0) for (let j = 0; j < nnz; j++) dcol[c0 + qIdx[j]!]! += wv * qVal[j]!;
        }
      }
    }
    if (dcol && dx) col2im(dcol, g, n, dx);
  }
  return {
    dx: dx ? { shape: [...x.shape], data: dx } : null,
    dw: { shape: [...w.shape], data: dw },
    db: db ? { shape: [g.k], data: db } : null,
  };
}
