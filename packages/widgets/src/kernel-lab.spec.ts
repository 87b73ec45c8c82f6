import { defineSpec, presence } from './props.js';
import { kernelProp } from './shared-props.js';

export const KERNEL_LAB_SPEC = defineSpec({
  tag: 'rf-kernel-lab',
  summary:
    "The lecture's 7x7 image convolved with an editable 3x3 kernel; hover or focus an output cell to see its window and the sum written out.",
  props: [
    kernelProp(
      'identity',
      'kernel="box-blur" or kernel="0,-1,0,-1,4,-1,0,-1,0"',
      'The kernel, row by row: a preset name or 9 comma-separated numbers (fractions such as 1/9 allowed).',
    ),
    {
      attribute: 'padding',
      property: 'padding',
      type: 'boolean',
      default: 'false',
      parser: presence,
      example: 'padding',
      description: 'Adds one ring of zeros around the image, so the output stays 7x7.',
    },
  ],
  events: [
    {
      name: 'rf-change',
      detail: 'KernelChange { kernel: number[]; padding: boolean; output: number[][] }',
      description: 'After every kernel or padding change, with the newly computed output.',
    },
  ],
  fallback:
    'Put a table of the input and output in the element (renderKernelLabFallback writes one); it shows until the script runs.',
  keyboard:
    'Tab to the kernel cells (number inputs), the presets and the padding switch; Tab into the output grid, then arrow keys, Home and End move between cells, each explained as it gets focus.',
});
