// Sequential models: activations by name, counts, JSON, tracing, explain data, training parts.
import { describe, expect, it } from 'vitest';
import {
  type AugmentOptions,
  accuracy,
  adam,
  augmentBatch,
  confusionMatrix,
  contributions,
  conv2d,
  createRng,
  explainUnit,
  layers,
  lossAndGradients,
  maxPool2d,
  modelFromJSON,
  receptiveField,
  sequential,
  sgd,
  shift2d,
  tensor,
  train,
  trainStep,
} from '../src/index.js';
import { digitCnn } from './helpers/models.js';
import { randomTensor } from './helpers/random-data.js';

describe('sequential models', () => {
  it('names layers, infers shapes and counts parameters and FLOPs', () => {
    const net = digitCnn();
    expect(net.layers.map((l) => `${l.name} ${l.outputShape.join('x')}`)).toEqual([
      'conv1 8x26x26',
      'relu1 8x26x26',
      'pool1 8x13x13',
      'conv2 16x11x11',
      'relu2 16x11x11',
      'pool2 16x5x5',
      'flatten1 400',
      'linear1 10',
      'softmax1 10',
    ]);
    expect(net.parameterCount()).toBe(80 + 1168 + 4010);
    const cost = net.flops();
    expect(cost.layers[0]).toEqual({
      name: 'conv1',
      kind: 'conv2d',
      params: 80,
      macs: 8 * 26 * 26 * 9,
      flops: 2 * 8 * 26 * 26 * 9,
    });
    expect(cost.macs).toBe(8 * 26 * 26 * 9 + 16 * 11 * 11 * 72 + 4000);
  });

  it('the lecture: a deeper net can have fewer parameters than a shallower one', () => {
    const mlp = sequential(
      [
        layers.flatten(),
        layers.linear({ units: 512 }),
        layers.relu(),
        layers.linear({ units: 10 }),
        layers.softmax(),
      ],
      { inputShape: [1, 28, 28] },
    );
    const logistic = sequential(
      [layers.flatten(), layers.linear({ units: 10 }), layers.softmax()],
      { inputShape: [1, 28, 28] },
    );
    expect(mlp.parameterCount()).toBe(784 * 512 + 512 + 512 * 10 + 10);
    expect(logistic.parameterCount()).toBe(7850);
    expect(digitCnn().parameterCount()).toBeLessThan(logistic.parameterCount());
  });

  it('seeded init gives the same bits every time, another seed other bits', () => {
    const a = digitCnn(7).parameters()[0]!.value.data;
    expect(Array.from(digitCnn(7).parameters()[0]!.value.data)).toEqual(Array.from(a));
    expect(Array.from(digitCnn(8).parameters()[0]!.value.data)).not.toEqual(Array.from(a));
    // Pinned bits: a change of generator or init would change every trained model.
    const rng = createRng(42);
    expect([rng.nextUint32(), rng.nextUint32()]).toEqual([1055361356, 2471454178]);
  });

  it('forwardAll returns every activation by layer name, and the same output as forward', () => {
    const net = digitCnn();
    const x = randomTensor([2, 1, 28, 28], 3);
    const { output, activations } = net.forwardAll(x);
    expect(Object.keys(activations)).toEqual(['input', ...net.layers.map((l) => l.name)]);
    expect(activations.pool1!.shape).toEqual([2, 8, 13, 13]);
    expect(Array.from(output.data)).toEqual(Array.from(net.forward(x).data));
    const partial = net.forwardAll(x, 'conv2');
    expect(Object.keys(partial.activations).at(-1)).toBe('conv2');
  });

  it('round-trips through JSON with kinds, hyperparameters and parameters intact', () => {
    const net = sequential(
      [
        layers.conv2d({ filters: 2, kernel: [3, 2], stride: 2, padding: 1, name: 'edges' }),
        layers.blurPool2d(),
        layers.avgPool2d({ kernel: 2, stride: 1 }),
        layers.flatten(),
        layers.linear({ units: 3, bias: false }),
        layers.logSoftmax(),
      ],
      { inputShape: [1, 12, 12], seed: 4 },
    );
    const json = JSON.parse(JSON.stringify(net.toJSON()));
    expect(json.layers[0]).toMatchObject({
      kind: 'conv2d',
      name: 'edges',
      filters: 2,
      kernel: [3, 2],
      stride: [2, 2],
      padding: [1, 1],
    });
    const back = modelFromJSON(json);
    const x = randomTensor([1, 1, 12, 12], 5);
    expect(Array.from(back.forward(x).data)).toEqual(Array.from(net.forward(x).data));
    expect(back.layer('linear1')).toMatchObject({ kind: 'linear', bias: null });
  });
});

describe('teaching data', () => {
  const net = digitCnn(2);
  const x = randomTensor([1, 1, 28, 28], 6);

  it('explainUnit writes out a conv unit and a pool unit of a real model', () => {
    const { activations } = net.forwardAll(x);
    const e = explainUnit(net, x, 'conv2', { channel: 5, y: 3, x: 4 });
    expect(e.op).toBe('conv2d');
    if (e.op !== 'conv2d') return;
    expect(e.window).toHaveLength(8);
    expect(e.result).toBeCloseTo(activations.conv2!.data[(5 * 11 + 3) * 11 + 4]!, 5);
    const p = explainUnit(net, x, 'pool1', { channel: 2, y: 6, x: 7 });
    expect(p.result).toBe(activations.pool1!.data[(2 * 13 + 6) * 13 + 7]);
    expect(() => explainUnit(net, x, 'flatten1', { channel: 0, y: 0, x: 0 })).toThrow(
      /explain covers conv2d/,
    );
    const blurNet = sequential([layers.blurPool2d()], { inputShape: [2, 6, 6] });
    const bx = randomTensor([1, 2, 6, 6], 9);
    const b = explainUnit(blurNet, bx, 'blurpool1', { channel: 1, y: 1, x: 2 });
    expect(b.result).toBeCloseTo(blurNet.forward(bx).data[(1 * 3 + 1) * 3 + 2]!, 6);
  });

  it('receptive fields through the digit CNN, clipped at the border', () => {
    expect(receptiveField(net, 'conv1', { y: 0, x: 0 }).size).toEqual([3, 3]);
    const rf = receptiveField(net, 'pool2', { y: 2, x: 2 });
    // conv3 -> pool2 -> conv3 -> pool2: 10x10 input pixels per pool2 unit, stride 4.
    expect(rf.size).toEqual([10, 10]);
    expect(rf.region).toEqual({ y0: 8, y1: 17, x0: 8, x1: 17 });
    expect(rf.path.map((p) => p.activation)).toEqual([
      'pool2',
      'relu2',
      'conv2',
      'pool1',
      'relu1',
      'conv1',
      'input',
    ]);
    // A linear unit sees everything flatten sees; the floors of the two 2x2 pools dropped the
    // last two rows and columns, so that is 26x26 of the 28x28 input, not all of it.
    expect(receptiveField(net, 'linear1', { index: 3 }).region).toEqual({
      y0: 0,
      y1: 25,
      x0: 0,
      x1: 25,
    });
    const padded = sequential(
      [
        layers.conv2d({ filters: 1, kernel: 5, padding: 2 }),
        layers.conv2d({ filters: 1, kernel: 3, stride: 2, padding: 1 }),
      ],
      { inputShape: [1, 9, 9] },
    );
    const corner = receptiveField(padded, 'conv2', { y: 0, x: 0 });
    expect(corner.theoretical).toEqual({ y0: -3, y1: 3, x0: -3, x1: 3 });
    expect(corner.region).toEqual({ y0: 0, y1: 3, x0: 0, x1: 3 });
    expect(corner.pixels).toBe(16);
  });

  it('contributions: exact split of a unit into pixels plus biases, zero outside the field', () => {
    const c = contributions(net, x, 'conv2', { channel: 1, y: 2, x: 3 });
    expect(c.exact).toBe(true);
    const sum = c.map.data.reduce((a, b) => a + b, 0);
    expect(sum + c.rest).toBeCloseTo(c.value, 5);
    const rf = receptiveField(net, 'conv2', { y: 2, x: 3 }).region;
    c.map.data.forEach((v, i) => {
      const y = Math.floor(i / 28);
      const xx = i % 28;
      if (y < rf.y0 || y > rf.y1 || xx < rf.x0 || xx > rf.x1) expect(v).toBe(0);
    });
    // A bias-free single conv: contributions are exactly the products.
    const single = sequential([layers.conv2d({ filters: 1, kernel: 3, bias: false })], {
      inputShape: [1, 5, 5],
      seed: 3,
    });
    const s = contributions(single, randomTensor([1, 1, 5, 5], 8), 'conv1', {
      channel: 0,
      y: 1,
      x: 1,
    });
    expect(Math.abs(s.rest)).toBeLessThan(1e-6);
    expect(contributions(net, x, 'softmax1', { index: 2 }).exact).toBe(false);
  });
});

describe('training parts', () => {
  it('shift2d moves a digit; max pooling absorbs a 1-pixel shift inside its window', () => {
    const x = tensor([1, 0, 0, 0, 0, 0, 0, 0, 0], [1, 1, 3, 3]);
    expect(Array.from(shift2d(x, 0, 1).data)).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(maxPool2d(shift2d(x, 0, 1), { kernel: 2 }).data[0]).toBe(1);
    expect(maxPool2d(shift2d(x, 0, 2), { kernel: 2 }).data[0]).toBe(0);
  });

  it('augmentation is seeded: same seed same batch; zero shift and rotation is the identity', () => {
    const x = randomTensor([4, 1, 8, 8], 10);
    const a = augmentBatch(x, createRng(3), { shift: 2, rotate: 10 });
    const b = augmentBatch(x, createRng(3), { shift: 2, rotate: 10 });
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(a.data)).not.toEqual(Array.from(x.data));
    const id = augmentBatch(x, createRng(3), { shift: 0, rotate: 0 });
    for (let i = 0; i < x.data.length; i++) expect(id.data[i]).toBeCloseTo(x.data[i]!, 6);
  });

  it('accuracy and confusion matrix', () => {
    const scores = tensor([0.9, 0.1, 0.2, 0.8, 0.6, 0.4], [3, 2]);
    expect(accuracy(scores, [0, 0, 0])).toBeCloseTo(2 / 3);
    expect(confusionMatrix(scores, [0, 0, 1])).toEqual([
      [1, 1],
      [1, 0],
    ]);
  });

  it('train: loss falls, progress reports loss, accuracy and examples/s, and runs repeat exactly', () => {
    const x = randomTensor([40, 1, 6, 6], 11);
    const labels = Array.from({ length: 40 }, (_, i) => (x.data[i * 36]! > 0 ? 1 : 0));
    const run = () => {
      const net = sequential(
        [
          layers.conv2d({ filters: 2, kernel: 3 }),
          layers.relu(),
          layers.flatten(),
          layers.linear({ units: 2 }),
        ],
        { inputShape: [1, 6, 6], seed: 1 },
      );
      const seen: number[] = [];
      const history = train(
        net,
        { x, labels },
        {
          optimizer: sgd({ lr: 0.1, momentum: 0.9, weightDecay: 1e-4 }),
          epochs: 8,
          batchSize: 8,
          seed: 2,
          augment: { shift: 1 },
          onProgress: (p) => seen.push(p.examplesPerSecond),
        },
      );
      return { net, history, seen };
    };
    const a = run();
    const b = run();
    expect(a.history.at(-1)!.loss).toBeLessThan(a.history[0]!.loss);
    expect(a.seen.every((v) => v > 0)).toBe(true);
    expect(Array.from(a.net.parameters()[0]!.value.data)).toEqual(
      Array.from(b.net.parameters()[0]!.value.data),
    );
  });

  it('train applies every augmentation, each on its own (none is silently ignored)', () => {
    const x = randomTensor([16, 1, 8, 8], 5);
    const labels = Array.from({ length: 16 }, (_, i) => i % 2);
    const weightsAfter = (augment?: AugmentOptions) => {
      const net = sequential([layers.flatten(), layers.linear({ units: 2 })], {
        inputShape: [1, 8, 8],
        seed: 1,
      });
      train(
        net,
        { x, labels },
        {
          optimizer: sgd({ lr: 0.1 }),
          epochs: 1,
          batchSize: 8,
          seed: 3,
          ...(augment ? { augment } : {}),
        },
      );
      return Array.from(net.parameters()[0]!.value.data);
    };
    const plain = weightsAfter();
    expect(weightsAfter({ shift: 0, rotate: 0, scale: 0 })).toEqual(plain);
    for (const a of [
      { shift: 1 },
      { rotate: 10 },
      { scale: 0.2 },
      { shear: 0.2 },
      { elastic: { alpha: 34, sigma: 4 } },
    ] satisfies AugmentOptions[]) {
      expect(weightsAfter(a), JSON.stringify(a)).not.toEqual(plain);
    }
  });

  it('trainStep with Adam lowers the loss on a fixed batch', () => {
    const net = sequential([layers.flatten(), layers.linear({ units: 3 })], {
      inputShape: [1, 2, 2],
    });
    const x = randomTensor([6, 1, 2, 2], 12);
    const labels = [0, 1, 2, 0, 1, 2];
    const opt = adam({ lr: 0.05 });
    const first = lossAndGradients(net, x, labels).loss;
    for (let i = 0; i < 30; i++) trainStep(net, x, labels, opt);
    expect(lossAndGradients(net, x, labels).loss).toBeLessThan(first);
    expect(opt.steps).toBe(30);
  });

  it('conv2d with and without its bias agree up to the bias', () => {
    const x = randomTensor([1, 2, 5, 5], 13);
    const w = randomTensor([3, 2, 3, 3], 14);
    const b = tensor([1, 2, 3]);
    const with_ = conv2d(x, w, b).data;
    const without = conv2d(x, w).data;
    for (let i = 0; i < with_.length; i++)
      expect(with_[i]! - without[i]!).toBeCloseTo(b.data[Math.floor(i / 9)]!, 5);
  });
});
