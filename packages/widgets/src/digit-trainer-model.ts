/**
 * The training run of `<rf-digit-trainer>`, DOM-free so a Node script can run the very same
 * schedule with @receptive/core and compare weights with the page's: the lecture's two-block CNN
 * (`lessonCnn('max')` of @receptive/models: conv 12 relu maxpool, conv 20 relu maxpool, flatten,
 * linear 10, softmax) from seeded random weights, Adam, and the 60,000 training digits as one
 * endless, seeded stream of examples:
 *
 * - epoch 1 reads the chunks in their shipped order 0, 1, ..., 59 (so training starts on chunk 0
 *   while the rest download); every later epoch reads them in an order shuffled by the data rng;
 * - the 1,000 digits of each chunk are read in an order shuffled by the same rng, drawn when the
 *   stream enters the chunk;
 * - a batch takes the next `batchSize` examples of the stream, across chunk and epoch boundaries,
 *   so a batch is never short and a change of batch size applies from the next batch;
 * - the learning rate of a step is `lr * decay ** (examples seen before it / 60,000)`: it falls
 *   smoothly by `decay` per epoch.
 *
 * A step that needs a chunk that has not arrived waits for it (the stream never skips or
 * reorders), so the weights after n steps depend only on the seed and the knobs, not on how fast
 * the digits arrive.
 */
import {
  adam,
  createRng,
  type DataParallelTrainer,
  type Optimizer,
  type SequentialModel,
  sequential,
  type Tensor,
  trainStep,
} from '@receptive/core';
import { LESSON_CNN_SHAPE, lessonCnn } from '@receptive/models/recipes';

/** Training digits in the stream (the shipped set: 60 chunks of 1,000). */
export const TRAIN_CHUNKS = 60;
export const CHUNK_SIZE = 1000;
export const TRAIN_COUNT = TRAIN_CHUNKS * CHUNK_SIZE;

/** The knobs of a run and their defaults. */
export interface TrainerOptions {
  /** Seed of the weights (model seed) and of the data order (seed + 1). */
  seed: number;
  /** Adam's starting learning rate. */
  lr: number;
  batchSize: number;
  /** Factor the learning rate falls by over each epoch (1: constant). */
  decay: number;
}

export const TRAINER_DEFAULTS: TrainerOptions = { seed: 1, lr: 3e-3, batchSize: 32, decay: 0.3 };

/** The learning-rate choices the figure offers, and the batch sizes. */
export const LR_CHOICES = [3e-4, 1e-3, 3e-3, 1e-2, 3e-2] as const;
export const BATCH_CHOICES = [8, 16, 32, 64, 128] as const;

/** The order in which epoch `epoch` (1-based) reads the chunks: shipped order first, then shuffled. */
export function chunkOrder(seed: number, epoch: number): Int32Array {
  const order = Int32Array.from({ length: TRAIN_CHUNKS }, (_, i) => i);
  return epoch === 1 ? order : createRng(((seed + 1) * 4096 + epoch) * 64).shuffle(order);
}

/** The order in which the `at`-th chunk of epoch `epoch` reads its `count` digits. */
export function digitOrder(seed: number, epoch: number, at: number, count: number): Int32Array {
  const order = Int32Array.from({ length: count }, (_, i) => i);
  return createRng(((seed + 1) * 4096 + epoch) * 64 + at + 1).shuffle(order);
}

/** The first layer's kernels: how many, and their side. */
export const CONV1_KERNELS = { count: LESSON_CNN_SHAPE.c1, size: LESSON_CNN_SHAPE.kernel } as const;

/** The untrained network: the lecture's two-block CNN with seeded Kaiming-uniform weights. */
export function trainerNetwork(seed: number): SequentialModel {
  return sequential(lessonCnn('max'), { inputShape: [1, 28, 28], seed });
}

/** One chunk of training digits: 784 grey levels per digit in [0, 1], and the labels. */
export interface TrainChunk {
  index: number;
  pixels: Float32Array;
  labels: ArrayLike<number>;
}

/** What one step did. */
export interface StepResult {
  /** Mean cross-entropy of the batch before the step. */
  loss: number;
  /** Fraction of the batch the network classified right before the step. */
  accuracy: number;
  lr: number;
  batchSize: number;
}

/**
 * A training run over a stream of chunks that may still be arriving. `step()` returns null while
 * the next batch needs a chunk that is not in yet.
 *
 * @example
 * const run = new TrainerRun({ seed: 1 });
 * run.addChunk({ index: 0, pixels, labels });
 * while (run.step()) {}
 */
export class TrainerRun {
  readonly model: SequentialModel;
  readonly optimizer: Optimizer;
  readonly options: TrainerOptions;
  readonly #chunks: (TrainChunk | null)[] = Array.from({ length: TRAIN_CHUNKS }, () => null);
  /** The chunk order of the current epoch, the place in it, and the digit order of the chunk. */
  #order: Int32Array = chunkOrder(0, 1);
  #at = 0;
  #digits: Int32Array | null = null;
  #offset = 0;
  /** Completed steps and examples. */
  steps = 0;
  seen = 0;
  epoch = 1;

  constructor(o: Partial<TrainerOptions> = {}) {
    this.options = { ...TRAINER_DEFAULTS, ...o };
    this.model = trainerNetwork(this.options.seed);
    this.optimizer = adam({ lr: this.options.lr });
  }

  /** Chunks in so far. */
  get chunksIn(): number {
    return this.#chunks.filter(Boolean).length;
  }

  addChunk(c: TrainChunk): void {
    this.#chunks[c.index] = c;
  }

  /** Sets the starting learning rate or the batch size; they apply from the next step. */
  set(o: { lr?: number; batchSize?: number }): void {
    if (o.lr !== undefined) this.options.lr = o.lr;
    if (o.batchSize !== undefined) this.options.batchSize = o.batchSize;
  }

  /** The learning rate of the next step. */
  get lr(): number {
    return this.options.lr * this.options.decay ** (this.seen / TRAIN_COUNT);
  }

  /** Index of the chunk the next batch starts in (the one to wait for when `step` says null). */
  get nextChunk(): number {
    return this.#order[this.#at]!;
  }

  // The next `n` examples of the stream as a batch, or null while a chunk they need is not in.
  // Nothing moves unless the whole batch is there.
  #batch(n: number): { x: Tensor; labels: number[] } | null {
    const seed = this.options.seed;
    let order = this.#order;
    let at = this.#at;
    let digits = this.#digits;
    let offset = this.#offset;
    let epoch = this.epoch;
    const x = new Float32Array(n * 784);
    const labels: number[] = [];
    for (let i = 0; i < n; i++) {
      if (digits && offset >= digits.length) {
        digits = null;
        at++;
        if (at >= TRAIN_CHUNKS) {
          at = 0;
          epoch++;
          order = chunkOrder(seed, epoch);
        }
      }
      const chunk = this.#chunks[order[at]!];
      if (!chunk) return null;
      if (!digits) {
        digits = digitOrder(seed, epoch, at, chunk.labels.length);
        offset = 0;
      }
      const j = digits[offset++]!;
      x.set(chunk.pixels.subarray(j * 784, (j + 1) * 784), i * 784);
      labels.push(chunk.labels[j]!);
    }
    this.#order = order;
    this.#at = at;
    this.#digits = digits;
    this.#offset = offset;
    this.epoch = epoch;
    return { x: { shape: [n, 1, 28, 28], data: x }, labels };
  }

  /**
   * The next batch of the stream and the learning rate of its step, counted as a step taken:
   * for a backend that runs the step itself (the tfjs path). Null (nothing moves) while its digits
   * are not in.
   */
  nextBatch(): { x: Tensor; labels: number[]; lr: number } | null {
    const n = this.options.batchSize;
    const b = this.#batch(n);
    if (!b) return null;
    const lr = this.lr;
    (this.optimizer.config as { lr: number }).lr = lr;
    this.steps++;
    this.seen += n;
    return { ...b, lr };
  }

  /** One Adam step of the core on the next batch; null (nothing changed) while its digits are not in. */
  step(): StepResult | null {
    const b = this.nextBatch();
    if (!b) return null;
    const r = trainStep(this.model, b.x, b.labels, this.optimizer);
    return { ...r, lr: b.lr, batchSize: b.labels.length };
  }

  /**
   * {@link step}, with the batch split across `threads` (a DataParallelTrainer of this run's
   * model and optimizer): the same step up to float rounding.
   */
  async stepOn(threads: DataParallelTrainer): Promise<StepResult | null> {
    const b = this.nextBatch();
    if (!b) return null;
    const r = await threads.step(b.x, b.labels);
    return { ...r, lr: b.lr, batchSize: b.labels.length };
  }
}

/** The first layer's kernels (12 of 3 x 3 in the lesson CNN) and biases, copied. */
export function conv1Kernels(model: SequentialModel): { weight: Float32Array; bias: Float32Array } {
  const l = model.layer('conv1');
  if (l.kind !== 'conv2d') throw new Error('conv1 is not a convolution');
  return { weight: l.weight.data.slice(), bias: l.bias?.data.slice() ?? new Float32Array(0) };
}
