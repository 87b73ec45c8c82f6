/**
 * Drawing shared by the visualization figures: a digit in the ink scale, a map over a digit in
 * the shared diverging scale, a receptive field outlined. Canvases hold one canvas pixel per
 * image pixel (CSS scales them up, pixelated), so the maths and the picture stay one to one.
 */
import type { Region } from '@receptive/core';
import { inkRgb, signedRgb } from './theme.js';

/** How much of a digit's ink shows through a map laid over it. */
const INK_OVER_MAP = 0.45;

function put(
  canvas: HTMLCanvasElement,
  w: number,
  h: number,
  rgb: (p: number) => readonly [number, number, number],
) {
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  const img = ctx.createImageData(w, h);
  for (let p = 0; p < w * h; p++) {
    const [r, g, b] = rgb(p);
    img.data[p * 4] = r;
    img.data[p * 4 + 1] = g;
    img.data[p * 4 + 2] = b;
    img.data[p * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return ctx;
}

/** A grey image (levels in [0, 1]) in the ink scale. */
export function paintGrey(canvas: HTMLCanvasElement, pixels: ArrayLike<number>, w = 28, h = 28) {
  return put(canvas, w, h, (p) => inkRgb(pixels[p]!));
}

/** The largest magnitude of a map (at least a tiny number, so a blank map still scales). */
export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]!));
  return m || 1e-12;
}

/**
 * A map in the diverging scale with ends at ±`max`, and the digit's ink laid over it faintly,
 * so the reader sees which strokes the hot pixels belong to.
 */
export function paintMapOver(
  canvas: HTMLCanvasElement,
  map: ArrayLike<number>,
  max: number,
  digit: ArrayLike<number>,
  w = 28,
  h = 28,
) {
  return put(canvas, w, h, (p) => {
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

/** A signed map (a kernel, a feature map) in the diverging scale. */
export function paintSigned(
  canvas: HTMLCanvasElement,
  values: ArrayLike<number>,
  max: number,
  w: number,
  h: number,
) {
  return put(canvas, w, h, (p) => signedRgb(values[p]!, max));
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
