import { defineSpec, oneOf, wholeNumber } from './props.js';

export const KERNEL_LAYERS = ['conv1', 'conv2'] as const;
export type KernelLayer = (typeof KERNEL_LAYERS)[number];

export const VIS_KERNELS_SPEC = defineSpec({
  tag: 'rf-vis-kernels',
  summary:
    'The CNN’s learned kernels drawn as images beside the feature maps they produce on the reader’s digit (from a digit pad) or a test digit, for conv1 (one 3 × 3 kernel per channel) or conv2 (one 3 × 3 slice per input channel), computed by @receptive/core.',
  props: [
    {
      attribute: 'for',
      property: 'htmlFor',
      type: 'string',
      default: null,
      reflect: true,
      example: 'for="vis-pad"',
      description: 'The id of the <rf-digit-pad> whose digit to run.',
    },
    {
      attribute: 'layer',
      property: 'layer',
      type: "'conv1' | 'conv2'",
      default: 'conv1',
      values: KERNEL_LAYERS,
      parser: oneOf(KERNEL_LAYERS),
      example: 'layer="conv2"',
      description: 'The layer whose kernels and maps are shown.',
    },
    {
      attribute: 'digit',
      property: 'digit',
      type: 'number',
      default: '0',
      parser: wholeNumber(0, 9999),
      example: 'digit="7"',
      description: 'The MNIST test digit shown before the reader draws (0 to 9999).',
    },
  ],
  events: [],
  fallback:
    'Put a picture or a sentence in the element; it shows until the script runs (the Astro component prints the kernels’ numbers, read from the model at build time).',
  keyboard:
    'Two buttons switch the layer; every kernel and map is an image with a text alternative.',
});
