/**
 * The visualization figures' colours as plain RGB bytes, with no DOM: a digit in the ink scale, a
 * signed map in the shared diverging scale, a map with the digit's ink laid over it. The live
 * figures put these bytes on canvases; the Astro components encode the same bytes as images at
 * build time, so a page without JavaScript shows the same pictures.
 */
import type { Region } from '@receptive/core';
import { inkRgb, signedRgb } from './theme.js';

/** How much of a digit's ink shows through a map laid over it. */
const INK_OVER_MAP = 0.45;

/** Row-major RGB bytes, three per pixel. */
export interface RgbImage {
  width: number;
  height: number;
  rgb: Uint8ClampedArray;
}

function image(
  w: number,
  h: number,
  colour: (p: number) => readonly [number, number, number],
): RgbImage {
  const rgb = new Uint8ClampedArray(w * h * 3);
  for (let p = 0; p < w * h; p++) {
    const [r, g, b] = colour(p);
    rgb[p * 3] = r;
    rgb[p * 3 + 1] = g;
    rgb[p * 3 + 2] = b;
  }
  return { width: w, height: h, rgb };
}

/** A grey image (levels in [0, 1]) in the ink scale. */
export function greyImage(pixels: ArrayLike<number>, w = 28, h = 28): RgbImage {
  return image(w, h, (p) => inkRgb(pixels[p]!));
}

/** A signed map (a kernel, a feature map) in the diverging scale with ends at ±`max`. */
export function signedImage(
  values: ArrayLike<number>,
  max: number,
  w: number,
  h: number,
): RgbImage {
  return image(w, h, (p) => signedRgb(values[p]!, max));
}

/**
 * A map in the diverging scale with ends at ±`max`, and the digit's ink laid over it faintly,
 * so the reader sees which strokes the hot pixels belong to.
 */
export function mapOverImage(
  map: ArrayLike<number>,
  max: number,
  digit: ArrayLike<number>,
  w = 28,
  h = 28,
): RgbImage {
  return image(w, h, (p) => {
    const c = signedRgb(map[p]!, max);
    const ink = inkRgb(digit[p]!);
    const a = INK_OVER_MAP * digit[p]!;
    return [
      Math.round(c[0] * (1 - a) + ink[0] * a),
      Math.round(c[1] * (1 - a) + ink[1] * a),
      Math.round(c[2] * (1 - a) + ink[2] * a),
    ] as const;
  });
}

/** The largest magnitude of a map (at least a tiny number, so a blank map still scales). */
export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]!));
  return m || 1e-12;
}

/** The rows y0..y1 and columns x0..x1 of a 28-wide digit, as a grey image of their own. */
export function crop(pixels: ArrayLike<number>, r: Region, width = 28): Float32Array {
  const w = r.x1 - r.x0 + 1;
  const out = new Float32Array((r.y1 - r.y0 + 1) * w);
  for (let y = r.y0; y <= r.y1; y++) {
    for (let x = r.x0; x <= r.x1; x++) out[(y - r.y0) * w + (x - r.x0)] = pixels[y * width + x]!;
  }
  return out;
}
