// Trains the shipped digit models with @receptive/core and writes models/<name>.onnx plus
// models/<name>.train.json (recipe, seed, per-epoch history, time). Same seed, same weights.
// Run: pnpm --filter @receptive/models train [name ...]   (default: every model)
// Then: pnpm --filter @receptive/models evaluate           (writes the model cards)
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { adam, type EpochResult, sequential, train } from '@receptive/core';
import { toOnnx } from '@receptive/onnx';
import { loadSplit } from './lib/data.ts';
import { learningRate, MODEL_NAMES, type ModelName, RECIPES } from './lib/recipes.ts';
import { withMarks } from './lib/shortcut.ts';

const args = process.argv.slice(2);
// --out=DIR writes elsewhere (the reproducibility test retrains into a temporary folder).
const outArg = args.find((a) => a.startsWith('--out='));
const outDir = outArg
  ? pathToFileURL(`${resolve(outArg.slice(6))}/`)
  : new URL('../models/', import.meta.url);
const requested = args.filter((a) => !a.startsWith('--'));
const unknown = requested.filter((n) => !(MODEL_NAMES as readonly string[]).includes(n));
if (unknown.length > 0) {
  console.error(`Unknown model ${unknown.join(', ')}: choose from ${MODEL_NAMES.join(', ')}.`);
  process.exit(1);
}
const names = (requested.length > 0 ? requested : MODEL_NAMES) as ModelName[];
const { train: trainSet } = loadSplit();

for (const name of names) {
  const recipe = RECIPES[name];
  const model = sequential(recipe.layers(), { inputShape: [1, 28, 28], seed: recipe.seed });
  const data = recipe.shortcut
    ? { x: withMarks(trainSet.x, (i) => trainSet.labels[i]!), labels: trainSet.labels }
    : trainSet;
  const optimizer = adam({ lr: recipe.optimizer.lr, weightDecay: recipe.optimizer.weightDecay });
  const history: (EpochResult & { lr: number })[] = [];
  const started = performance.now();
  console.log(`${name}: ${model.parameterCount()} parameters, ${recipe.epochs} epochs`);
  for (let epoch = 1; epoch <= recipe.epochs; epoch++) {
    const lr = learningRate(recipe, epoch);
    optimizer.config.lr = lr;
    const [result] = train(model, data, {
      optimizer,
      epochs: 1,
      batchSize: recipe.batchSize,
      seed: recipe.seed * 1000 + epoch,
      ...(recipe.augment ? { augment: recipe.augment } : {}),
    });
    history.push({ ...result!, epoch, lr });
    console.log(
      `  epoch ${String(epoch).padStart(2)}  lr ${lr.toExponential(1)}  loss ${result!.loss.toFixed(4)}  train acc ${(100 * result!.accuracy).toFixed(2)}%  ${result!.examplesPerSecond.toFixed(0)} ex/s`,
    );
  }
  const seconds = (performance.now() - started) / 1000;
  const bytes = toOnnx(model, {
    docString: `${recipe.title}: ${recipe.summary}`,
    metadata: { 'receptive.model': name, 'receptive.card': `${name}.card.json` },
  });
  writeFileSync(new URL(`${name}.onnx`, outDir), bytes);
  writeFileSync(
    new URL(`${name}.train.json`, outDir),
    `${JSON.stringify(
      {
        name,
        recipe: { ...recipe, layers: model.layers.map((l) => ({ name: l.name, kind: l.kind })) },
        trainingExamples: data.labels.length,
        seconds,
        machine: { node: process.version, platform: `${process.platform}-${process.arch}` },
        history,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`  wrote models/${name}.onnx (${bytes.length} bytes) in ${seconds.toFixed(0)} s`);
}
