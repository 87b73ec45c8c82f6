import type { FeatureMapStack } from './feature-map-stack.js';
import { drawLegend } from './legend.js';
import type { SoftmaxBars } from './softmax-bars.js';
import { THEME } from './theme.js';

const atlases = new WeakMap<FeatureMapStack, { canvas: HTMLCanvasElement; image: ImageData }>();

/**
 * Draws a stack on a 2D canvas inside the box (`x`, `y`, `w`, `h`): its channels as a grid of
 * nearest-neighbour tiles, its caption and legend below. The 2D fallback's building block.
 */
export function drawStack2D(
  ctx: CanvasRenderingContext2D,
  stack: FeatureMapStack,
  caption: string,
  x: number,
  y: number,
  w: number,
  h: number,
): void {
  let a = atlases.get(stack);
  if (!a) {
    const canvas = document.createElement('canvas');
    canvas.width = stack.atlasWidth;
    canvas.height = stack.atlasHeight;
    a = { canvas, image: new ImageData(stack.atlasWidth, stack.atlasHeight) };
    atlases.set(stack, a);
  }
  a.image.data.set(stack.pixels);
  a.canvas.getContext('2d')!.putImageData(a.image, 0, 0);
  const legendH = Math.min(48, w / 4);
  const gridH = h - legendH - 4;
  const cols = Math.ceil(Math.sqrt((stack.channels * stack.rows) / stack.columns));
  const rowsOfTiles = Math.ceil(stack.channels / cols);
  const tile = Math.min(
    (w - (cols - 1) * 2) / (cols * stack.columns),
    (gridH - (rowsOfTiles - 1) * 2) / (rowsOfTiles * stack.rows),
  );
  const tw = tile * stack.columns;
  const th = tile * stack.rows;
  const left = x + (w - (cols * tw + (cols - 1) * 2)) / 2;
  ctx.imageSmoothingEnabled = false;
  for (let c = 0; c < stack.channels; c++) {
    const sx = (c % stack.atlasColumns) * stack.columns;
    const sy = Math.floor(c / stack.atlasColumns) * stack.rows;
    const dx = left + (c % cols) * (tw + 2);
    const dy = y + Math.floor(c / cols) * (th + 2);
    ctx.drawImage(a.canvas, sx, sy, stack.columns, stack.rows, dx, dy, tw, th);
  }
  drawLegend(ctx, caption, stack.colorScale, x, y + h - legendH, w, legendH);
}

/** Draws softmax bars with their labels and percentages inside the box (`x`, `y`, `w`, `h`). */
export function drawBars2D(
  ctx: CanvasRenderingContext2D,
  bars: SoftmaxBars,
  x: number,
  y: number,
  w: number,
  h: number,
): void {
  const n = bars.classes;
  const row = h / (n + 1);
  const labelW = w * 0.18;
  const barW = w * 0.55;
  let best = 0;
  for (let i = 1; i < n; i++) if (bars.values[i]! > bars.values[best]!) best = i;
  ctx.textBaseline = 'middle';
  ctx.font = `${Math.max(9, Math.round(row * 0.6))}px system-ui, sans-serif`;
  ctx.fillStyle = THEME.ink;
  ctx.textAlign = 'left';
  ctx.fillText(`${bars.name} · ${n}`, x, y + row / 2, w);
  for (let i = 0; i < n; i++) {
    const p = Math.min(1, Math.max(0, bars.values[i]!));
    const cy = y + row * (i + 1);
    ctx.fillStyle = '#e5e3dc';
    ctx.fillRect(x + labelW, cy + row * 0.1, barW, row * 0.8);
    ctx.fillStyle = hex(i === best ? THEME.barWinner : THEME.bar);
    ctx.fillRect(x + labelW, cy + row * 0.1, barW * p, row * 0.8);
    ctx.fillStyle = THEME.ink;
    ctx.textAlign = 'right';
    ctx.fillText(bars.labels[i]!, x + labelW - 4, cy + row / 2);
    ctx.textAlign = 'left';
    ctx.fillText(`${(p * 100).toFixed(1)}%`, x + labelW + barW + 4, cy + row / 2);
  }
}

/** `0xRRGGBB` as a CSS colour. */
export function hex(color: number): string {
  return `#${color.toString(16).padStart(6, '0')}`;
}
