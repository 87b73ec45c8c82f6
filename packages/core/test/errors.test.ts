// Bad input gets a typed error naming the op and the shapes, never a silent wrong answer.
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  avgPool2d,
  blurPool2d,
  conv2d,
  crossEntropy,
  EmptyBatchError,
  flatten,
  layers,
  linear,
  maxPool2d,
  NonFiniteError,
  ReceptiveError,
  relu,
  ShapeError,
  sequential,
  sgd,
  softmax,
  tensor,
  train,
  zeros,
} from '../src/index.js';

const x = zeros([1, 1, 5, 5]);
const w = zeros([2, 1, 3, 3]);

describe('shape errors name the op, the expected and the received shapes', () => {
  it('conv2d: wrong rank, channel mismatch, bias size', () => {
    expect(() => conv2d(zeros([5, 5]), w)).toThrow(ShapeError);
    expect(() => conv2d(zeros([5, 5]), w)).toThrow(
      'conv2d: expected shape [N, C, H, W] for input, received [5, 5]',
    );
    expect(() => conv2d(zeros([1, 3, 5, 5]), w)).toThrow(
      'conv2d: expected shape [K, 3, kh, kw] for the kernel (input has 3 channels), received [2, 1, 3, 3]',
    );
    expect(() => conv2d(x, w, zeros([3]))).toThrow('expected shape [2] for the bias');
  });

  it('a kernel larger than the padded input', () => {
    const e = (() => {
      try {
        conv2d(zeros([1, 1, 2, 2]), zeros([1, 1, 5, 5]), null, { padding: 1 });
      } catch (err) {
        return err as ShapeError;
      }
    })();
    expect(e).toBeInstanceOf(ShapeError);
    expect(e?.op).toBe('conv2d');
    expect(e?.received).toEqual([1, 1, 2, 2]);
    expect(e?.message).toContain(
      'kernel height 5 is larger than the padded input height 4 (2 + 2*1)',
    );
    expect(() => maxPool2d(zeros([1, 1, 1, 1]), { kernel: 2 })).toThrow(
      /maxPool2d: .*kernel height 2 is larger/,
    );
  });

  it('linear, flatten, softmax and crossEntropy shapes', () => {
    expect(() => linear(zeros([1, 4]), zeros([3, 5]))).toThrow(
      'linear: expected shape [out, 4] for the weight (input has 4 features), received [3, 5]',
    );
    expect(() => linear(zeros([1, 1, 2, 2]), zeros([3, 4]))).toThrow(
      /linear: expected shape \[N, in\]/,
    );
    expect(() => flatten(zeros([4]))).toThrow(ShapeError);
    expect(() => crossEntropy(zeros([2, 3]), [1])).toThrow(
      'crossEntropy: expected shape [2] for the labels (one per example), received [1]',
    );
    expect(() => crossEntropy(zeros([2, 3]), [1, 3])).toThrow(ArgumentError);
  });

  it('sequential checks every layer when it is built', () => {
    expect(() => sequential([layers.linear({ units: 3 })], { inputShape: [1, 4, 4] })).toThrow(
      /add layers.flatten\(\) first/,
    );
    expect(() =>
      sequential([layers.conv2d({ filters: 1, kernel: 5 })], { inputShape: [1, 3, 3] }),
    ).toThrow(ShapeError);
    const net = sequential([layers.flatten(), layers.linear({ units: 2 })], {
      inputShape: [1, 2, 2],
    });
    expect(() => net.forward(zeros([1, 1, 3, 3]))).toThrow(
      'model.forward: expected shape [N, 1, 2, 2], received [1, 1, 3, 3]',
    );
  });
});

describe('other bad input', () => {
  it('NaN and Infinity are refused with their position', () => {
    const bad = zeros([1, 1, 5, 5]);
    bad.data[7] = Number.NaN;
    expect(() => conv2d(bad, w)).toThrow(NonFiniteError);
    expect(() => conv2d(bad, w)).toThrow('conv2d: input holds NaN at flat index 7');
    bad.data[7] = Number.POSITIVE_INFINITY;
    expect(() => relu(bad)).toThrow('relu: input holds Infinity at flat index 7');
    expect(() =>
      softmax({ shape: [2], data: Float32Array.of(1, Number.NEGATIVE_INFINITY) }),
    ).toThrow(NonFiniteError);
    expect(() => tensor([1, Number.NaN])).toThrow(NonFiniteError);
  });

  it('empty batches', () => {
    const empty = zeros([0, 1, 5, 5]);
    for (const f of [
      () => conv2d(empty, w),
      () => maxPool2d(empty, { kernel: 2 }),
      () => avgPool2d(empty, { kernel: 2 }),
      () => blurPool2d(empty),
      () => relu(empty),
      () => flatten(empty),
      () => linear(zeros([0, 3]), zeros([2, 3])),
    ]) {
      expect(f).toThrow(EmptyBatchError);
    }
    const net = sequential([layers.flatten(), layers.linear({ units: 2 })], {
      inputShape: [1, 2, 2],
    });
    expect(() =>
      train(net, { x: zeros([0, 1, 2, 2]), labels: [] }, { optimizer: sgd({ lr: 0.1 }) }),
    ).toThrow(EmptyBatchError);
  });

  it('zero, negative or fractional strides and bad padding', () => {
    expect(() => conv2d(x, w, null, { stride: 0 })).toThrow(ArgumentError);
    expect(() => conv2d(x, w, null, { stride: -1 })).toThrow(
      'conv2d: stride must be an integer >= 1 (or a pair of them), received -1',
    );
    expect(() => conv2d(x, w, null, { stride: 1.5 })).toThrow(ArgumentError);
    expect(() => conv2d(x, w, null, { padding: -1 })).toThrow(ArgumentError);
    expect(() => maxPool2d(x, { kernel: 2, stride: 0 })).toThrow(
      'maxPool2d: stride must be an integer >= 1',
    );
    expect(() => maxPool2d(x, { kernel: 2, padding: 2 })).toThrow(
      'maxPool2d: padding [2, 2] must be smaller than the window [2, 2]',
    );
    expect(() => blurPool2d(x, { stride: 0 })).toThrow(ArgumentError);
    expect(() => blurPool2d(x, { filter: 4 })).toThrow(
      'blurPool2d: filter must be 1, 3 or 5, received 4',
    );
    expect(() => layers.maxPool2d({ kernel: 0 })).toThrow(ArgumentError);
    expect(() => sgd({ lr: -1 })).toThrow(ArgumentError);
  });

  it('every error is a ReceptiveError with the op name', () => {
    try {
      avgPool2d(x, { kernel: 9 });
    } catch (e) {
      expect(e).toBeInstanceOf(ReceptiveError);
      expect((e as ReceptiveError).op).toBe('avgPool2d');
    }
  });
});
