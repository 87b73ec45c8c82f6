import { defineSpec, oneOf } from './props.js';
import { backendProp, digitProp, ORT_BACKENDS, wasmPathsProp } from './shared-props.js';

/** Where the mark starts: the digit's own class's place, none, or class 0-9's place. */
export const MARK_PLACES = [
  'own',
  'none',
  '0',
  '1',
  '2',
  '3',
  '4',
  '5',
  '6',
  '7',
  '8',
  '9',
] as const;
export type MarkAt = (typeof MARK_PLACES)[number];

export const VIS_SHORTCUT_SPEC = defineSpec({
  tag: 'rf-vis-shortcut',
  summary:
    'A model right for the wrong reason: `cnn-shortcut`, trained on digits that carry a small class-coded mark. The figure measures its accuracy on the 10,000 test digits without the mark, with each digit’s own mark and with another class’s mark (a batch job on onnxruntime-web in a Web Worker, by the model card’s protocol, the card’s numbers beside); shows its gradient saliency on a test digit; and lets the reader drag the mark anywhere and watch the prediction follow it (@receptive/core, live).',
  props: [
    digitProp(4, 'The MNIST test digit the mark is dragged over (0 to 9999).'),
    {
      attribute: 'mark',
      property: 'markAt',
      type: "'own' | 'none' | '0' … '9'",
      default: 'own',
      values: MARK_PLACES,
      parser: oneOf(MARK_PLACES),
      example: 'mark="none"',
      description:
        'Where the mark sits on the digit: at its own class’s place, nowhere, or at the place of class 0 to 9. The reader can move it from there; a new value puts it back.',
    },
    backendProp(
      ORT_BACKENDS,
      'wasm',
      'Where the worker runs the model: auto takes WebGPU on a real graphics card, else wasm.',
    ),
    wasmPathsProp(),
  ],
  events: [
    {
      name: 'rf-shortcut',
      detail: '{ mark: { y: number; x: number } | null; prediction: number; probs: number[] }',
      description: 'After every move of the mark, once the model has answered.',
    },
  ],
  fallback:
    'Put the model card’s table in the element (the Astro component reads it at build time); it shows until the script runs.',
  keyboard:
    'Tab to the mark and move it with the arrow keys; buttons put it back at the digit’s own place, remove it or take the next digit, and a menu moves it to any class’s place. The prediction and the measured accuracies are announced.',
});
