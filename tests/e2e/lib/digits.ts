import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { type Tensor, tensor } from '@receptive/core';
import { decodeDigits } from '@receptive/models';
import { fromOnnx } from '@receptive/onnx';

// The shipped digit models and held-out digits as @receptive/core reads them: what the page's
// answers are checked against.

/** The root of the built @receptive/models package (its models/ and data/). */
export const MODELS_DIR = dirname(
  createRequire(import.meta.url).resolve('@receptive/models/package.json'),
);

/** The held-out digits, as the models package ships them. */
export const heldOut = decodeDigits(new Uint8Array(readFileSync(`${MODELS_DIR}/data/heldout.bin`)));

/** Held-out digit `index` as a 1 x 1 x 28 x 28 tensor. */
export const heldOutDigit = (index: number): Tensor =>
  tensor(heldOut.pixels.slice(index * 784, index * 784 + 784), [1, 1, 28, 28]);

/** The model card of shipped model `name` (`logreg`, `mlp`, `cnn`...). */
export const modelCard = (name: string) =>
  JSON.parse(readFileSync(`${MODELS_DIR}/models/${name}.card.json`, 'utf8'));

/** The shipped CNN, run by the core. */
export const cnn = fromOnnx(new Uint8Array(readFileSync(`${MODELS_DIR}/models/cnn.onnx`)));

/** The most probable of ten classes. */
export function top(probs: ArrayLike<number>): number {
  let best = 0;
  for (let j = 1; j < 10; j++) if (probs[j]! > probs[best]!) best = j;
  return best;
}
