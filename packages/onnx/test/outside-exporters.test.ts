/**
 * Models that PyTorch's exporter wrote (test/fixtures, made by make-pytorch-fixtures.py with the
 * versions it names): fromOnnx reads the sequential ones, and every layer the core computes from
 * them matches onnxruntime-node's value of the same node to 1e-5; the ones it cannot read get a
 * message that names the operator, the node and its place.
 */
import { readFileSync } from 'node:fs';
import { tensor } from '@receptive/core';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { fromOnnx, UnsupportedOnnxError } from '../src/index.js';
import { decodeModel, encodeModel, type ModelMsg } from '../src/proto.js';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

/**
 * The ONNX value each core layer ends at, in order: Constant, Identity and zero Pad nodes make
 * no layer; a BatchNormalization after a Conv, and an Add after a MatMul, end that layer.
 */
function layerEnds(msg: ModelMsg): string[] {
  const nodes = (msg.graph!.node ?? []).filter(
    (n) => !['Constant', 'Identity', 'Pad'].includes(n.opType ?? ''),
  );
  const ends: string[] = [];
  for (const n of nodes) {
    const merged = (n.opType === 'BatchNormalization' || n.opType === 'Add') && ends.length > 0;
    if (merged) ends[ends.length - 1] = n.output![0]!;
    else ends.push(n.output![0]!);
  }
  return ends;
}

/** The model with every layer's value also a graph output, so onnxruntime returns each one. */
function withEveryLayer(bytes: Uint8Array): { bytes: Uint8Array; ends: string[] } {
  const msg = decodeModel(bytes);
  const ends = layerEnds(msg);
  const outputs = new Set((msg.graph!.output ?? []).map((o) => o.name));
  for (const name of ends) {
    if (!outputs.has(name)) {
      msg.graph!.output!.push({ name, type: { tensorType: { elemType: 1 } } });
    }
  }
  return { bytes: encodeModel(msg), ends };
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
];

describe.each(READABLE)('%s (PyTorch)', (file, kinds) => {
  const bytes = fixture(file);

  it('reads as a sequential model whose every layer matches onnxruntime to 1e-5', async () => {
    const model = fromOnnx(bytes);
    expect(model.layers.map((l) => l.kind)).toEqual(kinds);
    const { bytes: probed, ends } = withEveryLayer(bytes);
    expect(ends).toHaveLength(model.layers.length);
    const session = await ort.InferenceSession.create(probed);
    const shape = [1, ...model.inputShape];
    let worst = 0;
    for (const x of inputs(shape, 4, kinds.length * 31 + file.length)) {
      const core = model.forwardAll(tensor(x, shape)).activations;
      const out = await session.run({ input: new ort.Tensor('float32', x, shape) }, ends);
      for (const [i, layer] of model.layers.entries()) {
        const want = out[ends[i]!]!.data as Float32Array;
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
  });
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

  it('names each operator of x.view(x.size(0), -1) with its node and place', () => {
    const err = failure('torch-view-flatten.onnx');
    expect(err).toBeInstanceOf(UnsupportedOnnxError);
    expect(err.ops).toEqual(['Shape', 'Gather', 'Unsqueeze', 'Concat']);
    expect(err.message).toMatch(
      /unsupported ONNX operators: Shape at node "[^"]+" \(3 of 11\), Gather at node "[^"]+" \(5 of 11\)/,
    );
  });

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
