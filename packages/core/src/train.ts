import { type AugmentOptions, augmentBatch } from './augment.js';
import { Tape, type Var } from './autograd.js';
import { ArgumentError, EmptyBatchError, ShapeError } from './errors.js';
import { kindOf } from './layer-kinds.js';
import { accuracy } from './metrics.js';
import type { SequentialModel } from './model.js';
import type { Optimizer } from './optim.js';
import { createRng } from './random.js';
import { withStepBuffers } from './step-buffers.js';
import type { Tensor } from './tensor.js';

declare const performance: { now(): number };

/** Examples and their integer labels; x is [N, ...inputShape]. */
export interface Dataset {
  x: Tensor;
  labels: ArrayLike<number>;
}

/** What {@link lossAndGradients} returns. */
export interface LossAndGradients {
  loss: number;
  /** Scores before a final softmax / logSoftmax layer. */
  logits: Tensor;
  /** dLoss/dParameter, in `model.parameters()` order. */
  gradients: Tensor[];
}

/**
 * Mean cross-entropy of a batch and its gradient for every parameter, by reverse-mode autograd.
 * A final softmax (or logSoftmax) layer is folded into the loss: cross-entropy is taken on the
 * scores before it, which is the same maths computed without log(0).
 */
export function lossAndGradients(
  model: SequentialModel,
  x: Tensor,
  labels: ArrayLike<number>,
): LossAndGradients {
  const tape = new Tape();
  const params = model.parameters();
  const vars = new Map<Tensor, Var>();
  for (const p of params) vars.set(p.value, tape.variable(p.value, true));
  const last = model.layers.at(-1);
  const until =
    last && kindOf(last).probabilities ? model.layers.length - 2 : model.layers.length - 1;
  const logits = model.forwardOnTape(tape, tape.variable(x), vars, until);
  const loss = tape.crossEntropy(logits, labels);
  tape.backward(loss);
  return {
    loss: loss.value.data[0]!,
    logits: logits.value,
    gradients: params.map(
      (p) =>
        vars.get(p.value)!.grad ?? {
          shape: [...p.value.shape],
          data: new Float32Array(p.value.data.length),
        },
    ),
  };
}

/** One optimisation step on one batch; returns the batch's loss and accuracy before the step. */
export function trainStep(
  model: SequentialModel,
  x: Tensor,
  labels: ArrayLike<number>,
  optimizer: Optimizer,
): { loss: number; accuracy: number } {
  // Every tensor of the step dies with it: the next step reuses their buffers (step-buffers.ts).
  return withStepBuffers(() => {
    const r = lossAndGradients(model, x, labels);
    optimizer.step(
      model.parameters().map((p) => p.value),
      r.gradients,
    );
    return { loss: r.loss, accuracy: accuracy(r.logits, labels) };
  });
}

/** Copies the examples at `indices` into a new batch. */
export function takeExamples(x: Tensor, indices: ArrayLike<number>): Tensor {
  const per = x.data.length / x.shape[0]!;
  const out = new Float32Array(indices.length * per);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i]!;
    out.set(x.data.subarray(j * per, (j + 1) * per), i * per);
  }
  return { shape: [indices.length, ...x.shape.slice(1)], data: out };
}

/** Reported after each batch (or every `progressEvery` batches) of {@link train}. */
export interface TrainProgress {
  epoch: number;
  /** Batches done in this epoch. */
  batch: number;
  batches: number;
  /** Mean loss over this epoch's batches so far. */
  loss: number;
  /** Training accuracy over this epoch so far. */
  accuracy: number;
  /** Examples per second over this epoch so far. */
  examplesPerSecond: number;
}

/** One finished epoch. */
export interface EpochResult {
  epoch: number;
  loss: number;
  accuracy: number;
  examplesPerSecond: number;
  /** Accuracy on `validation`, when given. */
  validationAccuracy?: number;
}

export interface TrainOptions {
  optimizer: Optimizer;
  epochs?: number;
  batchSize?: number;
  /** Seed of shuffling and augmentation. Default 0. */
  seed?: number;
  /** Shuffle the examples every epoch. Default true. */
  shuffle?: boolean;
  augment?: AugmentOptions;
  validation?: Dataset;
  onProgress?: (p: TrainProgress) => void;
  onEpoch?: (e: EpochResult) => void;
  /** Call onProgress every this many batches (and at the last one). Default 1. */
  progressEvery?: number;
}

/** Whether the options change an image at all (each transform is off at 0 or when omitted). */
function augments(a: AugmentOptions): boolean {
  return (
    (a.shift ?? 0) > 0 ||
    (a.rotate ?? 0) > 0 ||
    (a.scale ?? 0) > 0 ||
    (a.shear ?? 0) > 0 ||
    (a.elastic?.alpha ?? 0) > 0
  );
}

/**
 * Mini-batch training with seeded shuffling and augmentation. The same model seed, data and
 * options give the same weights, bit for bit.
 *
 * @example
 * const history = train(net, { x, labels }, {
 *   optimizer: adam({ lr: 0.01 }), epochs: 5, batchSize: 32, seed: 1,
 *   onProgress: (p) => console.log(p.loss, p.accuracy, p.examplesPerSecond),
 * });
 */
export function train(model: SequentialModel, data: Dataset, o: TrainOptions): EpochResult[] {
  const n = data.x.shape[0] ?? 0;
  if (n === 0) throw new EmptyBatchError('train', data.x.shape);
  if (data.labels.length !== n)
    throw new ShapeError('train', `[${n}] labels`, [data.labels.length]);
  const epochs = o.epochs ?? 1;
  const batchSize = o.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new ArgumentError('train', `batchSize must be an integer >= 1, received ${batchSize}`);
  if (!Number.isInteger(epochs) || epochs < 0)
    throw new ArgumentError('train', `epochs must be an integer >= 0, received ${epochs}`);
  const rng = createRng(o.seed ?? 0);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const batches = Math.ceil(n / batchSize);
  const every = o.progressEvery ?? 1;
  const history: EpochResult[] = [];
  const augment = o.augment && augments(o.augment) ? o.augment : null;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    if (o.shuffle ?? true) rng.shuffle(order);
    const t0 = performance.now();
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    for (let b = 0; b < batches; b++) {
      const idx = order.subarray(b * batchSize, Math.min(n, (b + 1) * batchSize));
      let x = takeExamples(data.x, idx);
      if (augment) x = augmentBatch(x, rng, augment);
      const labels = Array.from(idx, (i) => data.labels[i]!);
      const r = trainStep(model, x, labels, o.optimizer);
      lossSum += r.loss * idx.length;
      correct += r.accuracy * idx.length;
      seen += idx.length;
      if (o.onProgress && ((b + 1) % every === 0 || b === batches - 1)) {
        const dt = (performance.now() - t0) / 1000;
        o.onProgress({
          epoch,
          batch: b + 1,
          batches,
          loss: lossSum / seen,
          accuracy: correct / seen,
          examplesPerSecond: seen / Math.max(dt, 1e-9),
        });
      }
    }
    const dt = (performance.now() - t0) / 1000;
    const result: EpochResult = {
      epoch,
      loss: lossSum / seen,
      accuracy: correct / seen,
      examplesPerSecond: seen / Math.max(dt, 1e-9),
    };
    if (o.validation)
      result.validationAccuracy = accuracy(predict(model, o.validation.x), o.validation.labels);
    o.onEpoch?.(result);
    history.push(result);
  }
  return history;
}

/** The model's outputs for many examples, run in batches of `batchSize`. */
export function predict(model: SequentialModel, x: Tensor, batchSize = 256): Tensor {
  const n = x.shape[0] ?? 0;
  if (n === 0) throw new EmptyBatchError('predict', x.shape);
  const parts: Tensor[] = [];
  for (let i = 0; i < n; i += batchSize) {
    const idx = Int32Array.from({ length: Math.min(batchSize, n - i) }, (_, j) => i + j);
    parts.push(model.forward(takeExamples(x, idx)));
  }
  const per = parts[0]!.data.length / parts[0]!.shape[0]!;
  const data = new Float32Array(n * per);
  let off = 0;
  for (const p of parts) {
    data.set(p.data, off);
    off += p.data.length;
  }
  return { shape: [n, ...parts[0]!.shape.slice(1)], data };
}
