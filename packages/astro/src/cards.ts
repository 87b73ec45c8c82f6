/**
 * The model cards' headline numbers, read at build time from the files @receptive/models ships
 * (the same files the live comparison fetches).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ModelCard } from '@receptive/models';

export interface CardFacts {
  name: string;
  title: string;
  parameters: number;
  /** Multiply-adds and other operations for one digit (`ModelCard['flops']`). */
  flops: number;
  accuracy: number;
  correct: number;
  total: number;
  /** Each layer's name, kind and output shape for one digit, e.g. conv1 / conv2d / [8, 26, 26]. */
  layers: { name: string; kind: string; outputShape: number[] }[];
  /** Shift consistency and accuracy against shift (`ModelCard['shift']`). */
  shift: ModelCard['shift'];
  /** Seconds its training took on the machine the card names, and its passes over the data. */
  trainingSeconds: number;
  epochs: number;
}

const modelsDir = dirname(createRequire(import.meta.url).resolve('@receptive/models/package.json'));

/** @example modelCard('cnn').parameters // 7310 */
export function modelCard(name: string): CardFacts {
  const card = JSON.parse(
    readFileSync(join(modelsDir, 'models', `${name}.card.json`), 'utf8'),
  ) as ModelCard;
  return {
    name,
    title: card.title,
    parameters: card.parameters,
    flops: card.flops,
    accuracy: card.heldOut.accuracy,
    correct: card.heldOut.correct,
    total: card.heldOut.total,
    layers: card.architecture.map((l) => ({
      name: l.name,
      kind: l.kind,
      outputShape: l.outputShape,
    })),
    shift: card.shift,
    trainingSeconds: card.training.seconds,
    epochs: card.training.epochs,
  };
}

/** A shipped model's training log (`models/<name>.train.json`): the numbers of each epoch. */
export interface TrainingLog {
  trainingExamples: number;
  seconds: number;
  cores: number;
  history: { epoch: number; loss: number; accuracy: number; lr: number }[];
}

/** @example trainingLog('cnn').history.length // 30 */
export function trainingLog(name: string): TrainingLog {
  const log = JSON.parse(readFileSync(join(modelsDir, 'models', `${name}.train.json`), 'utf8')) as {
    trainingExamples: number;
    seconds: number;
    machine: { cores: number };
    history: TrainingLog['history'];
  };
  return {
    trainingExamples: log.trainingExamples,
    seconds: log.seconds,
    cores: log.machine.cores,
    history: log.history,
  };
}

/** What `<ModelFact>` can say about a model. */
export const MODEL_FACTS = [
  'parameters',
  'accuracy',
  'correct',
  'consistency',
  'filters',
  'minutes',
  'epochs',
] as const;
export type ModelFactName = (typeof MODEL_FACTS)[number];

/**
 * One of a card's numbers as a lesson's sentence writes it: parameters and correct with thousands
 * separators, accuracy and shift consistency as percentages with two decimals, filters of the
 * convolution `layer`, training time in whole minutes, passes over the training digits.
 * @example modelFact('cnn', 'filters', 'conv1') // '12'
 */
export function modelFact(name: string, fact: ModelFactName, layer?: string): string {
  const card = modelCard(name);
  const fmt = (n: number) => n.toLocaleString('en-US');
  if (fact === 'parameters') return fmt(card.parameters);
  if (fact === 'correct') return fmt(card.correct);
  if (fact === 'accuracy') return `${(card.accuracy * 100).toFixed(2)}%`;
  if (fact === 'consistency') return `${(card.shift.consistency * 100).toFixed(2)}%`;
  if (fact === 'minutes') return fmt(Math.round(card.trainingSeconds / 60));
  if (fact === 'epochs') return fmt(card.epochs);
  const conv = card.layers.find((l) => l.name === layer && l.kind === 'conv2d');
  if (!conv) {
    const convs = card.layers.filter((l) => l.kind === 'conv2d').map((l) => l.name);
    throw new RangeError(
      `<ModelFact> layer: ${name} has no convolution layer "${layer}", expected one of ${convs.join(', ') || '(none)'}`,
    );
  }
  return String(conv.outputShape[0]);
}
