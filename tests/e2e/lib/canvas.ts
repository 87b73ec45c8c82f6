import type { BrowserContext, BrowserContextOptions, JSHandle } from 'playwright-core';
import type { Harness, OpenedPage } from './harness.ts';

/**
 * Makes every canvas in `context` refuse WebGL and WebGPU, from the first script of every page
 * on, as a browser without them would; 2D contexts still work. Call it before opening a page.
 */
export const withoutWebGL = (context: BrowserContext) =>
  context.addInitScript(() => {
    const original = HTMLCanvasElement.prototype.getContext;
    HTMLCanvasElement.prototype.getContext = function (
      this: HTMLCanvasElement,
      type: string,
      ...rest: unknown[]
    ) {
      if (/webgl|webgpu/.test(type)) return null;
      return (original as (...a: unknown[]) => unknown).call(this, type, ...rest);
    } as typeof original;
  });

/** {@link Harness.open} in a browser without WebGL or WebGPU (see {@link withoutWebGL}). */
export async function openWithoutWebGL(
  h: Harness,
  path: string,
  options?: BrowserContextOptions,
): Promise<OpenedPage> {
  const { context, problems } = await h.context(options);
  await withoutWebGL(context);
  const page = await context.newPage();
  await page.goto(path);
  return { context, problems, page };
}

/**
 * How many distinct colours a 2D canvas holds, sampling every 37th pixel: more than a few
 * means something was drawn on it.
 */
export const sampledColours = (canvas: JSHandle) =>
  canvas.evaluate((c) => {
    const canvas = c as HTMLCanvasElement;
    const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < d.length; i += 4 * 37)
      seen.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
    return seen.size;
  });
