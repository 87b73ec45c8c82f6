/**
 * Drawing shared by the visualization figures: the colours of ./vis-pixels.ts put on canvases.
 * Canvases hold one canvas pixel per image pixel (CSS scales them up, pixelated), so the maths and
 * the picture stay one to one.
 */
import { greyImage, mapOverImage, type RgbImage, signedImage } from './vis-pixels.js';

export { crop, maxAbs } from './vis-pixels.js';

function put(canvas: HTMLCanvasElement, { width, height, rgb }: RgbImage) {
  // Setting a size clears the canvas and its state even when unchanged: only when it changes.
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  const img = ctx.createImageData(width, height);
  for (let p = 0; p < width * height; p++) {
    img.data[p * 4] = rgb[p * 3]!;
    img.data[p * 4 + 1] = rgb[p * 3 + 1]!;
    img.data[p * 4 + 2] = rgb[p * 3 + 2]!;
    img.data[p * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return ctx;
}

/** A grey image (levels in [0, 1]) in the ink scale. */
export function paintGrey(canvas: HTMLCanvasElement, pixels: ArrayLike<number>, w = 28, h = 28) {
  return put(canvas, greyImage(pixels, w, h));
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
  return put(canvas, mapOverImage(map, max, digit, w, h));
}

/** A signed map (a kernel, a feature map) in the diverging scale. */
export function paintSigned(
  canvas: HTMLCanvasElement,
  values: ArrayLike<number>,
  max: number,
  w: number,
  h: number,
) {
  return put(canvas, signedImage(values, max, w, h));
}
