import { type LayerSpec, layers, sequential } from '@receptive/core';

/**
 * The three digit classifiers the first lesson compares, built with @receptive/core so that the
 * tensor shapes and parameter counts the page shows are the core's, not typed in.
 */
export interface Architecture {
  id: 'logreg' | 'mlp' | 'cnn';
  name: string;
  layers: () => LayerSpec[];
  /** The lecture's symbol for each learned tensor, in the core's parameter order. */
  symbols: string[];
}

export interface ParamTensor {
  name: string;
  shape: number[];
  count: number;
}

export const ARCHITECTURES: Architecture[] = [
  {
    id: 'logreg',
    name: 'Logistic regression',
    layers: () => [layers.flatten(), layers.linear({ units: 10 }), layers.softmax()],
    symbols: ['W', 'b'],
  },
  {
    id: 'mlp',
    name: 'Multilayer perceptron',
    layers: () => [
      layers.flatten(),
      layers.linear({ units: 512 }),
      layers.relu(),
      layers.linear({ units: 10 }),
      layers.softmax(),
    ],
    symbols: ['W1', 'b1', 'W2', 'b2'],
  },
  {
    id: 'cnn',
    name: 'Convolutional network',
    layers: () => [
      layers.conv2d({ filters: 8, kernel: 3 }),
      layers.relu(),
      layers.maxPool2d({ kernel: 2 }),
      layers.conv2d({ filters: 16, kernel: 3 }),
      layers.relu(),
      layers.maxPool2d({ kernel: 2 }),
      layers.flatten(),
      layers.linear({ units: 10 }),
      layers.softmax(),
    ],
    symbols: ['K1', 'c1', 'K2', 'c2', 'W', 'b'],
  },
];

/** Every learned tensor of `arch` on a 1 x 28 x 28 digit, with the lecture's symbol. */
export function parameterTensors(arch: Architecture): ParamTensor[] {
  const model = sequential(arch.layers(), { inputShape: [1, 28, 28] });
  return model.parameters().map((p, i) => ({
    name: arch.symbols[i]!,
    // The lecture writes x·W, so a linear weight reads [in, out]; the core stores [out, in].
    shape:
      model.layer(p.layer).kind === 'linear' ? [...p.value.shape].reverse() : [...p.value.shape],
    count: p.value.data.length,
  }));
}

export const parameterCount = (arch: Architecture): number =>
  parameterTensors(arch).reduce((sum, t) => sum + t.count, 0);
