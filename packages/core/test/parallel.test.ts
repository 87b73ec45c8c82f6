import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  adam,
  DataParallelTrainer,
  type GradientPort,
  GradientWorkerError,
  type KernelSet,
  type SequentialModel,
  serveGradients,
  setKernels,
  sgd,
  type Tensor,
  takeExamples,
  trainStep,
} from '../src/index.js';
import { loadDigits } from './helpers/digits.js';
import { digitCnn } from './helpers/models.js';
import { maxAbsDiff } from './helpers/random-data.js';

const digits = loadDigits(12, 0).train;
const batches = (size: number, count: number): { x: Tensor; labels: number[] }[] =>
  Array.from({ length: count }, (_, b) => {
    const idx = Array.from({ length: size }, (_, i) => (b * size + i) % digits.labels.length);
    return { x: takeExamples(digits.x, idx), labels: idx.map((i) => digits.labels[i]!) };
  });

/** Worker threads running the core as built, each reached through a MessageChannel port. */
const workers: Worker[] = [];
const ports: MessagePort[] = [];
function spawn(count: number): GradientPort[] {
  return Array.from({ length: count }, () => {
    const { port1, port2 } = new MessageChannel();
    workers.push(
      new Worker(new URL('./helpers/gradient-worker.mjs', import.meta.url), {
        workerData: { port: port2 },
        transferList: [port2],
      }),
    );
    ports.push(port1);
    return port1 as unknown as GradientPort;
  });
}

const params = (m: SequentialModel) => m.parameters().flatMap((p) => Array.from(p.value.data));

afterEach(() => {
  setKernels('scalar');
});
afterAll(async () => {
  for (const p of ports) p.close();
  await Promise.all(workers.map((w) => w.terminate()));
});

describe('DataParallelTrainer', () => {
  it.each([
    ['scalar', 1, 32],
    ['simd', 1, 32],
    ['scalar', 3, 30],
    ['simd', 3, 30],
  ] as [KernelSet, number, number][])(
    'matches trainStep within 1e-5 after the same steps (%s kernels, %i workers, batch %i)',
    async (set, count, size) => {
      setKernels(set);
      const data = batches(size, 6);
      const one = digitCnn(4);
      const many = digitCnn(4);
      const optOne = adam({ lr: 3e-3 });
      const trainer = new DataParallelTrainer(many, adam({ lr: 3e-3 }), spawn(count));
      expect(trainer.threads).toBe(count + 1);
      for (const b of data) {
        const want = trainStep(one, b.x, b.labels, optOne);
        const got = await trainer.step(b.x, b.labels);
        expect(Math.abs(got.loss - want.loss)).toBeLessThan(1e-5);
        expect(got.accuracy).toBeCloseTo(want.accuracy, 10);
      }
      // The steps moved the weights (so the comparison below compares trained models).
      expect(maxAbsDiff(params(one), params(digitCnn(4)))).toBeGreaterThan(1e-3);
      expect(maxAbsDiff(params(many), params(one))).toBeLessThanOrEqual(1e-5);
      trainer.close();
    },
  );

  it('with no workers is trainStep, bit for bit', async () => {
    const data = batches(16, 3);
    const one = digitCnn(5);
    const alone = digitCnn(5);
    const optOne = sgd({ lr: 0.05 });
    const trainer = new DataParallelTrainer(alone, sgd({ lr: 0.05 }), []);
    for (const b of data) {
      expect(await trainer.step(b.x, b.labels)).toEqual(trainStep(one, b.x, b.labels, optOne));
    }
    expect(params(alone)).toEqual(params(one));
  });

  it("reports a worker's error and leaves the model as it was", async () => {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1, port2);
    const stop = serveGradients(port2 as unknown as GradientPort);
    // A port that drops the model from every request: the worker has none to compute with.
    const broken: GradientPort = {
      postMessage: (m, transfer) => {
        const { model: _, ...rest } = m as Record<string, unknown>;
        port1.postMessage(rest, transfer as never);
      },
      addEventListener: (t, f) => port1.addEventListener(t, f as never),
      removeEventListener: (t, f) => port1.removeEventListener(t, f as never),
    };
    const model = digitCnn(6);
    const before = params(model);
    const trainer = new DataParallelTrainer(model, adam({ lr: 3e-3 }), [broken]);
    const [b] = batches(8, 1);
    await expect(trainer.step(b!.x, b!.labels)).rejects.toThrow(GradientWorkerError);
    await expect(trainer.step(b!.x, b!.labels)).rejects.toThrow(/brought no model/);
    expect(params(model)).toEqual(before);
    trainer.close();
    await expect(trainer.step(b!.x, b!.labels)).rejects.toThrow(/closed/);
    stop();
  });

  it.each([
    ['one value more', 1],
    ['one value fewer', -1],
  ])('a worker refuses parameters of another length than its model (%s)', async (_, extra) => {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1, port2);
    const stop = serveGradients(port2 as unknown as GradientPort);
    // A port that lengthens or shortens the parameters of every request after the first.
    let sent = 0;
    const skewed: GradientPort = {
      postMessage: (m, transfer) => {
        const r = m as { params: Float32Array };
        if (sent++ > 0) {
          const params = new Float32Array(r.params.length + extra);
          params.set(r.params.subarray(0, Math.min(r.params.length, params.length)));
          port1.postMessage({ ...r, params });
        } else port1.postMessage(m, transfer as never);
      },
      addEventListener: (t, f) => port1.addEventListener(t, f as never),
      removeEventListener: (t, f) => port1.removeEventListener(t, f as never),
    };
    const model = digitCnn(8);
    const trainer = new DataParallelTrainer(model, adam({ lr: 3e-3 }), [skewed]);
    const [b] = batches(8, 1);
    await trainer.step(b!.x, b!.labels);
    const before = params(model);
    await expect(trainer.step(b!.x, b!.labels)).rejects.toThrow(/do not fit the model/);
    expect(params(model)).toEqual(before);
    trainer.close();
    stop();
  });

  it('rejects labels that do not match the batch', async () => {
    const trainer = new DataParallelTrainer(digitCnn(7), adam({ lr: 3e-3 }), []);
    const [b] = batches(4, 1);
    await expect(trainer.step(b!.x, [1, 2, 3])).rejects.toThrow(/4 examples but 3 labels/);
  });
});
