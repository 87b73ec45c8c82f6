/** The prop table of `<rf-digit-trainer>` (no DOM: the Astro docs and checks read it in Node). */
import { BATCH_CHOICES, LR_CHOICES, TRAINER_DEFAULTS } from './digit-trainer-model.js';
import type { WidgetSpec } from './props.js';

export const TRAINER_BACKENDS = ['auto', 'cpu', 'webgpu', 'webgl'] as const;
/** The most threads the CPU path splits a batch across, and the most 'auto' picks. */
export const MAX_THREADS = 16;
export const AUTO_THREADS = 4;
export type TrainerBackend = (typeof TRAINER_BACKENDS)[number];

export const DIGIT_TRAINER_SPEC: WidgetSpec = {
  tag: 'rf-digit-trainer',
  summary:
    "Trains the lecture's two-block CNN from random weights on the 60,000 MNIST training digits in the reader's browser (@receptive/core in a Web Worker), the digits streamed in chunks of 1,000 while the first ones train: live training loss, accuracy on 1,000 test digits, the first layer's kernels as they learn, examples per second and elapsed time; pause, resume, reset, a learning-rate and a batch-size knob; then the reader's model on the page's digit pad: in the comparison beside the shipped CNN, in the feature maps and the 3D network that follow the pad, and downloadable as ONNX.",
  props: [
    {
      attribute: 'for',
      property: 'htmlFor',
      type: 'string',
      default: null,
      example: 'for="pad"',
      description:
        'The id of the <rf-digit-pad> that "Use my model" answers (beside the shipped CNN of the page\'s comparison, when there is one).',
    },
    {
      attribute: 'seed',
      property: 'seed',
      type: 'number',
      default: String(TRAINER_DEFAULTS.seed),
      example: 'seed="1"',
      description:
        'Seed of the random starting weights and of the order the digits are read in: the same seed and knobs give the same weights, step for step.',
    },
    {
      attribute: 'lr',
      property: 'lr',
      type: 'number',
      default: String(TRAINER_DEFAULTS.lr),
      values: LR_CHOICES.map(String),
      example: 'lr="0.003"',
      description: `Adam's starting learning rate (it falls by ${TRAINER_DEFAULTS.decay} per pass over the digits); the reader can change it while training.`,
    },
    {
      attribute: 'batch-size',
      property: 'batchSize',
      type: 'number',
      default: String(TRAINER_DEFAULTS.batchSize),
      values: BATCH_CHOICES.map(String),
      example: 'batch-size="32"',
      description: 'Digits per step; the reader can change it while training.',
    },
    {
      attribute: 'backend',
      property: 'backend',
      type: "'auto' | 'cpu' | 'webgpu' | 'webgl'",
      default: 'auto',
      values: TRAINER_BACKENDS,
      example: 'backend="cpu"',
      description:
        'What trains: cpu (@receptive/core in a Web Worker), webgpu or webgl (@receptive/core/tfjs on that TensorFlow.js backend, in the same worker, every read-back asynchronous), or auto: WebGPU on a hardware graphics card, else the processor. The figure says which it chose and why.',
    },
    {
      attribute: 'threads',
      property: 'threads',
      type: "'auto' | number",
      default: 'auto',
      example: 'threads="1"',
      description: `Threads the processor path splits each batch across: the trainer's worker and one helper worker per extra thread, each computing the gradients of its share (@receptive/core's DataParallelTrainer; the same step up to float rounding). auto: one per core the browser reports, up to ${AUTO_THREADS}; 1 trains in the one worker; at most ${MAX_THREADS}.`,
    },
    {
      attribute: 'eval-every',
      property: 'evalEvery',
      type: 'number',
      default: '200',
      example: 'eval-every="200"',
      description: 'Steps between two measurements of accuracy on the first 1,000 test digits.',
    },
    {
      attribute: 'stop-after',
      property: 'stopAfter',
      type: 'number',
      default: null,
      example: 'stop-after="300"',
      description: 'Pauses by itself after this many steps (for tests and demonstrations).',
    },
  ],
  events: [
    {
      name: 'rf-train',
      detail:
        '{ state: "running" | "paused" | "reset"; steps: number; seen: number; elapsedMs: number; accuracy: number | null }',
      description: 'When training starts, pauses (by the reader or stop-after) or is reset.',
    },
  ],
  fallback:
    "Put the shipped CNN's training curve (from its model card) in the element; it shows until the script runs.",
  keyboard:
    'Buttons: Train / Pause / Resume, Reset, Use my model, Download as ONNX; two selects for the learning rate and the batch size. Progress is announced every few seconds.',
};
