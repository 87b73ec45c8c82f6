import { ArgumentError } from './errors.js';
import type { Tensor } from './tensor.js';

/**
 * Layers are plain data: a `kind`, a `name`, hyperparameters and parameter tensors. Nothing is
 * hidden in closures, so a model can be inspected, drawn, saved as JSON or written as ONNX
 * (Conv, Relu, MaxPool, AveragePool, Flatten, Gemm, Softmax, LogSoftmax) from these fields.
 * `inputShape` and `outputShape` are per example (no batch axis).
 */
export type Layer =
  | Conv2dLayer
  | ReluLayer
  | MaxPool2dLayer
  | AvgPool2dLayer
  | BlurPool2dLayer
  | FlattenLayer
  | LinearLayer
  | SoftmaxLayer
  | LogSoftmaxLayer;

interface LayerBase {
  name: string;
  inputShape: number[];
  outputShape: number[];
}

/** Convolution: `weight` [filters, inChannels, kh, kw], `bias` [filters] or null. */
export interface Conv2dLayer extends LayerBase {
  kind: 'conv2d';
  filters: number;
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  weight: Tensor;
  bias: Tensor | null;
}
export interface ReluLayer extends LayerBase {
  kind: 'relu';
}
export interface MaxPool2dLayer extends LayerBase {
  kind: 'maxPool2d';
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
}
export interface AvgPool2dLayer extends LayerBase {
  kind: 'avgPool2d';
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
}
/** Max with stride 1, then a fixed binomial blur (`filter` wide) with `stride`: no parameters. */
export interface BlurPool2dLayer extends LayerBase {
  kind: 'blurPool2d';
  kernel: number;
  filter: number;
  stride: number;
}
export interface FlattenLayer extends LayerBase {
  kind: 'flatten';
}
/** Fully connected: `weight` [units, inFeatures] (ONNX Gemm transB = 1), `bias` [units] or null. */
export interface LinearLayer extends LayerBase {
  kind: 'linear';
  units: number;
  weight: Tensor;
  bias: Tensor | null;
}
export interface SoftmaxLayer extends LayerBase {
  kind: 'softmax';
}
export interface LogSoftmaxLayer extends LayerBase {
  kind: 'logSoftmax';
}

/** What `layers.*` return: a layer before `sequential` has given it shapes and parameters. */
export type LayerSpec =
  | {
      kind: 'conv2d';
      name?: string;
      filters: number;
      kernel: [number, number];
      stride: [number, number];
      padding: [number, number];
      useBias: boolean;
      weight?: Tensor;
      bias?: Tensor | null;
    }
  | {
      kind: 'maxPool2d' | 'avgPool2d';
      name?: string;
      kernel: [number, number];
      stride: [number, number];
      padding: [number, number];
    }
  | { kind: 'blurPool2d'; name?: string; kernel: number; filter: number; stride: number }
  | {
      kind: 'linear';
      name?: string;
      units: number;
      useBias: boolean;
      weight?: Tensor;
      bias?: Tensor | null;
    }
  | { kind: 'relu' | 'flatten' | 'softmax' | 'logSoftmax'; name?: string };

type Pair = number | readonly [number, number];
function toPair(
  op: string,
  what: string,
  v: Pair | undefined,
  fallback: [number, number],
  min: number,
): [number, number] {
  const p: [number, number] =
    v === undefined ? fallback : typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((x) => Number.isInteger(x) && x >= min)) {
    throw new ArgumentError(
      op,
      `${what} must be an integer >= ${min} (or a pair of them), received ${JSON.stringify(v)}`,
    );
  }
  return p;
}

/** `v`, checked to be a whole number >= 1 (`what` of `op`, e.g. filters of layers.conv2d). */
function count(op: string, what: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) {
    throw new ArgumentError(op, `${what} must be an integer >= 1, received ${v}`);
  }
  return v;
}

/** Options of the layers with weights (conv2d, linear). */
interface TrainableOptions {
  /** Whether the layer adds a bias. Default true. */
  bias?: boolean;
  name?: string;
  /** The weights to start from; else a seeded init. */
  weight?: Tensor;
  /** The biases to start from; else zeros. */
  biasValues?: Tensor | null;
}

/** The bias switch and the given weight and bias values of a conv2d or linear spec. */
function trainable(o: TrainableOptions) {
  return { useBias: o.bias ?? true, weight: o.weight, bias: o.biasValues };
}

/** Options of max and average pooling. */
interface PoolOptions {
  kernel: Pair;
  stride?: Pair;
  padding?: Pair;
  name?: string;
}

/** The constructor of a layer with nothing to set but its name. */
const unparameterized =
  (kind: 'relu' | 'flatten' | 'softmax' | 'logSoftmax') =>
  (o: { name?: string } = {}): LayerSpec => ({ kind, name: o.name });

/** The spec of a max or average pooling layer; its stride defaults to the window. */
function poolSpec(kind: 'maxPool2d' | 'avgPool2d', o: PoolOptions): LayerSpec {
  const op = `layers.${kind}`;
  const kernel = toPair(op, 'kernel', o.kernel, [0, 0], 1);
  return {
    kind,
    name: o.name,
    kernel,
    stride: toPair(op, 'stride', o.stride, kernel, 1),
    padding: toPair(op, 'padding', o.padding, [0, 0], 0),
  } as LayerSpec;
}

/**
 * Layer constructors for {@link sequential}. Input sizes (channels, features) are inferred
 * from the model's input shape, so a layer names only what the lecture's diagrams name.
 *
 * @example
 * sequential([
 *   layers.conv2d({ filters: 8, kernel: 3 }), layers.relu(), layers.maxPool2d({ kernel: 2 }),
 *   layers.flatten(), layers.linear({ units: 10 }), layers.softmax(),
 * ], { inputShape: [1, 28, 28], seed: 1 });
 */
export const layers = {
  /** k filters of size C x kh x kw, one bias each. Weight and bias may be given; else seeded init. */
  conv2d(
    o: { filters: number; kernel: Pair; stride?: Pair; padding?: Pair } & TrainableOptions,
  ): LayerSpec {
    return {
      kind: 'conv2d',
      name: o.name,
      filters: count('layers.conv2d', 'filters', o.filters),
      kernel: toPair('layers.conv2d', 'kernel', o.kernel, [0, 0], 1),
      stride: toPair('layers.conv2d', 'stride', o.stride, [1, 1], 1),
      padding: toPair('layers.conv2d', 'padding', o.padding, [0, 0], 0),
      ...trainable(o),
    } as LayerSpec;
  },
  relu: unparameterized('relu'),
  /** Max pooling; stride defaults to the window (2x2 windows that do not overlap). */
  maxPool2d(o: PoolOptions): LayerSpec {
    return poolSpec('maxPool2d', o);
  },
  avgPool2d(o: PoolOptions): LayerSpec {
    return poolSpec('avgPool2d', o);
  },
  /** Anti-aliased pooling (max 2x2 stride 1, then binomial blur stride 2 by default). */
  blurPool2d(
    o: { kernel?: number; filter?: number; stride?: number; name?: string } = {},
  ): LayerSpec {
    return {
      kind: 'blurPool2d',
      name: o.name,
      kernel: o.kernel ?? 2,
      filter: o.filter ?? 3,
      stride: o.stride ?? 2,
    } as LayerSpec;
  },
  flatten: unparameterized('flatten'),
  /** Fully connected with `units` outputs. */
  linear(o: { units: number } & TrainableOptions): LayerSpec {
    return {
      kind: 'linear',
      name: o.name,
      units: count('layers.linear', 'units', o.units),
      ...trainable(o),
    } as LayerSpec;
  },
  softmax: unparameterized('softmax'),
  logSoftmax: unparameterized('logSoftmax'),
};
