import { ShapeError } from '../errors.js';
import { assertFinite, assertNCHW, pair, type Tensor } from '../tensor.js';
import { slidingOutputSize } from './shape-rule.js';

/** Stride and zero padding of a convolution, as one number or `[vertical, horizontal]`. */
export interface Conv2dOptions {
  /** Step between windows, >= 1. Default 1. */
  stride?: number | readonly [number, number];
  /** Zeros added on each side, >= 0. Default 0 (the output is smaller than the input). */
  padding?: number | readonly [number, number];
}

/** Parsed geometry of one conv2d call, shared by forward, backward and the explainers. */
export interface Conv2dGeometry {
  n: number;
  c: number;
  h: number;
  w: number;
  k: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  oh: number;
  ow: number;
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

// One scratch buffer for the unrolled windows, grown on demand: a forward pass allocates only
// its output.
let scratch = new Float32Array(0);
function scratchOf(size: number): Float32Array {
  if (scratch.length < size) scratch = new Float32Array(size);
  return scratch;
}

/**
 * im2col: writes every window of example `n` as a column, so that the convolution becomes one
 * matrix product `out[K, P] = W[K, C*kh*kw] x col[C*kh*kw, P]` with P = oh*ow. Row r = (c, i, j)
 * of `col` holds x[c, oy*sh + i - ph, ox*sw + j - pw] for every output position, 0 outside.
 */
function im2col(x: Float32Array, g: Conv2dGeometry, n: number, col: Float32Array): void {
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
function col2im(col: Float32Array, g: Conv2dGeometry, n: number, dx: Float32Array): void {
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

/**
 * 2-D convolution as every framework computes it (cross-correlation: the kernel is not flipped):
 *
 *   y[n, k, oy, ox] = b[k] + sum_{c, i, j} w[k, c, i, j] * x[n, c, oy*sh + i - ph, ox*sw + j - pw]
 *
 * with zeros outside the input. Shapes: x [N, C, H, W], w [K, C, kh, kw], b [K] -> y [N, K, oh, ow].
 *
 * @throws {ShapeError} wrong ranks, channel mismatch, or a kernel larger than the padded input.
 * @throws {ArgumentError} stride < 1 or padding < 0.
 * @throws {NonFiniteError} NaN or ±Infinity in x, w or b.
 * @throws {EmptyBatchError} N = 0.
 * @example
 * const box = tensor(new Float32Array(9).fill(1 / 9), [1, 1, 3, 3]);
 * conv2d(image, box); // the lecture's 1/9 blur, 7x7 -> 5x5
 * conv2d(image, box, null, { padding: 1 }); // same size as the input
 */
export function conv2d(x: Tensor, w: Tensor, b?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  const g = conv2dGeometry(x, w, b, opts);
  const p = g.oh * g.ow;
  const rows = g.c * g.kh * g.kw;
  if (g.kh === 3 && g.kw === 3 && g.sh === 1 && g.sw === 1) return conv2d3x3(x, w, b, g);
  if (g.sh === 1 && g.sw === 1 && mostlyZeros(x.data)) return conv2dSparse(x, w, b, g);
  const out = new Float32Array(g.n * g.k * p);
  const col = scratchOf(rows * p);
  for (let n = 0; n < g.n; n++) {
    im2col(x.data, g, n, col);
    gemmAxpy(w.data, col, out, n * g.k * p, g.k, rows, p, b ? b.data : null);
  }
  return { shape: [g.n, g.k, g.oh, g.ow], data: out };
}

function mostlyZeros(d: Float32Array): boolean {
  let zeros = 0;
  for (let i = 0; i < d.length; i++) if (d[i] === 0) zeros++;
  return zeros * 2 >= d.length;
}

/**
 * The same sum for inputs that are mostly zeros (a digit's background, the output of a ReLU):
 * each nonzero input pixel adds v * w[:, c, i, j] to the outputs whose window covers it, and
 * the zero pixels cost nothing. Exact, not an approximation. Accumulates channels-last so the
 * innermost loop runs over the K kernels contiguously.
 */
function conv2dSparse(
  x: Tensor,
  w: Tensor,
  b: Tensor | null | undefined,
  g: Conv2dGeometry,
): Tensor {
  const { n, c, h, w: wd, k, kh, kw, ph, pw, oh, ow } = g;
  const p = oh * ow;
  const rows = c * kh * kw;
  // Kernel as [C*kh*kw, K]: the K weights one input pixel meets at one offset, side by side.
  const wt = new Float32Array(rows * k);
  for (let ki = 0; ki < k; ki++)
    for (let r = 0; r < rows; r++) wt[r * k + ki] = w.data[ki * rows + r]!;
  const acc = scratchOf(p * k);
  const out = new Float32Array(n * k * p);
  const xd = x.data;
  for (let ni = 0; ni < n; ni++) {
    acc.fill(0, 0, p * k);
    for (let ci = 0; ci < c; ci++) {
      const xc = (ni * c + ci) * h * wd;
      for (let y = 0; y < h; y++) {
        for (let xx = 0; xx < wd; xx++) {
          const v = xd[xc + y * wd + xx]!;
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
      const bias = b ? b.data[ki]! : 0;
      const o = base + ki * p;
      for (let q = 0; q < p; q++) out[o + q] = acc[q * k + ki]! + bias;
    }
  }
  return { shape: [n, k, oh, ow], data: out };
}

// Scratch of the 3x3 path: the zero-padded input of one example, and the first and one-past-last
// nonzero column of each of its rows.
let padded = new Float32Array(0);
let rowLo = new Int32Array(0);
let rowHi = new Int32Array(0);

/**
 * The same sum for the 3x3, stride-1 kernels of every digit model, written as direct loops
 * (no im2col copy). Four kernels share each 3x3 window of loads and keep their 36 weights in
 * locals, so the inner loop is loads, multiplies and adds with no index arithmetic beyond `ox`.
 * Zeros are skipped a row at a time: an output column whose window meets no nonzero input of
 * the three rows it reads receives only the bias, so the loop over `ox` runs only over the
 * span between the first and last nonzero columns (a digit's background, ReLU'd borders).
 * Exact: a skipped term is a product with 0. Padding is written out as zeros once first.
 */
function conv2d3x3(x: Tensor, w: Tensor, b: Tensor | null | undefined, g: Conv2dGeometry): Tensor {
  const out = new Float32Array(g.n * g.k * g.oh * g.ow);
  conv2d3x3Into(x.data, w.data, b ? b.data : null, g, out);
  return { shape: [g.n, g.k, g.oh, g.ow], data: out };
}

/**
 * The loops of {@link conv2d3x3}, writing into `out` (n * k * oh * ow values) with no checks:
 * `model.forward` calls it on its own scratch buffers, shapes and values checked beforehand.
 * Only output rows < `rows` and columns < `cols` are summed (the rest hold just the bias):
 * a 2x2 pool that follows never reads the last row and column of an odd-sized map.
 */
export function conv2d3x3Into(
  input: Float32Array,
  wt: Float32Array,
  bias: Float32Array | null,
  g: Conv2dGeometry,
  out: Float32Array,
  rows = g.oh,
  cols = g.ow,
): void {
  const { n, c, h, w: wd, k, ph, pw, oh, ow } = g;
  const p = oh * ow;
  const H = h + 2 * ph;
  const W = wd + 2 * pw;
  const plane = H * W;
  if (rowLo.length < c * H) {
    rowLo = new Int32Array(c * H);
    rowHi = new Int32Array(c * H);
  }
  const lo = rowLo;
  const hi = rowHi;
  for (let ni = 0; ni < n; ni++) {
    let xd = input;
    let xo = ni * c * plane;
    if (ph !== 0 || pw !== 0) {
      if (padded.length < c * plane) padded = new Float32Array(c * plane);
      xd = padded;
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
  const g = conv2dGeometry(x, w, b, opts);
  const p = g.oh * g.ow;
  const rows = g.c * g.kh * g.kw;
  if (dy.data.length !== g.n * g.k * p) {
    throw new ShapeError('conv2dBackward', `[${g.n}, ${g.k}, ${g.oh}, ${g.ow}] for dy`, dy.shape);
  }
  const dw = new Float32Array(w.data.length);
  const db = b ? new Float32Array(g.k) : null;
  const dx = needDx ? new Float32Array(x.data.length) : null;
  const col = new Float32Array(rows * p);
  const dcol = needDx ? new Float32Array(rows * p) : null;
  const wd = w.data;
  const g_ = dy.data;
  // dy is mostly zeros in a CNN (a 2x2 max pool passes back one gradient in four, a ReLU
  // blocks the rest), so each row of dy is packed into (position, value) lists first and the
  // three sums below visit only the nonzero terms.
  const qIdx = new Int32Array(p);
  const qVal = new Float32Array(p);
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
