import { ArgumentError, EmptyBatchError, ShapeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { logSoftmax, softmax } from './softmax.js';

function checkLabels(logits: Tensor, labels: ArrayLike<number>): [number, number] {
  const op = 'crossEntropy';
  if (logits.shape.length !== 2)
    throw new ShapeError(op, '[N, classes] for the logits', logits.shape);
  const [n, k] = logits.shape as [number, number];
  if (n === 0) throw new EmptyBatchError(op, logits.shape);
  if (labels.length !== n) {
    throw new ShapeError(op, `[${n}] for the labels (one per example)`, [labels.length]);
  }
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    if (!Number.isInteger(l) || l < 0 || l >= k) {
      throw new ArgumentError(op, `label ${i} is ${l}, expected an integer class in [0, ${k})`);
    }
  }
  return [n, k];
}

/**
 * Categorical cross-entropy of raw scores (logits) against integer labels, averaged over the
 * batch: mean_n -log softmax(logits_n)[label_n]. Takes logits rather than probabilities so the
 * log-sum-exp stays stable (as ONNX SoftmaxCrossEntropyLoss, reduction "mean").
 * Returns a scalar tensor (shape []).
 *
 * @example
 * crossEntropy(tensor([0, 0], [1, 2]), [1]).data[0]; // ln 2 = 0.693...
 */
export function crossEntropy(logits: Tensor, labels: ArrayLike<number>): Tensor {
  const [n, k] = checkLabels(logits, labels);
  const lp = logSoftmax(logits);
  let s = 0;
  for (let i = 0; i < n; i++) s -= lp.data[i * k + labels[i]!]!;
  return { shape: [], data: Float32Array.of(s / n) };
}

/** Backward of {@link crossEntropy}: (softmax(logits) - onehot(labels)) * dLoss / N. */
export function crossEntropyBackward(logits: Tensor, labels: ArrayLike<number>, dLoss = 1): Tensor {
  const [n, k] = checkLabels(logits, labels);
  const p = softmax(logits);
  const dx = p.data;
  for (let i = 0; i < n; i++) dx[i * k + labels[i]!]! -= 1;
  const scale = dLoss / n;
  for (let i = 0; i < dx.length; i++) dx[i]! *= scale;
  return { shape: [n, k], data: dx };
}
