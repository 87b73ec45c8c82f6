import { ShapeError } from '../errors.js';
import { stepBuffer } from '../step-buffers.js';
import type { Tensor } from '../tensor.js';
import { type Pool2dOptions, type PoolGeometry, poolGeometry } from './pool-geometry.js';

/**
 * Average pooling: each output is the mean of the input values in its window. Padding is not
 * counted (ONNX AveragePool with count_include_pad = 0), so a border window averages only the
 * pixels it really covers.
 *
 * @example
 * avgPool2d(tensor([1, 2, 3, 4], [1, 1, 2, 2]), { kernel: 2 }); // [[[[2.5]]]]
 */
export function avgPool2d(x: Tensor, opts: Pool2dOptions): Tensor {
  const g = poolGeometry('avgPool2d', x, opts);
  const out = stepBuffer(g.n * g.c * g.oh * g.ow);
  forEachWindow(g, (o, base, y0, y1, x0, x1) => {
    let s = 0;
    for (let yy = y0; yy < y1; yy++) {
      for (let xx = x0; xx < x1; xx++) s += x.data[base + yy * g.w + xx]!;
    }
    out[o] = s / ((y1 - y0) * (x1 - x0));
  });
  return { shape: [g.n, g.c, g.oh, g.ow], data: out };
}

/** Backward of {@link avgPool2d}: each dy is shared equally by the pixels of its window. */
export function avgPool2dBackward(x: Tensor, dy: Tensor, opts: Pool2dOptions): Tensor {
  const g = poolGeometry('avgPool2d', x, opts);
  if (dy.data.length !== g.n * g.c * g.oh * g.ow) {
    throw new ShapeError(
      'avgPool2dBackward',
      `[${g.n}, ${g.c}, ${g.oh}, ${g.ow}] for dy`,
      dy.shape,
    );
  }
  const dx = stepBuffer(x.data.length);
  forEachWindow(g, (o, base, y0, y1, x0, x1) => {
    const share = dy.data[o]! / ((y1 - y0) * (x1 - x0));
    for (let yy = y0; yy < y1; yy++) {
      for (let xx = x0; xx < x1; xx++) dx[base + yy * g.w + xx]! += share;
    }
  });
  return { shape: [...x.shape], data: dx };
}

/** Calls `f` for every output window with its flat output index and clipped input bounds. */
export function forEachWindow(
  g: PoolGeometry,
  f: (o: number, base: number, y0: number, y1: number, x0: number, x1: number) => void,
): void {
  let o = 0;
  for (let nc = 0; nc < g.n * g.c; nc++) {
    const base = nc * g.h * g.w;
    for (let oy = 0; oy < g.oh; oy++) {
      const y0 = Math.max(0, oy * g.sh - g.ph);
      const y1 = Math.min(g.h, oy * g.sh - g.ph + g.kh);
      for (let ox = 0; ox < g.ow; ox++, o++) {
        const x0 = Math.max(0, ox * g.sw - g.pw);
        const x1 = Math.min(g.w, ox * g.sw - g.pw + g.kw);
        f(o, base, y0, y1, x0, x1);
      }
    }
  }
}
