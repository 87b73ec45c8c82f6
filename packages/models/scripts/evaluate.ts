// Measures every shipped model from its .onnx file and writes models/<name>.card.json (for code)
// and models/<name>.card.md (for people). Every number in a card comes from here.
// Run: pnpm --filter @receptive/models evaluate [name ...]
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fromOnnx } from '@receptive/onnx';
import type { ModelCard } from '../src/card.ts';
import { renderCard } from './lib/card-markdown.ts';
import { testSet, VALIDATION_PER_CLASS, VALIDATION_SEED } from './lib/data.ts';
import { heldOut, shiftReport, shortcutReport } from './lib/evaluate.ts';
import { MNIST_SOURCE } from './lib/mnist.ts';
import { MODEL_NAMES, type ModelName, RECIPES } from './lib/recipes.ts';
import { MARK_SIZE, markColumn } from './lib/shortcut.ts';

const requested = process.argv.slice(2) as ModelName[];
const names = requested.length > 0 ? requested : MODEL_NAMES;
const test = testSet();
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
  const card: ModelCard = {
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
      source: `${MNIST_SOURCE}: 28x28 digits, grey level = byte / 255`,
      training: 'the 60,000 training digits',
      test: 'the official 10,000 test digits (t10k), never used to choose a recipe',
      validation: `${(10 * VALIDATION_PER_CLASS).toLocaleString('en-US')} of the training digits (${VALIDATION_PER_CLASS} per class, seed ${VALIDATION_SEED}; \`validationSplit\` in scripts/lib/data.ts)`,
      trainingExamples: trainLog.trainingExamples,
      testExamples: test.labels.length,
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
    `${name}: test accuracy ${(100 * card.heldOut.accuracy).toFixed(2)}%, shift consistency ${(100 * card.shift.consistency).toFixed(2)}%, marks clean/marked/swapped ${[card.shortcut.clean, card.shortcut.marked, card.shortcut.swapped].map((v) => (100 * v).toFixed(1)).join('/')}%`,
  );
}
