/**
 * The shift numbers of the model cards, read at build time from the files @receptive/models
 * ships (the shift-invariance lesson's tables for readers without JavaScript).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ModelCard } from '@receptive/models';

export interface ShiftFacts {
  name: string;
  title: string;
  parameters: number;
  flops: number;
  accuracy: number;
  /** Zhang (2019): how often two random shifts of a digit get the same top-1. */
  consistency: number;
  pairs: number;
  maxShift: number;
  /** Accuracy on the test digits moved right by each whole pixel. */
  byDx: { shift: number; accuracy: number }[];
}

const modelsDir = dirname(createRequire(import.meta.url).resolve('@receptive/models/package.json'));

/** @example shiftFacts('cnn-blurpool').consistency // 0.97842 */
export function shiftFacts(name: string): ShiftFacts {
  const card = JSON.parse(
    readFileSync(join(modelsDir, 'models', `${name}.card.json`), 'utf8'),
  ) as ModelCard;
  return {
    name,
    title: card.title,
    parameters: card.parameters,
    flops: card.flops,
    accuracy: card.heldOut.accuracy,
    consistency: card.shift.consistency,
    pairs: card.shift.pairs,
    maxShift: card.shift.maxShift,
    byDx: card.shift.accuracyByDx,
  };
}
