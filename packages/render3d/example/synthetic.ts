/**
 * Deterministic, seeded activations for the example page: a drawn digit pushed through the
 * lesson CNN's shapes (conv3x3-relu-pool2, conv3x3-relu-pool2, dense 10, softmax) with seeded
 * random weights. Example-only arithmetic: real pages get their activations from a model.
 */
import { layers, receptiveField, sequential } from '@receptive/core';
import type { LayerActivation, TracedRegion } from '@receptive/render3d';

/** mulberry32: a tiny seeded generator, same numbers on every machine. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Strokes of each digit on a 0..1 square, as polylines.
const STROKES: Record<number, number[][]> = {
  0: [[0.5, 0.15, 0.72, 0.28, 0.75, 0.6, 0.6, 0.85, 0.4, 0.85, 0.27, 0.6, 0.28, 0.3, 0.5, 0.15]],
  1: [[0.38, 0.28, 0.55, 0.15, 0.55, 0.87]],
  2: [[0.28, 0.3, 0.45, 0.15, 0.7, 0.25, 0.66, 0.48, 0.28, 0.85, 0.75, 0.85]],
  3: [[0.28, 0.2, 0.6, 0.15, 0.72, 0.3, 0.5, 0.48, 0.74, 0.62, 0.62, 0.84, 0.28, 0.82]],
  4: [[0.62, 0.87, 0.62, 0.15, 0.25, 0.62, 0.78, 0.62]],
  5: [[0.7, 0.16, 0.33, 0.16, 0.3, 0.46, 0.6, 0.45, 0.72, 0.66, 0.55, 0.85, 0.28, 0.8]],
  6: [[0.65, 0.15, 0.35, 0.4, 0.3, 0.7, 0.5, 0.86, 0.7, 0.7, 0.55, 0.5, 0.32, 0.6]],
  7: [[0.25, 0.17, 0.75, 0.17, 0.45, 0.87]],
  8: [
    [
      0.5, 0.5, 0.3, 0.32, 0.5, 0.15, 0.7, 0.32, 0.5, 0.5, 0.28, 0.68, 0.5, 0.86, 0.72, 0.68, 0.5,
      0.5,
    ],
  ],
  9: [[0.68, 0.4, 0.5, 0.52, 0.3, 0.35, 0.5, 0.15, 0.68, 0.35, 0.66, 0.87]],
};

/** A 28x28 digit in 0..1, drawn from strokes with a seeded wobble. */
export function digit(d: number, seed = 1): Float32Array {
  const r = rng(seed * 31 + d);
  const dx = (r() - 0.5) * 0.08;
  const dy = (r() - 0.5) * 0.08;
  const out = new Float32Array(28 * 28);
  for (const line of STROKES[d] ?? STROKES[0]!) {
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        const px = (x + 0.5) / 28 - dx;
        const py = (y + 0.5) / 28 - dy;
        let best = Number.POSITIVE_INFINITY;
        for (let i = 0; i + 3 < line.length; i += 2) {
          best = Math.min(
            best,
            segmentDistance(px, py, line[i]!, line[i + 1]!, line[i + 2]!, line[i + 3]!),
          );
        }
        const v = Math.min(1, Math.max(0, 1 - (best - 0.035) / 0.035));
        out[y * 28 + x] = Math.max(out[y * 28 + x]!, v);
      }
    }
  }
  return out;
}

function segmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number) {
  const vx = bx - ax;
  const vy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * vx + (py - ay) * vy) / (vx * vx + vy * vy)));
  return Math.hypot(px - ax - t * vx, py - ay - t * vy);
}

/** Valid 3x3 convolution of [C, H, W] with [K, C, 3, 3] weights, plus bias; optional ReLU. */
export function conv3x3(
  x: Float32Array,
  c: number,
  h: number,
  w: number,
  weights: Float32Array,
  k: number,
  relu: boolean,
): Float32Array {
  const oh = h - 2;
  const ow = w - 2;
  const out = new Float32Array(k * oh * ow);
  for (let o = 0; o < k; o++) {
    for (let y = 0; y < oh; y++) {
      for (let xx = 0; xx < ow; xx++) {
        let s = 0;
        for (let ci = 0; ci < c; ci++) {
          for (let ky = 0; ky < 3; ky++) {
            for (let kx = 0; kx < 3; kx++) {
              s += x[(ci * h + y + ky) * w + xx + kx]! * weights[((o * c + ci) * 3 + ky) * 3 + kx]!;
            }
          }
        }
        out[(o * oh + y) * ow + xx] = relu ? Math.max(0, s) : s;
      }
    }
  }
  return out;
}

/** 2x2 max pooling with stride 2 (the floor drops an odd last row or column). */
export function maxPool2(x: Float32Array, c: number, h: number, w: number): Float32Array {
  const oh = Math.floor(h / 2);
  const ow = Math.floor(w / 2);
  const out = new Float32Array(c * oh * ow);
  for (let ci = 0; ci < c; ci++) {
    for (let y = 0; y < oh; y++) {
      for (let xx = 0; xx < ow; xx++) {
        const b = (ci * h + 2 * y) * w + 2 * xx;
        out[(ci * oh + y) * ow + xx] = Math.max(x[b]!, x[b + 1]!, x[b + w]!, x[b + w + 1]!);
      }
    }
  }
  return out;
}

/** Seeded weights for the lesson CNN's shapes. */
export function lessonWeights(seed = 7) {
  const r = rng(seed);
  const normal = (n: number, scale: number) => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = (r() + r() + r() - 1.5) * scale;
    return a;
  };
  // conv1: a blur first (so the front plane shows the digit), then edge and corner detectors.
  const w1 = new Float32Array([
    ...[1, 1, 1, 1, 1, 1, 1, 1, 1].map((v) => v / 9),
    ...[-1, 0, 1, -2, 0, 2, -1, 0, 1],
    ...[-1, -2, -1, 0, 0, 0, 1, 2, 1],
    ...[1, 0, -1, 2, 0, -2, 1, 0, -1],
    ...[1, 2, 1, 0, 0, 0, -1, -2, -1],
    ...[0, 1, 2, -1, 0, 1, -2, -1, 0],
    ...[2, 1, 0, 1, 0, -1, 0, -1, -2],
    ...[-1, -1, -1, -1, 8, -1, -1, -1, -1].map((v) => v / 4),
  ]);
  return { w1, w2: normal(16 * 8 * 9, 0.35), w3: normal(10 * 400, 0.25) };
}

/** Every activation of the lesson CNN for one 28x28 image, as the renderers take them. */
export function lessonActivations(
  input: Float32Array,
  weights = lessonWeights(),
): LayerActivation[] {
  const conv1 = conv3x3(input, 1, 28, 28, weights.w1, 8, true);
  const pool1 = maxPool2(conv1, 8, 26, 26);
  const conv2 = conv3x3(pool1, 8, 13, 13, weights.w2, 16, true);
  const pool2 = maxPool2(conv2, 16, 11, 11);
  const dense = new Float32Array(10);
  for (let o = 0; o < 10; o++) {
    let s = 0;
    for (let i = 0; i < 400; i++) s += pool2[i]! * weights.w3[o * 400 + i]!;
    dense[o] = s;
  }
  const m = Math.max(...dense);
  const e = dense.map((v) => Math.exp(v - m));
  const sum = e.reduce((a, b) => a + b, 0);
  const softmax = e.map((v) => v / sum);
  return [
    { name: 'input', kind: 'input', shape: [1, 28, 28], data: input },
    { name: 'conv1', kind: 'conv', shape: [8, 26, 26], data: conv1 },
    { name: 'pool1', kind: 'pool', shape: [8, 13, 13], data: pool1 },
    { name: 'conv2', kind: 'conv', shape: [16, 11, 11], data: conv2 },
    { name: 'pool2', kind: 'pool', shape: [16, 5, 5], data: pool2 },
    { name: 'dense', kind: 'dense', shape: [10], data: dense },
    { name: 'softmax', kind: 'softmax', shape: [10], data: softmax },
  ];
}

/**
 * The lesson CNN's layer list in `@receptive/core` (shapes only: tracing needs no weights), named
 * as {@link lessonActivations} names its layers, so a trace's regions land on the right stacks.
 */
export const LESSON_MODEL = sequential(
  [
    layers.conv2d({ filters: 8, kernel: 3, name: 'conv1' }),
    layers.relu({ name: 'relu1' }),
    layers.maxPool2d({ kernel: 2, name: 'pool1' }),
    layers.conv2d({ filters: 16, kernel: 3, name: 'conv2' }),
    layers.relu({ name: 'relu2' }),
    layers.maxPool2d({ kernel: 2, name: 'pool2' }),
    layers.flatten({ name: 'flatten' }),
    layers.linear({ units: 10, name: 'dense' }),
    layers.softmax({ name: 'softmax' }),
  ],
  { inputShape: [1, 28, 28] },
);

/**
 * What one unit of the lesson CNN sees in every earlier layer, unit first, input last: core's
 * exact receptive-field trace in the shape `ReceptiveFieldBeam` takes. The ReLU layers trace to
 * the same regions as their convolutions; the view has no stack for them and skips them.
 */
export function trace(layer: string, y: number, x: number): TracedRegion[] {
  const unit = layer === 'dense' || layer === 'softmax' ? { index: y } : { y, x };
  return receptiveField(LESSON_MODEL, layer, unit).path.map((p) => ({
    layer: p.activation,
    ...p.region,
  }));
}

/** The lecture-style 7x7 example: a bright diagonal bar on a dark ground, and the 1/9 box blur. */
export function lectureImage(): {
  input: Float32Array;
  kernel: Float32Array;
  output: Float32Array;
} {
  const input = new Float32Array(49);
  for (let y = 0; y < 7; y++)
    for (let x = 0; x < 7; x++) input[y * 7 + x] = Math.abs(x - y) <= 1 ? 1 : 0;
  const kernel = new Float32Array(9).fill(1 / 9);
  const output = conv3x3(input, 1, 7, 7, kernel, 1, false);
  return { input, kernel, output };
}
