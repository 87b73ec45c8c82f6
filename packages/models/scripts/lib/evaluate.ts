import {
  argmaxRows,
  confusionMatrix,
  type SequentialModel,
  shift2d,
  shiftConsistency,
  shiftPairs,
  type Tensor,
} from '@receptive/core';
import { swappedMarks, withMarks } from './shortcut.ts';

/** The model's output for every example, computed in chunks to bound memory. */
export function outputs(model: SequentialModel, x: Tensor, chunk = 500): Tensor {
  const n = x.shape[0]!;
  const per = x.data.length / n;
  const classes = model.outputShape[0]!;
  const data = new Float32Array(n * classes);
  for (let s = 0; s < n; s += chunk) {
    const e = Math.min(n, s + chunk);
    const batch = { shape: [e - s, ...x.shape.slice(1)], data: x.data.subarray(s * per, e * per) };
    data.set(model.forward(batch).data, s * classes);
  }
  return { shape: [n, classes], data };
}

/** Top-1 class of every example. */
export const predict = (model: SequentialModel, x: Tensor): Int32Array =>
  argmaxRows(outputs(model, x));

const accuracyOf = (pred: ArrayLike<number>, labels: ArrayLike<number>) => {
  let ok = 0;
  for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) ok++;
  return ok / labels.length;
};

export interface HeldOutReport {
  accuracy: number;
  /** 95% Wilson score interval of the accuracy. */
  interval95: [number, number];
  correct: number;
  total: number;
  perClass: { digit: number; accuracy: number; count: number }[];
  confusion: number[][];
}

export function heldOut(model: SequentialModel, x: Tensor, labels: number[]): HeldOutReport {
  const confusion = confusionMatrix(outputs(model, x), labels, 10);
  const perClass = confusion.map((row, d) => {
    const count = row.reduce((a, b) => a + b, 0);
    return { digit: d, accuracy: count === 0 ? 0 : row[d]! / count, count };
  });
  const correct = confusion.reduce((s, row, d) => s + row[d]!, 0);
  return {
    accuracy: correct / labels.length,
    interval95: wilson(correct, labels.length),
    correct,
    total: labels.length,
    perClass,
    confusion,
  };
}

/**
 * The 95% Wilson score interval of a proportion of `k` successes in `n` trials: unlike the
 * normal approximation it stays inside [0, 1] and behaves near 100%.
 */
export function wilson(k: number, n: number, z = 1.959964): [number, number] {
  const p = k / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

export interface ShiftReport {
  /** Zhang (2019): how often two random shifts of the same digit get the same top-1. */
  consistency: number;
  pairs: number;
  maxShift: number;
  seed: number;
  /** Held-out accuracy with every digit moved by `shift` pixels along one axis. */
  accuracyByDx: { shift: number; accuracy: number }[];
  accuracyByDy: { shift: number; accuracy: number }[];
}

/**
 * Shift consistency as in Zhang (2019), with whole-pixel shifts and zero fill: for each held-out
 * digit and each of `draws` rounds, two independent shifts (dy, dx) in [-maxShift, maxShift]^2.
 */
export function shiftReport(
  model: SequentialModel,
  x: Tensor,
  labels: number[],
  maxShift = 3,
  draws = 5,
  seed = 7,
): ShiftReport {
  const n = labels.length;
  // The pairs a page draws too (core's shiftPairs), each distinct shift one batched forward pass.
  const pairs = shiftPairs(n, { maxShift, draws, seed });
  const byShift = new Map<string, Set<number>>();
  for (let p = 0; p < pairs.length / 4; p++) {
    for (const o of [0, 2]) {
      const key = `${pairs[4 * p + o]},${pairs[4 * p + o + 1]}`;
      const digits = byShift.get(key) ?? new Set<number>();
      digits.add(p % n);
      byShift.set(key, digits);
    }
  }
  const top1 = new Map<string, number>();
  for (const [key, digits] of byShift) {
    const [dy, dx] = key.split(',').map(Number) as [number, number];
    const unique = [...digits];
    const pred = predict(model, shift2d(take(x, unique), dy, dx));
    for (const [j, i] of unique.entries()) top1.set(`${key}|${i}`, pred[j]!);
  }
  const { consistency, pairs: counted } = shiftConsistency(
    pairs,
    n,
    (digit, dy, dx) => top1.get(`${dy},${dx}|${digit}`)!,
  );
  const curve = (axis: 'dx' | 'dy') =>
    Array.from({ length: 2 * maxShift + 3 }, (_, k) => k - maxShift - 1).map((s) => ({
      shift: s,
      accuracy: accuracyOf(
        predict(model, axis === 'dx' ? shift2d(x, 0, s) : shift2d(x, s, 0)),
        labels,
      ),
    }));
  return {
    consistency,
    pairs: counted,
    maxShift,
    seed,
    accuracyByDx: curve('dx'),
    accuracyByDy: curve('dy'),
  };
}

export interface ShortcutReport {
  /** Accuracy on held-out digits without marks. */
  clean: number;
  /** Accuracy when every digit carries the mark of its own class. */
  marked: number;
  /** Accuracy when every digit carries the mark of another class. */
  swapped: number;
  /** With swapped marks: how often the prediction is the mark's class instead of the digit's. */
  followsMark: number;
}

export function shortcutReport(
  model: SequentialModel,
  x: Tensor,
  labels: number[],
  seed = 11,
): ShortcutReport {
  const wrong = Array.from(swappedMarks(labels, seed));
  const swappedPred = predict(
    model,
    withMarks(x, (i) => wrong[i]!),
  );
  return {
    clean: accuracyOf(predict(model, x), labels),
    marked: accuracyOf(
      predict(
        model,
        withMarks(x, (i) => labels[i]!),
      ),
      labels,
    ),
    swapped: accuracyOf(swappedPred, labels),
    followsMark: accuracyOf(swappedPred, wrong),
  };
}

function take(x: Tensor, idx: number[]): Tensor {
  const per = x.data.length / x.shape[0]!;
  const data = new Float32Array(idx.length * per);
  for (const [j, i] of idx.entries()) data.set(x.data.subarray(i * per, (i + 1) * per), j * per);
  return { shape: [idx.length, ...x.shape.slice(1)], data };
}
