import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { OnnxFormatError, withEveryValue } from '../src/index.js';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

describe('withEveryValue', () => {
  it('keeps the file as it was and appends outputs onnxruntime returns, each the value it names', async () => {
    // A grouped convolution: a file the core cannot read, which onnxruntime runs.
    const bytes = fixture('torch-grouped.onnx');
    const probed = withEveryValue(bytes);
    expect(probed.bytes.subarray(0, bytes.length)).toEqual(bytes);
    expect(probed.bytes.length).toBeGreaterThan(bytes.length);
    expect(probed.values.map((v) => v.op)).toContain('Conv');
    expect(probed.input?.dims.slice(1)).toEqual([1, 28, 28]);

    const x = Float32Array.from({ length: 784 }, (_, i) => (i % 29) / 29);
    const feed = (s: ort.InferenceSession) => ({
      [s.inputNames[0]!]: new ort.Tensor('float32', x, [1, 1, 28, 28]),
    });
    const plain = await ort.InferenceSession.create(bytes);
    const every = await ort.InferenceSession.create(probed.bytes);
    expect(every.outputNames).toEqual([
      ...probed.outputs,
      ...probed.values.map((v) => v.name).filter((n) => !probed.outputs.includes(n)),
    ]);
    const want = await plain.run(feed(plain));
    const got = await every.run(feed(every));
    // The model's own output is unchanged, and every value comes back.
    for (const name of probed.outputs) expect(got[name]!.data).toEqual(want[name]!.data);
    for (const v of probed.values) expect(got[v.name], v.name).toBeDefined();
    // Each name holds what its node computes: the Relu after the grouped Conv is its max with 0.
    const i = probed.values.findIndex((v) => v.op === 'Conv' && v.node.includes('0.3'));
    const [conv, relu] = [probed.values[i]!, probed.values[i + 1]!];
    expect(relu.op).toBe('Relu');
    const c = got[conv.name]!.data as Float32Array;
    expect(got[relu.name]!.data).toEqual(c.map((v) => Math.max(v, 0)));
    expect(c.some((v) => v < 0)).toBe(true);
    await Promise.all([plain.release(), every.release()]);
  });

  it('says a file that is not ONNX is not', () => {
    expect(() => withEveryValue(new Uint8Array([1, 2, 3, 4, 5]))).toThrow(OnnxFormatError);
  });
});
