import { DIGIT_SETS, SHIFT_PAIR } from '@receptive/models';
import { defineSpec, wholeNumber } from './props.js';
import { backendProp, modelsProp, ORT_BACKENDS, wasmPathsProp } from './shared-props.js';

/** How many test digits there are to measure. */
export const TEST_DIGITS = DIGIT_SETS.test.count;
const ALL = TEST_DIGITS;

export const SHIFT_MEASURE_SPEC = defineSpec({
  tag: 'rf-shift-measure',
  summary:
    "Measures, in the reader's browser, each model's accuracy on the official MNIST test digits moved -4 to +4 px in x and y, and Zhang's shift consistency (two random shifts of up to 3 px, same answer), by the model cards' protocol; a batch job on onnxruntime-web in a Web Worker, with progress, cancel, the backend it ran on, a plot and a table, and the cards' own numbers beside the measured ones.",
  props: [
    modelsProp(SHIFT_PAIR, 'cnn cnn-blurpool', 'measure'),
    {
      attribute: 'digits',
      property: 'digits',
      type: 'number',
      default: '1000',
      parser: wholeNumber(1, ALL),
      example: 'digits="1000"',
      description: `How many test digits (the first ones, 1 to ${ALL}) the Measure button reads; another button reads all ${ALL.toLocaleString('en-US')}.`,
    },
    backendProp(
      ORT_BACKENDS,
      'wasm',
      'What runs the models: auto (WebGPU on a real graphics card, else WebAssembly), or one of them. A graphics card that fails or is lost mid-run hands the rest to WebAssembly, and the figure says so.',
    ),
    wasmPathsProp(
      "The folder where the page serves onnxruntime-web's runtime files (resolved against the page).",
    ),
  ],
  events: [
    {
      name: 'rf-measured',
      detail:
        '{ digits: number; count: number; complete: boolean; elapsedMs: number; results: { model: string; backend: string; fallbackReason: string | null; summary: ShiftSummary; top1: Uint8Array }[] }',
      description: 'When a run ends, finished (complete) or cancelled (the digits it finished).',
    },
  ],
  fallback:
    "Put a table of the cards' shift numbers in the element; it shows until the script runs.",
  keyboard:
    'Buttons: Measure, Read all, Cancel. Progress is announced at each quarter; the results are also a table.',
});
