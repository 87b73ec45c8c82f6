import { ArgumentError } from '../errors.js';
import { assertNCHW, pair, type Tensor } from '../tensor.js';
import { checkPoolPadding, slidingOutputSize } from './shape-rule.js';

/** Window, stride and padding of a pooling op. */
export interface Pool2dOptions {
  /** Window size, >= 1, as `k` or `[kh, kw]`. */
  kernel: number | readonly [number, number];
  /** Step between windows, >= 1. Defaults to the window size (windows do not overlap). */
  stride?: number | readonly [number, number];
  /** Padding on each side, >= 0 and smaller than the window. Default 0. */
  padding?: number | readonly [number, number];
}

export interface PoolGeometry {
  n: number;
  c: number;
  h: number;
  w: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  oh: number;
  ow: number;
}

/** Checks a pooling call and computes its output size (the shape rule in shape-rule.ts). */
export function poolGeometry(op: string, x: Tensor, opts: Pool2dOptions): PoolGeometry {
  const [n, c, h, w] = assertNCHW(op, x);
  if (opts?.kernel === undefined) {
    throw new ArgumentError(op, 'options.kernel is required (the window size, e.g. { kernel: 2 })');
  }
  const [kh, kw] = pair(op, 'kernel', opts.kernel, 1);
  const [sh, sw] = opts.stride === undefined ? [kh, kw] : pair(op, 'stride', opts.stride, 1);
  const [ph, pw] = pair(op, 'padding', opts.padding, 0, 0);
  checkPoolPadding(op, [ph, pw], [kh, kw]);
  const expected = `[N, C, H, W] with H + 2*${ph} >= ${kh} and W + 2*${pw} >= ${kw}`;
  const oh = slidingOutputSize(op, 'height', h, kh, sh, ph, x.shape, expected);
  const ow = slidingOutputSize(op, 'width', w, kw, sw, pw, x.shape, expected);
  return { n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow };
}
