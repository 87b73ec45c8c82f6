import { defineSpec } from './props.js';
import { choiceProp, digitProp } from './shared-props.js';

export const BLUR_STAGES = ['max', 'blur', 'keep'] as const;
export type BlurStage = (typeof BLUR_STAGES)[number];

export const BLUR_POOL_SPEC = defineSpec({
  tag: 'rf-blur-pool',
  summary:
    "BlurPool (Zhang 2019) step by step on a test digit's edge map: max with stride 1, the [1 2 1] × [1 2 1] / 16 blur, keeping every second pixel, beside plain 2 × 2 max pooling; a one-dimensional signal sampled at two phases with and without the blur; and what BlurPool costs and buys, from the model cards of `cnn-noshift` and `cnn-blurpool-noshift` (the lesson CNN with either pooling, trained on unaugmented digits).",
  props: [
    digitProp(3, 'Which MNIST test digit makes the feature map (0 to 9999).'),
    choiceProp(
      'stage',
      BLUR_STAGES,
      'keep',
      'blur',
      'The step of BlurPool to point at (a scroll step can set it).',
    ),
  ],
  events: [],
  fallback:
    "Put the cards' numbers in the element (the Astro component reads them at build time); they show until the script runs.",
  keyboard: 'Nothing to operate: the scroll steps choose the stage; every map has a text label.',
});
