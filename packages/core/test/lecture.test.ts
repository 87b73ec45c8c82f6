// The worked examples of the lecture, reproduced exactly.
import { describe, expect, it } from 'vitest';
import {
  conv2d,
  explainConv2d,
  explainMaxPool2d,
  layers,
  maxPool2d,
  receptiveField,
  sequential,
  type Tensor,
  tensor,
  toNested,
} from '../src/index.js';

// The lecture's 7x7 input image.
const IMAGE = [
  [0, 0, 0, 0, 0, 0, 0],
  [0, 0, 1, 1, 1, 0, 0],
  [0, 1, 1, 1, 1, 1, 0],
  [0, 1, 1, 1, 0, 0, 0],
  [0, 1, 1, 1, 1, 1, 0],
  [0, 0, 1, 1, 1, 0, 0],
  [0, 0, 0, 0, 0, 0, 0],
];
const image = tensor(IMAGE.flat(), [1, 1, 7, 7]);
const kernel = (rows: number[][]): Tensor => tensor(rows.flat(), [1, 1, 3, 3]);
const IDENTITY = kernel([
  [0, 0, 0],
  [0, 1, 0],
  [0, 0, 0],
]);
const BOX = kernel([
  [1 / 9, 1 / 9, 1 / 9],
  [1 / 9, 1 / 9, 1 / 9],
  [1 / 9, 1 / 9, 1 / 9],
]);
const HORIZONTAL_EDGE = kernel([
  [-1, -1, -1],
  [2, 2, 2],
  [-1, -1, -1],
]);
const LAPLACIAN = kernel([
  [0, -1, 0],
  [-1, 4, -1],
  [0, -1, 0],
]);
const plane = (t: Tensor): number[][] => (toNested(t) as number[][][][])[0]![0]!;
/** The plane in ninths, rounded to 4 decimals: the box kernel's sums as the slides write them. */
const ninths = (t: Tensor): number[][] =>
  plane(t).map((r) => r.map((v) => Math.round(v * 9 * 1e4) / 1e4));

describe('convolution on the lecture 7x7 image', () => {
  it('identity kernel without padding gives the 5x5 interior', () => {
    expect(plane(conv2d(image, IDENTITY))).toEqual([
      [0, 1, 1, 1, 0],
      [1, 1, 1, 1, 1],
      [1, 1, 1, 0, 0],
      [1, 1, 1, 1, 1],
      [0, 1, 1, 1, 0],
    ]);
  });

  it('identity kernel with zero padding 1 gives back the image, same size', () => {
    expect(plane(conv2d(image, IDENTITY, null, { padding: 1 }))).toEqual(IMAGE);
  });

  it('1/9 box kernel gives the slide numbers 3 5 6 5 3 ... over 9', () => {
    expect(ninths(conv2d(image, BOX))).toEqual([
      [3, 5, 6, 5, 3],
      [5, 8, 8, 6, 3],
      [6, 9, 8, 7, 4],
      [5, 8, 8, 6, 3],
      [3, 5, 6, 5, 3],
    ]);
    // And the values themselves, not only after rounding.
    const y = conv2d(image, BOX);
    expect(Math.abs(y.data[0]! - 3 / 9)).toBeLessThan(1e-7);
  });

  it('1/9 box kernel with zero padding', () => {
    expect(ninths(conv2d(image, BOX, null, { padding: 1 }))).toEqual([
      [0, 1, 2, 3, 2, 1, 0],
      [1, 3, 5, 6, 5, 3, 1],
      [2, 5, 8, 8, 6, 3, 1],
      [3, 6, 9, 8, 7, 4, 2],
      [2, 5, 8, 8, 6, 3, 1],
      [1, 3, 5, 6, 5, 3, 1],
      [0, 1, 2, 3, 2, 1, 0],
    ]);
  });

  it('horizontal edge kernel, without and with padding', () => {
    expect(plane(conv2d(image, HORIZONTAL_EDGE))).toEqual([
      [0, 1, 3, 1, 0],
      [1, 1, 1, 3, 3],
      [0, 0, -2, -4, -4],
      [1, 1, 1, 3, 3],
      [0, 1, 3, 1, 0],
    ]);
    expect(plane(conv2d(image, HORIZONTAL_EDGE, null, { padding: 1 }))).toEqual([
      [0, -1, -2, -3, -2, -1, 0],
      [-1, 0, 1, 3, 1, 0, -1],
      [1, 1, 1, 1, 3, 3, 2],
      [0, 0, 0, -2, -4, -4, -2],
      [1, 1, 1, 1, 3, 3, 2],
      [-1, 0, 1, 3, 1, 0, -1],
      [0, -1, -2, -3, -2, -1, 0],
    ]);
  });

  it('Laplacian edge kernel, without and with padding', () => {
    expect(plane(conv2d(image, LAPLACIAN))).toEqual([
      [-2, 2, 1, 2, -2],
      [2, 0, 0, 1, 3],
      [1, 0, 1, -3, -2],
      [2, 0, 0, 1, 3],
      [-2, 2, 1, 2, -2],
    ]);
    expect(plane(conv2d(image, LAPLACIAN, null, { padding: 1 }))).toEqual([
      [0, 0, -1, -1, -1, 0, 0],
      [0, -2, 2, 1, 2, -2, 0],
      [-1, 2, 0, 0, 1, 3, -1],
      [-1, 1, 0, 1, -3, -2, 0],
      [-1, 2, 0, 0, 1, 3, -1],
      [0, -2, 2, 1, 2, -2, 0],
      [0, 0, -1, -1, -1, 0, 0],
    ]);
  });

  it('three filters stack into a 3 x (h-2) x (w-2) feature map, one bias each', () => {
    const w = tensor([...BOX.data, ...HORIZONTAL_EDGE.data, ...LAPLACIAN.data], [3, 1, 3, 3]);
    const y = conv2d(image, w, tensor([0, 1, -1]));
    expect(y.shape).toEqual([1, 3, 5, 5]);
    expect(y.data[25]).toBe(0 + 1); // edge output at (0, 0) plus bias 1
  });

  it('explains the box output at the top left with the real numbers', () => {
    const e = explainConv2d(image, BOX, null, {}, { channel: 0, y: 0, x: 0 });
    expect(e.window[0]).toEqual([
      [0, 0, 0],
      [0, 0, 1],
      [0, 1, 1],
    ]);
    expect(e.products[0]!.flat().filter((p) => p !== 0)).toHaveLength(3);
    expect(e.sum).toBeCloseTo(3 / 9, 6);
    expect(e.bias).toBe(0);
    expect(e.result).toBeCloseTo(conv2d(image, BOX).data[0]!, 6);
  });

  it('explains a padded corner output: padding cells are outside and hold 0', () => {
    const e = explainConv2d(image, IDENTITY, null, { padding: 1 }, { channel: 0, y: 0, x: 0 });
    expect(e.rows).toEqual([-1, 0, 1]);
    expect(e.inside).toEqual([
      [false, false, false],
      [false, true, true],
      [false, true, true],
    ]);
  });
});

describe('max pooling and (slight) shift invariance', () => {
  const pool = (rows: number[][]): number => {
    const h = rows.length;
    const w = rows[0]!.length;
    return maxPool2d(tensor(rows.flat(), [1, 1, h, w]), { kernel: 2 }).data[0]!;
  };

  it('a small shift of the 1 inside the 2x2 window gives the same output', () => {
    const shifts = [
      [
        [1, 0],
        [0, 0],
      ],
      [
        [0, 1],
        [0, 0],
      ],
      [
        [0, 0],
        [1, 0],
      ],
      [
        [0, 0],
        [0, 1],
      ],
    ];
    expect(shifts.map(pool)).toEqual([1, 1, 1, 1]);
  });

  it('a bigger shift changes the output', () => {
    expect(
      pool([
        [1, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
      ]),
    ).toBe(1);
    expect(
      pool([
        [0, 0, 1],
        [0, 0, 0],
        [0, 0, 0],
      ]),
    ).toBe(0);
  });

  it('explains which input won a pooled pixel', () => {
    const x = tensor([0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [1, 1, 4, 4]);
    const e = explainMaxPool2d(x, { kernel: 2 }, { channel: 0, y: 0, x: 1 });
    expect(e.argmax).toEqual({ y: 0, x: 3 });
    expect(e.result).toBe(7);
    expect(e.count).toBe(4);
  });

  it('conv 3x3 then max pool 2x2: one pooled pixel sees 16 input pixels; pooling again sees more', () => {
    const net = sequential(
      [
        layers.conv2d({ filters: 1, kernel: 3, bias: false }),
        layers.maxPool2d({ kernel: 2 }),
        layers.maxPool2d({ kernel: 2 }),
      ],
      { inputShape: [1, 10, 10] },
    );
    const rf = receptiveField(net, 'pool1', { y: 1, x: 1 });
    expect(rf.pixels).toBe(16);
    expect(rf.region).toEqual({ y0: 2, y1: 5, x0: 2, x1: 5 });
    // Pool again: 10x10 -> conv 8x8 -> pool 4x4 -> pool 2x2; one pixel sees 6x6 of the input.
    expect(receptiveField(net, 'pool2', { y: 0, x: 0 }).size).toEqual([6, 6]);
  });
});
