// @receptive/core on the CPU against tfjs's cpu backend and onnxruntime-web's wasm backend,
// in one Node process, on the same weights and the same real digits.
import { loadavg } from 'node:os';
import {
  adam,
  kernels,
  type SequentialModel,
  sequential,
  setKernels,
  sgd,
  type Tensor,
  trainStep,
} from '@receptive/core';
import { lessonCnn, RECIPES } from '@receptive/models/recipes';
import { toOnnx } from '@receptive/onnx';
import type * as TF from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-web';
import { realDigits } from '../digits.ts';
import { type Row, type Suite, spread, timeInterleaved, timeMedianSync } from '../harness.ts';
import { simdPeakGflops } from '../simd-peak.ts';

const RUNS = 1000;
const ROUNDS = 5;
const BATCH = 32;

/** The lesson CNN (conv, pool, conv, pool, linear 10, softmax), as @receptive/models builds it. */
const lenet = (): SequentialModel =>
  sequential(lessonCnn('max'), { inputShape: [1, 28, 28], seed: 1 });

/** The shipped MLP's layers (784, 512, 10). */
const mlp = (): SequentialModel =>
  sequential(RECIPES.mlp.layers(), { inputShape: [1, 28, 28], seed: 2 });

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
  const [, flat] = w3.shape as [number, number];
  const channels = w2.shape[0]!;
  const side = Math.sqrt(flat / channels);
  const lin = tf.variable(
    tf.reshape(
      tf.transpose(
        tf.reshape(tf.tensor2d(w3.data, [10, flat]), [10, channels, side, side]),
        [2, 3, 1, 0],
      ),
      [flat, 10],
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
      tf.matMul(tf.reshape(y, [x.shape[0], flat]), vars.lin as TF.Tensor2D),
      vars.c3,
    ) as TF.Tensor2D;
  };
  return { vars: Object.values(vars), logits, forward: (x: TF.Tensor4D) => tf.softmax(logits(x)) };
}

/** The load average now, as `/proc/loadavg` gives its first three fields. */
const load = () =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');

/**
 * Floating-point operations of one training example: the forward products, then for every
 * conv and linear layer the weight gradient and, past the first layer, the input gradient,
 * each as many multiply-adds as the forward product (2 operations per multiply-add).
 */
function trainFlops(model: SequentialModel): number {
  const costs = model.flops().layers.filter((l) => l.kind === 'conv2d' || l.kind === 'linear');
  const macs = costs.reduce((s, l) => s + l.macs, 0);
  return 2 * (3 * macs - (costs[0]?.macs ?? 0));
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
    const simdInfo = setKernels('simd');
    if (simdInfo.active !== 'simd') throw new Error(`SIMD kernels unavailable: ${simdInfo.reason}`);
    log(
      `LeNet agreement: |core SIMD - ort| = ${maxAbsDiff(net.forward(coreIn[0]!).data, (await lenetSession.run({ x: ortIn[0]! }))[lenetOut]!.data as Float32Array).toExponential(1)}`,
    );
    log(
      `MLP agreement: |core SIMD - ort| = ${maxAbsDiff(m.forward(coreIn[3]!).data, (await mlpSession.run({ x: ortIn[3]! }))[mlpOut]!.data as Float32Array).toExponential(1)}`,
    );
    setKernels('scalar');
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
    const nextSimd = cycle(coreIn);
    const nextSimdMlp = cycle(coreIn);
    // The kernel set is one switch for the whole core, so each core contender sets its own.
    const scalar = <T>(f: () => T) => {
      setKernels('scalar');
      return f();
    };
    const simd = <T>(f: () => T) => {
      setKernels('simd');
      return f();
    };
    log(`load average before the forward passes: ${load()}`);
    const nextOrt = cycle(ortIn);
    const nextOrtMlp = cycle(ortIn);
    const nextTf = cycle(tfIn);
    const timings = await timeInterleaved(
      [
        { name: 'core lenet', run: () => scalar(() => net.forward(nextCore()).data) },
        { name: 'core SIMD lenet', run: () => simd(() => net.forward(nextSimd()).data) },
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
        { name: 'core mlp', run: () => scalar(() => m.forward(nextCoreMlp()).data) },
        { name: 'core SIMD mlp', run: () => simd(() => m.forward(nextSimdMlp()).data) },
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
    setKernels('scalar');
    log(`load average after the forward passes: ${load()}`);
    const coreUs = t('core lenet').median;
    const simdUs = t('core SIMD lenet').median;
    const simdMlp = t('core SIMD mlp').median;
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
        scalar(() => trainStep(trainNet, batch.x, batch.y, opt));
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

    // The lesson's training step (the digit trainer: this CNN, Adam, batch 32) on each kernel
    // set, the two interleaved in rounds like the forward passes.
    log(`load average before the training steps: ${load()}`);
    const trainScalar = lenet();
    const trainSimd = lenet();
    const optScalar = adam({ lr: 3e-3 });
    const optSimd = adam({ lr: 3e-3 });
    let bs = 0;
    let bv = 0;
    const steps = await timeInterleaved(
      [
        {
          name: 'scalar',
          run: () => {
            const batch = batches[bs++ % batches.length]!;
            scalar(() => trainStep(trainScalar, batch.x, batch.y, optScalar));
          },
        },
        {
          name: 'simd',
          run: () => {
            const batch = batches[bv++ % batches.length]!;
            simd(() => trainStep(trainSimd, batch.x, batch.y, optSimd));
          },
        },
      ],
      { warmup: 10, rounds: 5, perRound: 20 },
    );
    setKernels('scalar');
    log(`load average after the training steps: ${load()}`);
    const stepScalarUs = steps.get('scalar')!.median;
    const stepSimdUs = steps.get('simd')!.median;
    log(
      `training step, batch ${BATCH}, Adam: core scalar median ${(stepScalarUs / 1000).toFixed(2)} ms, core SIMD ${(stepSimdUs / 1000).toFixed(2)} ms (round medians ${steps
        .get('simd')!
        .rounds.map((r) => (r / 1000).toFixed(2))
        .join(', ')} ms)`,
    );
    log(`kernels: ${JSON.stringify(kernels())} outside the timed runs; SIMD runs set 'simd'`);

    // Achieved arithmetic rate against the machine's measured peak for 128-bit SIMD.
    const peak = await simdPeakGflops();
    const fwdFlops = 2 * net.flops().macs;
    const gf = (flops: number, us: number) => flops / us / 1e3;
    log(
      `128-bit wasm SIMD peak of one core, measured (12 chains of f32x4 mul + add, no FMA): ${peak.toFixed(1)} GFLOP/s; load average ${load()}`,
    );
    log(
      `achieved: LeNet forward ${fwdFlops} FLOP per digit, core SIMD ${gf(fwdFlops, simdUs).toFixed(2)} GFLOP/s (${((100 * gf(fwdFlops, simdUs)) / peak).toFixed(1)}% of peak), core scalar ${gf(fwdFlops, coreUs).toFixed(2)} GFLOP/s`,
    );
    const stepFlops = BATCH * trainFlops(lenet());
    log(
      `achieved: training step ${stepFlops} FLOP in the products, core SIMD ${gf(stepFlops, stepSimdUs).toFixed(2)} GFLOP/s (${((100 * gf(stepFlops, stepSimdUs)) / peak).toFixed(1)}% of peak), core scalar ${gf(stepFlops, stepScalarUs).toFixed(2)} GFLOP/s`,
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
      workload: `${fwd}, core SIMD kernels`,
      peer: 'onnxruntime-web wasm',
      unit: 'us/run',
      ours: simdUs,
      theirs: ortUs,
      speedup: ortUs / simdUs,
      goal: 1.5,
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
    rows.push({
      workload: 'MLP 784-512-10 forward, real digits, batch 1, core SIMD kernels',
      peer: 'onnxruntime-web wasm',
      unit: 'us/run',
      ours: simdMlp,
      theirs: ortMlp,
      speedup: ortMlp / simdMlp,
      goal: 1.5,
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
    rows.push({
      workload: `training the lesson CNN, batch ${BATCH}, Adam, one thread`,
      peer: "core scalar (setKernels('scalar'))",
      unit: 'examples/s',
      ours: (BATCH * 1e6) / stepSimdUs,
      theirs: (BATCH * 1e6) / stepScalarUs,
      speedup: stepScalarUs / stepSimdUs,
      goal: 4,
      runs: steps.get('simd')!.runs,
    });
    const missed = (w: string) =>
      rows.some((r) => r.workload.startsWith(w) && r.goal !== null && r.speedup < r.goal);
    if (missed('MLP')) {
      log(
        "where the MLP falls short: the kernels work on their own memory and the weights live in JavaScript's, so a call copies the 784 x 512 matrix (1.6 MB) first; at batch 1 that copy costs more than the scalar loop's sparse sums, so linear keeps the scalar loop there (simdLinearPays) and the MLP runs as on the scalar kernels",
      );
    }
    if (missed('training the lesson CNN')) {
      log(
        "where training falls short: the SIMD kernels run conv2d, linear, ReLU, 2x2 max pooling and their gradients, but each op is a separate call on tensors that live in JavaScript's memory: it copies its operands into the kernels' memory and its result out, allocates a fresh output array (0.7 MB for conv1's maps at batch 32), and checks its input for NaN in JavaScript; in a CPU profile of SIMD steps (node --cpu-prof) most of the time is this JavaScript around the kernels, with the tape, the optimizer and the garbage collector, not the kernels' arithmetic. Running a whole step in the kernels' memory is what would remove it",
      );
    }
    return rows;
  },
};

export default suite;
