import { defineSpec } from './props.js';
import { digitProp, forProp } from './shared-props.js';

export const SHIFT_NETWORK_SPEC = defineSpec({
  tag: 'rf-shift-network',
  summary:
    'Shifts a digit (the reader’s own from a digit pad, or an MNIST test digit) by -4 to +4 pixels each way and runs the lesson CNN with max pooling and with BlurPool, both trained on unaugmented digits (`cnn-noshift`, `cnn-blurpool-noshift`), on every shift, with @receptive/core: probability bars for the shift chosen, and a 9 × 9 heat map of P(true class) over every shift for each model.',
  props: [
    forProp(
      'shift-pad',
      'The id of the <rf-digit-pad> whose digit to shift (a drawn or picked digit replaces the test digit).',
    ),
    digitProp(11),
  ],
  events: [
    {
      name: 'rf-shift',
      detail:
        'ShiftAnswer { dy: number; dx: number; label: number; results: { model: string; probs: number[]; prediction: number }[] }',
      description: 'After every change of shift or digit, once both models have answered.',
    },
  ],
  fallback:
    "Put a table of the models' measured shift accuracy in the element (the Astro component reads it from the model cards at build time); it shows until the script runs.",
  keyboard:
    'Two labelled sliders move the digit (arrow keys, Home, End); or Tab into either heat map and move its cursor with the arrow keys. "Next test digit" and the class menu are buttons and a select. The answers are announced.',
});
