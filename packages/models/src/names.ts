/** The shipped models, in the order the lesson introduces them. */
export const MODEL_NAMES = [
  'logreg',
  'mlp',
  'cnn',
  'cnn-blurpool',
  'cnn-noshift',
  'cnn-blurpool-noshift',
  'cnn-shortcut',
] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/**
 * The two networks the shift-invariance figures compare, max pooling then BlurPool: the lesson
 * CNN's recipe without augmentation. Trained on moved and distorted digits, max pooling learns
 * most of the invariance that BlurPool builds in, and the difference a reader should see shrinks
 * under a point of shift consistency (README, "Where the CNN stands").
 */
export const SHIFT_PAIR = [
  'cnn-noshift',
  'cnn-blurpool-noshift',
] as const satisfies readonly ModelName[];

/** How each network of {@link SHIFT_PAIR} pools, the short name a figure heads it with. */
export const SHIFT_POOLING: Record<(typeof SHIFT_PAIR)[number], string> = {
  'cnn-noshift': 'Max pooling',
  'cnn-blurpool-noshift': 'BlurPool',
};

/**
 * The shape of the lesson CNN that `cnn`, `cnn-blurpool`, `cnn-shortcut` and the in-browser
 * trainer share: `c1` then `c2` kernels of `kernel` x `kernel`, no padding. 12 then 20 kernels:
 * on the validation split they read 5 more digits of 5,000 than 8 then 16, in both runs
 * (experiments/SUMMARY.md), and their 7,310 parameters stay under logistic regression's 7,850.
 * Here, without @receptive/core, so that a figure can size its menus before any model loads.
 */
export const LESSON_CNN_SHAPE = { c1: 12, c2: 20, kernel: 3, padding: 0 } as const;

/** URL of a shipped model file, resolved next to this package (bundlers copy it as an asset). */
export function modelUrl(name: ModelName): URL {
  if (!(MODEL_NAMES as readonly string[]).includes(name)) {
    throw new RangeError(`Unknown model "${name}": expected one of ${MODEL_NAMES.join(', ')}`);
  }
  return new URL(`../models/${name}.onnx`, import.meta.url);
}

/** URL of a shipped model card (JSON). */
export function cardUrl(name: ModelName): URL {
  modelUrl(name);
  return new URL(`../models/${name}.card.json`, import.meta.url);
}
