import { CONV3D_LIMITS, parseUnit } from './conv-layer-3d-model.js';
import { custom, defineSpec, wholeNumber } from './props.js';
import { backendProp, VIEW_3D_BACKENDS } from './shared-props.js';

export const CONV3D_BACKENDS = VIEW_3D_BACKENDS;
const [K_MIN, K_MAX] = CONV3D_LIMITS.filters;
const [D_MIN, D_MAX] = CONV3D_LIMITS.channels;

export const CONV_LAYER_3D_SPEC = defineSpec({
  tag: 'rf-conv-layer-3d',
  summary:
    "One convolution layer in 3D: a d-channel input made from the lecture's 7x7 image, k filters of d × 3 × 3 (the lecture's blur, edge and Laplacian kernels first, seeded random ones after), a bias each and ReLU, and the stacked k × 5 × 5 output, all computed by @receptive/core. Readers choose k and d; shapes and parameter counts follow. Hover or focus an output unit to see the d × 3 × 3 window it reads.",
  props: [
    {
      attribute: 'filters',
      property: 'filters',
      type: 'number',
      default: '3',
      parser: wholeNumber(K_MIN, K_MAX),
      example: 'filters="3"',
      description: `k, the number of filters (${K_MIN} to ${K_MAX}).`,
    },
    {
      attribute: 'channels',
      property: 'channels',
      type: 'number',
      default: '1',
      parser: wholeNumber(D_MIN, D_MAX),
      example: 'channels="2"',
      description: `d, the channels of the input (${D_MIN} to ${D_MAX}); channel c is the lecture image turned c quarter turns (its negative from channel 5 on).`,
    },
    {
      attribute: 'unit',
      property: 'unit',
      parser: custom(parseUnit, (u) => (u ? `${u.filter + 1},${u.y + 1},${u.x + 1}` : 'none')),
      type: 'OutputUnit { filter: number; y: number; x: number } | null; the attribute is "filter,row,column", counted from 1',
      default: null,
      example: 'unit="2,3,3"',
      description:
        'The output unit to trace: outlined, with a beam through its filter to the d × 3 × 3 input window it reads. Absent: none.',
    },
    backendProp(
      CONV3D_BACKENDS,
      'auto',
      'What draws the 3D view; without WebGL2 (or WebGPU) it draws on a 2D canvas instead.',
    ),
  ],
  events: [
    {
      name: 'rf-layer',
      detail: 'ConvLayer3dData (k, d, input, weights, biases, output and parameter counts)',
      description: 'After every change of k or d, with the newly computed layer.',
    },
    {
      name: 'rf-unit',
      detail: 'OutputUnit | null',
      description: 'When the traced output unit changes (hover, keyboard or the unit attribute).',
    },
  ],
  fallback:
    'Put a table of the shapes and counts in the element (the Astro wrapper writes one); it shows until the script runs. three.js loads only when the figure comes near the viewport.',
  keyboard:
    'Two labelled number inputs choose k and d (arrow keys step them). Tab to the figure: arrow keys move over an output slice, Page Up and Page Down (or [ and ]) change filter, Escape clears; each unit is announced once the keys rest for a moment.',
});
