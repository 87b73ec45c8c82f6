import { createRng, type Tensor } from '@receptive/core';
import { gather, loadMnist } from './mnist.ts';

/**
 * The validation split used to choose recipes: 500 digits of each class from the 60,000
 * training digits, drawn with this seed. The official test digits are never used to choose.
 */
export const VALIDATION_SEED = 20261205;
export const VALIDATION_PER_CLASS = 500;

/** Indices into the training digits: `fit` (55,000) and `val` (5,000), both ascending. */
export function validationSplit(): { fit: number[]; val: number[] } {
  const { labels } = loadMnist('train');
  const rng = createRng(VALIDATION_SEED);
  const byClass: number[][] = Array.from({ length: 10 }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]!]!.push(i);
  const val: number[] = [];
  for (const list of byClass) val.push(...rng.shuffle([...list]).slice(0, VALIDATION_PER_CLASS));
  const inVal = new Set(val);
  const fit: number[] = [];
  for (let i = 0; i < labels.length; i++) if (!inVal.has(i)) fit.push(i);
  return { fit, val: val.sort((a, b) => a - b) };
}

/** All 60,000 training digits. */
export const trainingSet = (): { x: Tensor; labels: number[] } => gather(loadMnist('train'));

/** The 10,000 official test digits: every accuracy in the cards is measured on these. */
export const testSet = (): { x: Tensor; labels: number[] } => gather(loadMnist('test'));
