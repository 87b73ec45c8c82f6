import { layers, type SequentialModel, sequential } from '../../src/index.js';

/**
 * The lecture's two-block CNN (conv relu maxpool, conv relu maxpool, flatten, linear(10),
 * softmax) with `c1` and `c2` 3 x 3 kernels, small by default so tests stay quick. `pad2` pads
 * the second conv; `hidden` puts a linear(hidden) and a ReLU before the ten outputs; `input`
 * replaces the 1 x size x size input.
 */
export function twoBlockCnn({
  size = 28,
  c1 = 4,
  c2 = 6,
  seed = 1,
  pad2 = 0,
  hidden,
  input = [1, size, size],
}: {
  size?: number;
  c1?: number;
  c2?: number;
  seed?: number;
  pad2?: number;
  hidden?: number;
  input?: number[];
} = {}): SequentialModel {
  return sequential(
    [
      layers.conv2d({ filters: c1, kernel: 3 }),
      layers.relu(),
      layers.maxPool2d({ kernel: 2 }),
      layers.conv2d({ filters: c2, kernel: 3, padding: pad2 }),
      layers.relu(),
      layers.maxPool2d({ kernel: 2 }),
      layers.flatten(),
      ...(hidden === undefined ? [] : [layers.linear({ units: hidden }), layers.relu()]),
      layers.linear({ units: 10 }),
      layers.softmax(),
    ],
    { inputShape: input, seed },
  );
}

/** The lecture's digit CNN itself: 8 then 16 kernels on 28 x 28 digits. */
export const digitCnn = (seed = 1): SequentialModel => twoBlockCnn({ c1: 8, c2: 16, seed });
