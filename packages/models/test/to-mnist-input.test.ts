import { describe, expect, it } from 'vitest';
import { rasterizeStrokes, type Strokes, toMnistInput } from '../src/index.js';

/** Centre of mass and ink bounding box of a 28x28 image. */
function stats(p: Float32Array) {
  let m = 0;
  let cx = 0;
  let cy = 0;
  let x0 = 28;
  let y0 = 28;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const v = p[y * 28 + x]!;
      m += v;
      cx += v * (x + 0.5);
      cy += v * (y + 0.5);
      if (v > 0.1) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  return { cx: cx / m, cy: cy / m, w: x1 - x0 + 1, h: y1 - y0 + 1, max: Math.max(...p) };
}

/** A "7": a top bar and a slanted stem, drawn at any place and size on a 300x300 pad. */
const seven = (x: number, y: number, size: number, lineWidth: number): Strokes => ({
  width: 300,
  height: 300,
  lineWidth,
  strokes: [
    [
      { x, y },
      { x: x + size * 0.6, y },
      { x: x + size * 0.25, y: y + size },
    ],
  ],
});

describe('toMnistInput', () => {
  const cases: [string, Strokes][] = [
    ['centred', seven(120, 100, 100, 14)],
    ['in a corner', seven(5, 5, 80, 10)],
    ['tiny', seven(200, 220, 12, 3)],
    ['filling the pad', seven(2, 2, 290, 30)],
    ['with a thick pen', seven(90, 60, 150, 45)],
  ];

  it.each(cases)('puts a %s digit in a 20 px box centred by mass in 28x28', (_, strokes) => {
    const { pixels, empty, box } = toMnistInput(strokes);
    expect(empty).toBe(false);
    expect(box).not.toBeNull();
    const s = stats(pixels);
    expect(Math.max(s.w, s.h)).toBeGreaterThanOrEqual(19);
    expect(Math.max(s.w, s.h)).toBeLessThanOrEqual(20);
    expect(Math.abs(s.cx - 14)).toBeLessThanOrEqual(0.75);
    expect(Math.abs(s.cy - 14)).toBeLessThanOrEqual(0.75);
    expect(s.max).toBeCloseTo(1, 5);
  });

  it('keeps the aspect ratio of a tall, thin "1"', () => {
    const one: Strokes = {
      width: 200,
      height: 200,
      lineWidth: 8,
      strokes: [
        [
          { x: 100, y: 20 },
          { x: 100, y: 180 },
        ],
      ],
    };
    const s = stats(toMnistInput(one).pixels);
    expect(s.h).toBe(20);
    expect(s.w).toBeLessThanOrEqual(3);
  });

  it('reads ink from an opaque canvas (dark on light) and from a transparent one', () => {
    const grey = rasterizeStrokes(seven(100, 100, 100, 12));
    const opaque = new Uint8ClampedArray(300 * 300 * 4);
    const transparent = new Uint8ClampedArray(300 * 300 * 4);
    grey.data.forEach((v, i) => {
      const level = Math.round(255 * (1 - v));
      opaque.set([level, level, level, 255], i * 4);
      transparent.set([0, 0, 0, Math.round(255 * v)], i * 4);
    });
    const fromGrey = toMnistInput(grey).pixels;
    for (const data of [opaque, transparent]) {
      const p = toMnistInput({ width: 300, height: 300, data }).pixels;
      let diff = 0;
      for (let i = 0; i < 784; i++) diff = Math.max(diff, Math.abs(p[i]! - fromGrey[i]!));
      expect(diff).toBeLessThan(0.02);
    }
  });

  it('says a blank pad is empty', () => {
    const r = toMnistInput({ width: 50, height: 50, lineWidth: 4, strokes: [] });
    expect(r.empty).toBe(true);
    expect(r.box).toBeNull();
    expect(r.pixels.every((v) => v === 0)).toBe(true);
  });

  it('rejects an image whose size and data disagree', () => {
    expect(() => toMnistInput({ width: 10, height: 10, data: new Float32Array(99) })).toThrow(
      /a 10x10 image needs 100 grey values or 400 RGBA bytes, received 99/,
    );
  });
});
