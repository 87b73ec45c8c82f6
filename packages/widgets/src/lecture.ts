/**
 * The lecture's worked examples, as data: the 7x7 image and the kernels it convolves with.
 * Outputs are never stored here; the widgets compute them with @receptive/core.
 */
import { type Parser, WidgetValueError } from './props.js';

/** The lecture's 7x7 binary image, row by row. */
export const LECTURE_ROWS = [
  '0000000',
  '0011100',
  '0111110',
  '0111000',
  '0111110',
  '0011100',
  '0000000',
] as const;

/** The image as 49 values, row-major. */
export const LECTURE_IMAGE: Float32Array = Float32Array.from(LECTURE_ROWS.join(''), (c) =>
  Number(c),
);
export const LECTURE_SIZE = 7;

export const KERNEL_PRESETS = {
  identity: [0, 0, 0, 0, 1, 0, 0, 0, 0],
  'box-blur': Array.from({ length: 9 }, () => 1 / 9),
  'horizontal-edge': [-1, -1, -1, 2, 2, 2, -1, -1, -1],
  laplacian: [0, -1, 0, -1, 4, -1, 0, -1, 0],
} as const satisfies Record<string, readonly number[]>;

export type KernelPreset = keyof typeof KERNEL_PRESETS;
export const KERNEL_PRESET_NAMES = Object.keys(KERNEL_PRESETS) as KernelPreset[];

export const PRESET_LABELS: Record<KernelPreset, string> = {
  identity: 'Identity',
  'box-blur': 'Box blur (1/9)',
  'horizontal-edge': 'Horizontal edges',
  laplacian: 'Laplacian',
};

/** The preset a kernel equals, if any. */
export function presetOf(kernel: readonly number[]): KernelPreset | null {
  for (const name of KERNEL_PRESET_NAMES) {
    if (KERNEL_PRESETS[name].every((v, i) => Math.abs(v - kernel[i]!) < 1e-9)) return name;
  }
  return null;
}

const number = (token: string): number => {
  const m = /^(-?\d*\.?\d+)\s*\/\s*(\d*\.?\d+)$/.exec(token);
  return m ? Number(m[1]) / Number(m[2]) : token === '' ? Number.NaN : Number(token);
};

/**
 * A kernel attribute: a preset name, or 9 comma-separated numbers row by row (fractions such
 * as `1/9` allowed).
 * @example parseKernel('rf-kernel-lab', 'kernel', '0,-1,0, -1,4,-1, 0,-1,0')
 */
export function parseKernel(tag: string, attribute: string, value: string): number[] {
  const v = value.trim();
  if ((KERNEL_PRESET_NAMES as string[]).includes(v)) return [...KERNEL_PRESETS[v as KernelPreset]];
  const parts = v.split(',').map((t) => number(t.trim()));
  if (parts.length === 9 && parts.every(Number.isFinite)) return parts;
  throw new WidgetValueError(
    tag,
    attribute,
    value,
    `one of ${KERNEL_PRESET_NAMES.join(', ')}, or 9 comma-separated numbers`,
  );
}

/** The `kernel` attribute of the figures: a preset name or 9 numbers (the property: 9 numbers). */
export const KERNEL_PARSER: Parser<number[]> = {
  parse: (v, tag, attribute) => parseKernel(tag, attribute, v),
  format: (k) => k.join(','),
  astro: 'string',
};
