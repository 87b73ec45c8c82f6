/**
 * The photos shipped with the widgets (in `assets/photos/`, credits in `CREDITS.md` there), and
 * the pixel plumbing of `<rf-photo-conv>` that needs no GPU: turning RGBA pixels into the float
 * image a kernel is applied to, and a convolved image back into colours. Model maths stays in
 * @receptive/core; this only converts, calls the core and colours. Nothing here needs a DOM, so
 * a build step (the Astro wrapper's no-JavaScript output) runs the same code as the page.
 */
import { conv2d, tensor } from '@receptive/core';
import { formatNumber } from './format.js';
import { signedRgb } from './theme.js';

export interface Photo {
  /** Short name for the picker. */
  title: string;
  /** Text alternative of the source photo. */
  alt: string;
  /** Credit line shown under the photo. */
  credit: string;
  /** URL of the WebP file, resolved next to this package (bundlers copy it as an asset). */
  url: () => URL;
}

/** The bundled photos, all CC0 (scikit-image's sample data). */
export const PHOTOS = {
  coffee: {
    title: 'Coffee cup',
    alt: 'A cup of coffee with latte art on a saucer, on a wooden table.',
    credit:
      'Photo: Rachel Michetti, courtesy of Pikolo Espresso Bar, CC0 (scikit-image sample data).',
    url: () => new URL('../assets/photos/coffee.webp', import.meta.url),
  },
  camera: {
    title: 'Camera',
    alt: 'A black-and-white photo of a person behind a camera on a tripod.',
    credit: 'Photo: Lav Varshney, CC0 (scikit-image sample data).',
    url: () => new URL('../assets/photos/camera.webp', import.meta.url),
  },
} as const satisfies Record<string, Photo>;

export type PhotoName = keyof typeof PHOTOS;
export const PHOTO_NAMES = Object.keys(PHOTOS) as PhotoName[];

/** Longest side, in pixels, of the image the kernel is applied to; larger inputs are scaled down. */
export const PHOTO_MAX_SIDE = 512;

/** Width and height that fit `w` x `h` into {@link PHOTO_MAX_SIDE}, keeping the aspect ratio. */
export function fitSize(w: number, h: number, max = PHOTO_MAX_SIDE): { w: number; h: number } {
  const s = Math.min(1, max / Math.max(w, h));
  return { w: Math.max(1, Math.round(w * s)), h: Math.max(1, Math.round(h * s)) };
}

/** A float image, row-major and channel-last: `data[(y * w + x) * c + ch]`. */
export interface FloatImage {
  w: number;
  h: number;
  /** 1 (grey) or 3 (red, green, blue). */
  c: number;
  data: Float32Array;
}

/**
 * RGBA bytes (from a canvas) as floats in [0, 1]: the three colour channels, or one grey channel
 * (Rec. 709 luma, the weights sRGB uses).
 */
export function toFloatImage(
  rgba: Uint8ClampedArray,
  w: number,
  h: number,
  channels: 'grey' | 'rgb',
): FloatImage {
  const n = w * h;
  if (channels === 'rgb') {
    const data = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) {
      data[i * 3] = rgba[i * 4]! / 255;
      data[i * 3 + 1] = rgba[i * 4 + 1]! / 255;
      data[i * 3 + 2] = rgba[i * 4 + 2]! / 255;
    }
    return { w, h, c: 3, data };
  }
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    data[i] = (0.2126 * rgba[i * 4]! + 0.7152 * rgba[i * 4 + 1]! + 0.0722 * rgba[i * 4 + 2]!) / 255;
  }
  return { w, h, c: 1, data };
}

/**
 * The value that maps to full colour for a signed output: the 98th percentile of |value|
 * (sampled), so a few extreme pixels (the zero-padded border, say) do not wash the rest out. Never below 1e-6.
 */
export function signedScale(data: Float32Array): number {
  const step = Math.max(1, Math.floor(data.length / 20_000));
  const sample: number[] = [];
  for (let i = 0; i < data.length; i += step) sample.push(Math.abs(data[i]!));
  sample.sort((a, b) => a - b);
  return Math.max(1e-6, sample[Math.floor((sample.length - 1) * 0.98)] ?? 0);
}

/** How a convolved image is drawn, and the sentence that explains it to the reader. */
export type PaintMode = {
  legend: string;
} /** Kernels without negative weights: the values themselves, clipped to [0, 1]. */ & (
  | { kind: 'direct' }
  /** Signed output of a grey image: blue for negative, white for zero, red for positive. */
  | { kind: 'diverging'; scale: number }
  /** Signed output of a colour image: |value| per channel, black for zero. */
  | { kind: 'magnitude'; scale: number }
);

/** The paint mode for a kernel and its output. */
export function paintMode(kernel: readonly number[], out: FloatImage): PaintMode {
  if (kernel.every((v) => v >= 0)) {
    return {
      kind: 'direct',
      legend: `Values shown as they are (0 black, 1 white${out.c === 3 ? ', per colour channel' : ''}).`,
    };
  }
  const scale = signedScale(out.data);
  return out.c === 1
    ? {
        kind: 'diverging',
        scale,
        legend: `Signed output: blue below zero, white at zero, red above; full colour at ±${formatNumber(scale)} (98% of pixels lie within).`,
      }
    : {
        kind: 'magnitude',
        scale,
        legend: `Signed output: brightness is |value| per colour channel; full at ${formatNumber(scale)} (98% of values lie within).`,
      };
}

const byte = (v: number) => Math.max(0, Math.min(255, Math.round(v * 255)));

/** Paints a convolved image into RGBA bytes (`into`, length 4*w*h). */
export function paint(out: FloatImage, mode: PaintMode, into: Uint8ClampedArray): void {
  const { w, h, c, data } = out;
  for (let i = 0; i < w * h; i++) {
    const o = i * 4;
    into[o + 3] = 255;
    if (mode.kind === 'diverging') {
      const [r, g, b] = signedRgb(data[i]!, mode.scale);
      into[o] = r;
      into[o + 1] = g;
      into[o + 2] = b;
      continue;
    }
    for (let ch = 0; ch < 3; ch++) {
      const v = data[i * c + (c === 1 ? 0 : ch)]!;
      into[o + ch] = mode.kind === 'direct' ? byte(v) : byte(Math.abs(v) / mode.scale);
    }
  }
}

/**
 * The core's convolution of each channel (zero padding, same size): the CPU engine of
 * `<rf-photo-conv>` and the output its no-JavaScript fallback shows (the tests check both
 * engines against `conv2d` itself).
 */
export function cpuConvolve(input: FloatImage, kernel: readonly number[]): FloatImage {
  const { w, h, c } = input;
  const planes = new Float32Array(c * h * w);
  for (let i = 0; i < h * w; i++)
    for (let ch = 0; ch < c; ch++) planes[ch * h * w + i] = input.data[i * c + ch]!;
  const out = conv2d(
    tensor(planes, [c, 1, h, w]),
    tensor(Float32Array.from(kernel), [1, 1, 3, 3]),
    null,
    { padding: 1 },
  );
  const data = new Float32Array(h * w * c);
  for (let i = 0; i < h * w; i++)
    for (let ch = 0; ch < c; ch++) data[i * c + ch] = out.data[ch * h * w + i]!;
  return { w, h, c, data };
}
