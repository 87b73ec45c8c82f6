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
  accuracy: number;
  correct: number;
  total: number;
  /** Each layer's name, kind and output shape for one digit, e.g. conv1 / conv2d / [8, 26, 26]. */
  layers: { name: string; kind: string; outputShape: number[] }[];
  /** Shift consistency and accuracy against shift (`ModelCard['shift']`). */
  shift: ModelCard['shift'];
}

const modelsDir = dirname(createRequire(import.meta.url).resolve('@receptive/models/package.json'));

/** @example modelCard('cnn').parameters // 5258 */
export function modelCard(name: string): CardFacts {
  const card = JSON.parse(
    readFileSync(join(modelsDir, 'models', `${name}.card.json`), 'utf8'),
  ) as ModelCard;
  return {
    name,
    title: card.title,
    parameters: card.parameters,
    accuracy: card.heldOut.accuracy,
    correct: card.heldOut.correct,
    total: card.heldOut.total,
    layers: card.architecture.map((l) => ({
      name: l.name,
      kind: l.kind,
      outputShape: l.outputShape,
    })),
    shift: card.shift,
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
