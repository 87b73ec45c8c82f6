/**
 * The three digit classifiers the first lesson compares, described by their layers so that the
 * parameter counts the page shows are computed from the shapes rather than typed in.
 */
export type Layer =
  | { kind: 'conv'; filters: number; kernel: number }
  | { kind: 'relu' }
  | { kind: 'maxpool'; size: number }
  | { kind: 'flatten' }
  | { kind: 'linear'; units: number }
  | { kind: 'softmax' };

export interface ParamTensor {
  name: string;
  shape: number[];
  count: number;
}

export interface Architecture {
  id: 'logreg' | 'mlp' | 'cnn';
  name: string;
  layers: Layer[];
}

/** MNIST digits: one channel of 28 x 28 pixels. */
export const INPUT_SHAPE = [1, 28, 28] as const;

export const ARCHITECTURES: Architecture[] = [
  {
    id: 'logreg',
    name: 'Logistic regression',
    layers: [{ kind: 'flatten' }, { kind: 'linear', units: 10 }, { kind: 'softmax' }],
  },
  {
    id: 'mlp',
    name: 'Multilayer perceptron',
    layers: [
      { kind: 'flatten' },
      { kind: 'linear', units: 512 },
      { kind: 'relu' },
      { kind: 'linear', units: 10 },
      { kind: 'softmax' },
    ],
  },
  {
    id: 'cnn',
    name: 'Convolutional network',
    layers: [
      { kind: 'conv', filters: 8, kernel: 3 },
      { kind: 'relu' },
      { kind: 'maxpool', size: 2 },
      { kind: 'conv', filters: 16, kernel: 3 },
      { kind: 'relu' },
      { kind: 'maxpool', size: 2 },
      { kind: 'flatten' },
      { kind: 'linear', units: 10 },
      { kind: 'softmax' },
    ],
  },
];

const product = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

/**
 * Walks the layers from the input shape and lists every learned tensor with its shape.
 * Convolutions are unpadded with stride 1 (out = in - k + 1); pooling floors (out = floor(in / s)),
 * dropping a last odd row or column.
 */
export function parameterTensors(arch: Architecture): ParamTensor[] {
  let shape: number[] = [...INPUT_SHAPE];
  const tensors: ParamTensor[] = [];
  let index = 0;
  for (const layer of arch.layers) {
    switch (layer.kind) {
      case 'conv': {
        index += 1;
        const [c, h, w] = shape as [number, number, number];
        const kShape = [layer.filters, c, layer.kernel, layer.kernel];
        tensors.push({ name: `K${index}`, shape: kShape, count: product(kShape) });
        tensors.push({ name: `c${index}`, shape: [layer.filters], count: layer.filters });
        shape = [layer.filters, h - layer.kernel + 1, w - layer.kernel + 1];
        break;
      }
      case 'maxpool': {
        const [c, h, w] = shape as [number, number, number];
        shape = [c, Math.floor(h / layer.size), Math.floor(w / layer.size)];
        break;
      }
      case 'flatten':
        shape = [product(shape)];
        break;
      case 'linear': {
        index += 1;
        const inputs = shape[0]!;
        const suffix = arch.layers.filter((l) => l.kind === 'linear').length > 1 ? index : '';
        tensors.push({
          name: `W${suffix}`,
          shape: [inputs, layer.units],
          count: inputs * layer.units,
        });
        tensors.push({ name: `b${suffix}`, shape: [layer.units], count: layer.units });
        shape = [layer.units];
        break;
      }
      case 'relu':
      case 'softmax':
        break;
    }
  }
  return tensors;
}

export const parameterCount = (arch: Architecture): number =>
  parameterTensors(arch).reduce((sum, t) => sum + t.count, 0);
