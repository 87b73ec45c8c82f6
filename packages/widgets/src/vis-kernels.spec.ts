import { defineSpec } from './props.js';
import { convLayerProp, digitProp, forProp } from './shared-props.js';

export { CONV_LAYERS as KERNEL_LAYERS, type ConvLayer as KernelLayer } from './shared-props.js';

export const VIS_KERNELS_SPEC = defineSpec({
  tag: 'rf-vis-kernels',
  summary:
    'The CNN’s learned kernels drawn as images beside the feature maps they produce on the reader’s digit (from a digit pad) or a test digit, for conv1 (one 3 × 3 kernel per channel) or conv2 (one 3 × 3 slice per input channel), computed by @receptive/core.',
  props: [
    forProp('vis-pad', 'The id of the <rf-digit-pad> whose digit to run.'),
    convLayerProp('The layer whose kernels and maps are shown.'),
    digitProp(7),
  ],
  events: [],
  fallback:
    'Put a picture or a sentence in the element; it shows until the script runs (the Astro component prints the kernels’ numbers, read from the model at build time).',
  keyboard:
    'Two buttons switch the layer; every kernel and map is an image with a text alternative.',
});
