/**
 * The batch job of `<rf-shift-measure>`, in a Web Worker so the page never waits on it: every
 * digit at every shift of the grid through each model on onnxruntime-web (`loadModel` with
 * `workload: 'batch'`: WebGPU on a real GPU, else wasm; a GPU lost mid-run finishes on wasm), and
 * the top-1 class of each posted back as it is computed. The page summarises them.
 */
import { argmaxRows, shift2d } from '@receptive/core';
import { type BackendChoice, type LoadedModel, loadModel } from '@receptive/models';
import { gridShifts } from './shift-measure-model.js';

/** What the page asks for. Model bytes and digits come from the page (fetched once per page). */
export interface MeasureRequest {
  type: 'run';
  models: { name: string; bytes: Uint8Array }[];
  pixels: Float32Array;
  count: number;
  range: number;
  batch: number;
  backend: BackendChoice;
  wasmPaths?: string;
}

/** What the worker tells the page. */
export type MeasureMessage =
  | { type: 'loading'; model: string; message: string }
  | { type: 'ready'; engines: Engine[] }
  | {
      type: 'batch';
      model: number;
      shift: number;
      start: number;
      top1: Uint8Array;
      engines: Engine[];
      /** Runs finished, of `total`. */
      done: number;
      total: number;
      /** Milliseconds since the first run started. */
      elapsedMs: number;
    }
  | { type: 'done'; engines: Engine[]; elapsedMs: number }
  | { type: 'error'; message: string };

export interface Engine {
  model: string;
  backend: string;
  fallbackReason: string | null;
}

const post = (m: MeasureMessage, transfer: Transferable[] = []) =>
  (self as unknown as Worker).postMessage(m, transfer);

const enginesOf = (models: LoadedModel[]): Engine[] =>
  models.map((m) => ({ model: m.name, backend: m.backend, fallbackReason: m.fallbackReason }));

async function measure(req: MeasureRequest): Promise<void> {
  const models: LoadedModel[] = [];
  for (const { name, bytes } of req.models) {
    models.push(
      await loadModel(name, {
        source: bytes,
        backend: req.backend,
        workload: 'batch',
        ...(req.wasmPaths ? { wasmPaths: req.wasmPaths } : {}),
        onProgress: (p) => post({ type: 'loading', model: name, message: p.message }),
      }),
    );
  }
  post({ type: 'ready', engines: enginesOf(models) });
  const shifts = gridShifts(req.range);
  const starts: number[] = [];
  for (let s = 0; s < req.count; s += req.batch) starts.push(s);
  const total = starts.length * models.length * shifts.length;
  let done = 0;
  const t0 = performance.now();
  // Digit-major, so the figure can show every model and shift over the first digits early.
  for (const start of starts) {
    const n = Math.min(req.batch, req.count - start);
    const digits = {
      shape: [n, 1, 28, 28],
      data: req.pixels.subarray(start * 784, (start + n) * 784),
    };
    for (const [m, model] of models.entries()) {
      for (const [s, [dy, dx]] of shifts.entries()) {
        const x = shift2d(digits, dy, dx);
        const r = await model.run(x.data, n, { scoresOnly: true });
        const top1 = Uint8Array.from(argmaxRows({ shape: [n, 10], data: r.probs }));
        done++;
        post(
          {
            type: 'batch',
            model: m,
            shift: s,
            start,
            top1,
            engines: enginesOf(models),
            done,
            total,
            elapsedMs: performance.now() - t0,
          },
          [top1.buffer],
        );
      }
    }
  }
  post({ type: 'done', engines: enginesOf(models), elapsedMs: performance.now() - t0 });
  await Promise.all(models.map((m) => m.dispose()));
}

self.addEventListener('message', (e: MessageEvent<MeasureRequest>) => {
  if (e.data?.type !== 'run') return;
  measure(e.data).catch((err: unknown) =>
    post({ type: 'error', message: (err as Error).message ?? String(err) }),
  );
});
