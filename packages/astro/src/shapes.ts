/**
 * Shapes and counts the lesson's static figures show, computed with @receptive/core: nothing
 * here is typed in. Safe in the browser and in Node.
 */
import { layers, receptiveField, sequential } from '@receptive/core';

/** One convolution layer's shapes, as the ConvLayer figure lists them. */
export interface ConvLayerShapes {
  input: [number, number, number];
  /** Each filter: d x 3 x 3. */
  filter: [number, number, number];
  output: [number, number, number];
  weights: number;
  biases: number;
  parameters: number;
}

/**
 * k filters of size d x 3 x 3 (one bias each) on a d x h x w input, then ReLU, as a core model.
 * The output is k x (h - 2) x (w - 2): an unpadded 3 x 3 window fits h - 2 times down.
 * @example convLayerShapes(3, 1, 7, 7).output // [3, 5, 5]
 */
export function convLayerShapes(k: number, d: number, h: number, w: number): ConvLayerShapes {
  const net = sequential([layers.conv2d({ filters: k, kernel: 3 }), layers.relu()], {
    inputShape: [d, h, w],
  });
  const conv = net.layers[0]!;
  const [kk, hh, ww] = conv.outputShape as [number, number, number];
  const weights = k * d * 3 * 3;
  return {
    input: [d, h, w],
    filter: [d, 3, 3],
    output: [kk, hh, ww],
    weights,
    biases: net.parameterCount() - weights,
    parameters: net.parameterCount(),
  };
}

/** One row of {@link poolingChain}. */
export interface PoolingLevel {
  /** Activation name: input, conv1, pool1, pool2, ... */
  name: string;
  size: [number, number];
  /** Input pixels the top-left unit of this map depends on. */
  pixels: number;
  /** Height and width of that region. */
  region: [number, number];
  /** True when one unit of this map sees every input pixel. */
  whole: boolean;
}

/**
 * A 3 x 3 convolution on a size x size image, then 2 x 2 max pooling until the map is one unit
 * (or cannot be pooled again, or after `maxPools` poolings), traced with core's receptiveField. Pooling floors
 * (out = floor(in / 2)), so an odd last row or column is dropped and never seen.
 * @example poolingChain(6).map((l) => l.pixels) // [1, 9, 16, 36]
 */
export function poolingChain(size: number, maxPools = Number.POSITIVE_INFINITY): PoolingLevel[] {
  const specs = [layers.conv2d({ filters: 1, kernel: 3, bias: false })];
  let n = size - 2;
  while (n >= 2 && specs.length <= maxPools) {
    specs.push(layers.maxPool2d({ kernel: 2 }));
    n = Math.floor(n / 2);
  }
  const net = sequential(specs, { inputShape: [1, size, size] });
  const total = size * size;
  const rows: PoolingLevel[] = [
    { name: 'input', size: [size, size], pixels: 1, region: [1, 1], whole: total === 1 },
  ];
  for (const layer of net.layers) {
    const [, h, w] = layer.outputShape as [number, number, number];
    const field = receptiveField(net, layer.name, { y: 0, x: 0 });
    const r = field.region;
    rows.push({
      name: layer.name,
      size: [h, w],
      pixels: field.pixels,
      region: [r.y1 - r.y0 + 1, r.x1 - r.x0 + 1],
      whole: field.pixels === total,
    });
  }
  return rows;
}
