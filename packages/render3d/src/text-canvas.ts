import { CanvasTexture, LinearFilter, SRGBColorSpace } from 'three';

/** A 2D canvas for drawing text into a texture: a DOM canvas, or an OffscreenCanvas in workers. */
export function textCanvas(width: number, height: number): HTMLCanvasElement | OffscreenCanvas {
  if (typeof document !== 'undefined') {
    const c = document.createElement('canvas');
    c.width = width;
    c.height = height;
    return c;
  }
  return new OffscreenCanvas(width, height);
}

/** Its 2D context; throws a sentence when the environment has none. */
export function context2d(
  canvas: HTMLCanvasElement | OffscreenCanvas,
): CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D {
  const ctx = canvas.getContext('2d') as
    | CanvasRenderingContext2D
    | OffscreenCanvasRenderingContext2D
    | null;
  if (!ctx) throw new Error('render3d: this environment has no 2D canvas to draw labels with.');
  return ctx;
}

/** A texture over a text canvas; call `needsUpdate = true` after drawing. */
export function textTexture(
  canvas: HTMLCanvasElement | OffscreenCanvas,
): CanvasTexture<HTMLCanvasElement | OffscreenCanvas> {
  const t = new CanvasTexture<HTMLCanvasElement | OffscreenCanvas>(canvas);
  t.colorSpace = SRGBColorSpace;
  t.generateMipmaps = false;
  t.minFilter = LinearFilter;
  return t;
}
