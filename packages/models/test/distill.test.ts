import { adam, type SequentialModel, sequential, sgd, train } from '@receptive/core';
import { describe, expect, it } from 'vitest';
import { distillEpoch } from '../scripts/lib/distill.ts';
import { gather, loadMnist } from '../scripts/lib/mnist.ts';
import { lessonCnn } from '../src/recipes.ts';

// The first 96 training digits: enough for a few steps of a small CNN.
const data = gather(
  loadMnist('train'),
  Array.from({ length: 96 }, (_, i) => i),
);
const augment = { shift: 1, rotate: 8 };
const net = (seed: number) =>
  sequential(lessonCnn('max', { c1: 4, c2: 6, kernel: 3, padding: 0 }), {
    inputShape: [1, 28, 28],
    seed,
  });
const weights = (m: SequentialModel) => m.parameters().flatMap((p) => Array.from(p.value.data));
const maxDiff = (a: number[], b: number[]) =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('distillEpoch', () => {
  it('with alpha 0 is training on the labels: the same batches, augmentation and steps as train()', () => {
    const a = net(1);
    const b = net(1);
    const teacher = net(2);
    train(a, data, { optimizer: adam({ lr: 3e-3 }), epochs: 1, batchSize: 32, seed: 7, augment });
    const r = distillEpoch(b, teacher, data, {
      optimizer: adam({ lr: 3e-3 }),
      batchSize: 32,
      seed: 7,
      augment,
      temperature: 4,
      alpha: 0,
    });
    expect(maxDiff(weights(a), weights(net(1)))).toBeGreaterThan(1e-3);
    expect(maxDiff(weights(b), weights(a))).toBeLessThan(1e-5);
    expect(r.loss).toBeGreaterThan(0);
  });

  it('with alpha 1 and the student as its own teacher, there is nothing to learn', () => {
    const student = net(3);
    const teacher = net(3);
    const before = weights(student);
    const r = distillEpoch(student, teacher, data, {
      optimizer: sgd({ lr: 0.5 }),
      batchSize: 32,
      seed: 1,
      augment,
      temperature: 3,
      alpha: 1,
    });
    expect(r.loss).toBeLessThan(1e-9);
    expect(r.agreement).toBe(1);
    expect(maxDiff(weights(student), before)).toBeLessThan(1e-6);
  });

  it("moves the student's softened scores towards the teacher's", () => {
    const student = net(4);
    const teacher = net(5);
    train(teacher, data, { optimizer: adam({ lr: 3e-3 }), epochs: 3, batchSize: 32, seed: 2 });
    const opts = {
      optimizer: adam({ lr: 3e-3 }),
      batchSize: 32,
      seed: 3,
      augment: null,
      temperature: 2,
      alpha: 1,
    };
    const first = distillEpoch(student, teacher, data, opts);
    let last = first;
    for (let e = 0; e < 4; e++)
      last = distillEpoch(student, teacher, data, { ...opts, seed: 4 + e });
    expect(last.loss).toBeLessThan(first.loss / 2);
    expect(last.agreement).toBeGreaterThan(first.agreement);
  });

  it('repeats bit for bit from the same seed', () => {
    const run = () => {
      const s = net(6);
      distillEpoch(s, net(7), data, {
        optimizer: adam({ lr: 3e-3 }),
        batchSize: 16,
        seed: 9,
        augment,
        temperature: 4,
        alpha: 0.7,
      });
      return weights(s);
    };
    expect(run()).toEqual(run());
  });
});
