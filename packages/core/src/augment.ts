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

/** A smooth random displacement field (Simard, Steinkraus & Platt 2003). */
export interface ElasticOptions {
  /** Strength: the smoothed field, whose values are small, is multiplied by it (pixels). */
  alpha: number;
  /** Width of the Gaussian that smooths the field, in pixels. */
  sigma: number;
}

/** Random shifts, rotations, scalings, shears and elastic distortions for training. */
export interface AugmentOptions {
  /** Largest shift in whole pixels, each way. Default 0. */
  shift?: number;
  /** Largest rotation in degrees, each way. Default 0. */
  rotate?: number;
  /** Largest relative change of size, each way: 0.1 draws sizes from 90% to 110%. Default 0. */
  scale?: number;
  /** Largest horizontal shear, as a slope each way (0.2: rows slide up to 0.2 px per row). Default 0. */
  shear?: number;
  /** Elastic distortion; omitted, none. */
  elastic?: ElasticOptions;
}

/** Normalised Gaussian taps out to 3 sigma each side. */
function gaussianTaps(sigma: number): Float64Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const taps = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += taps[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < taps.length; i++) taps[i]! /= sum;
  return taps;
}

/** Blurs an h x w field in place with `taps` along rows, then columns; outside counts as 0. */
function blur(field: Float64Array, tmp: Float64Array, h: number, w: number, taps: Float64Array) {
  const r = (taps.length - 1) / 2;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let k = Math.max(-r, -x); k <= Math.min(r, w - 1 - x); k++)
        s += taps[k + r]! * field[y * w + x + k]!;
      tmp[y * w + x] = s;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let k = Math.max(-r, -y); k <= Math.min(r, h - 1 - y); k++)
        s += taps[k + r]! * tmp[(y + k) * w + x]!;
      field[y * w + x] = s;
    }
  }
}

/**
 * Resamples one example's channels through an inverse affine map about the image centre
 * (`m` = [a, b, c, d]: source offset = [a b; c d] * output offset, then shifted by dy, dx) plus
 * an optional per-pixel displacement (`fy`, `fx`, in pixels), with bilinear interpolation.
 */
function warpField(
  src: Float32Array,
  dst: Float32Array,
  base: number,
  c: number,
  h: number,
  w: number,
  m: readonly [number, number, number, number],
  dy: number,
  dx: number,
  fy: Float64Array | null,
  fx: Float64Array | null,
): void {
  const cy = (h - 1) / 2;
  const cx = (w - 1) / 2;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const ty = y - dy - cy;
      const tx = x - dx - cx;
      const sy = m[0] * ty + m[1] * tx + cy + (fy ? fy[y * w + x]! : 0);
      const sx = m[2] * ty + m[3] * tx + cx + (fx ? fx[y * w + x]! : 0);
      const y0 = Math.floor(sy);
      const x0 = Math.floor(sx);
      const wy = sy - y0;
      const wx = sx - x0;
      for (let ch = 0; ch < c; ch++) {
        const b = base + ch * h * w;
        const at = (yy: number, xx: number): number =>
          yy >= 0 && yy < h && xx >= 0 && xx < w ? src[b + yy * w + xx]! : 0;
        dst[b + y * w + x] =
          (1 - wy) * ((1 - wx) * at(y0, x0) + wx * at(y0, x0 + 1)) +
          wy * ((1 - wx) * at(y0 + 1, x0) + wx * at(y0 + 1, x0 + 1));
      }
    }
  }
}

const nonNegative = (name: string, v: number): void => {
  if (!Number.isFinite(v) || v < 0)
    throw new ArgumentError('augmentBatch', `${name} must be a number >= 0, received ${v}`);
};

/**
 * A randomly transformed copy of a batch, one draw per example from `rng`, so a seeded run
 * augments identically every time. Each example is shifted and rotated; with `scale`, `shear`
 * or `elastic` it is also resized, sheared and pushed through a smooth random displacement
 * field (Simard et al. 2003: uniform noise in [-1, 1] per pixel and axis, blurred by a Gaussian
 * of width `sigma`, times `alpha`), all in one bilinear resampling. Without those three options
 * the draws and the output are exactly those of shift and rotation alone.
 *
 * @example
 * augmentBatch(batch, createRng(1), { shift: 2, rotate: 10 });
 * augmentBatch(batch, createRng(1), { rotate: 8, scale: 0.1, shear: 0.2, elastic: { alpha: 34, sigma: 5 } });
 */
export function augmentBatch(x: Tensor, rng: Rng, o: AugmentOptions): Tensor {
  const [n, c, h, w] = assertNCHW('augmentBatch', x);
  const shift = o.shift ?? 0;
  const rotate = o.rotate ?? 0;
  const scale = o.scale ?? 0;
  const shear = o.shear ?? 0;
  if (!Number.isInteger(shift) || shift < 0)
    throw new ArgumentError('augmentBatch', `shift must be a whole number >= 0, received ${shift}`);
  if (!Number.isFinite(rotate) || rotate < 0)
    throw new ArgumentError('augmentBatch', `rotate must be degrees >= 0, received ${rotate}`);
  nonNegative('shear', shear);
  if (!Number.isFinite(scale) || scale < 0 || scale >= 1)
    throw new ArgumentError('augmentBatch', `scale must be in [0, 1), received ${scale}`);
  const elastic = o.elastic;
  if (elastic) {
    nonNegative('elastic.alpha', elastic.alpha);
    if (!Number.isFinite(elastic.sigma) || elastic.sigma <= 0)
      throw new ArgumentError(
        'augmentBatch',
        `elastic.sigma must be a number > 0, received ${elastic.sigma}`,
      );
  }
  const out = new Float32Array(x.data.length);
  const taps = elastic && elastic.alpha > 0 ? gaussianTaps(elastic.sigma) : null;
  const fy = taps ? new Float64Array(h * w) : null;
  const fx = taps ? new Float64Array(h * w) : null;
  const tmp = taps ? new Float64Array(h * w) : null;
  for (let i = 0; i < n; i++) {
    const dy = shift ? rng.int(2 * shift + 1) - shift : 0;
    const dx = shift ? rng.int(2 * shift + 1) - shift : 0;
    const deg = rotate ? (rng.uniform() * 2 - 1) * rotate : 0;
    // Inverse map: dividing by the size factor s makes the digit s times larger.
    const s = scale ? 1 + (rng.uniform() * 2 - 1) * scale : 1;
    const k = shear ? (rng.uniform() * 2 - 1) * shear : 0;
    const a = (deg * Math.PI) / 180;
    const cos = Math.cos(a) / s;
    const sin = Math.sin(a) / s;
    // [cos -sin; sin cos] * [1 0; k 1]: shear the rows, then rotate.
    const m = [cos - sin * k, -sin, sin + cos * k, cos] as const;
    if (taps && fy && fx && tmp && elastic) {
      for (let p = 0; p < h * w; p++) {
        fy[p] = rng.uniform() * 2 - 1;
        fx[p] = rng.uniform() * 2 - 1;
      }
      blur(fy, tmp, h, w, taps);
      blur(fx, tmp, h, w, taps);
      for (let p = 0; p < h * w; p++) {
        fy[p]! *= elastic.alpha;
        fx[p]! *= elastic.alpha;
      }
    }
    warpField(x.data, out, i * c * h * w, c, h, w, m, dy, dx, fy, fx);
  }
  return { shape: [...x.shape], data: out };
}
