import assert from 'node:assert/strict';
import {
  conv2d,
  layers,
  receptiveField,
  type SequentialModel,
  sequential,
  tensor,
} from '@receptive/core';

// What @receptive/core computes for the lecture's examples: the numbers the figures are checked
// against, never read back from the page's own code.

/** The lecture's 7 x 7 binary image, row by row. */
export const LECTURE = [
  '0000000',
  '0011100',
  '0111110',
  '0111000',
  '0111110',
  '0011100',
  '0000000',
];

/** {@link LECTURE} as a 1 x 1 x 7 x 7 tensor. */
export const LECTURE_IMAGE = tensor(Float32Array.from(LECTURE.join(''), Number), [1, 1, 7, 7]);

/** The name of one of the kernel lab's presets, as its `kernel` attribute takes it. */
export type KernelName = 'identity' | 'box-blur' | 'horizontal-edge' | 'laplacian';

/** The kernel lab's presets: 3 x 3 kernels, row by row. */
export const KERNELS: Record<KernelName, number[]> = {
  identity: [0, 0, 0, 0, 1, 0, 0, 0, 0],
  'box-blur': Array.from({ length: 9 }, () => 1 / 9),
  'horizontal-edge': [-1, -1, -1, 2, 2, 2, -1, -1, -1],
  laplacian: [0, -1, 0, -1, 4, -1, 0, -1, 0],
};

/**
 * The core's convolution of the lecture image with a 3 x 3 `kernel`, zero-padded by 1 if
 * `padding`, row by row.
 */
export function lectureConv(kernel: number[], padding = false): number[][] {
  const out = conv2d(LECTURE_IMAGE, tensor(Float32Array.from(kernel), [1, 1, 3, 3]), null, {
    padding: padding ? 1 : 0,
  });
  const [, , h, w] = out.shape as [number, number, number, number];
  return Array.from({ length: h }, (_, y) => Array.from(out.data.subarray(y * w, y * w + w)));
}

/** Asserts that `actual` has as many rows as `expected` and each value is within 1e-5 of it. */
export function assertGridClose(actual: number[][], expected: number[][], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: rows`);
  actual.forEach((row, y) => {
    row.forEach((v, x) => {
      assert.ok(
        Math.abs(v - expected[y]![x]!) < 1e-5,
        `${what}: [${y}][${x}] ${v} vs ${expected[y]![x]}`,
      );
    });
  });
}

/**
 * The pooling lesson's network on a 28 x 28 digit: a 3 x 3 convolution, then two 2 x 2 max
 * poolings (`conv1`, `pool1`, `pool2`). Only its geometry matters to what a unit sees.
 */
export const poolingNet = (): SequentialModel =>
  sequential(
    [
      layers.conv2d({ filters: 1, kernel: 3, bias: false }),
      layers.maxPool2d({ kernel: 2 }),
      layers.maxPool2d({ kernel: 2 }),
    ],
    { inputShape: [1, 28, 28] },
  );

/**
 * The cells of activation `from` (the input by default) that unit (y, x) of `layer` sees, traced
 * by the core's receptiveField, as sorted "y,x".
 */
export function cellsSeen(
  net: SequentialModel,
  layer: string,
  unit: { y: number; x: number },
  from = 'input',
): string[] {
  const r = receptiveField(net, layer, unit).path.find((p) => p.activation === from)!.region;
  const out: string[] = [];
  for (let yy = r.y0; yy <= r.y1; yy++)
    for (let xx = r.x0; xx <= r.x1; xx++) out.push(`${yy},${xx}`);
  return out.sort();
}
