// Training augmentation: scaling, shearing and elastic distortion (Simard et al. 2003).
import { describe, expect, it } from 'vitest';
import { augmentBatch, createRng, type Tensor } from '../src/index.js';
import { randomTensor } from './helpers/random-data.js';

const H = 28;
const W = 28;

/** Two channels holding each pixel's own column (x) and row (y): a warp writes back where it sampled. */
function coordinateImage(): Tensor {
  const data = new Float32Array(2 * H * W);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      data[y * W + x] = x;
      data[H * W + y * W + x] = y;
    }
  }
  return { shape: [1, 2, H, W], data };
}

/** Per-pixel displacement (sampled minus own position) inside a central window away from the border. */
function displacements(out: Tensor, margin = 8): { dx: number[][]; dy: number[][] } {
  const dx: number[][] = [];
  const dy: number[][] = [];
  for (let y = margin; y < H - margin; y++) {
    const rx: number[] = [];
    const ry: number[] = [];
    for (let x = margin; x < W - margin; x++) {
      rx.push(out.data[y * W + x]! - x);
      ry.push(out.data[H * W + y * W + x]! - y);
    }
    dx.push(rx);
    dy.push(ry);
  }
  return { dx, dy };
}

const rms = (rows: number[][]): number => {
  const all = rows.flat();
  return Math.sqrt(all.reduce((s, v) => s + v * v, 0) / all.length);
};

/** Root mean square difference between horizontally neighbouring values. */
const roughness = (rows: number[][]): number => {
  let s = 0;
  let k = 0;
  for (const r of rows)
    for (let i = 1; i < r.length; i++) {
      s += (r[i]! - r[i - 1]!) ** 2;
      k++;
    }
  return Math.sqrt(s / k);
};

describe('augmentBatch with scale, shear and elastic distortion', () => {
  it('leaves shift-and-rotate runs exactly as they were (same output, same random draws)', () => {
    const x = randomTensor([5, 1, 12, 12], 4);
    const r1 = createRng(9);
    const r2 = createRng(9);
    const a = augmentBatch(x, r1, { shift: 2, rotate: 10 });
    const b = augmentBatch(x, r2, {
      shift: 2,
      rotate: 10,
      scale: 0,
      shear: 0,
      elastic: { alpha: 0, sigma: 4 },
    });
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
    expect(r2.uniform()).toBe(r1.uniform());
  });

  it('rotates the same way on the general path as on the shift-and-rotate path', () => {
    // One example: the scale draw shifts later examples' draws.
    const x = randomTensor([1, 1, 10, 10], 5);
    const a = augmentBatch(x, createRng(2), { shift: 1, rotate: 20 });
    // A vanishing scale range takes the general path without changing the geometry.
    const b = augmentBatch(x, createRng(2), { shift: 1, rotate: 20, scale: 1e-12 });
    for (let i = 0; i < a.data.length; i++) expect(b.data[i]).toBeCloseTo(a.data[i]!, 5);
  });

  it('is seeded: the same generator gives the same distortion, another gives another', () => {
    const x = randomTensor([4, 1, 16, 16], 6);
    const o = { rotate: 8, scale: 0.1, shear: 0.2, elastic: { alpha: 34, sigma: 4 } };
    const a = augmentBatch(x, createRng(1), o);
    expect(Array.from(augmentBatch(x, createRng(1), o).data)).toEqual(Array.from(a.data));
    expect(Array.from(augmentBatch(x, createRng(2), o).data)).not.toEqual(Array.from(a.data));
    expect(a.shape).toEqual(x.shape);
  });

  it('scales about the centre by at most the given fraction', () => {
    const scales: number[] = [];
    const rng = createRng(3);
    for (let t = 0; t < 20; t++) {
      const { dx, dy } = displacements(augmentBatch(coordinateImage(), rng, { scale: 0.2 }), 4);
      // Sampling from (c + d/s) makes the digit s times larger: the slope of the map is 1/s.
      const slopeX = 1 + (dx[0]!.at(-1)! - dx[0]![0]!) / (dx[0]!.length - 1);
      const slopeY = 1 + (dy.at(-1)![0]! - dy[0]![0]!) / (dy.length - 1);
      expect(slopeY).toBeCloseTo(slopeX, 5);
      scales.push(1 / slopeX);
      // The centre stays put.
      const mid = Math.floor(dx.length / 2);
      expect(Math.abs(dx[mid]![mid]!)).toBeLessThan(0.5 * Math.abs(1 - slopeX) + 1e-4);
    }
    for (const s of scales) expect(Math.abs(s - 1)).toBeLessThanOrEqual(0.2 + 1e-9);
    expect(Math.max(...scales) - Math.min(...scales)).toBeGreaterThan(0.1);
  });

  it('shears rows sideways in proportion to their height, by at most the given slope', () => {
    const rng = createRng(4);
    for (let t = 0; t < 10; t++) {
      const { dx, dy } = displacements(augmentBatch(coordinateImage(), rng, { shear: 0.3 }));
      expect(rms(dy)).toBeLessThan(1e-4);
      // Each row moves as a whole, and the move grows linearly with the row.
      for (const row of dx) for (const v of row) expect(v).toBeCloseTo(row[0]!, 4);
      const slope = (dx.at(-1)![0]! - dx[0]![0]!) / (dx.length - 1);
      for (const [i, row] of dx.entries()) expect(row[0]).toBeCloseTo(dx[0]![0]! + slope * i, 4);
      expect(Math.abs(slope)).toBeLessThanOrEqual(0.3 + 1e-9);
    }
  });

  it('distorts elastically: a displacement of about a pixel that varies smoothly across the image', () => {
    const rng = createRng(5);
    const smooth = augmentBatch(coordinateImage(), rng, { elastic: { alpha: 34, sigma: 5 } });
    const { dx, dy } = displacements(smooth);
    for (const d of [dx, dy]) {
      expect(rms(d)).toBeGreaterThan(0.3);
      expect(rms(d)).toBeLessThan(4);
      // Neighbours move nearly alike: the Gaussian has smoothed the noise.
      expect(roughness(d)).toBeLessThan(0.3 * rms(d));
    }
    // With a tiny sigma the field stays rough: neighbours move independently.
    const rough = displacements(
      augmentBatch(coordinateImage(), rng, { elastic: { alpha: 1, sigma: 0.3 } }),
    );
    expect(roughness(rough.dx)).toBeGreaterThan(0.8 * rms(rough.dx));
    // Strength grows with alpha.
    const weak = displacements(
      augmentBatch(coordinateImage(), createRng(5), { elastic: { alpha: 3.4, sigma: 5 } }),
    );
    expect(rms(weak.dx)).toBeCloseTo(rms(dx) / 10, 3);
  });

  it('rejects options out of range with a clear message', () => {
    const x = randomTensor([1, 1, 4, 4], 7);
    const rng = createRng(1);
    expect(() => augmentBatch(x, rng, { scale: 1 })).toThrow(
      /scale must be in \[0, 1\), received 1/,
    );
    expect(() => augmentBatch(x, rng, { shear: -0.1 })).toThrow(
      /shear must be a number >= 0, received -0.1/,
    );
    expect(() => augmentBatch(x, rng, { elastic: { alpha: 30, sigma: 0 } })).toThrow(
      /elastic.sigma must be a number > 0, received 0/,
    );
    expect(() => augmentBatch(x, rng, { elastic: { alpha: Number.NaN, sigma: 4 } })).toThrow(
      /elastic.alpha must be a number >= 0, received NaN/,
    );
  });
});
