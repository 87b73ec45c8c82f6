// The fast loops behind conv2d's named algorithms (see Conv2dAlgorithm in conv2d.ts, where the
// readable reference loop and the choice between these live). Each writes the same sums into a
// caller's output buffer and keeps its temporary arrays in a Conv2dScratch that its caller owns:
// one per call for the conv2d op, one per layer for a compiled forward plan.

import { stepBuffer } from '../step-buffers.js';
import type { Conv2dGeometry } from './conv2d.js';

/**
 * Temporary arrays of the convolution kernels, grown on demand and reused across calls: the
 * unrolled windows (im2col), the channels-last sums (sparse) or the zero-padded input (3x3),
 * and the 3x3 kernel's nonzero span of each row.
 */
export class Conv2dScratch {
  private f32 = new Float32Array(0);
  private lo = new Int32Array(0);
  private hi = new Int32Array(0);

  /** At least `size` floats (values left from the last use). */
  floats(size: number): Float32Array {
    if (this.f32.length < size) this.f32 = new Float32Array(size);
    return this.f32;
  }

  /** Two arrays of at least `size` ints: each row's first and one-past-last nonzero column. */
  spans(size: number): [Int32Array, Int32Array] {
    if (this.lo.length < size) {
      this.lo = new Int32Array(size);
      this.hi = new Int32Array(size);
    }
    return [this.lo, this.hi];
  }
}

/**
 * What every kernel is: input, kernel and bias values in, the sums written into `out`
 * (n * k * oh * ow values), shapes and values checked by the caller.
 */
export type Conv2dKernel = (
  xd: Float32Array,
  wd: Float32Array,
  bias: Float32Array | null,
  g: Conv2dGeometry,
  out: Float32Array,
  scratch: Conv2dScratch,
) => void;

/**
 * im2col: writes every window of example `n` as a column, so that the convolution becomes one
 * matrix product `out[K, P] = W[K, C*kh*kw] x col[C*kh*kw, P]` with P = oh*ow. Row r = (c, i, j)
 * of `col` holds x[c, oy*sh + i - ph, ox*sw + j - pw] for every output position, 0 outside.
 */
export function im2col(x: Float32Array, g: Conv2dGeometry, n: number, col: Float32Array): void {
  const { c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const p = oh * ow;
  let r = 0;
  for (let ci = 0; ci < c; ci++) {
    const xc = (n * c + ci) * h * w;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, r++) {
        const row = r * p;
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * sh + i - ph;
          const dst = row + oy * ow;
          if (iy < 0 || iy >= h) {
            col.fill(0, dst, dst + ow);
            continue;
          }
          const src = xc + iy * w + j - pw;
          if (sw === 1 && pw === 0) {
            // The common case (stride 1, no padding): one contiguous copy per output row.
            col.set(x.subarray(src, src + ow), dst);
            continue;
          }
          for (let ox = 0; ox < ow; ox++) {
            const ix = ox * sw + j - pw;
            col[dst + ox] = ix >= 0 && ix < w ? x[src + ox * sw]! : 0;
          }
        }
      }
    }
  }
}

/** col2im: adds each column back onto the window it came from (the transpose of im2col). */
export function col2im(col: Float32Array, g: Conv2dGeometry, n: number, dx: Float32Array): void {
  const { c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const p = oh * ow;
  let r = 0;
  for (let ci = 0; ci < c; ci++) {
    const xc = (n * c + ci) * h * w;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, r++) {
        const row = r * p;
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * sh + i - ph;
          if (iy < 0 || iy >= h) continue;
          const src = row + oy * ow;
          const dst = xc + iy * w + j - pw;
          for (let ox = 0; ox < ow; ox++) {
            const ix = ox * sw + j - pw;
            if (ix >= 0 && ix < w) dx[dst + ox * sw]! += col[src + ox]!;
          }
        }
      }
    }
  }
}

/**
 * out[k, :] = bias[k] + sum_r W[k, r] * col[r, :]. Four rows of `col` per pass over `out`
 * quarter the loads and stores of the output row, which is where a scalar loop spends its time.
 */
function gemmAxpy(
  wt: Float32Array,
  col: Float32Array,
  out: Float32Array,
  outOffset: number,
  k: number,
  rows: number,
  p: number,
  bias: Float32Array | null,
): void {
  for (let ki = 0; ki < k; ki++) {
    const o = outOffset + ki * p;
    const wr = ki * rows;
    out.fill(bias ? bias[ki]! : 0, o, o + p);
    let r = 0;
    for (; r + 3 < rows; r += 4) {
      const w0 = wt[wr + r]!;
      const w1 = wt[wr + r + 1]!;
      const w2 = wt[wr + r + 2]!;
      const w3 = wt[wr + r + 3]!;
      const c0 = r * p;
      const c1 = c0 + p;
      const c2 = c1 + p;
      const c3 = c2 + p;
      for (let q = 0; q < p; q++) {
        out[o + q] =
          out[o + q]! +
          w0 * col[c0 + q]! +
          w1 * col[c1 + q]! +
          w2 * col[c2 + q]! +
          w3 * col[c3 + q]!;
      }
    }
    for (; r < rows; r++) {
      const w0 = wt[wr + r]!;
      const c0 = r * p;
      for (let q = 0; q < p; q++) out[o + q] = out[o + q]! + w0 * col[c0 + q]!;
    }
  }
}

/** The general case: every window unrolled by {@link im2col}, then one matrix product. */
export const conv2dIm2colInto: Conv2dKernel = (xd, wd, bias, g, out, scratch) => {
  const p = g.oh * g.ow;
  const rows = g.c * g.kh * g.kw;
  const col = scratch.floats(rows * p);
  for (let n = 0; n < g.n; n++) {
    im2col(xd, g, n, col);
    gemmAxpy(wd, col, out, n * g.k * p, g.k, rows, p, bias);
  }
};

/**
 * The same sum for inputs that are mostly zeros (a digit's background, the output of a ReLU):
 * each nonzero input pixel adds v * w[:, c, i, j] to the outputs whose window covers it, and
 * the zero pixels cost nothing. Exact, not an approximation. Accumulates channels-last so the
 * innermost loop runs over the K kernels contiguously. Stride 1 only.
 */
export const conv2dSparseInto: Conv2dKernel = (xd, wd, bias, g, out, scratch) => {
  const { n, c, h, w: wdt, k, kh, kw, ph, pw, oh, ow } = g;
  const p = oh * ow;
  const rows = c * kh * kw;
  // Kernel as [C*kh*kw, K]: the K weights one input pixel meets at one offset, side by side.
  const wt = stepBuffer(rows * k);
  for (let ki = 0; ki < k; ki++) for (let r = 0; r < rows; r++) wt[r * k + ki] = wd[ki * rows + r]!;
  const acc = scratch.floats(p * k);
  for (let ni = 0; ni < n; ni++) {
    acc.fill(0, 0, p * k);
    for (let ci = 0; ci < c; ci++) {
      const xc = (ni * c + ci) * h * wdt;
      for (let y = 0; y < h; y++) {
        for (let xx = 0; xx < wdt; xx++) {
          const v = xd[xc + y * wdt + xx]!;
          if (v === 0) continue;
          for (let i = 0; i < kh; i++) {
            const oy = y + ph - i;
            if (oy < 0 || oy >= oh) continue;
            for (let j = 0; j < kw; j++) {
              const ox = xx + pw - j;
              if (ox < 0 || ox >= ow) continue;
              const wo = ((ci * kh + i) * kw + j) * k;
              const ao = (oy * ow + ox) * k;
              for (let ki = 0; ki < k; ki++) acc[ao + ki] = acc[ao + ki]! + wt[wo + ki]! * v;
            }
          }
        }
      }
    }
    const base = ni * k * p;
    for (let ki = 0; ki < k; ki++) {
      const b = bias ? bias[ki]! : 0;
      const o = base + ki * p;
      for (let q = 0; q < p; q++) out[o + q] = acc[q * k + ki]! + b;
    }
  }
};

/**
 * The same sum for the 3x3, stride-1 kernels of every digit model, written as direct loops
 * (no im2col copy). Four kernels share each 3x3 window of loads and keep their 36 weights in
 * locals, so the inner loop is loads, multiplies and adds with no index arithmetic beyond `ox`.
 * Zeros are skipped a row at a time: an output column whose window meets no nonzero input of
 * the three rows it reads receives only the bias, so the loop over `ox` runs only over the
 * span between the first and last nonzero columns (a digit's background, ReLU'd borders).
 * Exact: a skipped term is a product with 0. Padding is written out as zeros once first.
 *
 * Writes into `out` (n * k * oh * ow values) with no checks: `model.forward` calls it on its own scratch buffers, shapes and values checked beforehand.
 * Only output rows < `rows` and columns < `cols` are summed (the rest hold just the bias):
 * a 2x2 pool that follows never reads the last row and column of an odd-sized map.
 */
export function conv2d3x3Into(
  input: Float32Array,
  wt: Float32Array,
  bias: Float32Array | null,
  g: Conv2dGeometry,
  out: Float32Array,
  scratch: Conv2dScratch,
  rows = g.oh,
  cols = g.ow,
): void {
  const { n, c, h, w: wd, k, ph, pw, oh, ow } = g;
  const p = oh * ow;
  const H = h + 2 * ph;
  const W = wd + 2 * pw;
  const plane = H * W;
  const [lo, hi] = scratch.spans(c * H);
  for (let ni = 0; ni < n; ni++) {
    let xd = input;
    let xo = ni * c * plane;
    if (ph !== 0 || pw !== 0) {
      xd = scratch.floats(c * plane);
      xo = 0;
      xd.fill(0, 0, c * plane);
      for (let ci = 0; ci < c; ci++) {
        for (let y = 0; y < h; y++) {
          const src = ((ni * c + ci) * h + y) * wd;
          xd.set(input.subarray(src, src + wd), (ci * H + y + ph) * W + pw);
        }
      }
    }
    for (let r = 0; r < c * H; r++) {
      const row = xo + r * W;
      let a = 0;
      while (a < W && xd[row + a] === 0) a++;
      let z = W;
      while (z > a && xd[row + z - 1] === 0) z--;
      lo[r] = a;
      hi[r] = a === W ? 0 : z;
    }
    const base = ni * k * p;
    for (let ki = 0; ki < k; ki++)
      out.fill(bias ? bias[ki]! : 0, base + ki * p, base + (ki + 1) * p);
    for (let ci = 0; ci < c; ci++) {
      const xc = xo + ci * plane;
      for (let oy = 0; oy < rows; oy++) {
        const rr = ci * H + oy;
        // Output columns ox whose window (columns ox..ox+2) meets a nonzero of rows oy..oy+2.
        const x0 = Math.max(0, Math.min(lo[rr]!, lo[rr + 1]!, lo[rr + 2]!) - 2);
        const x1 = Math.min(cols, Math.max(hi[rr]!, hi[rr + 1]!, hi[rr + 2]!));
        if (x0 >= x1) continue;
        const r0 = xc + oy * W;
        const r1 = r0 + W;
        const r2 = r1 + W;
        let ki = 0;
        for (; ki + 3 < k; ki += 4) {
          let o = (ki * c + ci) * 9;
          const a0 = wt[o]!,
            a1 = wt[o + 1]!,
            a2 = wt[o + 2]!;
          const a3 = wt[o + 3]!,
            a4 = wt[o + 4]!,
            a5 = wt[o + 5]!;
          const a6 = wt[o + 6]!,
            a7 = wt[o + 7]!,
            a8 = wt[o + 8]!;
          o += c * 9;
          const b0 = wt[o]!,
            b1 = wt[o + 1]!,
            b2 = wt[o + 2]!;
          const b3 = wt[o + 3]!,
            b4 = wt[o + 4]!,
            b5 = wt[o + 5]!;
          const b6 = wt[o + 6]!,
            b7 = wt[o + 7]!,
            b8 = wt[o + 8]!;
          o += c * 9;
          const c0 = wt[o]!,
            c1 = wt[o + 1]!,
            c2 = wt[o + 2]!;
          const c3 = wt[o + 3]!,
            c4 = wt[o + 4]!,
            c5 = wt[o + 5]!;
          const c6 = wt[o + 6]!,
            c7 = wt[o + 7]!,
            c8 = wt[o + 8]!;
          o += c * 9;
          const d0 = wt[o]!,
            d1 = wt[o + 1]!,
            d2 = wt[o + 2]!;
          const d3 = wt[o + 3]!,
            d4 = wt[o + 4]!,
            d5 = wt[o + 5]!;
          const d6 = wt[o + 6]!,
            d7 = wt[o + 7]!,
            d8 = wt[o + 8]!;
          const oA = base + ki * p + oy * ow;
          const oB = oA + p;
          const oC = oB + p;
          const oD = oC + p;
          for (let ox = x0; ox < x1; ox++) {
            const v0 = xd[r0 + ox]!,
              v1 = xd[r0 + ox + 1]!,
              v2 = xd[r0 + ox + 2]!;
            const v3 = xd[r1 + ox]!,
              v4 = xd[r1 + ox + 1]!,
              v5 = xd[r1 + ox + 2]!;
            const v6 = xd[r2 + ox]!,
              v7 = xd[r2 + ox + 1]!,
              v8 = xd[r2 + ox + 2]!;
            out[oA + ox] =
              out[oA + ox]! +
              a0 * v0 +
              a1 * v1 +
              a2 * v2 +
              a3 * v3 +
              a4 * v4 +
              a5 * v5 +
              a6 * v6 +
              a7 * v7 +
              a8 * v8;
            out[oB + ox] =
              out[oB + ox]! +
              b0 * v0 +
              b1 * v1 +
              b2 * v2 +
              b3 * v3 +
              b4 * v4 +
              b5 * v5 +
              b6 * v6 +
              b7 * v7 +
              b8 * v8;
            out[oC + ox] =
              out[oC + ox]! +
              c0 * v0 +
              c1 * v1 +
              c2 * v2 +
              c3 * v3 +
              c4 * v4 +
              c5 * v5 +
              c6 * v6 +
              c7 * v7 +
              c8 * v8;
            out[oD + ox] =
              out[oD + ox]! +
              d0 * v0 +
              d1 * v1 +
              d2 * v2 +
              d3 * v3 +
              d4 * v4 +
              d5 * v5 +
              d6 * v6 +
              d7 * v7 +
              d8 * v8;
          }
        }
        for (; ki < k; ki++) {
          const o = (ki * c + ci) * 9;
          const a0 = wt[o]!,
            a1 = wt[o + 1]!,
            a2 = wt[o + 2]!;
          const a3 = wt[o + 3]!,
            a4 = wt[o + 4]!,
            a5 = wt[o + 5]!;
          const a6 = wt[o + 6]!,
            a7 = wt[o + 7]!,
            a8 = wt[o + 8]!;
          const oA = base + ki * p + oy * ow;
          for (let ox = x0; ox < x1; ox++) {
            out[oA + ox] =
              out[oA + ox]! +
              a0 * xd[r0 + ox]! +
              a1 * xd[r0 + ox + 1]! +
              a2 * xd[r0 + ox + 2]! +
              a3 * xd[r1 + ox]! +
              a4 * xd[r1 + ox + 1]! +
              a5 * xd[r1 + ox + 2]! +
              a6 * xd[r2 + ox]! +
              a7 * xd[r2 + ox + 1]! +
              a8 * xd[r2 + ox + 2]!;
          }
        }
      }
    }
  }
}
