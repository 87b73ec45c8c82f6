/** The shipped models, in the order the lesson introduces them. */
export const MODEL_NAMES = ['logreg', 'mlp', 'cnn', 'cnn-blurpool', 'cnn-shortcut'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

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
