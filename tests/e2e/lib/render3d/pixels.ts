import type { Page } from 'playwright-core';

/** An RGB colour as three bytes. */
export type RGB = [number, number, number];

/** `0xRRGGBB` as bytes. */
export const rgb = (hex: number): RGB => [(hex >> 16) & 255, (hex >> 8) & 255, hex & 255];

/** Largest per-channel difference between two colours. */
export const colorDistance = (a: RGB, b: RGB) =>
  Math.max(Math.abs(a[0] - b[0]), Math.abs(a[1] - b[1]), Math.abs(a[2] - b[2]));

/** A decoded screenshot: `width` x `height` RGBA pixels, row by row. */
export interface Pixels {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/**
 * Decodes a PNG screenshot in the page (the browser's own decoder: no image library here) and
 * brings its pixels back.
 */
export async function decodePng(page: Page, png: Buffer): Promise<Pixels> {
  const decoded = await page.evaluate(async (b64) => {
    // Decoded from the bytes, not fetched from a data: URL, which a page's connect-src refuses.
    const blob = new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], {
      type: 'image/png',
    });
    const img = await createImageBitmap(blob);
    const canvas = new OffscreenCanvas(img.width, img.height);
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, img.width, img.height).data;
    // Back as base64, built in slices (one call's arguments are limited).
    let bytes = '';
    for (let i = 0; i < d.length; i += 0x8000) {
      bytes += String.fromCharCode(...d.subarray(i, i + 0x8000));
    }
    return { width: img.width, height: img.height, rgba: btoa(bytes) };
  }, png.toString('base64'));
  return { ...decoded, rgba: new Uint8Array(Buffer.from(decoded.rgba, 'base64')) };
}

/** The colour at each point of a PNG screenshot, in screenshot pixels. */
export async function colorsAt(
  page: Page,
  png: Buffer,
  points: [number, number][],
): Promise<RGB[]> {
  const { width, height, rgba } = await decodePng(page, png);
  return points.map(([x, y]) => {
    if (x < 0 || y < 0 || x >= width || y >= height) {
      throw new Error(`(${x}, ${y}) is outside the ${width} x ${height} screenshot`);
    }
    const i = (Math.trunc(y) * width + Math.trunc(x)) * 4;
    return [rgba[i]!, rgba[i + 1]!, rgba[i + 2]!];
  });
}

/** How much of a screenshot is not background, and how many distinct colours it holds. */
export interface ImageStats {
  width: number;
  height: number;
  /** Share of pixels further than 24 per channel from `background`. */
  drawn: number;
  /** Distinct colours (quantised to 5 bits per channel). */
  colors: number;
}

/** Decodes a PNG screenshot in the page and measures how much was drawn on it. */
export async function imageStats(page: Page, png: Buffer, background: RGB): Promise<ImageStats> {
  const { width, height, rgba } = await decodePng(page, png);
  let drawn = 0;
  const seen = new Set<number>();
  for (let i = 0; i < rgba.length; i += 4) {
    const color: RGB = [rgba[i]!, rgba[i + 1]!, rgba[i + 2]!];
    if (colorDistance(color, background) > 24) drawn++;
    seen.add(((color[0] >> 3) << 10) | ((color[1] >> 3) << 5) | (color[2] >> 3));
  }
  return { width, height, drawn: drawn / (rgba.length / 4), colors: seen.size };
}

/** Mean absolute difference per channel between two same-size screenshots. */
export async function meanDifference(page: Page, a: Buffer, b: Buffer): Promise<number> {
  const [da, db] = [(await decodePng(page, a)).rgba, (await decodePng(page, b)).rgba];
  if (da.length !== db.length) return Number.POSITIVE_INFINITY;
  let sum = 0;
  for (let i = 0; i < da.length; i++) sum += Math.abs(da[i]! - db[i]!);
  return sum / da.length;
}
