/**
 * The convolution layer `<rf-conv-layer-3d>` draws, as data: a d-channel input made from the
 * lecture's 7x7 image, k filters of d x 3 x 3 with one bias each, and the layer's output,
 * computed by @receptive/core (conv2d, then ReLU). No DOM: importable in Node.
 */
import { createRng, layers, sequential, tensor } from '@receptive/core';
import type { OutputUnit } from '@receptive/render3d';
import { KERNEL_PRESETS, LECTURE_IMAGE, LECTURE_SIZE } from './lecture.js';
import { WidgetValueError } from './props.js';

/** The k and d a reader may choose: small enough that every plane stays readable. */
export const CONV3D_LIMITS = { filters: [1, 8], channels: [1, 8] } as const;

/** The lecture's three kernels, in the order the lesson names them: blur, horizontal edge, Laplacian. */
export const LECTURE_FILTERS = ['box-blur', 'horizontal-edge', 'laplacian'] as const;

/**
 * The bias of each lecture filter: the blur's -0.5 keeps only windows more than half ink after
 * ReLU; the edge filters keep 0, so ReLU simply drops their negative responses.
 */
export const LECTURE_BIASES = [-0.5, 0, 0] as const;

/** Everything one figure state shows. */
export interface ConvLayer3dData {
  /** k and d. */
  filters: number;
  channels: number;
  /** d x 7 x 7 input, channel-major. */
  input: Float32Array;
  inputShape: [number, number, number];
  /** k x d x 3 x 3 weights. */
  weights: Float32Array;
  /** k biases. */
  biases: Float32Array;
  /** k x 5 x 5 before ReLU (weighted sums plus bias). */
  preactivation: Float32Array;
  /** k x 5 x 5 after ReLU. */
  output: Float32Array;
  outputShape: [number, number, number];
  /** Counted by the core model: k·d·9 weights, k biases. */
  weightCount: number;
  biasCount: number;
  parameters: number;
}

/**
 * Channel `c` of the input: the lecture image turned by `c mod 4` quarter turns clockwise, and
 * from channel 4 on its negative (1 - pixel), so that every channel differs. (Mirroring would
 * not do: the image is symmetric top to bottom, so a mirror image is one of the turns.)
 */
export function inputChannel(c: number): Float32Array {
  const n = LECTURE_SIZE;
  const out = new Float32Array(n * n);
  const turns = c % 4;
  const negative = c % 8 >= 4;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let sy = y;
      let sx = x;
      for (let t = 0; t < turns; t++) [sy, sx] = [n - 1 - sx, sy];
      const v = LECTURE_IMAGE[sy * n + sx]!;
      out[y * n + x] = negative ? 1 - v : v;
    }
  }
  return out;
}

/**
 * Filter `j` on `d` channels: the lecture's kernels for j = 0, 1, 2 (each channel slice the
 * kernel divided by d, so the sum stays on the kernel's scale), seeded random weights in [-1, 1)
 * and a bias in [-0.5, 0.5) after that. The same (j, d) always gives the same filter.
 */
export function filterWeights(j: number, d: number): { weights: Float32Array; bias: number } {
  const weights = new Float32Array(d * 9);
  if (j < LECTURE_FILTERS.length) {
    const kernel = KERNEL_PRESETS[LECTURE_FILTERS[j]!];
    for (let c = 0; c < d; c++) for (let i = 0; i < 9; i++) weights[c * 9 + i] = kernel[i]! / d;
    return { weights, bias: LECTURE_BIASES[j]! };
  }
  const rng = createRng(1000 + 16 * j + d);
  for (let i = 0; i < weights.length; i++) weights[i] = rng.uniform() * 2 - 1;
  return { weights, bias: rng.uniform() - 0.5 };
}

/** Checks k or d against {@link CONV3D_LIMITS}; throws a {@link WidgetValueError} naming the range. */
export function checkCount(tag: string, name: 'filters' | 'channels', value: number): number {
  const [min, max] = CONV3D_LIMITS[name];
  if (Number.isInteger(value) && value >= min && value <= max) return value;
  throw new WidgetValueError(tag, name, String(value), `a whole number from ${min} to ${max}`);
}

/**
 * Builds the layer with the core (conv2d with the given weights and biases, then ReLU) and runs
 * it on the input.
 * @example convLayer3d(3, 1).outputShape // [3, 5, 5]; .parameters // 30
 */
export function convLayer3d(k: number, d: number, tag = 'rf-conv-layer-3d'): ConvLayer3dData {
  checkCount(tag, 'filters', k);
  checkCount(tag, 'channels', d);
  const n = LECTURE_SIZE;
  const input = new Float32Array(d * n * n);
  for (let c = 0; c < d; c++) input.set(inputChannel(c), c * n * n);
  const weights = new Float32Array(k * d * 9);
  const biases = new Float32Array(k);
  for (let j = 0; j < k; j++) {
    const f = filterWeights(j, d);
    weights.set(f.weights, j * d * 9);
    biases[j] = f.bias;
  }
  const net = sequential(
    [
      layers.conv2d({
        filters: k,
        kernel: 3,
        weight: tensor(weights, [k, d, 3, 3]),
        biasValues: tensor(biases, [k]),
      }),
      layers.relu(),
    ],
    { inputShape: [d, n, n] },
  );
  const { activations } = net.forwardAll(tensor(input, [1, d, n, n]));
  const conv = net.layers[0]!;
  const relu = net.layers[1]!;
  const outputShape = [...relu.outputShape] as [number, number, number];
  const weightCount = conv.kind === 'conv2d' ? conv.weight.data.length : 0;
  return {
    filters: k,
    channels: d,
    input,
    inputShape: [d, n, n],
    weights,
    biases,
    preactivation: activations[conv.name]!.data.slice(),
    output: activations[relu.name]!.data.slice(),
    outputShape,
    weightCount,
    biasCount: net.parameterCount() - weightCount,
    parameters: net.parameterCount(),
  };
}

/** The one-sentence account of a layer the figure announces. */
export function convLayer3dSentence(data: ConvLayer3dData): string {
  const [d, h, w] = data.inputShape;
  const fmt = (n: number) => n.toLocaleString('en-US');
  return (
    `Output ${data.outputShape.join(' × ')}: ${data.filters} ${data.filters === 1 ? 'filter' : 'filters'} of ${d} × 3 × 3 ` +
    `on a ${d} × ${h} × ${w} input, then ReLU; ${fmt(data.parameters)} parameters ` +
    `(${fmt(data.weightCount)} weights and ${fmt(data.biasCount)} ${data.biasCount === 1 ? 'bias' : 'biases'}).`
  );
}

/**
 * Throws a {@link WidgetValueError} unless `unit` lies in an output of `shape` (k x rows x
 * columns); the message counts from 1, as the attribute does.
 * @example checkUnit({ filter: 3, y: 0, x: 0 }, [3, 5, 5]) // throws: a filter from 1 to 3 ...
 */
export function checkUnit(unit: OutputUnit, shape: readonly number[]): void {
  const [k, oh, ow] = shape as [number, number, number];
  const within = (v: number, n: number) => Number.isInteger(v) && v >= 0 && v < n;
  if (!within(unit.filter, k) || !within(unit.y, oh) || !within(unit.x, ow)) {
    throw new WidgetValueError(
      'rf-conv-layer-3d',
      'unit',
      `${unit.filter + 1},${unit.y + 1},${unit.x + 1}`,
      `a filter from 1 to ${k}, a row from 1 to ${oh} and a column from 1 to ${ow} (counted from 1)`,
    );
  }
}

/** The `unit` attribute: "filter,row,column" counted from 1, or absent / empty / "none". */
export function parseUnit(value: string | null): OutputUnit | null {
  const v = (value ?? '').trim();
  if (v === '' || v === 'none') return null;
  const parts = v.split(/[\s,]+/).map(Number);
  if (parts.length !== 3 || !parts.every((n) => Number.isInteger(n) && n >= 1)) {
    throw new WidgetValueError(
      'rf-conv-layer-3d',
      'unit',
      value ?? '',
      '"filter,row,column": three whole numbers counted from 1, or none',
    );
  }
  return { filter: parts[0]! - 1, y: parts[1]! - 1, x: parts[2]! - 1 };
}
