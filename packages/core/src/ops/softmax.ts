import { EmptyBatchError, ShapeError } from '../errors.js';
import { stepBuffer } from '../step-buffers.js';
import { assertFinite, type Tensor } from '../tensor.js';

function rows(op: string, x: Tensor): [number, number] {
  if (x.shape.length < 1) throw new ShapeError(op, '[..., K] with rank >= 1', x.shape);
  const k = x.shape[x.shape.length - 1]!;
  if (x.data.length === 0) throw new EmptyBatchError(op, x.shape);
  assertFinite(op, 'input', x.data);
  return [x.data.length / k, k];
}

/** Checks x as `op`, then runs `into` over its rows into a fresh tensor of x's shape. */
function rowwise(
  op: string,
  x: Tensor,
  into: (xd: Float32Array, n: number, k: number, out: Float32Array) => void,
): Tensor {
  const [n, k] = rows(op, x);
  const out = stepBuffer(x.data.length);
  into(x.data, n, k, out);
  return { shape: [...x.shape], data: out };
}

/** The largest of xd[o], ..., xd[o + k - 1]. */
function rowMax(xd: Float32Array, o: number, k: number): number {
  let m = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < k; i++) m = Math.max(m, xd[o + i]!);
  return m;
}

/** sum_i exp(xd[o + i] - m) over the k values of a row, m its max. */
function sumExp(xd: Float32Array, o: number, k: number, m: number): number {
  let s = 0;
  for (let i = 0; i < k; i++) s += Math.exp(xd[o + i]! - m);
  return s;
}

/**
 * Softmax over the last axis: exp(x_i - max) / sum_j exp(x_j - max). Subtracting the row's
 * max changes nothing mathematically and keeps exp from overflowing.
 *
 * @example
 * softmax(tensor([0, 0], [1, 2])).data; // [0.5, 0.5]
 */
export function softmax(x: Tensor): Tensor {
  return rowwise('softmax', x, softmaxInto);
}

/** The loops of {@link softmax} over n rows of k, into `out`, with no checks (for `model.forward`). */
export function softmaxInto(xd: Float32Array, n: number, k: number, out: Float32Array): void {
  for (let r = 0; r < n; r++) {
    const o = r * k;
    const m = rowMax(xd, o, k);
    const s = sumExp(xd, o, k, m);
    for (let i = 0; i < k; i++) out[o + i] = Math.exp(xd[o + i]! - m) / s;
  }
}

/** Backward of {@link softmax} given its output y: dx = y * (dy - sum(dy * y)). */
export function softmaxBackward(y: Tensor, dy: Tensor): Tensor {
  const k = y.shape[y.shape.length - 1]!;
  const dx = stepBuffer(y.data.length);
  for (let o = 0; o < y.data.length; o += k) {
    let s = 0;
    for (let i = 0; i < k; i++) s += dy.data[o + i]! * y.data[o + i]!;
    for (let i = 0; i < k; i++) dx[o + i] = y.data[o + i]! * (dy.data[o + i]! - s);
  }
  return { shape: [...y.shape], data: dx };
}

/**
 * log(softmax(x)) over the last axis, computed as x - max - log(sum exp(x - max)) so that
 * very negative log-probabilities stay finite.
 *
 * @example
 * logSoftmax(tensor([0, 0], [1, 2])).data; // [-0.693..., -0.693...]
 */
export function logSoftmax(x: Tensor): Tensor {
  return rowwise('logSoftmax', x, logSoftmaxInto);
}

/** The loops of {@link logSoftmax} over n rows of k, into `out`, with no checks (for `model.forward`). */
export function logSoftmaxInto(xd: Float32Array, n: number, k: number, out: Float32Array): void {
  for (let r = 0; r < n; r++) {
    const o = r * k;
    const m = rowMax(xd, o, k);
    const lse = m + Math.log(sumExp(xd, o, k, m));
    for (let i = 0; i < k; i++) out[o + i] = xd[o + i]! - lse;
  }
}

/** Backward of {@link logSoftmax} given its output y: dx = dy - softmax(x) * sum(dy). */
export function logSoftmaxBackward(y: Tensor, dy: Tensor): Tensor {
  const k = y.shape[y.shape.length - 1]!;
  const dx = stepBuffer(y.data.length);
  for (let o = 0; o < y.data.length; o += k) {
    let s = 0;
    for (let i = 0; i < k; i++) s += dy.data[o + i]!;
    for (let i = 0; i < k; i++) dx[o + i] = dy.data[o + i]! - Math.exp(y.data[o + i]!) * s;
  }
  return { shape: [...y.shape], data: dx };
}
