// Training throughput on the 60,000 MNIST training digits: the lesson CNN (conv 12, pool, conv 20,
// pool, linear 10), Adam, batch 32, on @receptive/core against tfjs's cpu backend, in one Node
// process. Both walk batches drawn from the same seeded shuffle of all 60,000 digits; the
// epoch time is the measured rate applied to 60,000 (tfjs would need tens of minutes for one).
import { adam, createRng, sequential, type Tensor, trainStep } from '@receptive/core';
import { LESSON_CNN_SHAPE, lessonCnn } from '@receptive/models/recipes';
import type * as TF from '@tensorflow/tfjs';
import { trainingDigits } from '../digits.ts';
import { type Row, type Suite, timeMedianSync } from '../harness.ts';

const BATCH = 32;
const CORE_STEPS = 300;
const TF_STEPS = 15;

const suite: Suite = {
  name: 'training on the 60,000 MNIST training digits: core vs tfjs cpu, in Node',
  async run(log) {
    const digits = trainingDigits();
    const order = createRng(11).shuffle(Array.from({ length: digits.count }, (_, i) => i));
    const batchAt = (b: number): { x: Tensor; y: number[] } => {
      const data = new Float32Array(BATCH * 784);
      const y: number[] = [];
      for (let k = 0; k < BATCH; k++) {
        const i = order[(b * BATCH + k) % digits.count]!;
        data.set(digits.pixels.subarray(i * 784, (i + 1) * 784), k * 784);
        y.push(digits.labels[i]!);
      }
      return { x: { shape: [BATCH, 1, 28, 28], data }, y };
    };
    log(`training digits: ${digits.count}, batches from one seeded shuffle of all of them`);

    const net = sequential(lessonCnn('max'), { inputShape: [1, 28, 28], seed: 3 });
    const opt = adam({ lr: 3e-3 });
    let b = 0;
    const coreStepUs = timeMedianSync(
      () => {
        const batch = batchAt(b++);
        trainStep(net, batch.x, batch.y, opt);
      },
      CORE_STEPS,
      30,
    );

    const tf = await import('@tensorflow/tfjs');
    await tf.setBackend('cpu');
    const v = (shape: number[]) => tf.variable(tf.randomNormal(shape, 0, 0.1, 'float32', 3));
    // The same layers as the core's network: c1 then c2 kernels of 3 x 3, then c2 5 x 5 maps.
    const { c1, c2 } = LESSON_CNN_SHAPE;
    const flat = c2 * 5 * 5;
    const vars = [v([3, 3, 1, c1]), v([c1]), v([3, 3, c1, c2]), v([c2]), v([flat, 10]), v([10])];
    const [k1, b1, k2, b2, w, bias] = vars as TF.Variable[] as [
      TF.Variable<TF.Rank.R4>,
      TF.Variable<TF.Rank.R1>,
      TF.Variable<TF.Rank.R4>,
      TF.Variable<TF.Rank.R1>,
      TF.Variable<TF.Rank.R2>,
      TF.Variable<TF.Rank.R1>,
    ];
    const logits = (x: TF.Tensor4D) => {
      const h1 = tf.maxPool(
        tf.relu(tf.add(tf.conv2d(x, k1, 1, 'valid'), b1)) as TF.Tensor4D,
        2,
        2,
        'valid',
      );
      const h = tf.maxPool(
        tf.relu(tf.add(tf.conv2d(h1, k2, 1, 'valid'), b2)) as TF.Tensor4D,
        2,
        2,
        'valid',
      );
      return tf.add(tf.matMul(tf.reshape(h, [-1, flat]), w), bias) as TF.Tensor2D;
    };
    const tfOpt = tf.train.adam(3e-3);
    b = 0;
    const tfStepUs = timeMedianSync(
      () => {
        const batch = batchAt(b++);
        tf.tidy(() => {
          const x = tf.tensor4d(batch.x.data, [BATCH, 28, 28, 1]);
          const y = tf.oneHot(tf.tensor1d(batch.y, 'int32'), 10) as TF.Tensor2D;
          tfOpt.minimize(
            () => tf.losses.softmaxCrossEntropy(y, logits(x)) as TF.Scalar,
            false,
            vars,
          );
        });
      },
      TF_STEPS,
      3,
    );
    const ours = (BATCH * 1e6) / coreStepUs;
    const theirs = (BATCH * 1e6) / tfStepUs;
    log(
      `one epoch of 60,000 at these rates: core ${(60000 / ours).toFixed(0)} s, tfjs cpu ${(60000 / theirs).toFixed(0)} s`,
    );
    const row: Row = {
      workload: `training the lesson CNN on the 60,000 training digits, batch ${BATCH}, Adam`,
      peer: 'tfjs cpu',
      unit: 'examples/s',
      ours,
      theirs,
      speedup: ours / theirs,
      goal: null,
      runs: CORE_STEPS,
    };
    return [row];
  },
};

export default suite;
