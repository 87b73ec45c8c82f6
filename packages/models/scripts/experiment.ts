// Tries a CNN recipe without touching the held-out digits: trains on 7,000 of the 8,000 training
// digits and reports accuracy on the other 1,000 (a fixed validation part, stratified by class).
// Used to choose among candidate recipes; the chosen one is then trained on all 8,000 digits by
// train.ts and measured once on the held-out 2,000 by evaluate.ts.
// Run: node scripts/experiment.ts '{"c1":8,"c2":16,"epochs":40,"augment":{"shift":1,"rotate":5}}'
import {
  type AugmentOptions,
  accuracy,
  adam,
  createRng,
  layers,
  predict,
  sequential,
  takeExamples,
  train,
} from '@receptive/core';
import { loadSplit } from './lib/data.ts';
import { shiftReport } from './lib/evaluate.ts';

interface Candidate {
  c1: number;
  c2: number;
  kernel: number;
  padding: number;
  pool: 'max' | 'blur';
  seed: number;
  epochs: number;
  batchSize: number;
  lr: number;
  finalLr: number;
  weightDecay: number;
  augment: AugmentOptions | null;
}

const defaults: Candidate = {
  c1: 8,
  c2: 16,
  kernel: 3,
  padding: 0,
  pool: 'max',
  seed: 3,
  epochs: 40,
  batchSize: 32,
  lr: 3e-3,
  finalLr: 3e-5,
  weightDecay: 1e-4,
  augment: { shift: 1, rotate: 5 },
};
const arg = process.argv[2];
if (!arg) {
  console.error('Give the candidate as JSON, e.g. \'{"c1":12,"c2":24}\'.');
  process.exit(1);
}
const given = JSON.parse(arg) as Partial<Candidate>;
const unknown = Object.keys(given).filter((k) => !(k in defaults));
if (unknown.length > 0) {
  console.error(
    `Unknown setting ${unknown.join(', ')}: choose from ${Object.keys(defaults).join(', ')}.`,
  );
  process.exit(1);
}
const cand: Candidate = { ...defaults, ...given };

/** 100 digits of each class from the training part, chosen with a fixed seed. */
function validationIndices(labels: readonly number[]): { fit: number[]; val: number[] } {
  const rng = createRng(20_240);
  const byClass: number[][] = Array.from({ length: 10 }, () => []);
  for (const [i, l] of labels.entries()) byClass[l]!.push(i);
  const val: number[] = [];
  for (const list of byClass) val.push(...rng.shuffle([...list]).slice(0, 100));
  const inVal = new Set(val);
  return {
    fit: labels.map((_, i) => i).filter((i) => !inVal.has(i)),
    val: val.sort((a, b) => a - b),
  };
}

const { train: all } = loadSplit();
const { fit, val } = validationIndices(all.labels);
const fitSet = { x: takeExamples(all.x, fit), labels: fit.map((i) => all.labels[i]!) };
const valSet = { x: takeExamples(all.x, val), labels: val.map((i) => all.labels[i]!) };

const pad = cand.padding;
const down = (name: string) =>
  cand.pool === 'max'
    ? layers.maxPool2d({ kernel: 2, name })
    : { ...layers.blurPool2d({ kernel: 2, filter: 3, stride: 2 }), name };
const model = sequential(
  [
    layers.conv2d({ filters: cand.c1, kernel: cand.kernel, padding: pad, name: 'conv1' }),
    layers.relu({ name: 'relu1' }),
    down('pool1'),
    layers.conv2d({ filters: cand.c2, kernel: cand.kernel, padding: pad, name: 'conv2' }),
    layers.relu({ name: 'relu2' }),
    down('pool2'),
    layers.flatten({ name: 'flatten' }),
    layers.linear({ units: 10, name: 'logits' }),
    layers.softmax({ name: 'probs' }),
  ],
  { inputShape: [1, 28, 28], seed: cand.seed },
);
const optimizer = adam({ lr: cand.lr, weightDecay: cand.weightDecay });
console.log(
  `${JSON.stringify(cand)}\n${model.parameterCount()} parameters; fit ${fitSet.labels.length}, validation ${valSet.labels.length}`,
);
const started = performance.now();
for (let epoch = 1; epoch <= cand.epochs; epoch++) {
  const t = cand.epochs <= 1 ? 1 : (epoch - 1) / (cand.epochs - 1);
  const lr = cand.finalLr + 0.5 * (cand.lr - cand.finalLr) * (1 + Math.cos(Math.PI * t));
  optimizer.config.lr = lr;
  const [r] = train(model, fitSet, {
    optimizer,
    epochs: 1,
    batchSize: cand.batchSize,
    seed: cand.seed * 1000 + epoch,
    ...(cand.augment ? { augment: cand.augment } : {}),
  });
  if (epoch % 5 === 0 || epoch === cand.epochs) {
    const acc = accuracy(predict(model, valSet.x), valSet.labels);
    console.log(
      `epoch ${epoch} loss ${r!.loss.toFixed(4)} train ${(100 * r!.accuracy).toFixed(2)}% val ${(100 * acc).toFixed(1)}% (${((performance.now() - started) / 1000).toFixed(0)} s)`,
    );
  }
}
const acc = accuracy(predict(model, valSet.x), valSet.labels);
const consistency = shiftReport(model, valSet.x, valSet.labels).consistency;
console.log(
  `FINAL validation ${(100 * acc).toFixed(1)}% (${Math.round(acc * 1000)} of 1000), shift consistency ${(100 * consistency).toFixed(2)}%`,
);
