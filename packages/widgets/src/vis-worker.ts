/**
 * The batch jobs of the visualization lesson, in a Web Worker so the page never waits on them,
 * on onnxruntime-web (`loadModel` with `workload: 'batch'`: WebGPU on a real GPU, else wasm):
 *
 * - `score`: every digit through the CNN once; for each named conv layer, every channel's
 *   largest value and its place (`channelMaxima` of @receptive/core), posted back as the digits
 *   go. The page ranks any channel from these without running the model again.
 * - `shortcut`: the card's three tests of `cnn-shortcut` (no mark, the digit's own mark, another
 *   class's mark), the top-1 class of each digit posted back batch by batch.
 */
import { argmaxRows, type ChannelMaxima, channelMaxima } from '@receptive/core';
import { type BackendChoice, type LoadedModel, loadModel, withMarks } from '@receptive/models';

interface Common {
  name: string;
  bytes: Uint8Array;
  pixels: Float32Array;
  count: number;
  batch: number;
  backend: BackendChoice;
  wasmPaths?: string;
}

/** What the page asks for. */
export type VisRequest =
  | (Common & { type: 'score'; layers: string[] })
  | (Common & { type: 'shortcut'; labels: Uint8Array; wrong: Uint8Array });

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
      layers: Record<string, Omit<ChannelMaxima, 'count'> & { count: number }>;
      done: number;
      elapsedMs: number;
    }
  | {
      type: 'top1';
      start: number;
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
    Uint8Array.from(argmaxRows({ shape: [n, 10], data: (await model.run(x, n)).probs }));
  for (let start = 0; start < req.count; start += req.batch) {
    const n = Math.min(req.batch, req.count - start);
    const x = req.pixels.subarray(start * 784, (start + n) * 784);
    if (req.type === 'score') {
      const r = await model.run(x, n);
      const layers: Record<string, ChannelMaxima> = {};
      const transfer: Transferable[] = [];
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
          layers,
          done: start + n,
          elapsedMs: performance.now() - t0,
        },
        transfer,
      );
    } else {
      const clean = await top1(x, n);
      const marked = await top1(
        withMarks(x, n, (i) => req.labels[start + i]!),
        n,
      );
      const swapped = await top1(
        withMarks(x, n, (i) => req.wrong[start + i]!),
        n,
      );
      post(
        {
          type: 'top1',
          start,
          clean,
          marked,
          swapped,
          done: start + n,
          elapsedMs: performance.now() - t0,
        },
        [clean.buffer, marked.buffer, swapped.buffer],
      );
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
