import { KERNEL_PARSER, KERNEL_PRESET_NAMES } from './lecture.js';
import { PHOTO_NAMES } from './photo-library.js';
import { defineSpec, oneOf } from './props.js';

export const BACKENDS = ['auto', 'webgpu', 'webgl', 'cpu'] as const;
export type PhotoBackend = (typeof BACKENDS)[number];
export const CHANNELS = ['grey', 'rgb'] as const;
export type PhotoChannels = (typeof CHANNELS)[number];

export const PHOTO_CONV_SPEC = defineSpec({
  tag: 'rf-photo-conv',
  summary:
    "A photo (bundled, the reader's own image or their camera) convolved live with an editable 3x3 kernel, on the GPU through @receptive/core's tfjs backend (WebGPU, else WebGL) or on the CPU by the core. Images never leave the page.",
  props: [
    {
      attribute: 'photo',
      property: 'photo',
      type: `'${PHOTO_NAMES.join("' | '")}'`,
      default: PHOTO_NAMES[0]!,
      values: PHOTO_NAMES,
      parser: oneOf(PHOTO_NAMES),
      example: 'photo="camera"',
      description: 'Which bundled photo to start from (all CC0; the credit line shows under it).',
    },
    {
      attribute: 'kernel',
      property: 'kernel',
      type: 'number[] (9 values); the attribute also takes a preset name',
      default: 'box-blur',
      values: KERNEL_PRESET_NAMES,
      parser: KERNEL_PARSER,
      example: 'kernel="laplacian" or kernel="0,-1,0,-1,5,-1,0,-1,0"',
      description:
        'The 3x3 kernel, row by row: a preset name or 9 comma-separated numbers (fractions such as 1/9 allowed).',
    },
    {
      attribute: 'channels',
      property: 'channels',
      type: "'grey' | 'rgb'",
      default: 'grey',
      values: CHANNELS,
      parser: oneOf(CHANNELS),
      example: 'channels="rgb"',
      description:
        'Convolve the grey image, or each colour channel on its own. Signed results show as a blue-white-red scale (grey) or as |value| per channel (colour).',
    },
    {
      attribute: 'backend',
      property: 'backend',
      type: "'auto' | 'webgpu' | 'webgl' | 'cpu'",
      default: 'auto',
      values: BACKENDS,
      parser: oneOf(BACKENDS),
      example: 'backend="webgl"',
      description:
        "What convolves: auto tries tfjs on WebGPU, then WebGL; cpu is @receptive/core alone. Any GPU failure falls back to the core's CPU convolution, with a note.",
    },
    {
      attribute: 'for',
      property: 'htmlFor',
      type: 'string',
      default: null,
      reflect: true,
      example: 'for="lab"',
      description:
        'The id of an <rf-kernel-lab> to follow: its kernel is applied to the photo whenever it changes (rf-change).',
    },
  ],
  events: [
    {
      name: 'rf-convolve',
      detail:
        "PhotoConvolved { kernel: number[]; channels; source: 'photo' | 'file' | 'camera'; engine: 'webgpu' | 'webgl' | 'cpu'; ms: number; width: number; height: number }",
      description:
        'After each convolved frame (for the camera, every frame that was processed; frames that arrive during a run are dropped).',
    },
  ],
  fallback:
    'Put the photo (an <img> with alt text) and, if you can, a precomputed output in the element; it shows until the script runs.',
  keyboard:
    'Tab to the kernel cells (number inputs), the presets, the photo and channel choices, "Use your own image" (a file picker) and "Use camera" / "Stop camera". Dropping an image file on the photo works too.',
});
