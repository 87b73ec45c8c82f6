import { ArgumentError, EmptyBatchError, NonFiniteError, ShapeError } from './errors.js';

/**
 * A dense tensor: a flat `Float32Array` read in row-major order. Images are NCHW
 * (batch, channels, height, width), the layout ONNX uses.
 */
export interface Tensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Number of elements a shape holds. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Builds a tensor from numbers (copied into a new `Float32Array`) or wraps a `Float32Array`
 * without copying. Nested arrays are flattened when no shape is given.
 *
 * @throws {ShapeError} when the data length does not match the shape.
 * @throws {NonFiniteError} when a value is NaN or ±Infinity.
 * @example
 * const x = tensor([1, 2, 3, 4], [1, 1, 2, 2]);
 * const k = tensor([[0, 0, 0], [0, 1, 0], [0, 0, 0]]); // shape [3, 3]
 */
export function tensor(data: ArrayLike<number> | NestedArray, shape?: readonly number[]): Tensor {
  let flat: Float32Array;
  let inferred: number[];
  if (data instanceof Float32Array) {
    flat = data;
    inferred = [data.length];
  } else if (Array.isArray(data) && data.length > 0 && Array.isArray(data[0])) {
    inferred = shapeOfNested(data as NestedArray);
    flat = Float32Array.from((data as unknown[]).flat(Number.POSITIVE_INFINITY as 1) as number[]);
  } else {
    flat = Float32Array.from(data as ArrayLike<number>);
    inferred = [flat.length];
  }
  const s = shape ? [...shape] : inferred;
  for (const d of s) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ArgumentError(
        'tensor',
        `shape [${s.join(', ')}] has a dimension that is not a non-negative integer`,
      );
    }
  }
  if (sizeOf(s) !== flat.length) {
    throw new ShapeError('tensor', `with ${flat.length} elements`, s, `${sizeOf(s)} elements`);
  }
  assertFinite('tensor', 'data', flat);
  return { shape: s, data: flat };
}

/** Nested number arrays, as written in a lesson (`[[0, 1], [1, 0]]`). */
export type NestedArray = readonly (number | NestedArray)[];

function shapeOfNested(a: NestedArray): number[] {
  const shape: number[] = [];
  let cur: NestedArray | number = a;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = (cur as NestedArray)[0] as NestedArray | number;
  }
  return shape;
}

/** A tensor of zeros. */
export function zeros(shape: readonly number[]): Tensor {
  return { shape: [...shape], data: new Float32Array(sizeOf(shape)) };
}

/** A tensor filled with one value. */
export function full(shape: readonly number[], value: number): Tensor {
  return { shape: [...shape], data: new Float32Array(sizeOf(shape)).fill(value) };
}

/** Same data, new shape (no copy). */
export function reshape(t: Tensor, shape: readonly number[]): Tensor {
  if (sizeOf(shape) !== t.data.length) {
    throw new ShapeError('reshape', `with ${t.data.length} elements`, shape);
  }
  return { shape: [...shape], data: t.data };
}

/** Deep copy. */
export function clone(t: Tensor): Tensor {
  return { shape: [...t.shape], data: t.data.slice() };
}

/** Converts a tensor into nested arrays (for snapshots and for display). */
export function toNested(t: Tensor): NestedArray {
  const build = (dim: number, offset: number): NestedArray => {
    const n = t.shape[dim] ?? 0;
    if (dim === t.shape.length - 1) return Array.from(t.data.subarray(offset, offset + n));
    const stride = sizeOf(t.shape.slice(dim + 1));
    const out: NestedArray[] = [];
    for (let i = 0; i < n; i++) out.push(build(dim + 1, offset + i * stride));
    return out;
  };
  return t.shape.length === 0 ? [t.data[0] ?? 0] : build(0, 0);
}

/** Throws {@link NonFiniteError} at the first NaN or ±Infinity. */
export function assertFinite(op: string, what: string, data: Float32Array): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    // v - v is NaN exactly when v is NaN or ±Infinity: one test instead of two.
    if (v - v !== 0) throw new NonFiniteError(op, what, i, v);
  }
}

/** Checks a rank-4 NCHW input with at least one example; returns [N, C, H, W]. */
export function assertNCHW(
  op: string,
  x: Tensor,
  what = 'input',
): [number, number, number, number] {
  if (x.shape.length !== 4) {
    throw new ShapeError(op, `[N, C, H, W] for ${what}`, x.shape);
  }
  const [n, c, h, w] = x.shape as [number, number, number, number];
  if (n === 0) throw new EmptyBatchError(op, x.shape);
  assertFinite(op, what, x.data);
  return [n, c, h, w];
}

/** Parses a positive integer hyperparameter given as `k` or `[kh, kw]`. */
export function pair(
  op: string,
  name: string,
  v: number | readonly [number, number] | undefined,
  fallback: number,
  min = 1,
): [number, number] {
  const p: [number, number] =
    v === undefined ? [fallback, fallback] : typeof v === 'number' ? [v, v] : [v[0], v[1]];
  for (const x of p) {
    if (!Number.isInteger(x) || x < min) {
      throw new ArgumentError(
        op,
        `${name} must be an integer >= ${min} (or a pair of them), received ${JSON.stringify(v)}`,
      );
    }
  }
  return p;
}
