/** The shipped models, in the order the lesson introduces them. */
export const MODEL_NAMES = ['logreg', 'mlp', 'cnn', 'cnn-blurpool', 'cnn-shortcut'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

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
