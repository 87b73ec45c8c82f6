// Tries a recipe without touching the official test digits: trains on 55,000 of the 60,000
// training digits and reports accuracy on the other 5,000 (the validation split of
// scripts/lib/data.ts: 500 of each digit, seeded). Used to choose among candidate recipes; the
// chosen one is then trained on all 60,000 digits by train.ts and measured once on the 10,000
// test digits by evaluate.ts.
// Run: node scripts/experiment.ts '{"c1":8,"c2":16,"epochs":20,"augment":{"shift":1,"rotate":5}}'
//      node scripts/experiment.ts '{"model":"mlp","epochs":10}'   (a recipe's own layers)

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import {
  type AugmentOptions,
  accuracy,
  adam,
  argmaxRows,
  type LayerSpec,
  predict,
  type SequentialModel,
  sequential,
  train,
} from '@receptive/core';
import { fromOnnx, toOnnx } from '@receptive/onnx';
import { validationSplit } from './lib/data.ts';
import { distillEpoch } from './lib/distill.ts';
import { shiftReport } from './lib/evaluate.ts';
import { gather, loadMnist } from './lib/mnist.ts';
import { type CnnShape, cosineLr, LESSON_CNN_SHAPE, lessonCnn, RECIPES } from './lib/recipes.ts';

interface Candidate extends CnnShape {
  /** 'cnn': the lesson CNN with the sizes and pooling below; 'logreg' or 'mlp': that recipe's layers. */
  model: 'cnn' | 'logreg' | 'mlp';
  pool: 'max' | 'blur';
  seed: number;
  epochs: number;
  batchSize: number;
  lr: number;
  finalLr: number;
  weightDecay: number;
  augment: AugmentOptions | null;
  /** Also report the average of the weights at the end of each of the last `average` epochs. */
  average: number;
  /** Train the last `clean` epochs on the digits as they are, without augmentation. */
  clean: number;
  /**
   * Distil from a teacher (scripts/lib/distill.ts): a lesson CNN of this pooling and these
   * sizes, trained first for `epochs` epochs with the candidate's other settings.
   */
  teacher: { pool: 'max' | 'blur'; c1: number; c2: number; epochs: number } | null;
  /** The distillation's temperature and the weight of the teacher's term. */
  temperature: number;
  alpha: number;
}

const defaults: Candidate = {
  model: 'cnn',
  ...LESSON_CNN_SHAPE,
  pool: 'max',
  seed: 3,
  epochs: 20,
  batchSize: 32,
  lr: 3e-3,
  finalLr: 3e-5,
  weightDecay: 1e-4,
  augment: { shift: 1, rotate: 5 },
  average: 0,
  clean: 0,
  teacher: null,
  temperature: 4,
  alpha: 0.5,
};
const arg = process.argv[2];
if (!arg) {
  console.error('Give the candidate as JSON, e.g. \'{"c1":12,"c2":20}\'.');
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
if (given.model && !['cnn', 'logreg', 'mlp'].includes(given.model)) {
  console.error(`model must be one of cnn, logreg, mlp, received ${given.model}`);
  process.exit(1);
}
const cand: Candidate = { ...defaults, ...given };

const { fit, val } = validationSplit();
const digits = loadMnist('train');
const fitSet = gather(digits, fit);
const valSet = gather(digits, val);

const pick = <T extends object, K extends keyof T>(o: T, ...keys: K[]) =>
  Object.fromEntries(keys.map((k) => [k, o[k]]));

function teach(): SequentialModel | null {
  const t = cand.teacher;
  if (!t) return null;
  // A teacher depends on its own settings and the candidate's training ones; the first run that
  // trains it keeps it in experiments/teachers/ (not in git) for the runs after.
  const key = JSON.stringify({
    ...t,
    ...pick(cand, 'seed', 'batchSize', 'lr', 'finalLr', 'weightDecay', 'augment'),
  });
  const file = new URL(
    `../experiments/teachers/${createHash('sha256').update(key).digest('hex').slice(0, 16)}.onnx`,
    import.meta.url,
  );
  const trained = existsSync(file);
  const net = trained
    ? fromOnnx(new Uint8Array(readFileSync(file)))
    : sequential(lessonCnn(t.pool, { ...cand, ...t }), {
        inputShape: [1, 28, 28],
        seed: cand.seed,
      });
  if (trained) console.log(`teacher read from ${file.pathname}`);
  const opt = adam({ lr: cand.lr, weightDecay: cand.weightDecay });
  for (let epoch = 1; epoch <= (trained ? 0 : t.epochs); epoch++) {
    opt.config.lr = cosineLr(cand.lr, cand.finalLr, epoch, t.epochs);
    const [r] = train(net, fitSet, {
      optimizer: opt,
      epochs: 1,
      batchSize: cand.batchSize,
      seed: cand.seed * 1000 + epoch,
      ...(cand.augment ? { augment: cand.augment } : {}),
    });
    const acc = accuracy(predict(net, valSet.x), valSet.labels);
    console.log(
      `teacher epoch ${epoch} loss ${r!.loss.toFixed(4)} train ${(100 * r!.accuracy).toFixed(2)}% val ${(100 * acc).toFixed(2)}% (${r!.examplesPerSecond.toFixed(0)} ex/s)`,
    );
  }
  if (!trained) {
    mkdirSync(new URL('.', file), { recursive: true });
    writeFileSync(file, toOnnx(net, { docString: key }));
  }
  const acc = accuracy(predict(net, valSet.x), valSet.labels);
  console.log(
    `TEACHER validation ${(100 * acc).toFixed(2)}% (${Math.round(acc * valSet.labels.length)} of ${valSet.labels.length}), shift consistency ${(100 * shiftReport(net, valSet.x, valSet.labels).consistency).toFixed(2)}%`,
  );
  return net;
}
const specs: LayerSpec[] =
  cand.model === 'cnn' ? lessonCnn(cand.pool, cand) : RECIPES[cand.model].layers();
const model = sequential(specs, { inputShape: [1, 28, 28], seed: cand.seed });
const optimizer = adam({ lr: cand.lr, weightDecay: cand.weightDecay });
console.log(
  `${JSON.stringify(cand)}\n${model.parameterCount()} parameters; fit ${fitSet.labels.length}, validation ${valSet.labels.length}`,
);
const teacher = teach();
const params = model.parameters();
const sums = params.map((p) => new Float64Array(p.value.data.length));
let averaged = 0;
const started = performance.now();
for (let epoch = 1; epoch <= cand.epochs; epoch++) {
  optimizer.config.lr = cosineLr(cand.lr, cand.finalLr, epoch, cand.epochs);
  const augment = cand.augment && epoch <= cand.epochs - cand.clean ? cand.augment : null;
  const seed = cand.seed * 1000 + epoch;
  const [r] = teacher
    ? [
        distillEpoch(model, teacher, fitSet, {
          optimizer,
          batchSize: cand.batchSize,
          seed,
          augment,
          temperature: cand.temperature,
          alpha: cand.alpha,
        }),
      ]
    : train(model, fitSet, {
        optimizer,
        epochs: 1,
        batchSize: cand.batchSize,
        seed,
        ...(augment ? { augment } : {}),
      });
  if (epoch > cand.epochs - cand.average) {
    averaged++;
    for (const [i, p] of params.entries()) {
      const sum = sums[i]!;
      for (let j = 0; j < sum.length; j++) sum[j]! += p.value.data[j]!;
    }
  }
  const acc = accuracy(predict(model, valSet.x), valSet.labels);
  console.log(
    `epoch ${epoch} loss ${r!.loss.toFixed(4)} train ${(100 * r!.accuracy).toFixed(2)}% val ${(100 * acc).toFixed(2)}% (${((performance.now() - started) / 1000).toFixed(0)} s, ${r!.examplesPerSecond.toFixed(0)} ex/s)`,
  );
}
const n = valSet.labels.length;
const finalPredictions = predict(model, valSet.x);
const acc = accuracy(finalPredictions, valSet.labels);
const consistency = shiftReport(model, valSet.x, valSet.labels).consistency;
console.log(
  `FINAL validation ${(100 * acc).toFixed(2)}% (${Math.round(acc * n)} of ${n}), shift consistency ${(100 * consistency).toFixed(2)}%`,
);
// Which validation digits it misses (indices into the 60,000 training digits), to compare runs.
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
    `AVERAGED over ${averaged} epochs: validation ${(100 * avgAcc).toFixed(2)}% (${Math.round(avgAcc * n)} of ${n}), shift consistency ${(100 * avgConsistency).toFixed(2)}%`,
  );
}
