import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { fromOnnx, LAYERS_METADATA_KEY, readOnnxMetadata, toOnnx } from '../src/index.js';
import { lessonCnn, maxAbsDiff, mlp, oddNet, randomInput } from './models.js';

const MODELS = {
  'lesson CNN': lessonCnn(),
  'lesson CNN with BlurPool': lessonCnn(4, 'blur'),
  'odd net': oddNet(),
  MLP: mlp(),
};

describe.each(Object.entries(MODELS))('%s', (_, model) => {
  const bytes = toOnnx(model, { metadata: { purpose: 'test' } });

  it('reads back into the same layers with bit-identical weights', () => {
    const back = fromOnnx(bytes);
    expect(back.inputShape).toEqual(model.inputShape);
    expect(back.layers.map((l) => [l.name, l.kind, l.outputShape])).toEqual(
      model.layers.map((l) => [l.name, l.kind, l.outputShape]),
    );
    const params = back.parameters();
    expect(params.map((p) => [p.layer, p.name])).toEqual(
      model.parameters().map((p) => [p.layer, p.name]),
    );
    for (const [i, p] of model.parameters().entries()) {
      expect(params[i]!.value.data).toEqual(p.value.data);
    }
    const x = randomInput(model, 3, 9);
    const want = model.forwardAll(x).activations;
    const got = back.forwardAll(x).activations;
    for (const name of Object.keys(want)) expect(got[name]!.data).toEqual(want[name]!.data);
  });

  it('runs in onnxruntime-node with every activation matching the core (<= 1e-5)', async () => {
    const session = await ort.InferenceSession.create(bytes);
    expect(session.outputNames).toEqual(model.layers.map((l) => l.name));
    const x = randomInput(model, 4, 11);
    const out = await session.run({ input: new ort.Tensor('float32', x.data, x.shape) });
    const want = model.forwardAll(x).activations;
    for (const layer of model.layers) {
      const got = out[layer.name]!;
      expect(got.dims).toEqual(want[layer.name]!.shape);
      expect(
        maxAbsDiff(got.data as Float32Array, want[layer.name]!.data),
        layer.name,
      ).toBeLessThanOrEqual(1e-5);
    }
  });

  it('carries its layer list and extra metadata', () => {
    const meta = readOnnxMetadata(bytes);
    expect(meta['purpose']).toBe('test');
    const described = JSON.parse(meta[LAYERS_METADATA_KEY]!);
    expect(described.inputShape).toEqual(model.inputShape);
    expect(described.layers.map((l: { name: string }) => l.name)).toEqual(
      model.layers.map((l) => l.name),
    );
  });
});

describe('toOnnx', () => {
  it('can leave out the intermediate activations', async () => {
    const model = lessonCnn();
    const session = await ort.InferenceSession.create(toOnnx(model, { activations: false }));
    expect(session.outputNames).toEqual([model.layers.at(-1)!.name]);
    const x = randomInput(model, 2, 3);
    const out = await session.run({ input: new ort.Tensor('float32', x.data, x.shape) });
    expect(
      maxAbsDiff(out[model.layers.at(-1)!.name]!.data as Float32Array, model.forward(x).data),
    ).toBeLessThanOrEqual(1e-5);
  });

  it('refuses an operator set older than 13', () => {
    expect(() => toOnnx(mlp(), { opset: 11 })).toThrow(
      /opset must be an integer >= 13, received 11/,
    );
  });

  it('refuses a layer named like the input', () => {
    expect(() => toOnnx(mlp(), { inputName: 'flatten1' })).toThrow(/"flatten1" is used twice/);
  });

  it('writes a batch axis of any size', async () => {
    const model = lessonCnn();
    const session = await ort.InferenceSession.create(toOnnx(model));
    for (const batch of [1, 7]) {
      const x = randomInput(model, batch, batch);
      const out = await session.run({ input: new ort.Tensor('float32', x.data, x.shape) });
      expect(out[model.layers.at(-1)!.name]!.dims).toEqual([batch, 10]);
    }
  });
});
