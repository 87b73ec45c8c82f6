/**
 * The training loop of `<rf-digit-trainer>` on the CPU path, in a Web Worker so the page never
 * waits on it: @receptive/core's autograd and Adam on the lecture's CNN ({@link TrainerRun}),
 * the 60 training chunks downloaded one after another here while the first ones train, and the
 * running accuracy on the first 1,000 test digits. The loop runs in slices of about 30 ms and
 * yields between them, so pause, resume and the knobs take effect within a slice.
 */
import { accuracy, type ModelJSON, predict } from '@receptive/core';
import { loadDigitChunk } from '@receptive/models';
import {
  conv1Kernels,
  TRAIN_CHUNKS,
  type TrainerOptions,
  TrainerRun,
} from './digit-trainer-model.js';

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
    }
  | { type: 'pause' }
  | { type: 'resume'; stopAfter?: number | null }
  | { type: 'set'; lr?: number; batchSize?: number }
  | { type: 'weights'; id: number };

/** What the worker tells the page. */
export type TrainerMessage =
  | { type: 'chunk'; index: number; chunksIn: number; bytes: number }
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

const post = (m: TrainerMessage, transfer: Transferable[] = []) =>
  (self as unknown as Worker).postMessage(m, transfer);

let trainer: TrainerRun | null = null;
let test: { x: Float32Array; labels: Uint8Array } | null = null;
let running = false;
let stopAfter: number | null = null;
let evalEvery = 200;
let lastEval = -1;
/** Running time: accumulated over past running spans, plus the current span's. */
let spent = 0;
let since = 0;
let wake: (() => void) | null = null;
let losses: number[] = [];
let lastPost = 0;
/** (time, seen) of recent slices, for examples per second. */
const recent: [number, number][] = [];

const elapsed = () => spent + (running ? performance.now() - since : 0);

function evaluate(t: TrainerRun): void {
  if (!test || lastEval === t.steps) return;
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

function progress(t: TrainerRun, waiting: boolean): void {
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
  while (running && trainer === t) {
    const start = performance.now();
    let waiting = false;
    while (performance.now() - start < 30) {
      const r = t.step();
      if (!r) {
        waiting = true;
        break;
      }
      losses.push(r.loss);
      if (t.steps % evalEvery === 0) evaluate(t);
      if (stopAfter !== null && t.steps >= stopAfter) {
        pause(t);
        break;
      }
    }
    if (performance.now() - lastPost > 150 || !running || waiting) progress(t, waiting);
    if (waiting && running) {
      // Sleeps until the chunk it needs arrives (the running clock keeps going: the reader waits).
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = null;
    } else await new Promise((r) => setTimeout(r, 0));
  }
}

function pause(t: TrainerRun): void {
  if (!running) return;
  spent += performance.now() - since;
  running = false;
  wake?.();
  evaluate(t);
  progress(t, false);
  post({ type: 'paused', steps: t.steps });
}

function resume(t: TrainerRun): void {
  if (running) return;
  running = true;
  since = performance.now();
  recent.length = 0;
  void loop(t).catch(fail);
}

function fail(err: unknown): void {
  running = false;
  post({ type: 'error', message: (err as Error).message ?? String(err) });
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

self.addEventListener('message', (e: MessageEvent<TrainerRequest>) => {
  const m = e.data;
  if (m.type === 'start') {
    const t = new TrainerRun(m.options);
    trainer = t;
    stopAfter = m.stopAfter;
    evalEvery = m.evalEvery;
    download(t, m.trainUrls, m.testUrl).catch(fail);
    resume(t);
    return;
  }
  const t = trainer;
  if (!t) return;
  if (m.type === 'pause') pause(t);
  else if (m.type === 'resume') {
    if (m.stopAfter !== undefined) stopAfter = m.stopAfter;
    resume(t);
  } else if (m.type === 'set') t.set(m);
  else if (m.type === 'weights') {
    post({
      type: 'weights',
      id: m.id,
      steps: t.steps,
      elapsedMs: elapsed(),
      json: t.model.toJSON(),
    });
  }
});
