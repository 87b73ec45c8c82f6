import type { ModelName } from '@receptive/models';
import { srcProp } from './byo-model.js';
import { defineSpec } from './props.js';
import { backendProp, forProp, modelsProp, wasmPathsProp } from './shared-props.js';

export const COMPARE_BACKENDS = ['auto', 'wasm', 'webgpu', 'webgl'] as const;
const DEFAULT_MODELS: ModelName[] = ['logreg', 'mlp', 'cnn'];

export const MODEL_COMPARE_SPEC = defineSpec({
  tag: 'rf-model-compare',
  summary:
    "Runs the digit models side by side on a digit pad's image: probability bars, parameter counts and accuracy on the official test digits from the model cards, and a spoken prediction.",
  props: [
    forProp('pad', 'The id of the <rf-digit-pad> to listen to.'),
    modelsProp(DEFAULT_MODELS, 'mlp cnn', 'compare'),
    srcProp(
      'answering in one more card after the shipped models, named after its file (a model the core cannot read answers from onnxruntime-web, and the card says why)',
    ),
    backendProp(
      COMPARE_BACKENDS,
      'wasm',
      'What runs the models. auto: @receptive/core on the CPU, which answers as soon as each file is in and needs no runtime download (onnxruntime-web wasm only for a model the core cannot read); wasm, webgpu or webgl: the core answers first, then onnxruntime-web on that provider takes over.',
    ),
    wasmPathsProp(
      "The folder where the page serves onnxruntime-web's ort-wasm-simd-threaded.wasm and .mjs (resolved against the page). Default: next to onnxruntime-web's own code.",
    ),
  ],
  events: [
    {
      name: 'rf-predict',
      detail:
        'DigitRun { pad: string; pixels: Float32Array; models: string[]; results: { model: string; probs: number[]; prediction: number; engine: string; activations: Record<string, { dims: number[]; data: Float32Array }>; geometry: SequentialModel | null; ms: number }[]; ms: number }',
      description:
        'After every run on a new digit: the one run every figure that follows the same pad shows (bubbles).',
    },
  ],
  fallback:
    "Put a table of the models' parameter counts and accuracies in the element; it shows until the script runs.",
  keyboard:
    'Nothing to operate: it follows its digit pad and announces each prediction in a polite live region.',
});
