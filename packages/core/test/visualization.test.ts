// Saliency, occlusion, top-activating ranking and filter ascent, each against an independent
// computation: central differences, one occluded copy at a time, a full sort.
import { describe, expect, it } from 'vitest';
import {
  channelMaxima,
  FilterAscent,
  occlusion,
  rankChannel,
  receptiveField,
  type SequentialModel,
  saliency,
  type Tensor,
} from '../src/index.js';
import { loadDigits } from './helpers/digits.js';
import { twoBlockCnn } from './helpers/models.js';
import { maxAbsDiff, randomTensor } from './helpers/random-data.js';

// Fresh biases are zero, so on a digit's blank border every conv output sits exactly on ReLU's
// kink; trained models' biases are not, and neither are these.
const cnn = (): SequentialModel => {
  const net = twoBlockCnn({ seed: 3 });
  for (const p of net.parameters()) {
    if (p.name === 'bias') p.value.data.set(randomTensor([p.value.data.length], 9, 0.1).data);
  }
  return net;
};

const { test } = loadDigits(0, 2);
const digit = (i: number): Tensor => ({
  shape: [1, 1, 28, 28],
  data: test.x.data.slice(i * 784, (i + 1) * 784),
});

// The class scores (the layer before the softmax) of one input, in float64 for differencing.
const logit = (net: SequentialModel, x: Tensor, k: number) =>
  net.forwardAll(x).activations['linear1']!.data[k]!;

describe('saliency', () => {
  it('is the gradient of the predicted class score, as central differences measure it', () => {
    const net = cnn();
    // Noise rather than a digit: a digit's blank border ties every max-pooling window, where
    // the slope differs on either side and no difference quotient can check a gradient.
    const x = randomTensor([1, 1, 28, 28], 4, 0.5);
    x.data.forEach((v, i) => {
      x.data[i] = v + 0.5;
    });
    const s = saliency(net, x);
    const probs = net.forward(x).data;
    expect(s.target).toBe(probs.indexOf(Math.max(...probs)));
    expect(s.layer).toBe('linear1');
    expect(s.score).toBeCloseTo(logit(net, x, s.target), 5);
    // The network is piecewise linear in the input: a small step stays on one piece, so the
    // difference quotient is the slope itself.
    const eps = 1e-3;
    let checked = 0;
    let worst = 0;
    for (let p = 0; p < 784; p += 7) {
      const up = { shape: x.shape, data: x.data.slice() };
      const down = { shape: x.shape, data: x.data.slice() };
      up.data[p]! += eps;
      down.data[p]! -= eps;
      const numeric = (logit(net, up, s.target) - logit(net, down, s.target)) / (2 * eps);
      worst = Math.max(worst, Math.abs(numeric - s.gradient.data[p]!));
      checked++;
    }
    expect(checked).toBe(112);
    expect(worst).toBeLessThan(2e-3);
    for (let p = 0; p < 784; p++) expect(s.map.data[p]).toBe(Math.abs(s.gradient.data[p]!));
  });

  it('takes a chosen class and refuses a bad one or a batch', () => {
    const net = cnn();
    expect(saliency(net, digit(0), 7).target).toBe(7);
    expect(() => saliency(net, digit(0), 10)).toThrow(
      /received target 10, expected a class from 0 to 9/,
    );
    expect(() => saliency(net, randomTensor([2, 1, 28, 28], 1))).toThrow(/one example/);
    expect(() => saliency(net, randomTensor([1, 1, 27, 28], 1))).toThrow(
      /expected \[1, 1, 28, 28\]/,
    );
  });
});

describe('occlusion', () => {
  it('equals the drop of P(target) measured on each occluded copy alone', () => {
    const net = cnn();
    const x = digit(5);
    const o = occlusion(net, x, { patch: 4, stride: 2 });
    expect([o.rows, o.cols]).toEqual([13, 13]);
    const base = net.forwardAll(x).output.data;
    expect(o.base).toBeCloseTo(base[o.target]!, 6);
    const drops = new Float32Array(169);
    const sum = new Float64Array(784);
    const count = new Float64Array(784);
    for (let r = 0; r < 13; r++) {
      for (let c = 0; c < 13; c++) {
        const copy = x.data.slice();
        for (let y = 2 * r; y < 2 * r + 4; y++)
          for (let q = 2 * c; q < 2 * c + 4; q++) copy[y * 28 + q] = 0.5;
        const p = net.forwardAll({ shape: x.shape, data: copy }).output.data[o.target]!;
        drops[r * 13 + c] = base[o.target]! - p;
        for (let y = 2 * r; y < 2 * r + 4; y++) {
          for (let q = 2 * c; q < 2 * c + 4; q++) {
            sum[y * 28 + q]! += base[o.target]! - p;
            count[y * 28 + q]!++;
          }
        }
      }
    }
    expect(maxAbsDiff(o.drops.data, drops)).toBeLessThan(1e-5);
    expect(
      maxAbsDiff(
        o.map.data,
        Array.from(sum, (s, i) => s / count[i]!),
      ),
    ).toBeLessThan(1e-5);
  });

  it('follows the shape rule for other patches and strides and rejects bad ones', () => {
    const net = cnn();
    const o = occlusion(net, digit(1), { patch: 5, stride: 3, fill: 0, target: 2 });
    expect([o.rows, o.cols, o.target]).toEqual([8, 8, 2]);
    expect(() => occlusion(net, digit(1), { patch: 0 })).toThrow(/received patch 0/);
    expect(() => occlusion(net, digit(1), { stride: 1.5 })).toThrow(/received stride 1.5/);
  });
});

describe('channelMaxima and rankChannel', () => {
  it('rank a channel exactly as a full sort by value, then index, does', () => {
    const net = cnn();
    const n = 20;
    const x = { shape: [n, 1, 28, 28], data: test.x.data.slice(0, n * 784) };
    const act = net.forwardAll(x).activations['conv2']!;
    // Two batches into one set, as the page's worker fills it.
    const first = channelMaxima({ shape: [8, 6, 11, 11], data: act.data.slice(0, 8 * 6 * 121) });
    const whole = {
      ...first,
      count: n,
      value: new Float32Array(n * 6),
      at: new Int32Array(n * 6),
    };
    channelMaxima({ shape: [8, 6, 11, 11], data: act.data.slice(0, 8 * 6 * 121) }, whole, 0);
    channelMaxima({ shape: [12, 6, 11, 11], data: act.data.slice(8 * 6 * 121) }, whole, 8);
    for (const ch of [0, 3, 5]) {
      const scored = Array.from({ length: n }, (_, i) => {
        const map = act.data.subarray((i * 6 + ch) * 121, (i * 6 + ch + 1) * 121);
        const value = Math.max(...map);
        const at = map.indexOf(value);
        return { index: i, value, y: Math.floor(at / 11), x: at % 11 };
      });
      const top = [...scored].sort((a, b) => b.value - a.value || a.index - b.index);
      const bottom = [...scored].sort((a, b) => a.value - b.value || a.index - b.index);
      expect(rankChannel(whole, ch, 5, 'top')).toEqual(top.slice(0, 5));
      expect(rankChannel(whole, ch, 4, 'bottom')).toEqual(bottom.slice(0, 4));
      expect(rankChannel(whole, ch, 3, 'top', 10)).toEqual(
        top.filter((s) => s.index < 10).slice(0, 3),
      );
    }
    expect(() => rankChannel(whole, 6, 5, 'top')).toThrow(/received channel 6, expected 0 to 5/);
  });
});

describe('FilterAscent', () => {
  it('climbs: the unit fires more on its pattern than on grey, stays in [0, 1], and leaves pixels it cannot see alone', () => {
    const net = cnn();
    const a = new FilterAscent(net, 'conv2', 2, { seed: 1 });
    const start0 = a.image.data.slice();
    expect(a.unit).toEqual({ y: 5, x: 5 });
    expect(a.field).toEqual(receptiveField(net, 'conv2', { y: 5, x: 5 }).region);
    const start = a.step();
    for (let i = 0; i < 30; i++) a.step();
    expect(a.gradient().objective).toBeGreaterThan(start);
    expect(Math.min(...a.image.data)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a.image.data)).toBeLessThanOrEqual(1);
    const f = a.field;
    for (let p = 0; p < 784; p++) {
      const [y, x] = [Math.floor(p / 28), p % 28];
      const inside = y >= f.y0 && y <= f.y1 && x >= f.x0 && x <= f.x1;
      if (!inside) expect(a.image.data[p]).toBe(start0[p]);
    }
  });

  it('takes the gradient of the mean activation, as central differences measure it', () => {
    const net = cnn();
    const a = new FilterAscent(net, 'conv1', 1, { seed: 2, unit: 'mean' });
    const { objective, gradient } = a.gradient();
    const mean = (x: Tensor) => {
      const m = net.forwardAll(x).activations['conv1']!.data.subarray(676, 2 * 676);
      return m.reduce((s, v) => s + v, 0) / 676;
    };
    expect(objective).toBeCloseTo(mean(a.image), 5);
    const eps = 1e-2;
    for (const p of [0, 29, 300, 783]) {
      const up = { shape: a.image.shape, data: a.image.data.slice() };
      const down = { shape: a.image.shape, data: a.image.data.slice() };
      up.data[p]! += eps;
      down.data[p]! -= eps;
      expect((mean(up) - mean(down)) / (2 * eps)).toBeCloseTo(gradient[p]!, 3);
    }
    expect(() => new FilterAscent(net, 'flatten1', 0)).toThrow(/has no channels/);
    expect(() => new FilterAscent(net, 'conv1', 4)).toThrow(/received channel 4, expected 0 to 3/);
    expect(() => new FilterAscent(net, 'conv1', 0, { unit: { y: 26, x: 0 } })).toThrow(
      /received unit/,
    );
  });
});
