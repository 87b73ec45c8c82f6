// @receptive/core on the CPU against tfjs's cpu backend and onnxruntime-web's wasm backend,
// in one Node process, on the same weights and the same real digits.
import {
  layers,
  type SequentialModel,
  sequential,
  sgd,
  type Tensor,
  trainStep,
} from '@receptive/core';
import { toOnnx } from '@receptive/onnx';
import type * as TF from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-web';
import { realDigits } from '../digits.ts';
import { type Row, type Suite, spread, timeInterleaved, timeMedianSync } from '../harness.ts';

const RUNS = 1000;
const ROUNDS = 5;
const BATCH = 32;

function lenet(): SequentialModel {
  return sequential(
    [
      layers.conv2d({ filters: 8, kernel: 3 }),
      layers.relu(),
      layers.maxPool2d({ kernel: 2 }),
      layers.conv2d({ filters: 16, kernel: 3 }),
      layers.relu(),
      layers.maxPool2d({ kernel: 2 }),
      layers.flatten(),
      layers.linear({ units: 10 }),
      layers.softmax(),
    ],
    { inputShape: [1, 28, 28], seed: 1 },
  );
}

function mlp(): SequentialModel {
  return sequential(
    [
      layers.flatten(),
      layers.linear({ units: 512 }),
      layers.relu(),
      layers.linear({ units: 10 }),
      layers.softmax(),
    ],
    { inputShape: [1, 28, 28], seed: 2 },
  );
}

/** The model as ONNX with the same parameter tensors; only its last output, as a peer needs. */
const asOnnx = (model: SequentialModel): Uint8Array =>
  toOnnx(model, { inputName: 'x', activations: false });

/** The LeNet-style model written natively for tfjs (NHWC, weights laid out for it once). */
function tfjsLenet(tf: typeof TF, model: SequentialModel) {
  const p = model.parameters().map((x) => x.value);
  const [w1, b1, w2, b2, w3, b3] = p as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
  const hwio = (w: Tensor) =>
    tf.variable(
      tf.transpose(tf.tensor4d(w.data, w.shape as [number, number, number, number]), [2, 3, 1, 0]),
    );
  // Our flatten reads C, H, W; NHWC flattens H, W, C: permute the linear weight's columns once.
  const lin = tf.variable(
    tf.reshape(
      tf.transpose(tf.reshape(tf.tensor2d(w3.data, [10, 400]), [10, 16, 5, 5]), [2, 3, 1, 0]),
      [400, 10],
    ),
  );
  const vars = {
    k1: hwio(w1),
    c1: tf.variable(tf.tensor1d(b1.data)),
    k2: hwio(w2),
    c2: tf.variable(tf.tensor1d(b2.data)),
    lin,
    c3: tf.variable(tf.tensor1d(b3.data)),
  };
  const logits = (x: TF.Tensor4D): TF.Tensor2D => {
    let y = tf.maxPool(
      tf.relu(tf.add(tf.conv2d(x, vars.k1 as TF.Tensor4D, 1, 'valid'), vars.c1)) as TF.Tensor4D,
      2,
      2,
      'valid',
    );
    y = tf.maxPool(
      tf.relu(tf.add(tf.conv2d(y, vars.k2 as TF.Tensor4D, 1, 'valid'), vars.c2)) as TF.Tensor4D,
      2,
      2,
      'valid',
    );
    return tf.add(
      tf.matMul(tf.reshape(y, [x.shape[0], 400]), vars.lin as TF.Tensor2D),
      vars.c3,
    ) as TF.Tensor2D;
  };
  return { vars: Object.values(vars), logits, forward: (x: TF.Tensor4D) => tf.softmax(logits(x)) };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const suite: Suite = {
  name: 'core (CPU) vs tfjs cpu and onnxruntime-web wasm, in Node',
  async run(log) {
    // One thread for ORT like our single-threaded core; the machine is shared and small.
    ort.env.wasm.numThreads = 1;
    const { images, labels } = realDigits(1000);
    const zeros =
      images.reduce((s, im) => s + im.filter((v) => v === 0).length, 0) / (images.length * 784);
    log(`real digits: ${images.length}, ${(zeros * 100).toFixed(1)}% of pixels are exactly 0`);
    const rows: Row[] = [];
    const net = lenet();
    const m = mlp();
    const coreIn: Tensor[] = images.map((d) => ({ shape: [1, 1, 28, 28], data: d }));
    const ortIn = images.map((d) => new ort.Tensor('float32', d, [1, 1, 28, 28]));
    const batches: { x: Tensor; y: number[] }[] = [];
    for (let b = 0; b < 10; b++) {
      const data = new Float32Array(BATCH * 784);
      const ys: number[] = [];
      for (let k = 0; k < BATCH; k++) {
        data.set(images[b * BATCH + k]!, k * 784);
        ys.push(labels[b * BATCH + k]!);
      }
      batches.push({ x: { shape: [BATCH, 1, 28, 28], data }, y: ys });
    }

    // Every contender is set up (and every library loaded) before anything is timed; the
    // forward passes are then warmed up and timed in interleaved rounds (timeInterleaved), so
    // that JIT warm-up, a library loaded late or a busy spell of the shared machine favours
    // no one. Each gets ROUNDS x RUNS / ROUNDS = RUNS timed runs.
    const lenetSession = await ort.InferenceSession.create(asOnnx(net), {
      executionProviders: ['wasm'],
    });
    const mlpSession = await ort.InferenceSession.create(asOnnx(m), {
      executionProviders: ['wasm'],
    });
    const lenetOut = net.layers.at(-1)!.name;
    const mlpOut = m.layers.at(-1)!.name;
    const ref = net.forward(coreIn[0]!).data;
    log(
      `LeNet agreement: |core - ort| = ${maxAbsDiff(ref, (await lenetSession.run({ x: ortIn[0]! }))[lenetOut]!.data as Float32Array).toExponential(1)}`,
    );
    log(
      `MLP agreement: |core - ort| = ${maxAbsDiff(m.forward(coreIn[3]!).data, (await mlpSession.run({ x: ortIn[3]! }))[mlpOut]!.data as Float32Array).toExponential(1)}`,
    );
    const tf = await import('@tensorflow/tfjs');
    await tf.setBackend('cpu');
    const tfNet = tfjsLenet(tf, net);
    const tfIn = images.map((d) => tf.tensor4d(d, [1, 28, 28, 1]));
    log(
      `LeNet agreement: |core - tfjs| = ${maxAbsDiff(ref, tf.tidy(() => tfNet.forward(tfIn[0]!)).dataSync()).toExponential(1)}`,
    );

    // Each contender walks the same 1000 digits in the same order, with its own counter.
    const cycle = <T>(xs: readonly T[]) => {
      let k = 0;
      return () => xs[k++ % xs.length]!;
    };
    const nextCore = cycle(coreIn);
    const nextCoreMlp = cycle(coreIn);
    const nextOrt = cycle(ortIn);
    const nextOrtMlp = cycle(ortIn);
    const nextTf = cycle(tfIn);
    const timings = await timeInterleaved(
      [
        { name: 'core lenet', run: () => net.forward(nextCore()).data },
        {
          name: 'ort lenet',
          run: async () => (await lenetSession.run({ x: nextOrt() }))[lenetOut]!.data,
          async: true,
        },
        {
          name: 'tfjs lenet',
          run: () => {
            const y = tf.tidy(() => tfNet.forward(nextTf()));
            y.dataSync();
            y.dispose();
          },
        },
        { name: 'core mlp', run: () => m.forward(nextCoreMlp()).data },
        {
          name: 'ort mlp',
          run: async () => (await mlpSession.run({ x: nextOrtMlp() }))[mlpOut]!.data,
          async: true,
        },
      ],
      { warmup: RUNS, rounds: ROUNDS, perRound: RUNS / ROUNDS },
    );
    const t = (name: string) => timings.get(name)!;
    for (const name of timings.keys()) {
      log(`${name}: median ${t(name).median.toFixed(1)} us, round medians ${spread(t(name))}`);
    }
    const coreUs = t('core lenet').median;
    const ortUs = t('ort lenet').median;
    const tfUs = t('tfjs lenet').median;
    const coreMlp = t('core mlp').median;
    const ortMlp = t('ort mlp').median;

    // Training steps are long (milliseconds): warm-up, then timed one after the other.
    const trainNet = lenet();
    const opt = sgd({ lr: 0.01, momentum: 0.9 });
    let b = 0;
    const coreStepUs = timeMedianSync(
      () => {
        const batch = batches[b++ % batches.length]!;
        trainStep(trainNet, batch.x, batch.y, opt);
      },
      100,
      20,
    );
    const tfBatches = batches.map((x) => ({
      x: tf.tensor4d(x.x.data, [BATCH, 28, 28, 1]),
      y: tf.oneHot(tf.tensor1d(x.y, 'int32'), 10) as TF.Tensor2D,
    }));
    const tfTrain = tfjsLenet(tf, lenet());
    const tfOpt = tf.train.momentum(0.01, 0.9);
    b = 0;
    const tfStepUs = timeMedianSync(
      () => {
        const batch = tfBatches[b++ % tfBatches.length]!;
        tf.tidy(() => {
          tfOpt.minimize(
            () => tf.losses.softmaxCrossEntropy(batch.y, tfTrain.logits(batch.x)) as TF.Scalar,
            false,
            tfTrain.vars,
          );
        });
      },
      20,
      3,
    );

    const fwd = 'LeNet-style CNN forward, batch 1';
    rows.push({
      workload: fwd,
      peer: 'tfjs cpu',
      unit: 'us/run',
      ours: coreUs,
      theirs: tfUs,
      speedup: tfUs / coreUs,
      goal: 3,
      runs: RUNS,
    });
    rows.push({
      workload: fwd,
      peer: 'onnxruntime-web wasm',
      unit: 'us/run',
      ours: coreUs,
      theirs: ortUs,
      speedup: ortUs / coreUs,
      goal: 0.5,
      runs: RUNS,
    });
    rows.push({
      workload: 'MLP 784-512-10 forward, real digits, batch 1',
      peer: 'onnxruntime-web wasm',
      unit: 'us/run',
      ours: coreMlp,
      theirs: ortMlp,
      speedup: ortMlp / coreMlp,
      goal: 1,
      runs: RUNS,
    });
    const ours = (BATCH * 1e6) / coreStepUs;
    const theirs = (BATCH * 1e6) / tfStepUs;
    rows.push({
      workload: `training, LeNet-style, batch ${BATCH}, SGD momentum 0.9`,
      peer: 'tfjs cpu',
      unit: 'examples/s',
      ours,
      theirs,
      speedup: ours / theirs,
      goal: 50,
      runs: 100,
    });
    if (rows.some((r) => r.goal !== null && r.speedup < r.goal)) {
      log(
        'where we fall short: our ops are scalar JavaScript (V8 does not vectorise loops over ' +
          "Float32Array), while onnxruntime-web's wasm kernels use 128-bit SIMD",
      );
    }
    return rows;
  },
};

export default suite;
