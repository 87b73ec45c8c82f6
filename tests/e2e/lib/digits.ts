import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type Tensor, tensor } from '@receptive/core';
import { chunkFile, decodeDigits, joinChunks } from '@receptive/models';
import { fromOnnx } from '@receptive/onnx';

// The shipped digit models and held-out digits as @receptive/core reads them: what the page's
// answers are checked against.

/** The root of the built @receptive/models package (its models/ and data/). */
export const MODELS_DIR = dirname(
  createRequire(import.meta.url).resolve('@receptive/models/package.json'),
);

/**
 * The first 2,000 official MNIST test digits (chunks 0 and 1), as the models package ships them:
 * digits the models never saw.
 */
export const heldOut = joinChunks(
  [0, 1].map((index) => ({
    ...decodeDigits(gunzipSync(readFileSync(`${MODELS_DIR}/data/${chunkFile('test', index)}`))),
    set: 'test' as const,
    index,
    first: index * 1000,
  })),
);

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
