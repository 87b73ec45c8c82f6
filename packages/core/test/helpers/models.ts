import { layers, type SequentialModel, sequential } from '../../src/index.js';

/**
 * The lecture's two-block CNN (conv relu maxpool, conv relu maxpool, flatten, linear(10),
 * softmax) with `c1` and `c2` 3 x 3 kernels, small by default so tests stay quick.
 */
export function twoBlockCnn({
  size = 28,
  c1 = 4,
  c2 = 6,
  seed = 1,
}: {
  size?: number;
  c1?: number;
  c2?: number;
  seed?: number;
} = {}): SequentialModel {
  return sequential(
    [
      layers.conv2d({ filters: c1, kernel: 3 }),
      layers.relu(),
      layers.maxPool2d({ kernel: 2 }),
      layers.conv2d({ filters: c2, kernel: 3 }),
      layers.relu(),
      layers.maxPool2d({ kernel: 2 }),
      layers.flatten(),
      layers.linear({ units: 10 }),
      layers.softmax(),
    ],
    { inputShape: [1, size, size], seed },
  );
}
