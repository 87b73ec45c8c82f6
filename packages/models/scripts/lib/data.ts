import { readFileSync } from 'node:fs';
import type { Tensor } from '@receptive/core';
import { gather, loadMnist } from './mnist.ts';

export interface Split {
  seed: number;
  train: number[];
  test: number[];
}

export const readSplit = (): Split =>
  JSON.parse(readFileSync(new URL('../../data/split.json', import.meta.url), 'utf8')) as Split;

/** The 8,000 training digits and the 2,000 held-out digits of data/split.json. */
export function loadSplit(): {
  train: { x: Tensor; labels: number[] };
  test: { x: Tensor; labels: number[] };
} {
  const pool = loadMnist();
  const split = readSplit();
  return { train: gather(pool, split.train), test: gather(pool, split.test) };
}
