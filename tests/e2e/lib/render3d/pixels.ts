import type { Page } from 'playwright-core';

/** An RGB colour as three bytes. */
export type RGB = [number, number, number];

/** `0xRRGGBB` as bytes. */
export const rgb = (hex: number): RGB => [(hex >> 16) & 255, (hex >> 8) & 255, hex & 255];

/** Largest per-channel difference between two colours. */
export const colorDistance = (a: RGB, b: RGB) =>
  Math.max(Math.abs(a[0] - b[0]), Math.abs(a[1] - b[1]), Math.abs(a[2] - b[2]));

/**
 * Decodes a PNG screenshot in the page (the browser's own decoder: no image library here) and
 * returns the colour at each point, in screenshot pixels.
 */
export function colorsAt(page: Page, png: Buffer, points: [number, number][]): Promise<RGB[]> {
  return page.evaluate(
    async ({ b64, points }) => {
      // Decoded from the bytes, not fetched from a data: URL, which a page's connect-src refuses.
      const blob = new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], {
        type: 'image/png',
      });
      const img = await createImageBitmap(blob);
      const canvas = new OffscreenCanvas(img.width, img.height);
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      return points.map(([x, y]) => {
        const d = ctx.getImageData(x, y, 1, 1).data;
        return [d[0]!, d[1]!, d[2]!] as [number, number, number];
      });
    },
    { b64: png.toString('base64'), points },
  );
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
export function imageStats(page: Page, png: Buffer, background: RGB): Promise<ImageStats> {
  return page.evaluate(
    async ({ b64, background }) => {
      // Decoded from the bytes, not fetched from a data: URL, which a page's connect-src refuses.
      const blob = new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], {
        type: 'image/png',
      });
      const img = await createImageBitmap(blob);
      const canvas = new OffscreenCanvas(img.width, img.height);
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const d = ctx.getImageData(0, 0, img.width, img.height).data;
      let drawn = 0;
      const seen = new Set<number>();
      for (let i = 0; i < d.length; i += 4) {
        const r = d[i]!;
        const g = d[i + 1]!;
        const b = d[i + 2]!;
        if (
          Math.max(
            Math.abs(r - background[0]),
            Math.abs(g - background[1]),
            Math.abs(b - background[2]),
          ) > 24
        ) {
          drawn++;
        }
        seen.add(((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3));
      }
      return {
        width: img.width,
        height: img.height,
        drawn: drawn / (d.length / 4),
        colors: seen.size,
      };
    },
    { b64: png.toString('base64'), background },
  );
}

/** Mean absolute difference per channel between two same-size screenshots. */
export function meanDifference(page: Page, a: Buffer, b: Buffer): Promise<number> {
  return page.evaluate(
    async ({ a, b }) => {
      const decode = async (b64: string) => {
        const img = await createImageBitmap(
          new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: 'image/png' }),
        );
        const c = new OffscreenCanvas(img.width, img.height);
        const ctx = c.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        return ctx.getImageData(0, 0, img.width, img.height).data;
      };
      const [da, db] = [await decode(a), await decode(b)];
      if (da.length !== db.length) return Number.POSITIVE_INFINITY;
      let sum = 0;
      for (let i = 0; i < da.length; i++) sum += Math.abs(da[i]! - db[i]!);
      return sum / da.length;
    },
    { a: a.toString('base64'), b: b.toString('base64') },
  );
}
