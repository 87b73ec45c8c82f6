/**
 * The batch jobs of the visualization lesson, in a Web Worker so the page never waits on them,
 * on onnxruntime-web (`loadModel` with `workload: 'batch'`: WebGPU on a real GPU, else wasm):
 *
 * - `score`: every digit through the CNN once; for each named conv layer, every channel's
 *   largest value and its place (`channelMaxima` of @receptive/core), posted back as the digits
 *   go. The page ranks any channel from these without running the model again.
 * - `shortcut`: the card's three tests of `cnn-shortcut` (no mark, the digit's own mark, another
 *   class's mark, drawn by the card's protocol), the top-1 class of each digit posted back batch
 *   by batch.
 *
 * The worker downloads and decodes the test digits itself (the page's HTTP cache serves chunks the
 * page already has), so 31 MB of pixels never pass through the page's thread; each batch's labels
 * come back with its results.
 */
import { argmaxRows, type ChannelMaxima, channelMaxima } from '@receptive/core';
import {
  type BackendChoice,
  type LoadedModel,
  loadModel,
  streamDigits,
  swappedMarks,
  withMarks,
} from '@receptive/models';

interface Common {
  name: string;
  bytes: Uint8Array;
  /** How many test digits, from the first; the worker downloads them itself (chunks of 1,000). */
  count: number;
  batch: number;
  backend: BackendChoice;
  wasmPaths?: string;
}

/** What the page asks for. */
export type VisRequest =
  | (Common & { type: 'score'; layers: string[] })
  | (Common & { type: 'shortcut' });

export interface VisEngine {
  backend: string;
  fallbackReason: string | null;
}

/** What the worker tells the page. */
export type VisMessage =
  | { type: 'loading'; message: string }
  | { type: 'ready'; engine: VisEngine }
  | {
      type: 'scores';
      /** Maxima of digits `start` to `start + n - 1`, per layer. */
      start: number;
      n: number;
      labels: Uint8Array;
      layers: Record<string, Omit<ChannelMaxima, 'count'> & { count: number }>;
      done: number;
      elapsedMs: number;
    }
  | {
      type: 'top1';
      start: number;
      labels: Uint8Array;
      /** The class whose mark each digit wore in the swapped test. */
      wrong: Uint8Array;
      /** Classes without a mark, with the own mark, with the swapped mark. */
      clean: Uint8Array;
      marked: Uint8Array;
      swapped: Uint8Array;
      done: number;
      elapsedMs: number;
    }
  | { type: 'done'; engine: VisEngine; elapsedMs: number }
  | { type: 'error'; message: string };

const post = (m: VisMessage, transfer: Transferable[] = []) =>
  (self as unknown as Worker).postMessage(m, transfer);

const engineOf = (m: LoadedModel): VisEngine => ({
  backend: m.backend,
  fallbackReason: m.fallbackReason,
});

// Every label of the chunks read so far, in set order.
const seen: Uint8Array[] = [];
function labelsSoFar(chunk: { index: number; labels: Uint8Array }): Uint8Array {
  seen[chunk.index] = chunk.labels;
  const all = new Uint8Array(seen.reduce((s, l) => s + (l?.length ?? 0), 0));
  let at = 0;
  for (const l of seen) {
    if (!l) continue;
    all.set(l, at);
    at += l.length;
  }
  return all;
}

async function score(
  req: Extract<VisRequest, { type: 'score' }>,
  model: LoadedModel,
  x: Float32Array,
  n: number,
  start: number,
  labels: Uint8Array,
  t0: number,
): Promise<void> {
  const r = await model.run(x, n);
  const layers: Record<string, ChannelMaxima> = {};
  const transfer: Transferable[] = [labels.buffer];
  for (const name of req.layers) {
    const a = r.activations[name];
    if (!a) throw new Error(`the model has no layer "${name}"`);
    const m = channelMaxima({ shape: a.dims, data: a.data });
    layers[name] = m;
    transfer.push(m.value.buffer, m.at.buffer);
  }
  post(
    {
      type: 'scores',
      start,
      n,
      labels,
      layers,
      done: start + n,
      elapsedMs: performance.now() - t0,
    },
    transfer,
  );
}

async function job(req: VisRequest): Promise<void> {
  const model = await loadModel(req.name, {
    source: req.bytes,
    backend: req.backend,
    workload: 'batch',
    ...(req.wasmPaths ? { wasmPaths: req.wasmPaths } : {}),
    onProgress: (p) => post({ type: 'loading', message: p.message }),
  });
  post({ type: 'ready', engine: engineOf(model) });
  const t0 = performance.now();
  const top1 = async (x: Float32Array, n: number) =>
    Uint8Array.from(
      argmaxRows({ shape: [n, 10], data: (await model.run(x, n, { scoresOnly: true })).probs }),
    );
  const chunks = Array.from({ length: Math.ceil(req.count / 1000) }, (_, i) => i);
  for await (const chunk of streamDigits('test', { chunks })) {
    const end = Math.min(chunk.count, req.count - chunk.first);
    // The card draws every wrong mark from one generator in digit order: draw them for the
    // digits so far and keep this chunk's.
    const wrongAll = req.type === 'shortcut' ? swappedMarks(labelsSoFar(chunk)) : null;
    for (let i = 0; i < end; i += req.batch) {
      const n = Math.min(req.batch, end - i);
      const start = chunk.first + i;
      const x = chunk.pixels.subarray(i * 784, (i + n) * 784);
      const labels = chunk.labels.slice(i, i + n);
      if (req.type === 'score') await score(req, model, x, n, start, labels, t0);
      else {
        const wrong = wrongAll!.slice(start, start + n);
        const clean = await top1(x, n);
        const marked = await top1(
          withMarks(x, n, (k) => labels[k]!),
          n,
        );
        const swapped = await top1(
          withMarks(x, n, (k) => wrong[k]!),
          n,
        );
        post(
          {
            type: 'top1',
            start,
            labels,
            wrong,
            clean,
            marked,
            swapped,
            done: start + n,
            elapsedMs: performance.now() - t0,
          },
          [labels.buffer, wrong.buffer, clean.buffer, marked.buffer, swapped.buffer],
        );
      }
    }
  }
  post({ type: 'done', engine: engineOf(model), elapsedMs: performance.now() - t0 });
  await model.dispose();
}

self.addEventListener('message', (e: MessageEvent<VisRequest>) => {
  if (e.data?.type !== 'score' && e.data?.type !== 'shortcut') return;
  job(e.data).catch((err: unknown) =>
    post({ type: 'error', message: (err as Error).message ?? String(err) }),
  );
});
