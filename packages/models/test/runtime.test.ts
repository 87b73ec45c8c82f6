import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fromOnnx } from '@receptive/onnx';
import * as ortNode from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LoadProgress,
  loadModel,
  MODEL_NAMES,
  ModelLoadError,
  toMnistInput,
} from '../src/index.js';
import { argmax, heldOut, modelBytes } from './helpers.ts';

const digits = heldOut();
const N = digits.labels.length;

describe.each(MODEL_NAMES)('%s on three runtimes', (name) => {
  it('gives the same top-1 on all 10,000 official test digits in core, onnxruntime-node and onnxruntime-web (wasm), softmax within 1e-4', async () => {
    const bytes = modelBytes(name);
    const core = fromOnnx(bytes).forward(digits.x).data;
    const node = await ortNode.InferenceSession.create(bytes);
    const nodeOut = (
      await node.run({ input: new ortNode.Tensor('float32', digits.x.data, digits.x.shape) })
    )[node.outputNames.at(-1)!]!.data as Float32Array;
    const web = await loadModel(name, { source: bytes, backend: 'wasm', warmup: false });
    const webOut = (await web.run(digits.x.data, N)).probs;
    let worst = 0;
    for (let i = 0; i < N; i++) {
      const top = argmax(core, i * 10, 10);
      expect(argmax(nodeOut, i * 10, 10), `digit ${i}, onnxruntime-node`).toBe(top);
      expect(argmax(webOut, i * 10, 10), `digit ${i}, onnxruntime-web`).toBe(top);
    }
    for (let i = 0; i < core.length; i++)
      worst = Math.max(worst, Math.abs(core[i]! - nodeOut[i]!), Math.abs(core[i]! - webOut[i]!));
    expect(worst).toBeLessThanOrEqual(1e-4);
    await web.dispose();
    await node.release();
  });
});

describe('loadModel', () => {
  it('returns probabilities, logits and every activation by layer name, and reports progress', async () => {
    const phases: LoadProgress['phase'][] = [];
    const model = await loadModel('cnn', {
      source: modelBytes('cnn'),
      backend: 'wasm',
      onProgress: (p) => phases.push(p.phase),
    });
    expect(phases).toEqual(['runtime', 'session', 'warmup', 'ready']);
    expect(model.layers).toEqual([
      'conv1',
      'relu1',
      'pool1',
      'conv2',
      'relu2',
      'pool2',
      'flatten',
      'logits',
      'probs',
    ]);
    expect(model.firstRunMs).toBeGreaterThan(0);
    const r = await model.run(digits.x.data.subarray(0, 784));
    expect(r.activations['conv1']!.dims).toEqual([1, 12, 26, 26]);
    expect(r.activations['pool2']!.dims).toEqual([1, 20, 5, 5]);
    expect(r.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(r.logits).toEqual(r.activations['logits']!.data);
    expect(r.backend).toBe('wasm');
    // scoresOnly copies out the last two layers alone, with the same answers.
    const batch = digits.x.data.subarray(0, 4 * 784);
    const all = await model.run(batch, 4);
    const scores = await model.run(batch, 4, { scoresOnly: true });
    expect(Object.keys(scores.activations)).toEqual(['logits', 'probs']);
    expect(scores.probs).toEqual(all.probs);
    expect(scores.logits).toEqual(all.logits);
    await model.dispose();
  });

  it('falls back to wasm, saying why, when WebGPU is missing or WebGL is asked for', async () => {
    const gpu = await loadModel('logreg', { source: modelBytes('logreg'), backend: 'webgpu' });
    expect(gpu.backend).toBe('wasm');
    expect(gpu.fallbackReason).toBe('webgpu is not available here');
    await gpu.dispose();
    const gl = await loadModel('logreg', { source: modelBytes('logreg'), backend: 'webgl' });
    expect(gl.backend).toBe('wasm');
    expect(gl.fallbackReason).toMatch(/WebGL backend cannot run these models/);
    await gl.dispose();
  });

  it('rejects bad inputs with clear errors and keeps working', async () => {
    const model = await loadModel('mlp', { source: modelBytes('mlp'), backend: 'wasm' });
    await expect(model.run(new Float32Array(783))).rejects.toThrow(
      /expected a Float32Array of 1 x 784 values \(batch 1 of \[1, 28, 28\]\), received 783/,
    );
    await expect(model.run([0, 1] as unknown as Float32Array)).rejects.toThrow(
      /received \[object Array\]/,
    );
    const nan = new Float32Array(784);
    nan[5] = Number.NaN;
    await expect(model.run(nan)).rejects.toThrow(/input value 5 is NaN/);
    expect((await model.run(digits.x.data.subarray(0, 784))).probs).toHaveLength(10);
    await model.dispose();
    await expect(loadModel('cnn', { backend: 'cuda' as never })).rejects.toThrow(
      /backend "cuda" is not one of auto, webgpu, webgl, wasm/,
    );
  });

  it('says a corrupt file is not a model', async () => {
    const bytes = modelBytes('cnn').slice(0, 500);
    await expect(loadModel('cnn', { source: bytes, backend: 'wasm' })).rejects.toThrow(
      ModelLoadError,
    );
    await expect(
      loadModel('cnn', { source: new TextEncoder().encode('<html>'), backend: 'wasm' }),
    ).rejects.toThrow(/Could not prepare model "cnn"/);
  });

  describe('over HTTP', () => {
    let origin = '';
    const server = createServer((req, res) => {
      if (req.url === '/cnn.onnx') {
        const bytes = modelBytes('cnn');
        res.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': bytes.length,
        });
        res.end(bytes);
      } else {
        res.writeHead(404).end('missing');
      }
    });
    beforeAll(async () => {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('downloads with byte progress', async () => {
      const seen: number[] = [];
      const model = await loadModel('cnn', {
        source: `${origin}/cnn.onnx`,
        backend: 'wasm',
        onProgress: (p) => p.phase === 'model' && seen.push(p.loaded ?? 0),
      });
      expect(seen.at(-1)).toBe(modelBytes('cnn').length);
      await model.dispose();
    });

    it('names the URL and status of a failed download', async () => {
      await expect(loadModel('cnn', { source: `${origin}/nope.onnx` })).rejects.toThrow(
        `Could not download the model from ${origin}/nope.onnx: HTTP 404`,
      );
      await expect(loadModel('cnn', { source: 'http://127.0.0.1:9/cnn.onnx' })).rejects.toThrow(
        /Could not download the model from http:\/\/127.0.0.1:9\/cnn.onnx/,
      );
    });
  });
});

describe('drawings, read the standard way', () => {
  it('reads held-out digits redrawn 10x larger at random places on a 400x400 pad', async () => {
    const model = await loadModel('cnn', { source: modelBytes('cnn'), backend: 'wasm' });
    let correct = 0;
    const count = 300;
    for (let i = 0; i < count; i++) {
      // Nearest-neighbour 10x upscale, pasted at a pseudo-random offset: a big, off-centre drawing.
      const W = 400;
      const data = new Float32Array(W * W);
      const ox = (i * 37) % 110;
      const oy = (i * 53) % 110;
      for (let y = 0; y < 280; y++) {
        for (let x = 0; x < 280; x++)
          data[(oy + y) * W + ox + x] =
            digits.x.data[i * 784 + Math.floor(y / 10) * 28 + Math.floor(x / 10)]!;
      }
      const { pixels } = toMnistInput({ width: W, height: W, data });
      if (argmax((await model.run(pixels)).probs, 0, 10) === digits.labels[i]) correct++;
    }
    expect(correct / count).toBeGreaterThanOrEqual(0.96);
    await model.dispose();
  });
});
