import { describe, expect, it } from 'vitest';
import {
  COLOR_TABLES,
  colorOf,
  cssGradient,
  INK,
  inkRgb,
  PAPER,
  resolveScale,
  signedRgb,
} from '../src/colormap.js';

const hex = (c: number) => [(c >> 16) & 255, (c >> 8) & 255, c & 255];

// The one pair of scales every figure draws with: ink on paper for intensities, blue-white-red
// for signed values. The 2D widgets and the 3D views both read them from here.
describe('the shared colour scales', () => {
  it('draws intensities as ink on paper: 0 is paper, the top is ink, grey between', () => {
    expect(inkRgb(0)).toEqual(hex(PAPER));
    expect(inkRgb(1)).toEqual(hex(INK));
    const mid = inkRgb(0.5);
    expect(mid[0]).toBeLessThan(255);
    expect(mid[0]).toBeGreaterThan(hex(INK)[0]!);
    expect(Math.abs(mid[0] - mid[2])).toBeLessThanOrEqual(4);
    // Clamped outside [0, 1].
    expect(inkRgb(-1)).toEqual(inkRgb(0));
    expect(inkRgb(7)).toEqual(inkRgb(1));
  });

  it('draws signed values blue below zero, white at zero, red above, on a scale of ±max', () => {
    expect(signedRgb(-2, 2)).toEqual(hex(0x2166ac));
    expect(signedRgb(0, 2)).toEqual([255, 255, 255]);
    expect(signedRgb(2, 2)).toEqual(hex(0xb2182b));
    expect(signedRgb(5, 2)).toEqual(signedRgb(2, 2));
    expect(signedRgb(1, 0)).toEqual([255, 255, 255]);
  });

  it('gives a 3D texel the colour a 2D cell of the same value shows', () => {
    const scale = resolveScale(new Float32Array([0, 1, 2, 4]), 'auto');
    expect(scale).toEqual({ map: 'ink', min: 0, max: 4 });
    expect(colorOf(1, scale)).toEqual(inkRgb(0.25));
    const signed = resolveScale(new Float32Array([-3, 1]), 'auto');
    expect(signed).toEqual({ map: 'diverging', min: -3, max: 3 });
    expect(colorOf(-1.5, signed)).toEqual(signedRgb(-1.5, 3));
  });

  it('writes the same scales as a CSS gradient for HTML keys', () => {
    expect(cssGradient('ink')).toMatch(/^linear-gradient\(to right, rgb\(255 255 255\) 0\.0%, /);
    expect(cssGradient('ink')).toMatch(/rgb\(20 20 24\) 100\.0%\)$/);
    expect(cssGradient('diverging', 3)).toBe(
      'linear-gradient(to right, rgb(33 102 172) 0.0%, rgb(255 255 255) 50.0%, rgb(178 24 43) 100.0%)',
    );
    expect(Object.keys(COLOR_TABLES)).toEqual(['ink', 'diverging']);
  });
});
