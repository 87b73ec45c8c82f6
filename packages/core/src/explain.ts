import { ArgumentError } from './errors.js';
import { type Conv2dOptions, conv2dGeometry } from './ops/conv2d.js';
import { type Pool2dOptions, poolGeometry } from './ops/pool-geometry.js';
import type { Tensor } from './tensor.js';

/** One output unit: example `n` (default 0), channel, row y, column x. */
export interface UnitIndex {
  n?: number;
  channel: number;
  y: number;
  x: number;
}

/**
 * Everything one conv output is made of, with the real numbers:
 * result = sum over (c, i, j) of window[c][i][j] * kernel[c][i][j], plus bias.
 */
export interface ConvExplanation {
  op: 'conv2d' | 'blurPool2d';
  unit: Required<UnitIndex>;
  /** Input row of each window row, and input column of each window column (negative or past the edge in padding). */
  rows: number[];
  cols: number[];
  /** inside[i][j]: the window cell lies on the image (false: it is zero padding). */
  inside: boolean[][];
  /** [C][kh][kw] input values under the window, 0 in padding. */
  window: number[][][];
  /** [C][kh][kw] kernel weights of this output channel. */
  kernel: number[][][];
  /** [C][kh][kw] window * kernel, element by element. */
  products: number[][][];
  /** Sum of the products. */
  sum: number;
  bias: number;
  /** sum + bias: the output unit's value. */
  result: number;
}

/** Everything one pooling output is made of. */
export interface PoolExplanation {
  op: 'maxPool2d' | 'avgPool2d';
  unit: Required<UnitIndex>;
  rows: number[];
  cols: number[];
  inside: boolean[][];
  /** [kh][kw] input values under the window; null in padding (pooling ignores it). */
  window: (number | null)[][];
  /** Max: the winner's input position. Avg: every covered cell shares equally. */
  argmax: { y: number; x: number } | null;
  /** Number of input values pooled (padding excluded). */
  count: number;
  result: number;
}

function checkUnit(
  op: string,
  shape: readonly number[],
  u: UnitIndex,
  outShape: readonly number[],
): Required<UnitIndex> {
  const n = u.n ?? 0;
  const [on, oc, oh, ow] = outShape as [number, number, number, number];
  const ok = (v: number, max: number): boolean => Number.isInteger(v) && v >= 0 && v < max;
  if (!ok(n, on) || !ok(u.channel, oc) || !ok(u.y, oh) || !ok(u.x, ow)) {
    throw new ArgumentError(
      op,
      `unit {n: ${n}, channel: ${u.channel}, y: ${u.y}, x: ${u.x}} is outside the output [${outShape.join(', ')}] (input [${shape.join(', ')}])`,
    );
  }
  return { n, channel: u.channel, y: u.y, x: u.x };
}

/**
 * The window, kernel, products, sum, bias and result behind one conv2d output unit: what the
 * "hover an output cell" figure writes out.
 *
 * @example
 * const e = explainConv2d(image, box, null, {}, { channel: 0, y: 0, x: 0 });
 * e.window; // the 3x3 patch at the top left; e.result === 3 / 9 for the lecture's image
 */
export function explainConv2d(
  x: Tensor,
  w: Tensor,
  b: Tensor | null | undefined,
  opts: Conv2dOptions,
  unit: UnitIndex,
): ConvExplanation {
  const g = conv2dGeometry(x, w, b, opts);
  const u = checkUnit('explainConv2d', x.shape, unit, [g.n, g.k, g.oh, g.ow]);
  const rows = Array.from({ length: g.kh }, (_, i) => u.y * g.sh + i - g.ph);
  const cols = Array.from({ length: g.kw }, (_, j) => u.x * g.sw + j - g.pw);
  const inside = rows.map((r) => cols.map((c) => r >= 0 && r < g.h && c >= 0 && c < g.w));
  const window: number[][][] = [];
  const kernel: number[][][] = [];
  const products: number[][][] = [];
  let sum = 0;
  for (let c = 0; c < g.c; c++) {
    const wc: number[][] = [];
    const kc: number[][] = [];
    const pc: number[][] = [];
    for (let i = 0; i < g.kh; i++) {
      const wr: number[] = [];
      const kr: number[] = [];
      const pr: number[] = [];
      for (let j = 0; j < g.kw; j++) {
        const v = inside[i]![j] ? x.data[((u.n * g.c + c) * g.h + rows[i]!) * g.w + cols[j]!]! : 0;
        const k = w.data[((u.channel * g.c + c) * g.kh + i) * g.kw + j]!;
        wr.push(v);
        kr.push(k);
        pr.push(v * k);
        sum += v * k;
      }
      wc.push(wr);
      kc.push(kr);
      pc.push(pr);
    }
    window.push(wc);
    kernel.push(kc);
    products.push(pc);
  }
  const bias = b ? b.data[u.channel]! : 0;
  return {
    op: 'conv2d',
    unit: u,
    rows,
    cols,
    inside,
    window,
    kernel,
    products,
    sum,
    bias,
    result: sum + bias,
  };
}

function explainPool(
  kind: 'maxPool2d' | 'avgPool2d',
  x: Tensor,
  opts: Pool2dOptions,
  unit: UnitIndex,
): PoolExplanation {
  const g = poolGeometry(kind, x, opts);
  const u = checkUnit(`explain ${kind}`, x.shape, unit, [g.n, g.c, g.oh, g.ow]);
  const rows = Array.from({ length: g.kh }, (_, i) => u.y * g.sh + i - g.ph);
  const cols = Array.from({ length: g.kw }, (_, j) => u.x * g.sw + j - g.pw);
  const inside = rows.map((r) => cols.map((c) => r >= 0 && r < g.h && c >= 0 && c < g.w));
  const base = (u.n * g.c + u.channel) * g.h * g.w;
  let best: { y: number; x: number; v: number } | null = null;
  let sum = 0;
  let count = 0;
  const window = rows.map((r, i) =>
    cols.map((c, j) => {
      if (!inside[i]![j]) return null;
      const v = x.data[base + r * g.w + c]!;
      sum += v;
      count++;
      if (!best || v > best.v) best = { y: r, x: c, v };
      return v;
    }),
  );
  const b = best as { y: number; x: number; v: number } | null;
  return {
    op: kind,
    unit: u,
    rows,
    cols,
    inside,
    window,
    argmax: kind === 'maxPool2d' && b ? { y: b.y, x: b.x } : null,
    count,
    result: kind === 'maxPool2d' ? (b?.v ?? 0) : sum / count,
  };
}

/** The window behind one max-pooling output and which input won it. */
export function explainMaxPool2d(x: Tensor, opts: Pool2dOptions, unit: UnitIndex): PoolExplanation {
  return explainPool('maxPool2d', x, opts, unit);
}

/** The window behind one average-pooling output. */
export function explainAvgPool2d(x: Tensor, opts: Pool2dOptions, unit: UnitIndex): PoolExplanation {
  return explainPool('avgPool2d', x, opts, unit);
}
