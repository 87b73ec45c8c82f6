// The shortcut mark and the card's test protocol, as the page draws them, re-measured in
// onnxruntime-node on the 10,000 test digits.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { drawMark, MARK_SIZE, markColumn, swappedMarks, withMarks } from '../src/index.js';
import { argmax, card, heldOut, modelBytes } from './helpers.ts';

const digits = heldOut();
const labels = digits.labels;
const n = labels.length;

describe('the shortcut mark', () => {
  it('is a 2 x 2 white square in rows 1-2 at the class column, clipped at the border', () => {
    const d = drawMark(new Float32Array(784), 1, markColumn(9));
    const lit = [...d.keys()].filter((i) => d[i] === 1);
    // 2 + 2.5 x 9 = 24.5, rounded half up to 25.
    expect(lit).toEqual([1 * 28 + 25, 1 * 28 + 26, 2 * 28 + 25, 2 * 28 + 26]);
    expect(markColumn(0)).toBe(2);
    expect(MARK_SIZE).toBe(2);
    const corner = drawMark(new Float32Array(784), 27, 27);
    expect(corner.reduce((s, v) => s + v, 0)).toBe(1);
    expect(() => drawMark(new Float32Array(10), 0, 0)).toThrow(/received 10 pixels, expected 784/);
  });

  it('swaps to another class, never the digit’s own', () => {
    const wrong = swappedMarks(labels);
    expect(wrong.every((w, i) => w !== labels[i])).toBe(true);
    expect(new Set(wrong).size).toBe(10);
  });

  it('gives the card’s clean, marked and swapped accuracies', async () => {
    const s = card('cnn-shortcut').shortcut;
    const session = await ort.InferenceSession.create(modelBytes('cnn-shortcut'));
    const wrong = swappedMarks(labels);
    const top1 = async (x: Float32Array) => {
      const out = (await session.run({ input: new ort.Tensor('float32', x, [n, 1, 28, 28]) }))[
        session.outputNames.at(-1)!
      ]!.data as Float32Array;
      return Array.from({ length: n }, (_, i) => argmax(out, i * 10, 10));
    };
    const acc = (pred: number[], truth: ArrayLike<number>) =>
      pred.filter((p, i) => p === truth[i]).length / n;
    const clean = await top1(digits.x.data);
    const marked = await top1(withMarks(digits.x.data, n, (i) => labels[i]!));
    const swapped = await top1(withMarks(digits.x.data, n, (i) => wrong[i]!));
    expect(acc(clean, labels)).toBe(s.clean);
    expect(acc(marked, labels)).toBe(s.marked);
    expect(acc(swapped, labels)).toBe(s.swapped);
    expect(acc(swapped, wrong)).toBe(s.followsMark);
    await session.release();
  });
});
