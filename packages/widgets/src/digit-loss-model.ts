/**
 * The numbers of the lesson's "from pixels to a loss" step, DOM-free so the page and the build
 * (its no-JavaScript table) compute them with the same code: a digit through a model, the ten
 * softmax outputs, the label as a one-hot row, the cross-entropy loss -log p_label, and one
 * plain gradient step (core autograd) with the loss after it and the weights it moved most.
 */
import {
  lossAndGradients,
  modelFromJSON,
  type SequentialModel,
  sgd,
  tensor,
} from '@receptive/core';

/** One weight a step moved, by layer, tensor and index in it, with its change. */
export interface MovedWeight {
  layer: string;
  name: 'weight' | 'bias';
  /** Index into the tensor, as [row, column] for a linear weight ([unit] for a bias). */
  index: number[];
  before: number;
  after: number;
}

/** What {@link lossExample} returns. */
export interface LossExample {
  label: number;
  /** Ten softmax outputs. */
  probs: number[];
  oneHot: number[];
  /** Cross entropy of the scores against the label: -log p_label. */
  loss: number;
  /** After one SGD step of `lr` on this digit and label (null when not asked for). */
  step: { lr: number; lossAfter: number; probsAfter: number[]; moved: MovedWeight[] } | null;
}

/**
 * The loss of `pixels` (784 grey levels) labelled `label`, and (unless `step` is false) one
 * gradient step of plain SGD on a copy of the model.
 */
export function lossExample(
  model: SequentialModel,
  pixels: Float32Array,
  label: number,
  lr = 0.1,
  top = 5,
  step = true,
): LossExample {
  const x = tensor(pixels, [1, ...model.inputShape]);
  if (!step) {
    const r = lossAndGradients(model, x, [label]);
    return {
      label,
      probs: Array.from(model.forward(x).data),
      oneHot: Array.from({ length: 10 }, (_, d) => (d === label ? 1 : 0)),
      loss: r.loss,
      step: null,
    };
  }
  const copy = modelFromJSON(model.toJSON());
  const before = copy.parameters().map((p) => p.value.data.slice());
  const r = lossAndGradients(copy, x, [label]);
  const probs = Array.from(model.forward(x).data);
  sgd({ lr }).step(
    copy.parameters().map((p) => p.value),
    r.gradients,
  );
  const after = lossAndGradients(copy, x, [label]);
  // The weights that moved most: largest |change| over every parameter tensor.
  const moved: MovedWeight[] = [];
  copy.parameters().forEach((p, k) => {
    const b = before[k]!;
    const d = p.value.data;
    for (let i = 0; i < d.length; i++) {
      const change = Math.abs(d[i]! - b[i]!);
      if (change === 0) continue;
      if (moved.length < top || change > Math.abs(moved.at(-1)!.after - moved.at(-1)!.before)) {
        const cols = p.value.shape[1] ?? 1;
        const index = p.value.shape.length === 2 ? [Math.floor(i / cols), i % cols] : [i];
        moved.push({ layer: p.layer, name: p.name, index, before: b[i]!, after: d[i]! });
        moved.sort((u, v) => Math.abs(v.after - v.before) - Math.abs(u.after - u.before));
        if (moved.length > top) moved.pop();
      }
    }
  });
  return {
    label,
    probs,
    oneHot: Array.from({ length: 10 }, (_, d) => (d === label ? 1 : 0)),
    loss: r.loss,
    step: {
      lr,
      lossAfter: after.loss,
      probsAfter: Array.from(copy.forward(x).data),
      moved,
    },
  };
}
