// conv2d, linear and their gradients on the SIMD kernels of kernels.wat: the operands copied
// into the kernels' memory, the matrix products run there, the results copied out. Shapes and
// values are checked by the ops that call these (ops/conv2d.ts, ops/linear.ts).
import type { Conv2dGeometry } from '../ops/conv2d.js';
import type { PoolGeometry } from '../ops/pool-geometry.js';
import type { SimdKernels } from './kernels.js';

/**
 * The layout both im2col paths start from: the kernels' memory reset, room for all of x at `px`
 * and for W [K, R] at `pw_`. P = oh*ow outputs per map, R = C*kh*kw rows of a column, and
 * `img` = C*H*W values per example.
 */
function im2colLayout(s: SimdKernels, g: Conv2dGeometry) {
  const p = g.oh * g.ow;
  const rows = g.c * g.kh * g.kw;
  const img = g.c * g.h * g.w;
  s.reset();
  const px = s.alloc(g.n * img);
  const pw_ = s.alloc(g.k * rows);
  return { p, rows, img, px, pw_ };
}

/** im2col of the image at byte `image` into `col` [R, P], or with `back` 1, col added back onto it. */
function im2col(s: SimdKernels, g: Conv2dGeometry, image: number, col: number, back: 0 | 1): void {
  const { c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  s.x.im2col(image, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow, col, back);
}

/**
 * out[n, k, :] = bias[k] + W[k, :] x col_n, with col_n the im2col of example n: one matrix
 * product per example (K x C*kh*kw times C*kh*kw x oh*ow).
 */
export function simdConv2d(
  s: SimdKernels,
  xd: Float32Array,
  wd: Float32Array,
  bias: Float32Array | null,
  g: Conv2dGeometry,
  out: Float32Array,
): void {
  const { n, k } = g;
  if (g.sh === 1 && g.sw === 1) {
    simdConv2dStride1(s, xd, wd, bias, g, out);
    return;
  }
  const { p, rows, img, px, pw_ } = im2colLayout(s, g);
  const pcol = s.alloc(rows * p);
  const pout = s.alloc(n * k * p);
  const f = s.f32;
  f.set(xd, px >> 2);
  f.set(wd, pw_ >> 2);
  for (let ni = 0; ni < n; ni++) {
    const po = pout + ni * k * p * 4;
    for (let ki = 0; ki < k; ki++) {
      const o = (po >> 2) + ki * p;
      f.fill(bias ? bias[ki]! : 0, o, o + p);
    }
    im2col(s, g, px + ni * img * 4, pcol, 0);
    s.x.gemm_acc(k, p, rows, pw_, rows, 1, pcol, p, po, p);
  }
  out.set(f.subarray(pout >> 2, (pout >> 2) + n * k * p));
}

/** Where a fused 2x2 max pool + ReLU writes: [n, k, oh, ow] with oh, ow its output size. */
export interface PooledOut {
  out: Float32Array;
  oh: number;
  ow: number;
}

/**
 * Stride 1: conv_s1's direct loops (no im2col). Each image is copied into a zero-padded buffer
 * wide enough for whole vectors of four outputs, the kernels are grouped four at a time (zero
 * kernels fill the last group), and the valid columns are copied back out. With `pooled`, the
 * map is not copied out: a 2x2 stride-2 max pool and a ReLU run on it in place (pool2x2)
 * and only their output is written, into `pooled.out` (`out` is then not used).
 */
export function simdConv2dStride1(
  s: SimdKernels,
  xd: Float32Array,
  wd: Float32Array,
  bias: Float32Array | null,
  g: Conv2dGeometry,
  out: Float32Array | null,
  pooled: PooledOut | null = null,
): void {
  const { n, c, h, w, k, kh, kw, ph, pw, oh, ow } = g;
  // Columns computed (whole vectors of 4) and the stride of the wide output's rows, which the
  // pool, reading eight columns per four outputs, may need wider still.
  const owc = (ow + 3) & ~3;
  const poh = pooled ? pooled.oh : 0;
  const pow4 = pooled ? (pooled.ow + 3) & ~3 : 0;
  const owp = Math.max(owc, 2 * pow4);
  const k4 = (k + 3) & ~3;
  const hp = h + 2 * ph;
  const wp = Math.max(w + 2 * pw, owc + kw - 1);
  const taps = c * kh * kw;
  const img = c * h * w;
  const wide = oh * owp;
  const outPer = pooled ? k * poh * pooled.ow : k * oh * ow;
  s.reset();
  const px = s.alloc(n * img);
  const pxp = s.alloc(c * hp * wp);
  const pw4 = s.alloc(k4 * taps);
  const pb4 = s.alloc(k4);
  const pwide = s.alloc(k4 * wide);
  const ppool = s.alloc(k * poh * pow4);
  const pout = s.alloc(n * outPer);
  const f = s.f32;
  f.set(xd, px >> 2);
  // Weights as [k4 / 4, c, kh, kw, 4], zeros for the kernels past k.
  const w4 = pw4 >> 2;
  f.fill(0, w4, w4 + k4 * taps);
  for (let ki = 0; ki < k; ki++) {
    const dst = w4 + (ki >> 2) * taps * 4 + (ki & 3);
    const src = ki * taps;
    for (let t = 0; t < taps; t++) f[dst + 4 * t] = wd[src + t]!;
  }
  const b4 = pb4 >> 2;
  f.fill(0, b4, b4 + k4);
  if (bias) f.set(bias, b4);
  f.fill(0, pxp >> 2, (pxp >> 2) + c * hp * wp);
  const x = s.x;
  for (let ni = 0; ni < n; ni++) {
    for (let ci = 0; ci < c; ci++) {
      const src = px + (ni * img + ci * h * w) * 4;
      x.copy_rows(src, w, pxp + ((ci * hp + ph) * wp + pw) * 4, wp, h, w);
    }
    x.conv_s1(pxp, c, hp, wp, k4, kh, kw, oh, owc, owp, pw4, pb4, pwide);
    const dst = pout + ni * outPer * 4;
    if (pooled) {
      x.pool2x2(pwide, owp, wide, ppool, pow4, poh * pow4, k, poh, pow4, 1);
      x.copy_rows(ppool, pow4, dst, pooled.ow, k * poh, pooled.ow);
    } else x.copy_rows(pwide, owp, dst, ow, k * oh, ow);
  }
  (pooled ? pooled.out : out!).set(f.subarray(pout >> 2, (pout >> 2) + n * outPer));
}

/**
 * dL/dw and dL/dx of a conv2d from dL/dy, per example n:
 *   dw[K, R] += dy_n[K, P] x col_n[R, P]^T   (gemm_dot: both run along P)
 *   dcol[R, P] = w[K, R]^T x dy_n[K, P]      (gemm_acc with w read transposed)
 * and dcol folded back onto dx by col2im. R = C*kh*kw, P = oh*ow.
 */
export function simdConv2dBackward(
  s: SimdKernels,
  xd: Float32Array,
  wd: Float32Array,
  dyd: Float32Array,
  g: Conv2dGeometry,
  dw: Float32Array,
  dx: Float32Array | null,
): void {
  const { n, k } = g;
  const { p, rows, img, px, pw_ } = im2colLayout(s, g);
  const pdy = s.alloc(n * k * p);
  const pcol = s.alloc(rows * p);
  const pdcol = dx ? s.alloc(rows * p) : 0;
  const pdw = s.alloc(k * rows);
  const pdx = dx ? s.alloc(n * img) : 0;
  const f = s.f32;
  f.set(xd, px >> 2);
  f.set(dyd, pdy >> 2);
  f.fill(0, pdw >> 2, (pdw >> 2) + k * rows);
  if (dx) {
    f.set(wd, pw_ >> 2);
    f.fill(0, pdx >> 2, (pdx >> 2) + n * img);
  }
  for (let ni = 0; ni < n; ni++) {
    const dyn = pdy + ni * k * p * 4;
    im2col(s, g, px + ni * img * 4, pcol, 0);
    s.x.gemm_dot(k, rows, p, dyn, p, pcol, p, pdw, rows);
    if (dx) {
      f.fill(0, pdcol >> 2, (pdcol >> 2) + rows * p);
      s.x.gemm_acc(rows, p, k, pw_, 1, rows, dyn, p, pdcol, p);
      im2col(s, g, pdx + ni * img * 4, pdcol, 1);
    }
  }
  dw.set(f.subarray(pdw >> 2, (pdw >> 2) + k * rows));
  if (dx) dx.set(f.subarray(pdx >> 2, (pdx >> 2) + n * img));
}

/**
 * Whether simdLinear is worth its copy of the weights: the SIMD kernels work on their own
 * memory, so every call copies the whole [outF, inF] weight matrix there. For the lesson MLP's
 * 784 x 512 layer (1.6 MB) that copy took longer than the scalar loop's sparse sums of one
 * digit, and the two broke even at a batch of about 3 (Node 24, 2-core Xeon). A rule on the
 * shapes alone: small matrices (up to 65,536 weights) always, larger ones from a batch of 4.
 */
export function simdLinearPays(n: number, inF: number, outF: number): boolean {
  return outF * inF <= 65536 || n >= 4;
}

/**
 * y[r, :] = b + W x[r, :] for every row r of x [n, inF], W [outF, inF]. Each row is packed as
 * its nonzero four-float chunks (a digit is mostly background), the products run over those
 * chunks only (dot_chunks), and the last inF % 4 inputs are added here.
 */
export function simdLinear(
  s: SimdKernels,
  xd: Float32Array,
  wd: Float32Array,
  bd: Float32Array | null,
  n: number,
  inF: number,
  outF: number,
  out: Float32Array,
): void {
  const chunks = inF >> 2;
  s.reset();
  const pw = s.alloc(outF * inF);
  const pxs = s.alloc(chunks * 4);
  const pidx = s.alloc(chunks);
  const pout = s.alloc(n * outF);
  const f = s.f32;
  const i32 = s.i32;
  f.set(wd, pw >> 2);
  const o0 = pout >> 2;
  if (bd) for (let r = 0; r < n; r++) f.set(bd, o0 + r * outF);
  else f.fill(0, o0, o0 + n * outF);
  const xs = pxs >> 2;
  const ix = pidx >> 2;
  const w0 = pw >> 2;
  for (let r = 0; r < n; r++) {
    const xo = r * inF;
    let nq = 0;
    for (let q = 0; q < chunks; q++) {
      const i = xo + 4 * q;
      const a = xd[i]!;
      const b = xd[i + 1]!;
      const c = xd[i + 2]!;
      const d = xd[i + 3]!;
      if (a !== 0 || b !== 0 || c !== 0 || d !== 0) {
        const t = xs + 4 * nq;
        f[t] = a;
        f[t + 1] = b;
        f[t + 2] = c;
        f[t + 3] = d;
        i32[ix + nq++] = q * 16;
      }
    }
    const orow = o0 + r * outF;
    if (nq > 0) s.x.dot_chunks(nq, pxs, pidx, outF, pw, inF, orow * 4);
    for (let i = chunks * 4; i < inF; i++) {
      const v = xd[xo + i]!;
      if (v === 0) continue;
      for (let o = 0; o < outF; o++) f[orow + o] = f[orow + o]! + v * f[w0 + o * inF + i]!;
    }
  }
  out.set(f.subarray(o0, o0 + n * outF));
}

/**
 * dL/dW [outF, inF] = dy^T x and dL/dx [n, inF] = dy W, both as gemm_acc (dy read transposed
 * for the first).
 */
export function simdLinearBackward(
  s: SimdKernels,
  xd: Float32Array,
  wd: Float32Array,
  dyd: Float32Array,
  n: number,
  inF: number,
  outF: number,
  dw: Float32Array,
  dx: Float32Array | null,
): void {
  s.reset();
  const pdy = s.alloc(n * outF);
  const px = s.alloc(n * inF);
  const pdw = s.alloc(outF * inF);
  const pw = dx ? s.alloc(outF * inF) : 0;
  const pdx = dx ? s.alloc(n * inF) : 0;
  const f = s.f32;
  f.set(dyd, pdy >> 2);
  f.set(xd, px >> 2);
  f.fill(0, pdw >> 2, (pdw >> 2) + outF * inF);
  s.x.gemm_acc(outF, inF, n, pdy, 1, outF, px, inF, pdw, inF);
  dw.set(f.subarray(pdw >> 2, (pdw >> 2) + outF * inF));
  if (dx) {
    f.set(wd, pw >> 2);
    f.fill(0, pdx >> 2, (pdx >> 2) + n * inF);
    s.x.gemm_acc(n, inF, outF, pdy, outF, 1, pw, inF, pdx, inF);
    dx.set(f.subarray(pdx >> 2, (pdx >> 2) + n * inF));
  }
}

/**
 * relu over `xd` into `out` (same length) on the kernels; returns 0 when every input is finite,
 * NaN otherwise (the caller then reports which).
 */
export function simdRelu(s: SimdKernels, xd: Float32Array, out: Float32Array): number {
  const n = xd.length;
  const n4 = (n + 3) & ~3;
  s.reset();
  const px = s.alloc(n4);
  const py = s.alloc(n4);
  const f = s.f32;
  f.set(xd, px >> 2);
  f.fill(0, (px >> 2) + n, (px >> 2) + n4);
  const bad = s.x.relu(px, py, n4);
  out.set(f.subarray(py >> 2, (py >> 2) + n));
  return bad;
}

/** dL/dx of relu on the kernels: dy where x > 0, else +0, written into `dx`. */
export function simdReluBackward(
  s: SimdKernels,
  xd: Float32Array,
  dyd: Float32Array,
  dx: Float32Array,
): void {
  const n = xd.length;
  const n4 = (n + 3) & ~3;
  s.reset();
  const px = s.alloc(n4);
  const pdy = s.alloc(n4);
  const pdx = s.alloc(n4);
  const f = s.f32;
  f.set(xd, px >> 2);
  f.set(dyd, pdy >> 2);
  s.x.relu_back(px, pdy, pdx, n4);
  dx.set(f.subarray(pdx >> 2, (pdx >> 2) + n));
}

type Pool2x2Geometry = Pick<PoolGeometry, 'n' | 'c' | 'h' | 'w' | 'oh' | 'ow'>;

/**
 * 2x2 stride-2 max pooling of x [n, c, h, w] into out [n, c, oh, ow] on the kernels: four
 * outputs per pass, rows written four outputs wide and copied back to ow.
 */
export function simdMaxPool2x2(
  s: SimdKernels,
  xd: Float32Array,
  g: Pool2x2Geometry,
  out: Float32Array,
): void {
  const planes = g.n * g.c;
  const ow4 = (g.ow + 3) & ~3;
  s.reset();
  // The last pass of a row reads up to 2 * ow4 columns: room past the last row for them.
  const px = s.alloc(xd.length + 2 * ow4);
  const pwide = s.alloc(planes * g.oh * ow4);
  const pout = s.alloc(out.length);
  const f = s.f32;
  f.set(xd, px >> 2);
  s.x.pool2x2(px, g.w, g.h * g.w, pwide, ow4, g.oh * ow4, planes, g.oh, ow4, 0);
  s.x.copy_rows(pwide, ow4, pout, g.ow, planes * g.oh, g.ow);
  out.set(f.subarray(pout >> 2, (pout >> 2) + out.length));
}

/**
 * dL/dx of 2x2 stride-2 max pooling on the kernels: dy padded with zeros to four outputs a
 * row, dx written into rows wide enough for the last pass and copied back to w.
 */
export function simdMaxPool2x2Backward(
  s: SimdKernels,
  xd: Float32Array,
  g: Pool2x2Geometry,
  dyd: Float32Array,
  dx: Float32Array,
): void {
  const planes = g.n * g.c;
  const ow4 = (g.ow + 3) & ~3;
  const ws = Math.max(g.w, 2 * ow4);
  const wideX = planes * g.h * ws;
  s.reset();
  const px = s.alloc(wideX);
  const pdy = s.alloc(planes * g.oh * ow4);
  const pdx = s.alloc(wideX);
  const pin = s.alloc(Math.max(xd.length, dyd.length));
  const f = s.f32;
  const x = s.x;
  // x and dy laid out wide (rows of ws and ow4 floats), the padding zero.
  f.fill(0, px >> 2, (px >> 2) + wideX);
  f.set(xd, pin >> 2);
  x.copy_rows(pin, g.w, px, ws, planes * g.h, g.w);
  f.fill(0, pdy >> 2, (pdy >> 2) + planes * g.oh * ow4);
  f.set(dyd, pin >> 2);
  x.copy_rows(pin, g.ow, pdy, ow4, planes * g.oh, g.ow);
  f.fill(0, pdx >> 2, (pdx >> 2) + wideX);
  x.pool2x2_back(px, ws, g.h * ws, pdy, ow4, g.oh * ow4, pdx, planes, g.oh, ow4);
  x.copy_rows(pdx, ws, pin, g.w, planes * g.h, g.w);
  dx.set(f.subarray(pin >> 2, (pin >> 2) + xd.length));
}
