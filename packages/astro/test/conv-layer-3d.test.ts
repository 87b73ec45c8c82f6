import { conv2d, layers, relu, sequential, tensor } from '@receptive/core';
import {
  CONV3D_LIMITS,
  checkTrace,
  convLayer3d,
  convLayer3dSentence,
  filterWeights,
  inputChannel,
  KERNEL_PRESETS,
  LECTURE_IMAGE,
  parseTrace,
  parseUnit,
  poolingMapSizes,
} from '@receptive/widgets/specs';
import { describe, expect, it } from 'vitest';
import { checkProps } from '../src/docs.ts';
import { convLayerShapes } from '../src/shapes.ts';

// The layer <rf-conv-layer-3d> draws and <ConvLayer3D> prints without JavaScript.
describe('convLayer3d', () => {
  it('has the shapes and parameter counts of the ConvLayer table, for every k and d allowed', () => {
    const [kMin, kMax] = CONV3D_LIMITS.filters;
    const [dMin, dMax] = CONV3D_LIMITS.channels;
    for (let k = kMin; k <= kMax; k++) {
      for (let d = dMin; d <= dMax; d++) {
        const layer = convLayer3d(k, d);
        const s = convLayerShapes(k, d, 7, 7);
        expect(layer.inputShape).toEqual(s.input);
        expect(layer.outputShape).toEqual(s.output);
        expect([layer.weightCount, layer.biasCount, layer.parameters]).toEqual([
          s.weights,
          s.biases,
          s.parameters,
        ]);
        expect(layer.output).toHaveLength(k * 25);
      }
    }
    expect(convLayer3dSentence(convLayer3d(3, 1))).toBe(
      'Output 3 × 5 × 5: 3 filters of 1 × 3 × 3 on a 1 × 7 × 7 input, then ReLU; 30 parameters (27 weights and 3 biases).',
    );
    expect(convLayer3dSentence(convLayer3d(1, 2))).toMatch(
      /^Output 1 × 5 × 5: 1 filter of 2 × 3 × 3 .* 19 parameters \(18 weights and 1 bias\)\.$/,
    );
  });

  it("is the core's conv2d plus bias, then ReLU, of the lecture image and kernels", () => {
    const layer = convLayer3d(3, 1);
    expect(Array.from(layer.input)).toEqual(Array.from(LECTURE_IMAGE));
    expect(Array.from(layer.weights.subarray(9, 18))).toEqual(KERNEL_PRESETS['horizontal-edge']);
    const z = conv2d(
      tensor(LECTURE_IMAGE, [1, 1, 7, 7]),
      tensor(layer.weights, [3, 1, 3, 3]),
      tensor(layer.biases, [3]),
    );
    expect(Array.from(layer.preactivation)).toEqual(Array.from(z.data));
    expect(Array.from(layer.output)).toEqual(Array.from(relu(z).data));
    // ReLU did something: the edge filter's negative responses are gone.
    expect(Math.min(...layer.preactivation)).toBeLessThan(0);
    expect(Math.min(...layer.output)).toBe(0);
    // The blur with bias -0.5 keeps only windows more than half white: the top row reads
    // 3, 5, 6, 5, 3 ninths of white, so only 5/9 and 6/9 survive.
    const top = Array.from(layer.output.subarray(0, 5)).map((v) => Math.round(v * 18));
    expect(top).toEqual([0, 1, 3, 1, 0]);
  });

  it('gives every input channel a different turn of the image, and filters that do not depend on k', () => {
    const channels = Array.from({ length: 8 }, (_, c) => Array.from(inputChannel(c)).join(''));
    expect(new Set(channels).size).toBe(8);
    expect(channels[0]).toBe(Array.from(LECTURE_IMAGE).join(''));
    const sum = (a: Float32Array) => a.reduce((s, v) => s + v, 0);
    for (let c = 0; c < 4; c++) expect(sum(inputChannel(c))).toBe(sum(LECTURE_IMAGE));
    for (let c = 4; c < 8; c++) expect(sum(inputChannel(c))).toBe(49 - sum(LECTURE_IMAGE));
    expect(convLayer3d(5, 2).weights.subarray(0, 4 * 18)).toEqual(
      convLayer3d(4, 2).weights.subarray(0, 4 * 18),
    );
    expect(filterWeights(4, 3)).toEqual(filterWeights(4, 3));
    // d channels of a lecture filter add up to the lecture kernel.
    const blur = filterWeights(0, 4).weights;
    for (let i = 0; i < 9; i++) {
      expect(blur[i]! + blur[9 + i]! + blur[18 + i]! + blur[27 + i]!).toBeCloseTo(1 / 9, 6);
    }
  });

  it('agrees with a core model built from the same weights for a multi-channel input', () => {
    const layer = convLayer3d(4, 3);
    const net = sequential(
      [
        layers.conv2d({
          filters: 4,
          kernel: 3,
          weight: tensor(layer.weights, [4, 3, 3, 3]),
          biasValues: tensor(layer.biases, [4]),
        }),
        layers.relu(),
      ],
      { inputShape: [3, 7, 7] },
    );
    expect(Array.from(net.forward(tensor(layer.input, [1, 3, 7, 7])).data)).toEqual(
      Array.from(layer.output),
    );
  });

  it('refuses k and d out of range, and bad units, naming what it expects', () => {
    expect(() => convLayer3d(9, 1)).toThrow(
      '<rf-conv-layer-3d> filters: received "9", expected a whole number from 1 to 8',
    );
    expect(() => convLayer3d(1, 0)).toThrow('expected a whole number from 1 to 8');
    expect(parseUnit('2,3,4')).toEqual({ filter: 1, y: 2, x: 3 });
    expect(parseUnit(null)).toBeNull();
    expect(parseUnit('none')).toBeNull();
    expect(() => parseUnit('0,1,1')).toThrow('three whole numbers counted from 1');
    expect(() => checkProps('ConvLayer3D', { filters: 12 })).toThrow(
      '<ConvLayer3D> filters: received 12, expected a whole number from 1 to 8',
    );
    expect(() =>
      checkProps('ConvLayer3D', {
        steps: { one: { filters: 1, unit: null }, two: { unit: '1,2,3' } },
      }),
    ).not.toThrow();
    expect(() => checkProps('ConvLayer3D', { steps: { one: { kernels: 2 } } })).toThrow(
      'expected one of filters, channels, unit',
    );
    expect(() => checkProps('Pooling', { trace: 'pool3,1,1' })).toThrow('<Pooling> trace');
    expect(() =>
      checkProps('Pooling', { steps: { a: { trace: 'pool1,6,7' }, b: { trace: null } } }),
    ).not.toThrow();
  });

  it('checks a traced unit against the layer of its step, or of the component', () => {
    expect(() => checkProps('ConvLayer3D', { filters: 2, unit: '3,1,1' })).toThrow(
      '<ConvLayer3D> unit: received "3,1,1", expected a filter from 1 to 2, a row from 1 to 5 and a column from 1 to 5 (counted from 1) for 2 filters',
    );
    // Without filters, the element's default k (3).
    expect(() => checkProps('ConvLayer3D', { unit: '3,5,5' })).not.toThrow();
    expect(() => checkProps('ConvLayer3D', { unit: '4,1,1' })).toThrow('a filter from 1 to 3');
    expect(() => checkProps('ConvLayer3D', { unit: '1,6,1' })).toThrow('a row from 1 to 5');
    expect(() =>
      checkProps('ConvLayer3D', { steps: { one: { filters: 1, unit: '3,1,1' } } }),
    ).toThrow('<ConvLayer3D> steps: received "3,1,1" in step "one", expected a filter from 1 to 1');
    // A step without filters takes the component's.
    expect(() =>
      checkProps('ConvLayer3D', { filters: 4, steps: { a: { unit: '4,5,1' } } }),
    ).not.toThrow();
    expect(() =>
      checkProps('ConvLayer3D', { filters: 2, steps: { a: { unit: '4,5,1' } } }),
    ).toThrow('in step "a", expected a filter from 1 to 2');
    expect(() =>
      checkProps('ConvLayer3D', { filters: 1, steps: { a: { filters: 4, unit: '4,1,1' } } }),
    ).not.toThrow();
    expect(() => checkProps('ConvLayer3D', { steps: { a: { unit: '1,1,6' } } })).toThrow(
      'a column from 1 to 5',
    );
  });
});

describe('pooling traces', () => {
  it("are bounded by the pooled maps' sizes, which the core computes for a 28 x 28 digit", () => {
    const net = sequential(
      [
        layers.conv2d({ filters: 1, kernel: 3, bias: false }),
        layers.maxPool2d({ kernel: 2 }),
        layers.maxPool2d({ kernel: 2 }),
      ],
      { inputShape: [1, 28, 28] },
    );
    const sizes = Object.fromEntries(
      net.layers.slice(1).map((l) => [l.name, (l.outputShape as number[]).slice(1)]),
    );
    expect(poolingMapSizes()).toEqual(sizes);
    const [h1, w1] = sizes['pool1']!;
    const [h2, w2] = sizes['pool2']!;
    expect(() => checkProps('Pooling', { trace: `pool1,${h1},${w1}` })).not.toThrow();
    expect(() => checkProps('Pooling', { trace: `pool1,${h1! + 1},1` })).toThrow(
      `<Pooling> trace: received "pool1,${h1! + 1},1", expected a row from 1 to ${h1} and a column from 1 to ${w1} for pool1`,
    );
    expect(() => checkProps('Pooling', { trace: 'pool1,40,1' })).toThrow('<Pooling> trace');
    expect(() => checkProps('Pooling', { trace: `pool2,${h2},${w2! + 1}` })).toThrow(
      `a row from 1 to ${h2} and a column from 1 to ${w2} for pool2`,
    );
    expect(() => checkProps('Pooling', { steps: { a: { trace: `pool2,${h2! + 1},1` } } })).toThrow(
      '<Pooling> steps',
    );
  });

  it("are parsed by the element's own parser: none clears, as it does in the browser", () => {
    expect(parseTrace('pool2, 3, 4')).toEqual({ layer: 'pool2', y: 2, x: 3 });
    expect(parseTrace('none')).toBeNull();
    expect(parseTrace('')).toBeNull();
    expect(() => parseTrace('pool1,0,1')).toThrow('counted from 1');
    expect(() => checkProps('Pooling', { trace: 'none' })).not.toThrow();
    expect(() => checkProps('Pooling', { steps: { a: { trace: 'none' } } })).not.toThrow();
    expect(() => checkTrace({ layer: 'pool1', y: 0, x: -1 })).toThrow('<rf-pooling> trace');
  });
});
