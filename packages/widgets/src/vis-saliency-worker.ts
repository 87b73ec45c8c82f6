/**
 * The maps of `<rf-vis-saliency>`, in a Web Worker so the page never waits on them: each model's
 * occlusion map (169 occluded copies through the model) and gradient saliency, by
 * @receptive/core, for one digit at a time. The model bytes come from the page, which fetched
 * them once for every figure.
 */
import {
  type Occlusion,
  occlusion,
  type Saliency,
  type SequentialModel,
  saliency,
} from '@receptive/core';
import { fromOnnx } from '@receptive/onnx';

/** What the page asks for: models once, then digits. */
export type SaliencyRequest =
  | { type: 'models'; models: { name: string; bytes: Uint8Array }[] }
  | {
      type: 'explain';
      id: number;
      pixels: Float32Array;
      options: { patch: number; stride: number; fill: number };
    };

/** One model's answer and maps for a digit. */
export interface ModelMaps {
  model: string;
  probs: number[];
  prediction: number;
  /** The core's occlusion of the predicted class (drops on the 13 x 13 grid, and per pixel). */
  occlusion: Occlusion;
  /** The core's gradient saliency of the predicted class's score. */
  saliency: Saliency;
  /** Milliseconds the occlusion map and the saliency map took (in the figure's worker). */
  occlusionMs: number;
  saliencyMs: number;
}

export type SaliencyMessage =
  | { type: 'maps'; id: number; results: ModelMaps[] }
  | { type: 'error'; id: number; message: string };

const models: { name: string; model: SequentialModel }[] = [];

function explain(req: Extract<SaliencyRequest, { type: 'explain' }>): ModelMaps[] {
  const x = { shape: [1, 1, 28, 28], data: req.pixels };
  return models.map(({ name, model }) => {
    const t0 = performance.now();
    const occ = occlusion(model, x, req.options);
    const t1 = performance.now();
    const sal = saliency(model, x, occ.target);
    const t2 = performance.now();
    return {
      model: name,
      probs: Array.from(model.forward(x).data),
      prediction: occ.target,
      occlusion: occ,
      saliency: sal,
      occlusionMs: t1 - t0,
      saliencyMs: t2 - t1,
    };
  });
}

const post = (m: SaliencyMessage) => (self as unknown as Worker).postMessage(m);

self.addEventListener('message', (e: MessageEvent<SaliencyRequest>) => {
  const req = e.data;
  if (req?.type === 'models') {
    models.length = 0;
    for (const m of req.models) models.push({ name: m.name, model: fromOnnx(m.bytes) });
  } else if (req?.type === 'explain') {
    try {
      post({ type: 'maps', id: req.id, results: explain(req) });
    } catch (err) {
      post({ type: 'error', id: req.id, message: (err as Error).message ?? String(err) });
    }
  }
});
