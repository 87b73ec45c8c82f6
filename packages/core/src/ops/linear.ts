import { EmptyBatchError, ShapeError } from '../errors.js';
import { activeSimd } from '../simd/kernels.js';
import { simdLinear, simdLinearBackward, simdLinearPays } from '../simd/ops.js';
import { stepBuffer } from '../step-buffers.js';
import { assertFinite, type Tensor } from '../tensor.js';

function checkLinear(x: Tensor, w: Tensor, b: Tensor | null | undefined): [number, number, number] {
  const op = 'linear';
  if (x.shape.length !== 2)
    throw new ShapeError(op, '[N, in] for the input (flatten images first)', x.shape);
  const [n, inF] = x.shape as [number, number];
  if (n === 0) throw new EmptyBatchError(op, x.shape);
  if (w.shape.length !== 2 || w.shape[1] !== inF) {
    throw new ShapeError(op, `[out, ${inF}] for the weight (input has ${inF} features)`, w.shape);
  }
  const out = w.shape[0]!;
  if (b && (b.shape.length !== 1 || b.shape[0] !== out)) {
    throw new ShapeError(op, `[${out}] for the bias`, b.shape);
  }
  assertFinite(op, 'input', x.data);
  return [n, inF, out];
}

/** The nonzero inputs of one row as (index, value) lists: `inF` long each, owned by the caller. */
export interface LinearScratch {
  idx: Int32Array;
  val: Float32Array;
}

/** Scratch for rows of `inF` features. */
export function linearScratch(inF: number): LinearScratch {
  return { idx: new Int32Array(inF), val: new Float32Array(inF) };
}

/**
 * Fully connected layer: y = x W^T + b, with W [out, in] as ONNX Gemm with transB = 1 (and
 * PyTorch's nn.Linear). x [N, in] -> y [N, out].
 *
 * Rows of x that are mostly zeros (a drawn digit is ~80% background) skip the zero inputs:
 * the sum over i of w[o, i] * x[i] only visits the nonzero i, which is exact, not approximate.
 *
 * @example
 * linear(tensor([1, 2], [1, 2]), tensor([1, 0, 0, 1, 1, 1], [3, 2]), tensor([0, 0, 10], [3])).data;
 * // [1, 2, 13]
 */
export function linear(x: Tensor, w: Tensor, b?: Tensor | null): Tensor {
  const [n, inF, outF] = checkLinear(x, w, b);
  const out = stepBuffer(n * outF);
  const simd = activeSimd();
  if (simd && simdLinearPays(n, inF, outF)) {
    simdLinear(simd, x.data, w.data, b ? b.data : null, n, inF, outF, out);
    return { shape: [n, outF], data: out };
  }
  linearInto(x.data, w.data, b ? b.data : null, n, inF, outF, out, linearScratch(inF));
  return { shape: [n, outF], data: out };
}

/**
 * The loops of {@link linear}, writing into `out` (n * outF values) with no checks:
 * `model.forward` calls it on its own scratch buffers, shapes and values checked beforehand.
 * `scratch` holds at least `inF` entries.
 */
export function linearInto(
  xd: Float32Array,
  wd: Float32Array,
  bd: Float32Array | null,
  n: number,
  inF: number,
  outF: number,
  out: Float32Array,
  scratch: LinearScratch,
): void {
  const { idx, val } = scratch;
  for (let r = 0; r < n; r++) {
    const xo = r * inF;
    let nnz = 0;
    for (let i = 0; i < inF; i++) {
      const v = xd[xo + i]!;
      if (v !== 0) {
        idx[nnz] = i;
        val[nnz++] = v;
      }
    }
    const oo = r * outF;
    if (nnz * 2 >= inF) {
      denseRow(xd, xo, wd, bd, inF, outF, out, oo);
      continue;
    }
    let o = 0;
    // Eight output rows per pass share each (index, value) load and keep their sums in
    // locals; one pass per row would spend most of its time reloading idx and val.
    for (; o + 7 < outF; o += 8) {
      const w0 = o * inF;
      const w1 = w0 + inF;
      const w2 = w1 + inF;
      const w3 = w2 + inF;
      const w4 = w3 + inF;
      const w5 = w4 + inF;
      const w6 = w5 + inF;
      const w7 = w6 + inF;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let s4 = 0;
      let s5 = 0;
      let s6 = 0;
      let s7 = 0;
      for (let j = 0; j < nnz; j++) {
        const i = idx[j]!;
        const v = val[j]!;
        s0 += wd[w0 + i]! * v;
        s1 += wd[w1 + i]! * v;
        s2 += wd[w2 + i]! * v;
        s3 += wd[w3 + i]! * v;
        s4 += wd[w4 + i]! * v;
        s5 += wd[w5 + i]! * v;
        s6 += wd[w6 + i]! * v;
        s7 += wd[w7 + i]! * v;
      }
      const q = oo + o;
      out[q] = (bd ? bd[o]! : 0) + s0;
      out[q + 1] = (bd ? bd[o + 1]! : 0) + s1;
      out[q + 2] = (bd ? bd[o + 2]! : 0) + s2;
      out[q + 3] = (bd ? bd[o + 3]! : 0) + s3;
      out[q + 4] = (bd ? bd[o + 4]! : 0) + s4;
      out[q + 5] = (bd ? bd[o + 5]! : 0) + s5;
      out[q + 6] = (bd ? bd[o + 6]! : 0) + s6;
      out[q + 7] = (bd ? bd[o + 7]! : 0) + s7;
    }
    sparseTail(wd, bd, inF, outF, o, idx, val, nnz, out, oo);
  }
}

// Outputs from..outF-1 of a sparse row (the last outF % 8 of them), two partial sums each.
function sparseTail(
  wd: Float32Array,
  bd: Float32Array | null,
  inF: number,
  outF: number,
  from: number,
  idx: Int32Array,
  val: Float32Array,
  nnz: number,
  out: Float32Array,
  oo: number,
): void {
  for (let o = from; o < outF; o++) {
    const wo = o * inF;
    let s0 = 0;
    let s1 = 0;
    let j = 0;
    for (; j + 1 < nnz; j += 2) {
      s0 += wd[wo + idx[j]!]! * val[j]!;
      s1 += wd[wo + idx[j + 1]!]! * val[j + 1]!;
    }
    if (j < nnz) s0 += wd[wo + idx[j]!]! * val[j]!;
    out[oo + o] = (bd ? bd[o]! : 0) + s0 + s1;
  }
}

// One row of x that is mostly nonzero: every output, four partial sums each.
function denseRow(
  xd: Float32Array,
  xo: number,
  wd: Float32Array,
  bd: Float32Array | null,
  inF: number,
  outF: number,
  out: Float32Array,
  oo: number,
): void {
  for (let o = 0; o < outF; o++) {
    const wo = o * inF;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let i = 0;
    for (; i + 3 < inF; i += 4) {
      s0 += wd[wo + i]! * xd[xo + i]!;
      s1 += wd[wo + i + 1]! * xd[xo + i + 1]!;
      s2 += wd[wo + i + 2]! * xd[xo + i + 2]!;
      s3 += wd[wo + i + 3]! * xd[xo + i + 3]!;
    }
    for (; i < inF; i++) s0 += wd[wo + i]! * xd[xo + i]!;
    out[oo + o] = (bd ? bd[o]! : 0) + s0 + s1 + s2 + s3;
  }
}

/** Gradients of {@link linear}. */
export interface LinearGrads {
  dx: Tensor | null;
  dw: Tensor;
  db: Tensor | null;
}

/**
 * Backward of {@link linear}: dx = dy W, dW = dy^T x, db = column sums of dy.
 */
export function linearBackward(
  x: Tensor,
  w: Tensor,
  b: Tensor | null | undefined,
  dy: Tensor,
  needDx = true,
): LinearGrads {
  const [n, inF, outF] = checkLinear(x, w, b);
  if (dy.data.length !== n * outF)
    throw new ShapeError('linearBackward', `[${n}, ${outF}] for dy`, dy.shape);
  const dw = stepBuffer(outF * inF);
  const db = b ? stepBuffer(outF) : null;
  const dx = needDx ? stepBuffer(n * inF) : null;
  const xd = x.data;
  const wd = w.data;
  const simd = activeSimd();
  if (simd) {
    simdLinearBackward(simd, xd, wd, dy.data, n, inF, outF, dw, dx);
    if (db)
      for (let r = 0; r < n; r++) for (let o = 0; o < outF; o++) db[o]! += dy.data[r * outF + o]!;
    return {
      dx: dx ? { shape: [n, inF], data: dx } : null,
      dw: { shape: [outF, inF], data: dw },
      db: db ? { shape: [outF], data: db } : null,
    };
  }
  for (let r = 0; r < n; r++) {
    for (let o = 0; o < outF; o++) {
      const g = dy.data[r * outF + o]!;
      if (db) db[o]! += g;
      if (g === 0) continue;
      const wo = o * inF;
      const xo = r * inF;
      for (let i = 0; i < inF; i++) dw[wo + i]! += g * xd[xo + i]!;
      if (dx) for (let i = 0; i < inF; i++) dx[xo + i]! += g * wd[wo + i]!;
    }
  }
  return {
    dx: dx ? { shape: [n, inF], data: dx } : null,
    dw: { shape: [outF, inF], data: dw },
    db: db ? { shape: [outF], data: db } : null,
  };
}
