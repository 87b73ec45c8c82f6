/**
 * Models that PyTorch's exporter and Keras wrote (test/fixtures, made by make-pytorch-fixtures.py
 * and make-keras-fixtures.py with the versions they name): fromOnnx reads the sequential ones, and every layer the core computes from
 * them matches onnxruntime-node's value of the same node to 1e-5; the ones it cannot read get a
 * message that names the operator, the node and its place.
 */
import { readFileSync } from 'node:fs';
import { tensor } from '@receptive/core';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { fromOnnx, importOnnx, type UnsupportedOnnxError } from '../src/index.js';
import { decodeModel, encodeModel } from '../src/proto.js';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

/** The model with each of `values` also a graph output, so onnxruntime returns each one. */
function withOutputs(bytes: Uint8Array, values: readonly string[]): Uint8Array {
  const msg = decodeModel(bytes);
  const outputs = new Set((msg.graph!.output ?? []).map((o) => o.name));
  for (const name of values) {
    if (!outputs.has(name)) {
      msg.graph!.output!.push({ name, type: { tensorType: { elemType: 1 } } });
    }
  }
  return encodeModel(msg);
}

/** A channels-last H x W x C map (one example) in channels-first C x H x W order. */
function hwcToChw(data: Float32Array, [c, h, w]: readonly number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let ch = 0; ch < c!; ch++)
    for (let y = 0; y < h!; y++)
      for (let x = 0; x < w!; x++) out[ch * h! * w! + y * w! + x] = data[(y * w! + x) * c! + ch]!;
  return out;
}

/** The inverse: C x H x W to H x W x C, to feed a channels-last file. */
function chwToHwc(data: Float32Array, [c, h, w]: readonly number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let ch = 0; ch < c!; ch++)
    for (let y = 0; y < h!; y++)
      for (let x = 0; x < w!; x++) out[(y * w! + x) * c! + ch] = data[ch * h! * w! + y * w! + x]!;
  return out;
}

/** Seeded uniform [0, 1) inputs. */
function inputs(shape: readonly number[], count: number, seed: number): Float32Array[] {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const size = shape.reduce((a, b) => a * b, 1);
  return Array.from({ length: count }, () => Float32Array.from({ length: size }, next));
}

const READABLE: [string, string[]][] = [
  [
    'torch-cnn-opset13.onnx',
    ['conv2d', 'relu', 'maxPool2d', 'conv2d', 'relu', 'maxPool2d', 'flatten', 'linear', 'softmax'],
  ],
  [
    'torch-cnn-opset17.onnx',
    ['conv2d', 'relu', 'maxPool2d', 'conv2d', 'relu', 'maxPool2d', 'flatten', 'linear', 'softmax'],
  ],
  [
    'torch-bn-folded.onnx',
    ['conv2d', 'relu', 'avgPool2d', 'conv2d', 'relu', 'flatten', 'linear', 'logSoftmax'],
  ],
  [
    'torch-bn-kept.onnx',
    ['conv2d', 'relu', 'avgPool2d', 'conv2d', 'relu', 'flatten', 'linear', 'logSoftmax'],
  ],
  [
    'torch-rgb-cnn.onnx',
    ['conv2d', 'relu', 'maxPool2d', 'conv2d', 'relu', 'maxPool2d', 'flatten', 'linear'],
  ],
  ['torch-view-flatten.onnx', ['conv2d', 'relu', 'flatten', 'linear']],
];

const LESSON_CNN = [
  'conv2d',
  'relu',
  'maxPool2d',
  'conv2d',
  'relu',
  'maxPool2d',
  'flatten',
  'linear',
  'softmax',
];
/** Files Keras 3 wrote (make-keras-fixtures.py): channels last, with the arithmetic of its export. */
const KERAS: [string, string[]][] = [
  ['keras-cnn.onnx', LESSON_CNN],
  ['keras-cnn-opset17.onnx', LESSON_CNN],
  ['keras-bn.onnx', ['conv2d', 'relu', 'maxPool2d', 'flatten', 'linear', 'softmax']],
  [
    'keras-rgb-cnn.onnx',
    [
      'conv2d',
      'relu',
      'avgPool2d',
      'conv2d',
      'relu',
      'maxPool2d',
      'flatten',
      'linear',
      'relu',
      'linear',
    ],
  ],
];

/**
 * Reads `file`, runs it in onnxruntime-node with every layer's value as an output, and checks
 * each core layer against it (turned channels first where the file keeps it channels last).
 */
async function matchesOnnxruntime(file: string, kinds: string[], layout: 'chw' | 'hwc') {
  const bytes = fixture(file);
  const { model, inputLayout, sources } = importOnnx(bytes);
  expect(model.layers.map((l) => l.kind)).toEqual(kinds);
  expect(inputLayout).toBe(layout);
  expect(sources.map((s) => s.layer)).toEqual(model.layers.map((l) => l.name));
  const session = await ort.InferenceSession.create(
    withOutputs(
      bytes,
      sources.map((s) => s.value),
    ),
  );
  const chw = model.inputShape;
  const [c, h, w] = chw as [number, number, number];
  const feedShape = layout === 'hwc' ? [1, h, w, c] : [1, ...chw];
  let worst = 0;
  for (const x of inputs(chw, 4, kinds.length * 31 + file.length)) {
    const core = model.forwardAll(tensor(x, [1, ...chw])).activations;
    const fed = layout === 'hwc' ? chwToHwc(x, chw) : x;
    const out = await session.run(
      { [session.inputNames[0]!]: new ort.Tensor('float32', fed, feedShape) },
      sources.map((s) => s.value),
    );
    for (const [i, layer] of model.layers.entries()) {
      const src = sources[i]!;
      let want = out[src.value]!.data as Float32Array;
      if (src.layout === 'hwc') want = hwcToChw(want, layer.outputShape);
      // A channels-last flatten: its values in H, W, C order of the map before it.
      if (src.layout === 'flat-hwc') want = hwcToChw(want, model.layers[i - 1]!.outputShape);
      const got = core[layer.name]!.data;
      expect(got.length, `${layer.name} size`).toBe(want.length);
      for (let j = 0; j < want.length; j++) {
        const d = Math.abs(got[j]! - want[j]!) / Math.max(1, Math.abs(want[j]!));
        worst = Math.max(worst, d);
      }
    }
  }
  expect(worst).toBeLessThan(1e-5);
  await session.release();
}

describe.each(READABLE)('%s (PyTorch)', (file, kinds) => {
  it('reads as a sequential model whose every layer matches onnxruntime to 1e-5', () =>
    matchesOnnxruntime(file, kinds, 'chw'));
});

describe.each(KERAS)('%s (Keras)', (file, kinds) => {
  it('reads channels last as channels first, and every layer matches onnxruntime to 1e-5', () =>
    matchesOnnxruntime(file, kinds, 'hwc'));
});

describe('PyTorch exports it cannot read', () => {
  const failure = (file: string) => {
    try {
      fromOnnx(fixture(file));
    } catch (err) {
      return err as UnsupportedOnnxError;
    }
    throw new Error(`${file} was read`);
  };

  it('names a grouped convolution, its node and place', () => {
    const err = failure('torch-grouped.onnx');
    const conv = decodeModel(fixture('torch-grouped.onnx')).graph!.node![3]!;
    expect(err.message).toContain(
      `Conv at node "${conv.name}" (4 of 7) is grouped (group=2), which is not supported`,
    );
  });

  it('asks for opset 13 or later', () => {
    expect(failure('torch-cnn-opset11.onnx').message).toMatch(
      /uses ONNX operator set 11; export it again with opset 13 or later/,
    );
  });
});
