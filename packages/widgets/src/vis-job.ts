/**
 * The page's side of a batch job of `vis-worker.ts`, shared by the figures that start one: the
 * request they post, and the engine that ran it as their status lines say it.
 */
import type { BackendChoice } from '@receptive/models';
import { pageUrl } from './dom.js';
import type { VisEngine, VisRequest } from './vis-worker.js';

/** Digits per batch. */
const BATCH = 500;

/**
 * Posts `job` to `worker`: model `name` (its `bytes`, handed over) on the first `count` test
 * digits, on `backend`, onnxruntime-web's files from the figure's `wasm-paths` (`wasmPaths`).
 */
export function postVisJob(
  worker: Worker,
  job: { type: 'score'; layers: string[] } | { type: 'shortcut' },
  name: string,
  bytes: Uint8Array,
  count: number,
  backend: BackendChoice,
  wasmPaths: string | null,
): void {
  const paths = pageUrl(wasmPaths);
  const req: VisRequest = {
    ...job,
    name,
    bytes,
    count,
    batch: BATCH,
    backend,
    ...(paths ? { wasmPaths: paths } : {}),
  };
  worker.postMessage(req, [bytes.buffer]);
}

/** The engine a job ran on, and why it fell back when it did: `wasm; the GPU was lost`. */
export const engineText = (engine: VisEngine): string =>
  `${engine.backend}${engine.fallbackReason ? `; ${engine.fallbackReason}` : ''}`;
