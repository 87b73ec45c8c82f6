import { layers, type SequentialModel, sequential, tensor } from '@receptive/core';
import { custom, defineSpec, parseEnum, WidgetValueError } from './props.js';
import { digitProp, digitsSrcProp, kernelProp } from './shared-props.js';

const TAG = 'rf-pooling';
const SIZE = 28;

export const POOLED = ['pool1', 'pool2'] as const;

/** The figure's network: one conv (the kernel, no bias), then 2x2 max pooling twice. */
export function poolingNetwork(kernel: readonly number[]): SequentialModel {
  return sequential(
    [
      layers.conv2d({
        filters: 1,
        kernel: 3,
        bias: false,
        weight: tensor(Float32Array.from(kernel), [1, 1, 3, 3]),
      }),
      layers.maxPool2d({ kernel: 2 }),
      layers.maxPool2d({ kernel: 2 }),
    ],
    { inputShape: [1, SIZE, SIZE], seed: 1 },
  );
}

let mapSizes: Record<string, [number, number]> | null = null;

/**
 * Rows and columns of the figure's pooled maps for its 28 x 28 digit, from the core's shape rule
 * (they do not depend on the kernel or the digit).
 * @example poolingMapSizes() // { pool1: [13, 13], pool2: [6, 6] }
 */
export function poolingMapSizes(): Record<string, [number, number]> {
  if (!mapSizes) {
    const net = poolingNetwork(new Array(9).fill(0));
    mapSizes = {};
    for (const layer of net.layers) {
      if (!(POOLED as readonly string[]).includes(layer.name)) continue;
      const [, h, w] = layer.outputShape as [number, number, number];
      mapSizes[layer.name] = [h, w];
    }
  }
  return { ...mapSizes };
}

/**
 * Throws a {@link WidgetValueError} unless `t` names a unit of one of the figure's pooled maps
 * (0-based row and column; the message counts from 1, as the attribute does).
 */
export function checkTrace(t: { layer: string; y: number; x: number }): void {
  parseEnum(TAG, 'trace', t.layer, POOLED);
  const [h, w] = poolingMapSizes()[t.layer]!;
  const within = (v: number, n: number) => Number.isInteger(v) && v >= 0 && v < n;
  if (!within(t.y, h) || !within(t.x, w)) {
    throw new WidgetValueError(
      TAG,
      'trace',
      `${t.layer},${t.y + 1},${t.x + 1}`,
      `a row from 1 to ${h} and a column from 1 to ${w} for ${t.layer} (counted from 1)`,
    );
  }
}

/** The `trace` attribute: "pool1,row,column" or "pool2,row,column" (counted from 1), or none. */
export function parseTrace(value: string | null): { layer: string; y: number; x: number } | null {
  const v = (value ?? '').trim();
  if (v === '' || v === 'none') return null;
  const [layer, ...rest] = v.split(/[\s,]+/);
  const nums = rest.map(Number);
  if (
    !(POOLED as readonly string[]).includes(layer ?? '') ||
    nums.length !== 2 ||
    !nums.every((n) => Number.isInteger(n) && n >= 1)
  ) {
    throw new WidgetValueError(
      TAG,
      'trace',
      value ?? '',
      '"pool1,row,column" or "pool2,row,column" (counted from 1), or none',
    );
  }
  return { layer: layer!, y: nums[0]! - 1, x: nums[1]! - 1 };
}

export const POOLING_SPEC = defineSpec({
  tag: 'rf-pooling',
  summary:
    'A held-out digit, its feature map under one 3x3 kernel, and 2x2 max pooling applied twice; hover or focus a pooled unit to light every value it saw.',
  props: [
    digitProp(3, 'Which of the official MNIST test digits to show (0 to 9999).'),
    kernelProp(
      'horizontal-edge',
      'kernel="laplacian"',
      'The convolution kernel that makes the feature map.',
    ),
    digitsSrcProp(),
    {
      attribute: 'trace',
      property: 'traced',
      type: '{ layer: "pool1" | "pool2"; y: number; x: number } | null; the attribute is "layer,row,column", rows and columns counted from 1',
      default: null,
      parser: custom(
        (v) => {
          const t = parseTrace(v);
          if (t) checkTrace(t);
          return t;
        },
        (t) => (t ? `${t.layer},${t.y + 1},${t.x + 1}` : 'none'),
      ),
      example: 'trace="pool1,6,7"',
      description:
        'A pooled unit to trace without a pointer (a scroll step sets it): every value it saw lights up. Hovering or focusing another unit traces that one instead.',
    },
  ],
  events: [
    {
      name: 'rf-trace',
      detail: 'PoolTrace { layer: string; y: number; x: number; counts: Record<string, number> }',
      description: 'When a pooled unit is hovered or focused, with the traced counts.',
    },
  ],
  fallback: 'Put an image or a short description in the element; it shows until the script runs.',
  keyboard:
    'Tab into either pooled grid; arrow keys, Home and End move between units, and the focused unit is traced and announced.',
});
