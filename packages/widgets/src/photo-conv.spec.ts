import { PHOTO_NAMES } from './photo-library.js';
import { defineSpec } from './props.js';
import { backendProp, choiceProp, forProp, kernelProp } from './shared-props.js';

export const BACKENDS = ['auto', 'webgpu', 'webgl', 'cpu'] as const;
export type PhotoBackend = (typeof BACKENDS)[number];
export const CHANNELS = ['grey', 'rgb'] as const;
export type PhotoChannels = (typeof CHANNELS)[number];

export const PHOTO_CONV_SPEC = defineSpec({
  tag: 'rf-photo-conv',
  summary:
    "A photo (bundled, the reader's own image or their camera) convolved live with an editable 3x3 kernel, on the GPU through @receptive/core's tfjs backend (WebGPU, else WebGL) or on the CPU by the core. Images never leave the page.",
  props: [
    choiceProp(
      'photo',
      PHOTO_NAMES,
      PHOTO_NAMES[0]!,
      'camera',
      'Which bundled photo to start from (all CC0; the credit line shows under it).',
    ),
    kernelProp(
      'box-blur',
      'kernel="laplacian" or kernel="0,-1,0,-1,5,-1,0,-1,0"',
      'The 3x3 kernel, row by row: a preset name or 9 comma-separated numbers (fractions such as 1/9 allowed).',
    ),
    choiceProp(
      'channels',
      CHANNELS,
      'grey',
      'rgb',
      'Convolve the grey image, or each colour channel on its own. Signed results show as a blue-white-red scale (grey) or as |value| per channel (colour).',
    ),
    backendProp(
      BACKENDS,
      'webgl',
      "What convolves: auto tries tfjs on WebGPU, then WebGL; cpu is @receptive/core alone. Any GPU failure falls back to the core's CPU convolution, with a note.",
    ),
    forProp(
      'lab',
      'The id of an <rf-kernel-lab> to follow: its kernel is applied to the photo whenever it changes (rf-change).',
    ),
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
