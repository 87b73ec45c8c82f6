import { COLOR_TABLES, type ColorScale, formatValue } from './colormap.js';
import { THEME } from './theme.js';

type Ctx2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/**
 * Draws a caption, a colour bar and the real values at its ends (and zero in the middle of a
 * diverging bar) into `ctx`, filling `width` x `height` pixels from (`left`, `top`). Used by the
 * stacks' legends in 3D and by the 2D fallback, so both read the same.
 */
export function drawLegend(
  ctx: Ctx2D,
  caption: string,
  scale: ColorScale,
  left: number,
  top: number,
  width: number,
  height: number,
): void {
  ctx.clearRect(left, top, width, height);
  const lut = COLOR_TABLES[scale.map];
  const pad = Math.round(width * 0.03);
  const textH = height * 0.3;
  ctx.fillStyle = THEME.ink;
  ctx.textBaseline = 'middle';
  ctx.font = fontFor(THEME.font, textH);
  ctx.textAlign = 'center';
  ctx.fillText(caption, left + width / 2, top + textH * 0.6, width - 2 * pad);
  const barTop = top + height * 0.4;
  const barH = height * 0.22;
  const barW = width - 2 * pad;
  const bar = gradientBar(scale.map, lut);
  if (bar) {
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(bar, left + pad, barTop, barW, barH);
  }
  ctx.fillStyle = THEME.ink;
  ctx.font = fontFor(THEME.smallFont, textH * 0.85);
  const labelY = barTop + barH + textH * 0.6;
  ctx.textAlign = 'left';
  ctx.fillText(formatValue(scale.min), left + pad, labelY);
  ctx.textAlign = 'right';
  ctx.fillText(formatValue(scale.max), left + width - pad, labelY);
  if (scale.map === 'diverging') {
    ctx.textAlign = 'center';
    ctx.fillText('0', left + width / 2, labelY);
  }
}

const bars = new Map<string, HTMLCanvasElement | OffscreenCanvas>();

// A 256x1 image of a colour map, made once per map and stretched into every legend.
function gradientBar(name: string, lut: Uint8Array): HTMLCanvasElement | OffscreenCanvas | null {
  let bar = bars.get(name);
  if (bar) return bar;
  bar =
    typeof document !== 'undefined'
      ? Object.assign(document.createElement('canvas'), { width: 256, height: 1 })
      : new OffscreenCanvas(256, 1);
  const ctx = bar.getContext('2d') as CanvasRenderingContext2D | null;
  if (!ctx) return null;
  const image = ctx.createImageData(256, 1);
  for (let i = 0; i < 256; i++) {
    image.data[i * 4] = lut[i * 3]!;
    image.data[i * 4 + 1] = lut[i * 3 + 1]!;
    image.data[i * 4 + 2] = lut[i * 3 + 2]!;
    image.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
  bars.set(name, bar);
  return bar;
}

// THEME fonts are written for the legend texture; scale their pixel size to the box at hand.
function fontFor(font: string, px: number): string {
  return font.replace(/\d+px/, `${Math.max(8, Math.round(px))}px`);
}
