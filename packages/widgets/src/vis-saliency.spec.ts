import { defineSpec } from './props.js';
import { digitProp, forProp } from './shared-props.js';

/** The occlusion patch and its step, pixels: 13 x 13 places on a 28 x 28 digit. */
export const OCCLUSION = { patch: 4, stride: 2, fill: 0.5 } as const;

export const VIS_SALIENCY_SPEC = defineSpec({
  tag: 'rf-vis-saliency',
  summary:
    'Which pixels a decision rested on, for the reader’s digit (from a digit pad) or an MNIST test digit, for the CNN and the MLP side by side: an occlusion map (a grey 4 × 4 patch slid in steps of 2 px, the drop in the predicted class’s probability) and a gradient saliency map (|∂ score / ∂ pixel|), both computed by @receptive/core on the page and laid over the digit.',
  props: [
    forProp(
      'vis-pad',
      'The id of the <rf-digit-pad> whose digit to explain (a drawn or picked digit replaces the test digit).',
    ),
    digitProp(3),
  ],
  events: [
    {
      name: 'rf-saliency',
      detail: 'SaliencyResult[] (one per model: probs, prediction, occlusion, saliency, times)',
      description: 'After both models’ maps for a new digit are drawn.',
    },
  ],
  fallback:
    'Put a sentence or a picture in the element; it shows until the script runs (the Astro component says what the live figure computes).',
  keyboard:
    'The digit comes from the digit pad (which has its own keyboard controls) or the "Next test digit" button; each map is an image with a text alternative, and the answers are announced.',
});
