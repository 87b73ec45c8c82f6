// Trains the shipped digit models with @receptive/core and writes models/<name>.onnx plus
// models/<name>.train.json (recipe, seed, per-epoch history, time). Same seed, same weights.
// Run: pnpm --filter @receptive/models train [name ...]   (default: every model)
// Then: pnpm --filter @receptive/models evaluate           (writes the model cards)
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { adam, type EpochResult, sequential, train } from '@receptive/core';
import { toOnnx } from '@receptive/onnx';
import { trainingSet } from './lib/data.ts';
import { learningRate, MODEL_NAMES, type ModelName, RECIPES } from './lib/recipes.ts';
import { withMarks } from './lib/shortcut.ts';

const args = process.argv.slice(2);
// --out=DIR writes elsewhere (the reproducibility test retrains into a temporary folder).
const outArg = args.find((a) => a.startsWith('--out='));
const outDir = outArg
  ? pathToFileURL(`${resolve(outArg.slice(6))}/`)
  : new URL('../models/', import.meta.url);
// --stop-after=N ends each run after epoch N of its own schedule (the reproducibility test trains
// one epoch and compares it with the shipped run's first epoch).
const stopArg = args.find((a) => a.startsWith('--stop-after='));
const stopAfter = stopArg ? Number(stopArg.slice('--stop-after='.length)) : Infinity;
if (stopArg && !(Number.isInteger(stopAfter) && stopAfter >= 1)) {
  console.error(`--stop-after must be a whole number of epochs, 1 or more, received ${stopArg}`);
  process.exit(1);
}
const requested = args.filter((a) => !a.startsWith('--'));
const unknown = requested.filter((n) => !(MODEL_NAMES as readonly string[]).includes(n));
if (unknown.length > 0) {
  console.error(`Unknown model ${unknown.join(', ')}: choose from ${MODEL_NAMES.join(', ')}.`);
  process.exit(1);
}
const names = (requested.length > 0 ? requested : MODEL_NAMES) as ModelName[];
const trainSet = trainingSet();

for (const name of names) {
  const recipe = RECIPES[name];
  const model = sequential(recipe.layers(), { inputShape: [1, 28, 28], seed: recipe.seed });
  const data = recipe.shortcut
    ? { x: withMarks(trainSet.x, (i) => trainSet.labels[i]!), labels: trainSet.labels }
    : trainSet;
  const optimizer = adam({ lr: recipe.optimizer.lr, weightDecay: recipe.optimizer.weightDecay });
  const history: (EpochResult & { lr: number })[] = [];
  const started = performance.now();
  // The machine's load while this model trains (the time in the card means little without it),
  // sampled after every epoch: training blocks the event loop, so no timer could fire.
  const loads: number[] = [];
  console.log(`${name}: ${model.parameterCount()} parameters, ${recipe.epochs} epochs`);
  for (let epoch = 1; epoch <= Math.min(recipe.epochs, stopAfter); epoch++) {
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
    loads.push(loadavg()[0]!);
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
        machine: {
          node: process.version,
          platform: `${process.platform}-${process.arch}`,
          cores: cpus().length,
          // Mean one-minute load average after each epoch (1.0 = one core busy all the time).
          meanLoad:
            loads.length > 0 ? loads.reduce((a, b) => a + b, 0) / loads.length : loadavg()[0],
        },
        history,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`  wrote models/${name}.onnx (${bytes.length} bytes) in ${seconds.toFixed(0)} s`);
}
