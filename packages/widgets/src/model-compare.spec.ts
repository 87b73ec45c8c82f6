import { MODEL_NAMES, type ModelName } from '@receptive/models';
import { srcProp } from './byo-model.js';
import { defineSpec, listOf, oneOf, wasmPathsProp } from './props.js';

export const COMPARE_BACKENDS = ['auto', 'wasm', 'webgpu', 'webgl'] as const;
const DEFAULT_MODELS: ModelName[] = ['logreg', 'mlp', 'cnn'];

export const MODEL_COMPARE_SPEC = defineSpec({
  tag: 'rf-model-compare',
  summary:
    "Runs the digit models side by side on a digit pad's image: probability bars, parameter counts and accuracy on the official test digits from the model cards, and a spoken prediction.",
  props: [
    {
      attribute: 'for',
      property: 'htmlFor',
      type: 'string',
      default: null,
      reflect: true,
      example: 'for="pad"',
      description: 'The id of the <rf-digit-pad> to listen to.',
    },
    {
      attribute: 'models',
      property: 'models',
      type: 'string[]',
      default: DEFAULT_MODELS.join(' '),
      values: MODEL_NAMES,
      parser: listOf(MODEL_NAMES),
      example: 'models="mlp cnn"',
      description: 'Which shipped models to compare, in order (space- or comma-separated).',
    },
    srcProp(
      'answering in one more card after the shipped models, named after its file (a model the core cannot read answers from onnxruntime-web, and the card says why)',
    ),
    {
      attribute: 'backend',
      property: 'backend',
      type: "'auto' | 'wasm' | 'webgpu' | 'webgl'",
      default: 'auto',
      values: COMPARE_BACKENDS,
      parser: oneOf(COMPARE_BACKENDS),
      example: 'backend="wasm"',
      description:
        'What runs the models. auto: @receptive/core on the CPU, which answers as soon as each file is in and needs no runtime download (onnxruntime-web wasm only for a model the core cannot read); wasm, webgpu or webgl: the core answers first, then onnxruntime-web on that provider takes over.',
    },
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
