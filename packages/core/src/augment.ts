import { ArgumentError } from './errors.js';
import type { Rng } from './random.js';
import { assertNCHW, type Tensor } from './tensor.js';

/**
 * Moves every image by whole pixels, filling the uncovered border with zeros: positive `dy`
 * moves content down, positive `dx` moves it right. The lesson's shift-invariance figure uses it.
 *
 * @example
 * shift2d(digit, 0, 1); // one pixel to the right
 */
export function shift2d(x: Tensor, dy: number, dx: number): Tensor {
  const [n, c, h, w] = assertNCHW('shift2d', x);
  if (!Number.isInteger(dy) || !Number.isInteger(dx)) {
    throw new ArgumentError('shift2d', `shifts must be whole pixels, received dy=${dy}, dx=${dx}`);
  }
  const out = new Float32Array(x.data.length);
  for (let p = 0; p < n * c; p++) {
    const base = p * h * w;
    for (let y = 0; y < h; y++) {
      const sy = y - dy;
      if (sy < 0 || sy >= h) continue;
      for (let xx = 0; xx < w; xx++) {
        const sx = xx - dx;
        if (sx >= 0 && sx < w) out[base + y * w + xx] = x.data[base + sy * w + sx]!;
      }
    }
  }
  return { shape: [...x.shape], data: out };
}

/** Rotates and shifts one example's channels (bilinear sampling about the image centre). */
function warp(
  src: Float32Array,
  dst: Float32Array,
  base: number,
  c: number,
  h: number,
  w: number,
  deg: number,
  dy: number,
  dx: number,
): void {
  const a = (deg * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const cy = (h - 1) / 2;
  const cx = (w - 1) / 2;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Inverse map: where in the source does this output pixel come from?
      const ty = y - dy - cy;
      const tx = x - dx - cx;
      const sy = cos * ty - sin * tx + cy;
      const sx = sin * ty + cos * tx + cx;
      const y0 = Math.floor(sy);
      const x0 = Math.floor(sx);
      const fy = sy - y0;
      const fx = sx - x0;
      for (let ch = 0; ch < c; ch++) {
        const b = base + ch * h * w;
        const at = (yy: number, xx: number): number =>
          yy >= 0 && yy < h && xx >= 0 && xx < w ? src[b + yy * w + xx]! : 0;
        dst[b + y * w + x] =
          (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) +
          fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
      }
    }
  }
}

/** Random shifts and small rotations for training. */
export interface AugmentOptions {
  /** Largest shift in whole pixels, each way. Default 0. */
  shift?: number;
  /** Largest rotation in degrees, each way. Default 0. */
  rotate?: number;
}

/**
 * A randomly shifted and rotated copy of a batch, one draw per example from `rng`, so a
 * seeded run augments identically every time.
 *
 * @example
 * augmentBatch(batch, createRng(1), { shift: 2, rotate: 10 });
 */
export function augmentBatch(x: Tensor, rng: Rng, o: AugmentOptions): Tensor {
  const [n, c, h, w] = assertNCHW('augmentBatch', x);
  const shift = o.shift ?? 0;
  const rotate = o.rotate ?? 0;
  if (!Number.isInteger(shift) || shift < 0)
    throw new ArgumentError('augmentBatch', `shift must be a whole number >= 0, received ${shift}`);
  if (!Number.isFinite(rotate) || rotate < 0)
    throw new ArgumentError('augmentBatch', `rotate must be degrees >= 0, received ${rotate}`);
  const out = new Float32Array(x.data.length);
  for (let i = 0; i < n; i++) {
    const dy = shift ? rng.int(2 * shift + 1) - shift : 0;
    const dx = shift ? rng.int(2 * shift + 1) - shift : 0;
    const deg = rotate ? (rng.uniform() * 2 - 1) * rotate : 0;
    warp(x.data, out, i * c * h * w, c, h, w, deg, dy, dx);
  }
  return { shape: [...x.shape], data: out };
}
