/**
 * The training loop of `<rf-digit-trainer>` on the CPU path, in a Web Worker so the page never
 * waits on it: @receptive/core's autograd and Adam on the lecture's CNN ({@link TrainerRun}),
 * the 60 training chunks downloaded one after another here while the first ones train, and the
 * running accuracy on the first 1,000 test digits. The loop runs in slices of about 30 ms and
 * yields between them, so pause, resume and the knobs take effect within a slice.
 */
import {
  accuracy,
  DataParallelTrainer,
  type GradientPort,
  type ModelJSON,
  predict,
  setKernels,
} from '@receptive/core';
import type { GpuLossWatch, TfjsModel } from '@receptive/core/tfjs';
import { loadDigitChunk } from '@receptive/models';
import {
  conv1Kernels,
  TRAIN_CHUNKS,
  type TrainerOptions,
  TrainerRun,
} from './digit-trainer-model.js';
import { nextTask } from './next-task.js';

/** What the page asks. */
export type TrainerRequest =
  | {
      type: 'start';
      options: TrainerOptions;
      /** URLs of the 60 training chunks and of the first test chunk, resolved by the page. */
      trainUrls: string[];
      testUrl: string;
      /** Pause by itself once this many steps are done (tests); null runs on. */
      stopAfter: number | null;
      /** Measure test accuracy every this many steps. */
      evalEvery: number;
      /** cpu: @receptive/core here; webgpu / webgl: @receptive/core/tfjs on that tfjs backend. */
      backend: 'cpu' | 'webgpu' | 'webgl';
      /** Threads the CPU path splits each batch across (this worker and threads - 1 helpers). */
      threads: number;
    }
  | { type: 'pause' }
  | { type: 'resume'; stopAfter?: number | null }
  | { type: 'set'; lr?: number; batchSize?: number }
  | { type: 'weights'; id: number };

/** What the worker tells the page. */
export type TrainerMessage =
  | { type: 'chunk'; index: number; chunksIn: number; bytes: number }
  /** The engine that trains, once it runs (a GPU backend that fails to start is an error). */
  | {
      type: 'engine';
      backend: string;
      /** On the CPU path: why the core's scalar loops run instead of its SIMD kernels, if they do. */
      scalarReason?: string | null;
      /** On the CPU path: threads each batch is split across (1: this worker alone). */
      threads?: number;
      /** Why fewer threads run than were asked for, if they do. */
      threadsReason?: string | null;
      /**
       * Set when the GPU went mid-run and training moved to the core on the CPU: the backend
       * lost, why, the step it had reached, and the step whose weights training goes on from
       * (the last ones copied back from the GPU).
       */
      lost?: { backend: string; reason: string; steps: number; from: number };
    }
  | {
      type: 'progress';
      steps: number;
      seen: number;
      epoch: number;
      lr: number;
      batchSize: number;
      /** Loss of every step since the last message, in order. */
      losses: number[];
      /** Milliseconds of training (running, not paused) since Train. */
      elapsedMs: number;
      /** Examples per second over the last second or so of running. */
      rate: number;
      waiting: boolean;
      conv1: { weight: Float32Array; bias: Float32Array };
    }
  | { type: 'eval'; steps: number; seen: number; elapsedMs: number; accuracy: number }
  | { type: 'paused'; steps: number }
  | { type: 'weights'; id: number; steps: number; elapsedMs: number; json: ModelJSON }
  | { type: 'error'; message: string };

/** Sends a message to the page (with buffers to transfer). */
export type TrainerPost = (m: TrainerMessage, transfer?: Transferable[]) => void;

/**
 * The training host: its state and loop, driven by {@link TrainerRequest}s and answering with
 * {@link TrainerMessage}s through `post`. A Web Worker runs one (the CPU path); the page runs
 * one itself for the tfjs GPU path, where a worker may see no graphics adapter. `stop()` ends
 * the run and frees its tfjs tensors.
 */
export function createTrainerHost(post: TrainerPost): {
  handle(m: TrainerRequest): void;
  stop(): void;
} {
  let trainer: TrainerRun | null = null;
  /** The tfjs mirror of the trainer's model on the GPU path, else null. */
  let gpu: TfjsModel | null = null;
  /** The GPU behind `gpu`, watched for a loss. */
  let watch: GpuLossWatch | null = null;
  /** The step whose weights the core model holds (on the GPU path, the last copied back). */
  let synced = 0;
  /** Why the GPU went, once it has (training then runs on the CPU). */
  let gpuLost: string | null = null;
  /** Losses of GPU steps not read back yet, oldest first. */
  const inflight: Promise<void>[] = [];
  let test: { x: Float32Array; labels: Uint8Array } | null = null;
  let running = false;
  let stopAfter: number | null = null;
  let evalEvery = 200;
  let lastEval = -1;
  /** Why the CPU path runs the scalar loops, if it does (null: the SIMD kernels run). */
  let scalarReason: string | null = null;
  /** Threads asked for on the CPU path, and the helpers and trainer that split batches. */
  let threadsWanted = 1;
  let helpers: Worker[] = [];
  let parallel: DataParallelTrainer | null = null;
  let threadsReason: string | null = null;
  /** Running time: accumulated over past running spans, plus the current span's. */
  let spent = 0;
  let since = 0;
  let wake: (() => void) | null = null;
  let losses: number[] = [];
  let lastPost = 0;
  /** (time, seen) of recent slices, for examples per second. */
  const recent: [number, number][] = [];

  const elapsed = () => spent + (running ? performance.now() - since : 0);

  async function evaluate(t: TrainerRun): Promise<void> {
    if (!test || lastEval === t.steps) return;
    await syncGpu(t);
    lastEval = t.steps;
    const n = test.labels.length;
    const probs = predict(t.model, { shape: [n, 1, 28, 28], data: test.x }, 250);
    post({
      type: 'eval',
      steps: t.steps,
      seen: t.seen,
      elapsedMs: elapsed(),
      accuracy: accuracy(probs, test.labels),
    });
  }

  /** Copies the GPU's weights into the core model (nothing to do on the CPU path). */
  async function syncGpu(t: TrainerRun): Promise<void> {
    if (!gpu || !watch) return;
    const steps = t.steps;
    try {
      await gpu.syncToModelAsync((v) => watch!.read(v));
      synced = steps;
    } catch (err) {
      if (!watch?.reason) throw err;
      // The GPU went: the core model keeps the weights of the last copy.
      moveToCpu(t, watch.reason);
    }
  }

  async function progress(t: TrainerRun, waiting: boolean): Promise<void> {
    await syncGpu(t);
    const now = performance.now();
    recent.push([now, t.seen]);
    while (recent.length > 2 && now - recent[0]![0] > 1500) recent.shift();
    const [t0, s0] = recent[0]!;
    const conv1 = conv1Kernels(t.model);
    post(
      {
        type: 'progress',
        steps: t.steps,
        seen: t.seen,
        epoch: t.epoch,
        lr: t.lr,
        batchSize: t.options.batchSize,
        losses,
        elapsedMs: elapsed(),
        rate: now > t0 ? ((t.seen - s0) * 1000) / (now - t0) : 0,
        waiting,
        conv1,
      },
      [conv1.weight.buffer, conv1.bias.buffer],
    );
    losses = [];
    lastPost = now;
  }

  async function loop(t: TrainerRun): Promise<void> {
    if (gpu) return loopGpu(t, gpu);
    while (running && trainer === t) {
      const start = performance.now();
      let waiting = false;
      while (performance.now() - start < 30) {
        const r = parallel ? await t.stepOn(parallel) : t.step();
        if (!r) {
          waiting = true;
          break;
        }
        losses.push(r.loss);
        if (t.steps % evalEvery === 0) await evaluate(t);
        if (stopAfter !== null && t.steps >= stopAfter) {
          await pause(t);
          break;
        }
      }
      if (performance.now() - lastPost > 150 || waiting) await progress(t, waiting);
      if (waiting && running) {
        // Sleeps until the chunk it needs arrives (the running clock keeps going: the reader waits).
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
      } else await nextTask();
    }
  }

  async function pause(t: TrainerRun): Promise<void> {
    if (!running) return;
    running = false;
    wake?.();
    // The GPU's queued steps finish and their losses come back before the run counts as paused
    // (a GPU that goes meanwhile fails them: the sync below then moves the run to the CPU).
    await Promise.allSettled(inflight.splice(0));
    spent += performance.now() - since;
    await evaluate(t);
    await progress(t, false);
    post({ type: 'paused', steps: t.steps });
  }

  /**
   * The GPU path: each step's batch goes to tfjs, its loss stays on the device and is read back
   * without blocking, with at most four steps in flight; nothing here waits on the GPU per step.
   */
  async function loopGpu(t: TrainerRun, g: TfjsModel): Promise<void> {
    while (running && trainer === t && gpu === g) {
      const start = performance.now();
      let waiting = false;
      while (running && gpu === g && performance.now() - start < 30) {
        const b = t.nextBatch();
        if (!b) {
          waiting = true;
          break;
        }
        const loss = g.trainStepLoss(b.x, b.labels);
        inflight.push(
          watch!.read(loss).then(
            (d) => {
              losses.push(d[0]!);
              loss.dispose();
            },
            (err) => {
              loss.dispose();
              throw err;
            },
          ),
        );
        if (inflight.length > 4) await inflight.shift();
        if (t.steps % evalEvery === 0) {
          await Promise.all(inflight.splice(0));
          await evaluate(t);
        }
        if (stopAfter !== null && t.steps >= stopAfter) {
          await pause(t);
          break;
        }
      }
      if (!running || gpu !== g) break;
      if (performance.now() - lastPost > 150 || waiting) {
        await Promise.all(inflight.splice(0));
        await progress(t, waiting);
      }
      if (waiting && running) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
      } else await nextTask();
    }
  }

  function resume(t: TrainerRun): void {
    if (running) return;
    running = true;
    since = performance.now();
    recent.length = 0;
    void loop(t).catch((err) => onLoopError(t, err));
  }

  /** A failed step: the GPU went (training moves to the CPU), or a real error. */
  function onLoopError(t: TrainerRun, err: unknown): void {
    // A run that was reset or stopped meanwhile (its helpers closed mid-step) has nothing to say.
    if (trainer !== t) return;
    const reason = watch?.reason ?? gpuLost;
    if (reason === null) fail(err);
    else moveToCpu(t, reason);
  }

  /**
   * The GPU went mid-run: its weights cannot be read any more, so training goes on with the
   * core on the CPU from the last weights copied back (at most a progress message old).
   */
  function moveToCpu(t: TrainerRun, reason: string): void {
    if (!gpu) return; // moved already
    gpuLost = reason;
    const backend = watch?.backend ?? 'gpu';
    // Read-backs still in flight fail with the loss; their steps are not counted in.
    for (const p of inflight.splice(0)) p.catch(() => {});
    try {
      gpu?.dispose();
    } catch {
      // A lost context can refuse to free what it no longer has.
    }
    gpu = null;
    watch = null;
    void startEngine(t, 'cpu').then((name) => {
      post({
        type: 'engine',
        backend: name,
        scalarReason,
        threads: parallel?.threads ?? 1,
        threadsReason,
        lost: { backend, reason, steps: t.steps, from: synced },
      });
      // A loop that was running goes on, now on the CPU; a paused run resumes there.
      if (running && trainer === t) void loop(t).catch((err) => onLoopError(t, err));
    }, fail);
  }

  function fail(err: unknown): void {
    running = false;
    post({ type: 'error', message: (err as Error).message ?? String(err) });
  }

  /** The engine: the core here, or tfjs on the backend asked for (loaded only then). */
  async function startEngine(t: TrainerRun, backend: 'cpu' | 'webgpu' | 'webgl'): Promise<string> {
    if (backend === 'cpu') {
      // The core's WebAssembly SIMD kernels where this browser runs them; else its scalar loops,
      // which setKernels falls back to by itself (same results up to float rounding).
      const k = setKernels('simd');
      scalarReason = k.active === 'simd' ? null : (k.reason ?? 'the SIMD kernels are off');
      startHelpers(t);
      return 'cpu';
    }
    const [{ tfjsModel, useBackend, watchGpuLoss }] = await Promise.all([
      import('@receptive/core/tfjs'),
      backend === 'webgpu' ? import('@tensorflow/tfjs-backend-webgpu') : Promise.resolve(),
    ]);
    const name = await useBackend(backend);
    gpu = tfjsModel(t.model, { optimizer: t.optimizer.config });
    synced = t.steps;
    // Wakes a loop that sleeps for a chunk, so it meets the loss now rather than later.
    watch = watchGpuLoss(() => wake?.());
    return name;
  }

  /**
   * Starts `threadsWanted - 1` helper workers (gradient-worker.ts) and a trainer that splits each
   * batch across them and this worker. Where workers cannot start workers, training runs here
   * alone and the engine message says why.
   */
  function startHelpers(t: TrainerRun): void {
    stopHelpers();
    threadsReason = null;
    if (threadsWanted <= 1) return;
    try {
      if (typeof Worker === 'undefined')
        throw new Error('this browser cannot start a worker from a worker');
      for (let i = 1; i < threadsWanted; i++) {
        helpers.push(
          new Worker(new URL('./gradient-worker.js', import.meta.url), {
            type: 'module',
            name: `rf-gradients-${i}`,
          }),
        );
      }
      parallel = new DataParallelTrainer(
        t.model,
        t.optimizer,
        helpers as unknown as GradientPort[],
      );
    } catch (err) {
      stopHelpers();
      threadsReason = (err as Error).message ?? String(err);
    }
  }

  function stopHelpers(): void {
    parallel?.close();
    parallel = null;
    for (const h of helpers) h.terminate();
    helpers = [];
  }

  async function download(t: TrainerRun, urls: string[], testUrl: string): Promise<void> {
    let bytes = 0;
    const testIn = loadDigitChunk('test', 0, { url: testUrl }).then((d) => {
      test = { x: d.pixels, labels: d.labels };
    });
    for (let i = 0; i < TRAIN_CHUNKS && trainer === t; i++) {
      let last = 0;
      const c = await loadDigitChunk('train', i, {
        url: urls[i]!,
        onProgress: (p) => {
          last = p.loaded;
        },
      });
      // Bytes on the wire (the gzip'd chunk), from Resource Timing; the decoded length where the
      // server does not allow timing details.
      const timing = performance.getEntriesByName(urls[i]!).at(-1) as
        | PerformanceResourceTiming
        | undefined;
      bytes += timing?.encodedBodySize || last;
      t.addChunk({ index: i, pixels: c.pixels, labels: c.labels });
      post({ type: 'chunk', index: i, chunksIn: t.chunksIn, bytes });
      wake?.();
    }
    await testIn;
  }

  const handle = (m: TrainerRequest): void => {
    if (m.type === 'start') {
      const t = new TrainerRun(m.options);
      trainer = t;
      stopAfter = m.stopAfter;
      evalEvery = m.evalEvery;
      threadsWanted = Math.max(1, Math.floor(m.threads || 1));
      download(t, m.trainUrls, m.testUrl).catch(fail);
      startEngine(t, m.backend).then((backend) => {
        post({
          type: 'engine',
          backend,
          scalarReason,
          threads: parallel?.threads ?? 1,
          threadsReason,
        });
        resume(t);
      }, fail);
      return;
    }
    const t = trainer;
    if (!t) return;
    if (m.type === 'pause') void pause(t).catch(fail);
    else if (m.type === 'resume') {
      if (m.stopAfter !== undefined) stopAfter = m.stopAfter;
      resume(t);
    } else if (m.type === 'set') t.set(m);
    else if (m.type === 'weights') {
      const id = m.id;
      // GPU steps still in flight finish, and the weights come back without blocking.
      void Promise.allSettled(inflight)
        .then(() => syncGpu(t))
        .then(() =>
          post({
            type: 'weights',
            id,
            steps: t.steps,
            elapsedMs: elapsed(),
            json: t.model.toJSON(),
          }),
        )
        .catch(fail);
    }
  };
  return {
    handle,
    stop() {
      running = false;
      trainer = null;
      wake?.();
      stopHelpers();
      try {
        gpu?.dispose();
      } catch {
        // A lost context can refuse to free what it no longer has.
      }
      gpu = null;
      watch = null;
    },
  };
}

// In a worker: one host, fed by the page's messages.
const workerScope = (globalThis as { WorkerGlobalScope?: new () => unknown }).WorkerGlobalScope;
if (workerScope && self instanceof workerScope) {
  const host = createTrainerHost((m, transfer = []) =>
    (self as unknown as Worker).postMessage(m, transfer),
  );
  self.addEventListener('message', (e: MessageEvent<TrainerRequest>) => host.handle(e.data));
}
