import { ShapeError } from './errors.js';
import type { Tensor } from './tensor.js';

/** Index of the largest score in each row of [N, K] scores (the predicted class). */
export function argmaxRows(scores: Tensor): Int32Array {
  if (scores.shape.length !== 2) throw new ShapeError('argmaxRows', '[N, classes]', scores.shape);
  const [n, k] = scores.shape as [number, number];
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let i = 1; i < k; i++) if (scores.data[r * k + i]! > scores.data[r * k + best]!) best = i;
    out[r] = best;
  }
  return out;
}

/**
 * Fraction of rows whose highest score is the label.
 *
 * @example
 * accuracy(tensor([0.9, 0.1, 0.2, 0.8], [2, 2]), [0, 0]); // 0.5
 */
export function accuracy(scores: Tensor, labels: ArrayLike<number>): number {
  const pred = argmaxRows(scores);
  if (labels.length !== pred.length)
    throw new ShapeError('accuracy', `[${pred.length}] labels`, [labels.length]);
  let ok = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === labels[i]) ok++;
  return ok / pred.length;
}

/**
 * Confusion matrix: `m[truth][predicted]` counts the examples of class `truth` that the model
 * called `predicted`; the diagonal holds the correct ones.
 *
 * @example
 * confusionMatrix(scores, labels)[3][5]; // how many 3s were read as 5s
 */
export function confusionMatrix(
  scores: Tensor,
  labels: ArrayLike<number>,
  classes?: number,
): number[][] {
  const pred = argmaxRows(scores);
  if (labels.length !== pred.length)
    throw new ShapeError('confusionMatrix', `[${pred.length}] labels`, [labels.length]);
  const k = classes ?? scores.shape[1]!;
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < pred.length; i++) m[labels[i]!]![pred[i]!]!++;
  return m;
}
