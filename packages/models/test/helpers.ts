import { readFileSync } from 'node:fs';
import { readSplit } from '../scripts/lib/data.ts';
import { gather, loadMnist } from '../scripts/lib/mnist.ts';
import type { ModelName } from '../src/names.ts';

export const modelBytes = (name: ModelName): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`../models/${name}.onnx`, import.meta.url)));

// biome-ignore lint/suspicious/noExplicitAny: the card is plain JSON written by evaluate.ts.
export const card = (name: ModelName): any =>
  JSON.parse(readFileSync(new URL(`../models/${name}.card.json`, import.meta.url), 'utf8'));

/** The 2,000 held-out digits of data/split.json. */
export const heldOut = () => gather(loadMnist(), readSplit().test);

export function argmax(row: ArrayLike<number>, offset: number, k: number): number {
  let best = 0;
  for (let j = 1; j < k; j++) if (row[offset + j]! > row[offset + best]!) best = j;
  return best;
}
