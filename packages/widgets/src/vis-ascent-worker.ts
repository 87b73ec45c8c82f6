/**
 * The gradient ascent of `<rf-vis-top>` (core's `FilterAscent`), in a Web Worker so the page's
 * thread only paints: each step allocates a tape of tensors, and on a two-core machine whose other
 * core is scoring the test digits, a slice of steps on the page's thread ran past 50 ms.
 *
 * The page sends the model's bytes once, then a channel to climb; a newer channel replaces the
 * climb in progress. Steps run in slices of about `sliceMs`, each slice posting the pattern so
 * far, so the picture refines live and a new request is read between slices.
 */
import { FilterAscent, type Region } from '@receptive/core';
import { fromOnnx } from '@receptive/onnx';

/** What the page asks for. */
export type AscentRequest =
  | { type: 'model'; bytes: Uint8Array }
  | { type: 'ascent'; id: number; layer: string; channel: number; steps: number; sliceMs: number };

/** The pattern after a slice of steps. */
export interface AscentPattern {
  type: 'pattern';
  id: number;
  steps: number;
  /** The objective before the latest step. */
  objective: number;
  /** The pattern, 28 x 28 values in [0, 1]. */
  image: Float32Array;
  unit: { y: number; x: number } | 'mean';
  field: Region;
  /** Milliseconds this slice of steps took in the worker. */
  sliceMs: number;
}

export type AscentMessage = AscentPattern | { type: 'error'; id: number; message: string };

const post = (m: AscentMessage, transfer: Transferable[] = []) =>
  (self as unknown as Worker).postMessage(m, transfer);

let model: ReturnType<typeof fromOnnx> | null = null;
/** The climb that runs now; a newer request takes its place. */
let current = 0;

function climb(req: Extract<AscentRequest, { type: 'ascent' }>): void {
  current = req.id;
  let ascent: FilterAscent;
  try {
    if (!model) throw new Error('the model has not arrived');
    ascent = new FilterAscent(model, req.layer, req.channel, { seed: 0 });
  } catch (err) {
    post({ type: 'error', id: req.id, message: (err as Error).message ?? String(err) });
    return;
  }
  const slice = () => {
    if (current !== req.id) return;
    const s0 = performance.now();
    try {
      do ascent.step();
      while (ascent.steps < req.steps && performance.now() - s0 < req.sliceMs);
    } catch (err) {
      post({ type: 'error', id: req.id, message: (err as Error).message ?? String(err) });
      return;
    }
    const image = ascent.image.data.slice();
    post(
      {
        type: 'pattern',
        id: req.id,
        steps: ascent.steps,
        objective: ascent.objective,
        image,
        unit: ascent.unit,
        field: ascent.field,
        sliceMs: performance.now() - s0,
      },
      [image.buffer],
    );
    // A timer, not a loop: a newer request is read between slices.
    if (ascent.steps < req.steps) setTimeout(slice, 0);
  };
  slice();
}

self.addEventListener('message', (e: MessageEvent<AscentRequest>) => {
  const req = e.data;
  if (req?.type === 'model') {
    try {
      model = fromOnnx(req.bytes);
    } catch (err) {
      post({ type: 'error', id: current, message: (err as Error).message ?? String(err) });
    }
  } else if (req?.type === 'ascent') climb(req);
});
