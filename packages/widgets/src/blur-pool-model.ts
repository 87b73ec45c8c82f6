/**
 * What the BlurPool figure computes, with no DOM: the steps of BlurPool on a map and the
 * one-dimensional aliasing example. The Astro component builds its no-JavaScript table from the
 * same functions.
 */
import {
  binomialFilter,
  blurPool2d,
  conv2d,
  maxPool2d,
  type Tensor,
  tensor,
} from '@receptive/core';

/**
 * BlurPool's three steps on one map [1, 1, h, w], each a tensor: max 2 x 2 with stride 1, the
 * binomial blur with stride 1 (zero padding 1), and every second pixel of it, which is
 * `blurPool2d(x)`; and plain 2 x 2 max pooling for comparison.
 */
export function blurPoolStages(x: Tensor): {
  max: Tensor;
  blur: Tensor;
  keep: Tensor;
  plain: Tensor;
  core: Tensor;
} {
  const max = maxPool2d(x, { kernel: 2, stride: 1 });
  const k = binomialFilter(3);
  const blur = conv2d(max, tensor(k.data, [1, 1, 3, 3]), null, { padding: 1 });
  const [, , h, w] = blur.shape as [number, number, number, number];
  const oh = Math.ceil(h / 2);
  const ow = Math.ceil(w / 2);
  const keep = new Float32Array(oh * ow);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) keep[y * ow + x] = blur.data[2 * y * w + 2 * x]!;
  }
  return {
    max,
    blur,
    keep: tensor(keep, [1, 1, oh, ow]),
    plain: maxPool2d(x, { kernel: 2 }),
    core: blurPool2d(x),
  };
}

/**
 * The one-dimensional point: fine stripes 0 1 0 1 ..., kept at even or at odd positions, straight
 * or after the [1 2 1] / 4 blur (zero padding at the ends).
 */
export function aliasingExample(n = 10): {
  signal: number[];
  blurred: number[];
  even: number[];
  odd: number[];
  blurredEven: number[];
  blurredOdd: number[];
} {
  const signal = Array.from({ length: n }, (_, i) => i % 2);
  // The middle row of the 2D blur, normalised to sum 1: [1, 2, 1] / 4.
  const mid = binomialFilter(3).data.slice(3, 6);
  const sum = mid.reduce((a, b) => a + b, 0);
  const row = mid.map((v) => v / sum);
  const blurred = Array.from(
    conv2d(tensor(Float32Array.from(signal), [1, 1, 1, n]), tensor(row, [1, 1, 1, 3]), null, {
      padding: [0, 1],
    }).data,
  );
  const at = (a: number[], phase: number) => a.filter((_, i) => i % 2 === phase);
  return {
    signal,
    blurred,
    even: at(signal, 0),
    odd: at(signal, 1),
    blurredEven: at(blurred, 0),
    blurredOdd: at(blurred, 1),
  };
}
