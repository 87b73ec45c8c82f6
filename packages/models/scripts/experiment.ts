// Tries a CNN recipe without touching the held-out digits: trains on 7,000 of the 8,000 training
// digits and reports accuracy on the other 1,000 (one of six fixed folds, stratified by class).
// Used to choose among candidate recipes; the chosen one is then trained on all 8,000 digits by
// train.ts and measured once on the held-out 2,000 by evaluate.ts.
// Run: node scripts/experiment.ts '{"c1":8,"c2":16,"epochs":40,"augment":{"shift":1,"rotate":5}}'
import {
  type AugmentOptions,
  accuracy,
  adam,
  argmaxRows,
  createRng,
  predict,
  sequential,
  takeExamples,
  train,
} from '@receptive/core';
import { loadSplit } from './lib/data.ts';
import { shiftReport } from './lib/evaluate.ts';
import { type CnnShape, cosineLr, lessonCnn } from './lib/recipes.ts';

interface Candidate extends CnnShape {
  pool: 'max' | 'blur';
  seed: number;
  epochs: number;
  batchSize: number;
  lr: number;
  finalLr: number;
  weightDecay: number;
  augment: AugmentOptions | null;
  /** Which 1,000 training digits validate, 0 to 5 (the rarest class, 5, has 690 training digits). */
  fold: number;
  /** Also report the average of the weights at the end of each of the last `average` epochs. */
  average: number;
  /** The last `tailEpochs` epochs train with `tailAugment` instead (null: no augmentation). */
  tailEpochs: number;
  tailAugment: AugmentOptions | null;
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
  fold: 0,
  average: 0,
  tailEpochs: 0,
  tailAugment: null,
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

/**
 * 100 digits of each class from the training part, chosen with a fixed seed: fold f takes the
 * f-th hundred of each class's shuffled list, so the six folds never overlap.
 */
function validationIndices(
  labels: readonly number[],
  fold: number,
): { fit: number[]; val: number[] } {
  if (!Number.isInteger(fold) || fold < 0 || fold > 5) {
    throw new Error(`fold must be a whole number from 0 to 5, received ${fold}`);
  }
  const rng = createRng(20_240);
  const byClass: number[][] = Array.from({ length: 10 }, () => []);
  for (const [i, l] of labels.entries()) byClass[l]!.push(i);
  const val: number[] = [];
  for (const list of byClass)
    val.push(...rng.shuffle([...list]).slice(100 * fold, 100 * fold + 100));
  const inVal = new Set(val);
  return {
    fit: labels.map((_, i) => i).filter((i) => !inVal.has(i)),
    val: val.sort((a, b) => a - b),
  };
}

const { train: all } = loadSplit();
const { fit, val } = validationIndices(all.labels, cand.fold);
const fitSet = { x: takeExamples(all.x, fit), labels: fit.map((i) => all.labels[i]!) };
const valSet = { x: takeExamples(all.x, val), labels: val.map((i) => all.labels[i]!) };

const model = sequential(lessonCnn(cand.pool, cand), { inputShape: [1, 28, 28], seed: cand.seed });
const optimizer = adam({ lr: cand.lr, weightDecay: cand.weightDecay });
console.log(
  `${JSON.stringify(cand)}\n${model.parameterCount()} parameters; fit ${fitSet.labels.length}, validation ${valSet.labels.length}`,
);
const params = model.parameters();
const sums = params.map((p) => new Float64Array(p.value.data.length));
let averaged = 0;
const started = performance.now();
for (let epoch = 1; epoch <= cand.epochs; epoch++) {
  optimizer.config.lr = cosineLr(cand.lr, cand.finalLr, epoch, cand.epochs);
  const augment = epoch > cand.epochs - cand.tailEpochs ? cand.tailAugment : cand.augment;
  const [r] = train(model, fitSet, {
    optimizer,
    epochs: 1,
    batchSize: cand.batchSize,
    seed: cand.seed * 1000 + epoch,
    ...(augment ? { augment } : {}),
  });
  if (epoch > cand.epochs - cand.average) {
    averaged++;
    for (const [i, p] of params.entries()) {
      const sum = sums[i]!;
      for (let j = 0; j < sum.length; j++) sum[j]! += p.value.data[j]!;
    }
  }
  if (epoch % 5 === 0 || epoch === cand.epochs) {
    const acc = accuracy(predict(model, valSet.x), valSet.labels);
    console.log(
      `epoch ${epoch} loss ${r!.loss.toFixed(4)} train ${(100 * r!.accuracy).toFixed(2)}% val ${(100 * acc).toFixed(1)}% (${((performance.now() - started) / 1000).toFixed(0)} s)`,
    );
  }
}
const finalPredictions = predict(model, valSet.x);
const acc = accuracy(finalPredictions, valSet.labels);
const consistency = shiftReport(model, valSet.x, valSet.labels).consistency;
console.log(
  `FINAL validation ${(100 * acc).toFixed(1)}% (${Math.round(acc * 1000)} of 1000), shift consistency ${(100 * consistency).toFixed(2)}%`,
);
// Which validation digits it misses (indices into data/split.json's train list), to compare runs.
const top1 = argmaxRows(finalPredictions);
const missed = val.filter((_, i) => top1[i] !== valSet.labels[i]);
console.log(`MISSED ${JSON.stringify(missed)}`);
if (averaged > 0) {
  for (const [i, p] of params.entries()) {
    const sum = sums[i]!;
    for (let j = 0; j < sum.length; j++) p.value.data[j] = sum[j]! / averaged;
  }
  const avgAcc = accuracy(predict(model, valSet.x), valSet.labels);
  const avgConsistency = shiftReport(model, valSet.x, valSet.labels).consistency;
  console.log(
    `AVERAGED over ${averaged} epochs: validation ${(100 * avgAcc).toFixed(1)}% (${Math.round(avgAcc * 1000)} of 1000), shift consistency ${(100 * avgConsistency).toFixed(2)}%`,
  );
}
