// Data-parallel training: a batch split across workers (threads), each computing the gradients
// of its share on its own copy of the model, summed in a fixed order and applied once. The
// transport is whatever message port the platform has (a Web Worker, a MessagePort, Node's
// worker_threads port), so the core stays free of any platform code.
import { ArgumentError, ReceptiveError } from './errors.js';
import { accuracy } from './metrics.js';
import { type ModelJSON, modelFromJSON, type SequentialModel } from './model.js';
import type { Optimizer } from './optim.js';
import { type KernelSet, kernels, setKernels } from './simd/kernels.js';
import { withStepBuffers } from './step-buffers.js';
import type { Tensor } from './tensor.js';
import { lossAndGradients } from './train.js';

/**
 * What a trainer and a gradient worker talk through: a Web `Worker`, a `MessagePort`, or Node's
 * `worker_threads` `parentPort` / a `MessageChannel` port all fit.
 */
export interface GradientPort {
  postMessage(message: unknown, transfer?: readonly unknown[]): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

/** A trainer's request: the gradients of one share of a batch at the given parameters. */
interface GradientRequest {
  rf: 'gradients';
  id: number;
  /** The model's layers and weights, sent with the first request (and after a new model). */
  model?: ModelJSON;
  /** Every parameter's values, concatenated in `model.parameters()` order. */
  params: Float32Array;
  kernels: KernelSet;
  shape: number[];
  x: Float32Array;
  labels: Int32Array;
}

/** A worker's answer: the share's mean loss, correct count and concatenated gradients. */
type GradientReply =
  | { rf: 'gradients'; id: number; loss: number; correct: number; grads: Float32Array }
  | { rf: 'gradients'; id: number; error: string };

/** Thrown by {@link DataParallelTrainer.step} when a worker could not compute its share. */
export class GradientWorkerError extends ReceptiveError {
  constructor(message: string) {
    super('dataParallel', message);
    this.name = 'GradientWorkerError';
  }
}

/** Copies every parameter's values into `into` (allocated when null), in order. */
function gatherParameters(model: SequentialModel, into: Float32Array | null): Float32Array {
  const ps = model.parameters();
  let size = 0;
  for (const p of ps) size += p.value.data.length;
  const out = into && into.length === size ? into : new Float32Array(size);
  let at = 0;
  for (const p of ps) {
    out.set(p.value.data, at);
    at += p.value.data.length;
  }
  return out;
}

/**
 * The mean loss, correct count and gradients (concatenated into `grads`) of `model` on one
 * share of a batch.
 */
function shareGradients(
  model: SequentialModel,
  x: Tensor,
  labels: ArrayLike<number>,
  grads: Float32Array,
): { loss: number; correct: number } {
  return withStepBuffers(() => {
    const r = lossAndGradients(model, x, labels);
    let at = 0;
    for (const g of r.gradients) {
      grads.set(g.data, at);
      at += g.data.length;
    }
    return { loss: r.loss, correct: Math.round(accuracy(r.logits, labels) * labels.length) };
  });
}

/**
 * Answers a {@link DataParallelTrainer}'s requests arriving on `port` (run it in the worker:
 * `serveGradients(self)` in a Web Worker, `serveGradients(parentPort)` in Node). Each request
 * brings the parameters to use, so the worker holds no state a trainer depends on beyond the
 * model's layers. Returns a function that stops answering.
 * @example
 * // worker.js
 * import { serveGradients } from '@receptive/core';
 * serveGradients(self);
 */
export function serveGradients(port: GradientPort): () => void {
  let model: SequentialModel | null = null;
  const listener = (event: { data: unknown }) => {
    const m = event.data as GradientRequest;
    if (m?.rf !== 'gradients') return;
    let reply: GradientReply;
    try {
      if (m.model) model = modelFromJSON(m.model);
      if (!model) throw new Error('the first request brought no model');
      const ps = model.parameters();
      if (ps.reduce((n, p) => n + p.value.data.length, 0) !== m.params.length) {
        throw new Error('the parameters do not fit the model');
      }
      let at = 0;
      for (const p of ps) {
        p.value.data.set(m.params.subarray(at, at + p.value.data.length));
        at += p.value.data.length;
      }
      if (kernels().requested !== m.kernels) setKernels(m.kernels);
      const grads = new Float32Array(m.params.length);
      const r = shareGradients(model, { shape: m.shape, data: m.x }, m.labels, grads);
      reply = { rf: 'gradients', id: m.id, loss: r.loss, correct: r.correct, grads };
      port.postMessage(reply, [grads.buffer]);
    } catch (err) {
      reply = { rf: 'gradients', id: m.id, error: (err as Error).message ?? String(err) };
      port.postMessage(reply);
    }
  };
  port.addEventListener('message', listener);
  // A MessagePort (browser or Node) delivers nothing until started; a Worker has no start().
  (port as { start?: () => void }).start?.();
  return () => port.removeEventListener('message', listener);
}

/**
 * Trains `model` on batches split across the calling thread and one worker per port, each
 * running {@link serveGradients}: every step sends the parameters and a share of the batch to
 * each worker, computes the first share here meanwhile, sums the shares' gradients weighted by
 * their sizes (in a fixed order, so a run is repeatable) and takes one optimizer step. The
 * result is the single-thread {@link trainStep}'s up to float rounding (the mean of the whole
 * batch's gradients, summed in a different order). With no ports it is that step.
 * @example
 * const workers = [new Worker(new URL('./gradients.js', import.meta.url), { type: 'module' })];
 * const trainer = new DataParallelTrainer(model, adam({ lr: 3e-3 }), workers);
 * const { loss, accuracy } = await trainer.step(batch, labels);
 */
export class DataParallelTrainer {
  readonly model: SequentialModel;
  readonly optimizer: Optimizer;
  readonly #ports: readonly GradientPort[];
  readonly #pending = new Map<
    number,
    { resolve(r: GradientReply): void; reject(e: Error): void }
  >();
  readonly #listener = (event: { data: unknown }) => {
    const r = event.data as GradientReply;
    if (r?.rf !== 'gradients') return;
    const p = this.#pending.get(r.id);
    this.#pending.delete(r.id);
    p?.resolve(r);
  };
  #nextId = 0;
  #sentModel: SequentialModel | null = null;
  #params: Float32Array | null = null;
  #grads: Float32Array[] = [];
  #closed = false;

  constructor(model: SequentialModel, optimizer: Optimizer, ports: readonly GradientPort[]) {
    this.model = model;
    this.optimizer = optimizer;
    this.#ports = [...ports];
    for (const port of this.#ports) {
      port.addEventListener('message', this.#listener);
      // A Web Worker that fails (its script does not load, it throws) fires 'error'; a message
      // that cannot be read fires 'messageerror'. Either fails the step waiting on it.
      const on = port.addEventListener as (type: string, f: (e: unknown) => void) => void;
      on.call(port, 'error', this.#failAll);
      on.call(port, 'messageerror', this.#failAll);
      (port as { start?: () => void }).start?.();
    }
  }

  readonly #failAll = (event: unknown) => {
    const why = (event as { message?: string })?.message || 'the worker failed';
    for (const p of this.#pending.values()) p.reject(new GradientWorkerError(why));
    this.#pending.clear();
  };

  /** Threads a step splits its batch over: this one and one per worker. */
  get threads(): number {
    return this.#ports.length + 1;
  }

  /**
   * One optimizer step on the batch `x` [N, ...] with `labels`; resolves to the batch's loss and
   * accuracy before the step.
   * @throws {GradientWorkerError} when a worker reports an error (the model is then unchanged).
   */
  async step(x: Tensor, labels: ArrayLike<number>): Promise<{ loss: number; accuracy: number }> {
    if (this.#closed) throw new ArgumentError('dataParallel', 'the trainer is closed');
    const n = x.shape[0] ?? 0;
    if (labels.length !== n) {
      throw new ArgumentError('dataParallel', `${n} examples but ${labels.length} labels`);
    }
    const shares = Math.max(1, Math.min(this.threads, n));
    const per = n === 0 ? 0 : x.data.length / n;
    const bounds = Array.from({ length: shares + 1 }, (_, i) => Math.round((i * n) / shares));
    const params = gatherParameters(this.model, this.#params);
    this.#params = params;
    const model = this.#sentModel === this.model ? undefined : this.model.toJSON();
    this.#sentModel = this.model;
    const set = kernels().requested;
    const replies: Promise<GradientReply>[] = [];
    for (let s = 1; s < shares; s++) {
      const [a, b] = [bounds[s]!, bounds[s + 1]!];
      const id = ++this.#nextId;
      const request: GradientRequest = {
        rf: 'gradients',
        id,
        ...(model ? { model } : {}),
        params,
        kernels: set,
        shape: [b - a, ...x.shape.slice(1)],
        x: x.data.slice(a * per, b * per),
        labels: Int32Array.from({ length: b - a }, (_, i) => labels[a + i]!),
      };
      replies.push(
        new Promise((resolve, reject) => {
          this.#pending.set(id, { resolve, reject });
          this.#ports[s - 1]!.postMessage(request, [request.x.buffer, request.labels.buffer]);
        }),
      );
    }
    // The first share, here, while the workers compute theirs.
    const b0 = bounds[1]!;
    while (this.#grads.length < shares) this.#grads.push(new Float32Array(params.length));
    const local = shareGradients(
      this.model,
      { shape: [b0, ...x.shape.slice(1)], data: x.data.subarray(0, b0 * per) },
      Array.from({ length: b0 }, (_, i) => labels[i]!),
      this.#grads[0]!,
    );
    const answers = await Promise.all(replies);
    const worked = answers.map((r) => {
      if ('error' in r) throw new GradientWorkerError(`a gradient worker failed: ${r.error}`);
      return r;
    });
    // Sum the shares weighted by their sizes, share by share in order.
    const sum = this.#grads[0]!;
    const w0 = b0 / n;
    let loss = local.loss * w0;
    let correct = local.correct;
    for (let i = 0; i < sum.length; i++) sum[i] = sum[i]! * w0;
    worked.forEach((r, k) => {
      const w = (bounds[k + 2]! - bounds[k + 1]!) / n;
      loss += r.loss * w;
      correct += r.correct;
      const g = r.grads;
      for (let i = 0; i < sum.length; i++) sum[i] = sum[i]! + g[i]! * w;
    });
    const ps = this.model.parameters();
    let at = 0;
    const grads = ps.map((p) => {
      const size = p.value.data.length;
      const g = { shape: [...p.value.shape], data: sum.subarray(at, at + size) };
      at += size;
      return g;
    });
    this.optimizer.step(
      ps.map((p) => p.value),
      grads,
    );
    return { loss, accuracy: correct / n };
  }

  /** Stops listening to the workers (it does not terminate them; their owner does). */
  close(): void {
    this.#closed = true;
    for (const port of this.#ports) {
      port.removeEventListener('message', this.#listener);
      const off = port.removeEventListener as (type: string, f: (e: unknown) => void) => void;
      off.call(port, 'error', this.#failAll);
      off.call(port, 'messageerror', this.#failAll);
    }
    for (const p of this.#pending.values()) {
      p.reject(new ArgumentError('dataParallel', 'the trainer was closed mid-step'));
    }
    this.#pending.clear();
  }
}
