import { type LayerSpec, sequential } from '@receptive/core';
import { RECIPES } from '@receptive/models/recipes';

/**
 * The three digit classifiers the first lesson compares, built with @receptive/core so that the
 * tensor shapes and parameter counts the page shows are the core's, not typed in.
 */
export interface Architecture {
  id: 'logreg' | 'mlp' | 'cnn';
  name: string;
  layers: () => LayerSpec[];
  /** The lecture's symbol for each learned tensor, in the core's parameter order. */
  symbols: string[];
}

export interface ParamTensor {
  name: string;
  shape: number[];
  count: number;
}

/** The lecture's symbol for each learned tensor, in the core's parameter order. */
const SYMBOLS: Record<Architecture['id'], string[]> = {
  logreg: ['W', 'b'],
  mlp: ['W1', 'b1', 'W2', 'b2'],
  cnn: ['K1', 'c1', 'K2', 'c2', 'W', 'b'],
};

/** The layers are the shipped models' own recipes, so the page describes what was trained. */
export const ARCHITECTURES: Architecture[] = (['logreg', 'mlp', 'cnn'] as const).map((id) => ({
  id,
  name: RECIPES[id].title,
  layers: RECIPES[id].layers,
  symbols: SYMBOLS[id],
}));

/** Every learned tensor of `arch` on a 1 x 28 x 28 digit, with the lecture's symbol. */
export function parameterTensors(arch: Architecture): ParamTensor[] {
  const model = sequential(arch.layers(), { inputShape: [1, 28, 28] });
  return model.parameters().map((p, i) => ({
    name: arch.symbols[i]!,
    // The lecture writes x·W, so a linear weight reads [in, out]; the core stores [out, in].
    shape:
      model.layer(p.layer).kind === 'linear' ? [...p.value.shape].reverse() : [...p.value.shape],
    count: p.value.data.length,
  }));
}

export const parameterCount = (arch: Architecture): number =>
  parameterTensors(arch).reduce((sum, t) => sum + t.count, 0);
