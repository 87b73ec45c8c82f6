// The tfjs backend (cpu in Node) gives the CPU reference's numbers, forward and training.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  adam,
  conv2d,
  layers,
  lossAndGradients,
  sequential,
  sgd,
  tensor,
  trainStep,
} from '../src/index.js';
import { BackendUnavailableError, convolveImage, tfjsModel, useBackend } from '../src/tfjs.js';
import { maxAbsDiff, randomTensor } from './helpers/random-data.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const makeNet = (seed: number) =>
  sequential(
    [
      layers.conv2d({ filters: 4, kernel: 3, padding: 1 }),
      layers.relu(),
      layers.maxPool2d({ kernel: 2 }),
      layers.conv2d({ filters: 6, kernel: [3, 2], stride: [1, 2] }),
      layers.relu(),
      layers.blurPool2d(),
      layers.avgPool2d({ kernel: 2, stride: 1, padding: 1 }),
      layers.flatten(),
      layers.linear({ units: 10 }),
      layers.softmax(),
    ],
    { inputShape: [2, 16, 16], seed },
  );

describe('@receptive/core/tfjs matches the CPU reference within 1e-4', () => {
  it('forward, and every activation by name', async () => {
    const net = makeNet(1);
    const gpu = tfjsModel(net);
    const x = randomTensor([3, 2, 16, 16], 2);
    expect(maxAbsDiff(gpu.forward(x).data, net.forward(x).data)).toBeLessThanOrEqual(1e-4);
    const all = await gpu.forwardAll(x);
    const ref = net.forwardAll(x);
    for (const l of net.layers) {
      expect(all.activations[l.name]!.shape).toEqual(ref.activations[l.name]!.shape);
      expect(
        maxAbsDiff(all.activations[l.name]!.data, ref.activations[l.name]!.data),
      ).toBeLessThanOrEqual(1e-4);
    }
    gpu.dispose();
  });

  for (const [name, make] of [
    [
      'sgd with momentum and weight decay',
      () => sgd({ lr: 0.05, momentum: 0.9, weightDecay: 1e-3 }),
    ],
    ['adam with weight decay', () => adam({ lr: 0.01, weightDecay: 1e-3 })],
  ] as const) {
    it(`training steps (${name}): same losses and same parameters`, () => {
      const cpu = makeNet(3);
      const mirror = makeNet(3);
      const opt = make();
      const gpu = tfjsModel(mirror, { optimizer: make().config });
      for (let step = 0; step < 3; step++) {
        const x = randomTensor([4, 2, 16, 16], 10 + step);
        const labels = [step, 3, 7, 9];
        const expected = lossAndGradients(cpu, x, labels).loss;
        trainStep(cpu, x, labels, opt);
        const got = gpu.trainStep(x, labels);
        expect(Math.abs(got - expected)).toBeLessThanOrEqual(1e-4);
      }
      gpu.syncToModel();
      const a = cpu.parameters();
      const b = mirror.parameters();
      for (const [i, p] of a.entries()) {
        expect(maxAbsDiff(p.value.data, b[i]!.value.data)).toBeLessThanOrEqual(1e-4);
      }
      gpu.dispose();
    });
  }

  it('disposes what it allocates', () => {
    const before = tf.memory().numTensors;
    const gpu = tfjsModel(makeNet(4), { optimizer: adam().config });
    gpu.forward(randomTensor([1, 2, 16, 16], 5));
    gpu.trainStep(randomTensor([2, 2, 16, 16], 6), [1, 2]);
    gpu.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('useBackend', () => {
  it('picks the first backend that starts, in the order given', async () => {
    expect(await useBackend('no-such-backend', 'cpu')).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('throws a clear error when none starts, and keeps the backend in use', async () => {
    tf.registerBackend('rf-broken', () => {
      throw new Error('no device');
    });
    try {
      const err = await useBackend('rf-broken', 'no-such-backend').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BackendUnavailableError);
      expect((err as BackendUnavailableError).tried.map((t) => t.backend)).toEqual([
        'rf-broken',
        'no-such-backend',
      ]);
      expect((err as Error).message).toMatch(
        /^useBackend: no tfjs backend of 'rf-broken', 'no-such-backend' could start here \(rf-broken: registered, but failed to start.*; no-such-backend: not registered \(registered: .*cpu/,
      );
      expect(tf.getBackend()).toBe('cpu');
      expect(tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0]).toBe(3);
    } finally {
      tf.removeBackend('rf-broken');
    }
  });
});

describe('convolveImage', () => {
  // The core reference: each channel of an [h, w, c] image as its own one-channel image.
  const perChannel = (hwc: Float32Array, h: number, w: number, c: number, kernel: number[]) => {
    const k = Math.sqrt(kernel.length);
    const planes = new Float32Array(c * h * w);
    for (let i = 0; i < h * w; i++)
      for (let ch = 0; ch < c; ch++) planes[ch * h * w + i] = hwc[i * c + ch]!;
    const out = conv2d(
      tensor(planes, [c, 1, h, w]),
      tensor(Float32Array.from(kernel), [1, 1, k, k]),
      null,
      {
        padding: (k - 1) / 2,
      },
    );
    const back = new Float32Array(h * w * c);
    for (let i = 0; i < h * w; i++)
      for (let ch = 0; ch < c; ch++) back[i * c + ch] = out.data[ch * h * w + i]!;
    return back;
  };

  for (const [name, kernel] of [
    ['box blur', Array.from({ length: 9 }, () => 1 / 9)],
    ['horizontal edge', [-1, -1, -1, 2, 2, 2, -1, -1, -1]],
    ['asymmetric (catches a flipped kernel)', [1, 2, 3, 4, 5, 6, 7, 8, 9.5]],
    ['5x5', Array.from({ length: 25 }, (_, i) => (i % 7) - 3)],
  ] as const) {
    it(`agrees with the core's conv2d on every channel within 1e-4: ${name}`, () => {
      const [h, w, c] = [13, 17, 3];
      const x = randomTensor([h, w, c], 5);
      const out = convolveImage(tf.tensor3d(x.data, [h, w, c]), kernel);
      expect(out.shape).toEqual([h, w, c]);
      expect(
        maxAbsDiff(out.dataSync(), perChannel(x.data, h, w, c, [...kernel])),
      ).toBeLessThanOrEqual(1e-4);
      out.dispose();
    });
  }

  it('keeps a batch dimension, takes integer pixels, and leaks no tensors', () => {
    const before = tf.memory().numTensors;
    const img = tf.tensor4d([0, 255, 255, 0], [1, 2, 2, 1], 'int32');
    const out = convolveImage(img, [0, 0, 0, 0, 1, 0, 0, 0, 0]);
    expect(out.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(out.dataSync())).toEqual([0, 255, 255, 0]);
    tf.dispose([img, out]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects kernels that are not k*k finite numbers with k odd', () => {
    const img = tf.zeros([4, 4, 1]) as tf.Tensor3D;
    expect(() => convolveImage(img, [1, 2, 3, 4])).toThrow(
      /k\*k kernel weights with k odd.*received 4/,
    );
    expect(() => convolveImage(img, [1, 2, 3])).toThrow(/received 3/);
    expect(() => convolveImage(img, [0, 0, 0, 0, Number.NaN, 0, 0, 0, 0])).toThrow(
      /weight 4 is NaN/,
    );
    expect(() => convolveImage(tf.zeros([4, 4]) as unknown as tf.Tensor3D, [1])).toThrow(
      /\[h, w, c\]/,
    );
    img.dispose();
  });
});
