/**
 * A model of one's own (byo-model.ts): a colour CNN written by `toOnnx` and read back, the pad's
 * digit fitted to its input, the run against the core's own, the importer's messages for bad
 * files, and downloads from a real local server (404, a web page, another site).
 */

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { layers, sequential, tensor } from '@receptive/core';
import { loadModel } from '@receptive/models';
import { toOnnx } from '@receptive/onnx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adaptDigit,
  asProbabilities,
  featureMapLayers,
  fetchOwnModel,
  fileNameOf,
  inputNote,
  lastKindOf,
  OwnModelError,
  openOwnModel,
  ownNote,
  readOwnModel,
  resample,
  runAnyOwnModel,
  runOwnModel,
} from '../src/byo-model.ts';

const colour = sequential(
  [
    layers.conv2d({ filters: 2, kernel: 3, padding: 1, name: 'conv1' }),
    layers.relu({ name: 'relu1' }),
    layers.maxPool2d({ kernel: 2, name: 'pool1' }),
    layers.flatten({ name: 'flatten' }),
    layers.linear({ units: 10, name: 'fc' }),
    layers.softmax({ name: 'softmax' }),
  ],
  { inputShape: [3, 32, 32], seed: 3 },
);
const bytes = toOnnx(colour);

/** A 28 x 28 "1": a vertical stroke. */
function one(): Float32Array {
  const px = new Float32Array(28 * 28);
  for (let y = 4; y < 24; y++) for (let x = 13; x < 16; x++) px[y * 28 + x] = 1;
  return px;
}

describe('reading a model of your own', () => {
  it('reads a colour CNN and says how the digit is fitted', () => {
    const own = readOwnModel(bytes, 'colour.onnx');
    expect(own.input).toEqual([3, 32, 32]);
    expect(own.note).toBe(
      "This model reads 3 × 32 × 32: the pad's digit is resampled from 28 × 28 to 32 × 32, and its grey repeated in 3 colour channels.",
    );
    expect(featureMapLayers(own)).toEqual(['conv1', 'relu1', 'pool1']);
    expect(inputNote([1, 28, 28])).toBeNull();
    expect(inputNote([1, 20, 20])).toBe(
      "This model reads 1 × 20 × 20: the pad's digit is resampled from 28 × 28 to 20 × 20.",
    );
  });

  it("gives the importer's sentence for a file that is not ONNX or is cut short", () => {
    const bad = (b: Uint8Array) => {
      try {
        readOwnModel(b, 'x.onnx');
      } catch (err) {
        expect(err).toBeInstanceOf(OwnModelError);
        expect((err as OwnModelError).retry).toBe(false);
        return (err as Error).message;
      }
      throw new Error('read');
    };
    expect(bad(new TextEncoder().encode('hello, this is not a model'))).toMatch(
      /^x\.onnx could not be read: ./,
    );
    expect(bad(bytes.slice(0, bytes.length >> 1))).toMatch(/^x\.onnx could not be read: ./);
  });

  it('refuses an input the pad cannot feed', () => {
    const flat = sequential([layers.linear({ units: 3 })], { inputShape: [784] });
    expect(() => readOwnModel(toOnnx(flat), 'flat.onnx')).toThrow(
      /flat\.onnx reads an input of 784; .* 1 or 3 channels/,
    );
  });
});

describe('fitting the digit and running it', () => {
  it('resamples bilinearly with half-pixel centres', () => {
    const px = one();
    expect(resample(px, 28, 28, 28, 28)).toEqual(px);
    const flat = resample(new Float32Array(784).fill(0.25), 28, 28, 32, 32);
    expect(flat.every((v) => Math.abs(v - 0.25) < 1e-7)).toBe(true);
    // 2 x 2 to 4 x 4: the corners keep their pixel, the others blend (PyTorch's values).
    const up = resample(new Float32Array([0, 1, 2, 3]), 2, 2, 4, 4);
    expect(Array.from(up.slice(0, 4))).toEqual([0, 0.25, 0.75, 1]);
    expect(up[15]).toBe(3);
  });

  it('repeats the grey in each channel and runs every layer as the core does', () => {
    const own = readOwnModel(bytes, 'colour.onnx');
    const x = adaptDigit(one(), own.input);
    expect(x.shape).toEqual([1, 3, 32, 32]);
    expect(x.data.slice(0, 1024)).toEqual(x.data.slice(2048));
    const run = runOwnModel(own, one());
    expect(Object.keys(run.activations)).toEqual([
      'input',
      'conv1',
      'relu1',
      'pool1',
      'flatten',
      'fc',
      'softmax',
    ]);
    expect(run.activations['pool1']!.dims).toEqual([1, 2, 16, 16]);
    const want = colour.forwardAll(tensor(x.data, [1, 3, 32, 32])).output.data;
    run.output.forEach((p, i) => {
      expect(p).toBeCloseTo(want[i]!, 6);
    });
    expect(run.output[run.prediction]).toBe(Math.max(...run.output));
  });
});

describe('the bars of a model of your own', () => {
  it('shows a softmax as it is, exponentiates a log-softmax and takes raw scores through a softmax', () => {
    const probs = Float32Array.from([0.1, 0.7, 0.2]);
    expect(asProbabilities(probs, 'softmax')).toBe(probs);
    const fromLog = asProbabilities(probs.map(Math.log), 'logSoftmax');
    for (const [i, v] of fromLog.entries()) expect(v).toBeCloseTo(probs[i]!, 6);
    const logits = Float32Array.from([1, 3, 2, 1000]);
    const p = asProbabilities(logits, 'linear');
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(p[3]).toBeCloseTo(1, 6);
    const q = asProbabilities(Float32Array.from([1, 3, 2]), 'linear');
    expect(q[1]! / q[0]!).toBeCloseTo(Math.exp(2), 4);
  });
});

describe('downloading a model', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/m.onnx') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(bytes);
      } else if (req.url === '/page.onnx') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<!doctype html><p>Not here</p>');
      } else {
        res.writeHead(404, 'Not Found');
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/lesson/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const fails = async (src: string) => {
    try {
      await fetchOwnModel(src, base);
    } catch (err) {
      expect(err).toBeInstanceOf(OwnModelError);
      return { message: (err as Error).message, retry: (err as OwnModelError).retry };
    }
    throw new Error('downloaded');
  };

  it('downloads from the page’s own site', async () => {
    expect(await fetchOwnModel('/m.onnx', base)).toEqual(bytes);
    expect(fileNameOf('/models/my%20cnn.onnx?v=2')).toBe('my cnn.onnx');
  });

  it('says what went wrong, with a retry for a failed download', async () => {
    expect(await fails('/missing.onnx')).toEqual({
      message:
        'The model at /missing.onnx could not be downloaded: the server answered 404 Not Found.',
      retry: true,
    });
    expect(await fails('/page.onnx')).toEqual({
      message:
        'The model at /page.onnx could not be downloaded: the server sent a web page (text/html), not an ONNX file. Is the path right?',
      retry: true,
    });
    const other = await fails('https://example.com/m.onnx');
    expect(other.retry).toBe(false);
    expect(other.message).toMatch(/is on another site \(https:\/\/example\.com\)/);
  });
});

describe('a model the core cannot read', () => {
  // A grouped convolution, as PyTorch exports it (packages/onnx/test/fixtures).
  const grouped = new Uint8Array(
    readFileSync(new URL('../../onnx/test/fixtures/torch-grouped.onnx', import.meta.url)),
  );

  it('is refused with the importer’s sentence where only the core may run it', async () => {
    await expect(openOwnModel(grouped, 'grouped.onnx')).rejects.toThrow(
      /^grouped\.onnx could not be read: .*is grouped \(group=2\), which is not supported/,
    );
  });

  it('runs on onnxruntime-web where any runtime may, every map returned, the answer unchanged', async () => {
    const own = await openOwnModel(grouped, 'grouped.onnx', { runtime: 'any' });
    if (own.runtime === 'core') throw new Error('the core read a grouped convolution');
    try {
      expect(own.input).toEqual([1, 28, 28]);
      expect(own.layout).toBe('chw');
      expect(own.refusal).toMatch(/is grouped \(group=2\)/);
      expect(ownNote(own)).toMatch(
        /^onnxruntime-web runs grouped\.onnx, since @receptive\/core cannot read it \(.*group=2.*\); the maps are the values its image operators compute\.$/,
      );
      const run = await runAnyOwnModel(own, one());
      // Every map is a channels-first image of the batch of one; the grouped Conv's among them.
      const maps = Object.entries(run.activations);
      expect(maps.length).toBeGreaterThanOrEqual(3);
      for (const [name, a] of maps) {
        expect(a.dims.length, name).toBe(4);
        expect(a.dims[0], name).toBe(1);
        expect(a.data.length, name).toBe(a.dims.reduce((p, d) => p * d, 1));
      }
      expect(run.output).toHaveLength(10);
      // The answer is the file's own: the same as onnxruntime-web gives for the file as it was.
      const plain = await loadModel('grouped', { source: grouped, backend: 'wasm', warmup: false });
      const want = (await plain.run(adaptDigit(one(), [1, 28, 28]).data)).activations;
      const last = want[plain.layers.at(-1)!]!.data;
      expect(run.output).toEqual(Array.from(last));
      await plain.dispose();
      const probs = asProbabilities(Float32Array.from(run.output), lastKindOf(own));
      expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    } finally {
      await own.session.dispose();
    }
  });
});
