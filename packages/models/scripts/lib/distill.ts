// Knowledge distillation (Hinton, Vinyals and Dean 2015): a student learns from the true label and
// from a trained teacher's softened scores for the same augmented digit.
//
//   loss = (1 - alpha) * CE(softmax(z), y) + alpha * T^2 * KL(softmax(t / T) || softmax(z / T))
//
// z are the student's scores, t the teacher's, y the label and T the temperature. Its gradient
// with respect to z is taken here by hand and handed to the tape as the seed of the backward pass:
//
//   dloss/dz = ((1 - alpha) * (softmax(z) - onehot(y)) + alpha * T * (softmax(z / T) - softmax(t / T))) / batch
//
// One call is one epoch, drawing its shuffle and augmentation from `seed` exactly as core's
// `train` does for one epoch, so a run repeats bit for bit.
import {
  type AugmentOptions,
  augmentBatch,
  createRng,
  type Dataset,
  type Optimizer,
  type SequentialModel,
  Tape,
  type Tensor,
  takeExamples,
  type Var,
} from '@receptive/core';

export interface DistillOptions {
  optimizer: Optimizer;
  batchSize: number;
  seed: number;
  augment: AugmentOptions | null;
  /** T: how far the teacher's scores are softened. */
  temperature: number;
  /** The weight of the teacher's term; 1 - alpha goes to the true labels. */
  alpha: number;
}

export interface DistillEpoch {
  /** Mean of the loss above over the epoch. */
  loss: number;
  /** The student's training accuracy on the epoch's (augmented) batches, before each step. */
  accuracy: number;
  /** How often the student's top class agreed with the teacher's. */
  agreement: number;
  examplesPerSecond: number;
}

/** softmax(scores / T) of each row, written into `out`; returns log-sum-exp(scores / T) per row. */
function softRows(scores: Float32Array, rows: number, k: number, t: number, out: Float64Array) {
  const lse = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, scores[r * k + j]! / t);
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const e = Math.exp(scores[r * k + j]! / t - max);
      out[r * k + j] = e;
      sum += e;
    }
    for (let j = 0; j < k; j++) out[r * k + j]! /= sum;
    lse[r] = max + Math.log(sum);
  }
  return lse;
}

const argmaxRow = (v: ArrayLike<number>, r: number, k: number) => {
  let best = 0;
  for (let j = 1; j < k; j++) if (v[r * k + j]! > v[r * k + best]!) best = j;
  return best;
};

/**
 * The teacher's scores up to a constant per row, from its probabilities (its last layer is a
 * softmax): log p = t - logsumexp(t), and softmax ignores a constant per row. Probabilities that
 * underflowed to 0 are read as the smallest float32 instead.
 */
function teacherScores(teacher: SequentialModel, x: Tensor): Float32Array {
  const p = teacher.forward(x).data;
  const out = new Float32Array(p.length);
  for (let i = 0; i < p.length; i++) out[i] = Math.log(Math.max(p[i]!, 1e-38));
  return out;
}

/** One epoch of distillation of `student` from `teacher` on `data`. */
export function distillEpoch(
  student: SequentialModel,
  teacher: SequentialModel,
  data: Dataset,
  o: DistillOptions,
): DistillEpoch {
  const n = data.x.shape[0]!;
  const k = 10;
  const T = o.temperature;
  const rng = createRng(o.seed);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  rng.shuffle(order);
  const params = student.parameters();
  // The student's scores are the input of its final softmax layer.
  const until = student.layers.length - 2;
  const started = performance.now();
  let lossSum = 0;
  let correct = 0;
  let agree = 0;
  for (let b = 0; b * o.batchSize < n; b++) {
    const idx = order.subarray(b * o.batchSize, Math.min(n, (b + 1) * o.batchSize));
    let x = takeExamples(data.x, idx);
    if (o.augment) x = augmentBatch(x, rng, o.augment);
    const rows = idx.length;
    const teacherSoft = new Float64Array(rows * k);
    softRows(teacherScores(teacher, x), rows, k, T, teacherSoft);

    const tape = new Tape();
    const vars = new Map<Tensor, Var>();
    for (const p of params) vars.set(p.value, tape.variable(p.value, true));
    const logits = student.forwardOnTape(tape, tape.variable(x), vars, until);
    const z = logits.value.data;
    const hard = new Float64Array(rows * k);
    softRows(z, rows, k, 1, hard);
    const soft = new Float64Array(rows * k);
    const studentLse = softRows(z, rows, k, T, soft);
    const seed = new Float32Array(rows * k);
    for (let r = 0; r < rows; r++) {
      const y = data.labels[idx[r]!]!;
      let kl = 0;
      for (let j = 0; j < k; j++) {
        const i = r * k + j;
        const q = teacherSoft[i]!;
        // KL(q || p) with log p = z/T - lse: sum q (log q - log p).
        if (q > 0) kl += q * (Math.log(q) - (z[i]! / T - studentLse[r]!));
        seed[i] =
          ((1 - o.alpha) * (hard[i]! - (j === y ? 1 : 0)) + o.alpha * T * (soft[i]! - q)) / rows;
      }
      lossSum +=
        (1 - o.alpha) * -Math.log(Math.max(hard[r * k + y]!, 1e-300)) + o.alpha * T * T * kl;
      const top = argmaxRow(z, r, k);
      if (top === y) correct++;
      if (top === argmaxRow(teacherSoft, r, k)) agree++;
    }
    tape.backward(logits, { shape: [rows, k], data: seed });
    o.optimizer.step(
      params.map((p) => p.value),
      params.map(
        (p) =>
          vars.get(p.value)!.grad ?? {
            shape: [...p.value.shape],
            data: new Float32Array(p.value.data.length),
          },
      ),
    );
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    loss: lossSum / n,
    accuracy: correct / n,
    agreement: agree / n,
    examplesPerSecond: n / seconds,
  };
}
