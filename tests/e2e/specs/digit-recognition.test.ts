// The digit-recognition lesson: the loss figure against the core's cross entropy (and after one
// gradient step), and <rf-digit-trainer>'s CPU path trained in Chromium against the same seeded
// schedule run by @receptive/core in Node (weights within 1e-4), pause / resume continuing the
// same run, reset starting fresh, the worker freed when the figure leaves, "Use my model" and the
// exported ONNX in onnxruntime-node (the page's probabilities within 1e-5), keyboard, axe,
// nothing offsite, both screen sizes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { MessageChannel, Worker as ThreadWorker } from 'node:worker_threads';
import { gunzipSync } from 'node:zlib';
import {
  adam,
  createRng,
  crossEntropy,
  DataParallelTrainer,
  type GradientPort,
  type KernelSet,
  lossAndGradients,
  type ModelJSON,
  type SequentialModel,
  sequential,
  setKernels,
  sgd,
  type Tensor,
  tensor,
  trainStep,
} from '@receptive/core';
import { chunkFile, decodeDigits } from '@receptive/models';
import { lessonCnn } from '@receptive/models/recipes';
import { fromOnnx } from '@receptive/onnx';
import type { BrowserContextOptions, Locator, Page } from 'playwright-core';
import { assertNoSeriousViolations } from '../lib/axe.ts';
import { heldOut, MODELS_DIR } from '../lib/digits.ts';
import { type GpuKind, keepGpu, loseGpu } from '../lib/gpu-loss.ts';
import { SCREENSHOT_DIR, useHarness } from '../lib/harness.ts';

const PATH = '/lessons/digit-recognition/';

interface OrtSession {
  run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown }>>;
  release(): Promise<void>;
}
const ort = createRequire(`${MODELS_DIR}/`)('onnxruntime-node') as {
  InferenceSession: { create(bytes: Uint8Array): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => unknown;
};

// ---- The trainer's schedule, written again from its documentation with the core alone ----

const train = Array.from({ length: 10 }, (_, i) =>
  decodeDigits(
    new Uint8Array(gunzipSync(readFileSync(`${MODELS_DIR}/data/${chunkFile('train', i)}`))),
  ),
);

/** The figure's defaults: seed, learning rate, batch size, the rate's decay per 60,000 digits. */
const RUN = { seed: 1, lr: 3e-3, batch: 32, decay: 0.3 };

/** The learning rate of step `s` (0-based): decayed for the digits seen before it. */
const lrAt = (s: number) => RUN.lr * RUN.decay ** ((s * RUN.batch) / 60_000);

/**
 * `steps` Adam steps of the lecture CNN on the first epoch's stream, as documented, on the
 * core's scalar loops or (as the trainer's worker runs where the browser has WebAssembly SIMD)
 * on its SIMD kernels.
 */
function nodeRun(steps: number, kernels: KernelSet = 'scalar') {
  if (setKernels(kernels).active !== kernels) throw new Error(`no ${kernels} kernels in Node`);
  try {
    const net = sequential(lessonCnn('max'), { inputShape: [1, 28, 28], seed: RUN.seed });
    const opt = adam({ lr: RUN.lr });
    const losses = batchStream(steps).map(({ x, labels }, s) => {
      (opt.config as { lr: number }).lr = lrAt(s);
      return trainStep(net, x, labels, opt).loss;
    });
    return { net, losses };
  } finally {
    setKernels('scalar');
  }
}

/**
 * The same run as {@link nodeRun} on the SIMD kernels, each batch split across `threads` as the
 * page's worker splits it (@receptive/core's DataParallelTrainer, one Node worker thread per
 * extra share): the same shares summed in the same order, so the weights should match the
 * page's up to nothing but the engines' own float arithmetic.
 */
async function nodeRunThreads(steps: number, threads: number) {
  if (setKernels('simd').active !== 'simd') throw new Error('no simd kernels in Node');
  const workers: ThreadWorker[] = [];
  const ports = Array.from({ length: threads - 1 }, () => {
    const { port1, port2 } = new MessageChannel();
    workers.push(
      new ThreadWorker(new URL('../lib/gradient-worker.ts', import.meta.url), {
        workerData: { port: port2 },
        transferList: [port2],
      }),
    );
    return port1;
  });
  try {
    const net = sequential(lessonCnn('max'), { inputShape: [1, 28, 28], seed: RUN.seed });
    const opt = adam({ lr: RUN.lr });
    const trainer = new DataParallelTrainer(net, opt, ports as unknown as GradientPort[]);
    const losses: number[] = [];
    for (const [s, { x, labels }] of batchStream(steps).entries()) {
      (opt.config as { lr: number }).lr = lrAt(s);
      losses.push((await trainer.step(x, labels)).loss);
    }
    trainer.close();
    return { net, losses };
  } finally {
    for (const p of ports) p.close();
    await Promise.all(workers.map((w) => w.terminate()));
    setKernels('scalar');
  }
}

/** The trainer's first `steps` batches of its first epoch's stream, as documented above. */
function batchStream(steps: number) {
  const { seed, batch } = RUN;
  const batches: { x: Tensor; labels: number[] }[] = [];
  let at = 0;
  let offset = 0;
  let order = Int32Array.from({ length: 1000 }, (_, i) => i);
  createRng(((seed + 1) * 4096 + 1) * 64 + at + 1).shuffle(order);
  for (let s = 0; s < steps; s++) {
    const x = new Float32Array(batch * 784);
    const labels: number[] = [];
    for (let i = 0; i < batch; i++) {
      if (offset >= 1000) {
        at++;
        offset = 0;
        order = Int32Array.from({ length: 1000 }, (_, k) => k);
        createRng(((seed + 1) * 4096 + 1) * 64 + at + 1).shuffle(order);
      }
      const c = train[at]!;
      const j = order[offset++]!;
      x.set(c.pixels.subarray(j * 784, (j + 1) * 784), i * 784);
      labels.push(c.labels[j]!);
    }
    batches.push({ x: { shape: [batch, 1, 28, 28], data: x }, labels });
  }
  return batches;
}

function maxDiff(page: ModelJSON, node: SequentialModel): number {
  const ref = node.toJSON();
  let worst = 0;
  page.layers.forEach((l, i) => {
    for (const key of ['weight', 'bias']) {
      const a = (l[key] as { data: number[] } | null)?.data;
      const b = (ref.layers[i]![key] as { data: number[] } | null)?.data;
      if (!a || !b) continue;
      assert.equal(a.length, b.length);
      for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k]! - b[k]!));
    }
  });
  return worst;
}

// ---- Page helpers ----

interface Progress {
  state: string;
  steps: number;
  seen: number;
  losses: number[];
  evals: { steps: number; accuracy: number }[];
  bytes: number;
  chunksIn: number;
  elapsedMs: number;
}

const stateIs = (page: Page, state: string, timeout = 180_000) =>
  page.waitForFunction(
    (s) => document.querySelector('rf-digit-trainer')?.getAttribute('data-state') === s,
    state,
    { timeout, polling: 200 },
  );

const weightsOf = (page: Page) =>
  page.evaluate(async () => {
    const t = document.querySelector('rf-digit-trainer') as unknown as {
      weights(): Promise<{ steps: number; json: ModelJSON }>;
    };
    return t.weights();
  });

const progressOf = (page: Page) =>
  page.evaluate(
    () =>
      (document.querySelector('rf-digit-trainer') as unknown as { progress: Progress | null })
        .progress,
  );

/**
 * The lesson in a fresh guarded context of `harness`, with the trainer scrolled into view and
 * idle; `setup` runs on the page before it loads.
 */
async function openTrainer(
  harness: ReturnType<typeof useHarness>,
  options?: BrowserContextOptions,
  setup?: (page: Page) => Promise<unknown>,
) {
  const opened = await harness.newPage(options);
  const { page } = opened;
  await setup?.(page);
  await page.goto(PATH);
  const fig = page.locator('rf-digit-trainer');
  await fig.scrollIntoViewIfNeeded();
  await stateIs(page, 'idle', 30_000);
  return { ...opened, fig };
}

/**
 * Sets the trainer to stop after `steps`, starts it with the Train button and waits until it
 * pauses there.
 */
async function trainUntilPaused(page: Page, fig: Locator, steps: number) {
  await fig.evaluate((f, n) => f.setAttribute('stop-after', n), String(steps));
  await fig.getByRole('button', { name: 'Train' }).click();
  await stateIs(page, 'paused');
}

/**
 * A tfjs run on `backend` whose GPU goes mid-run (its WebGL context lost, or its WebGPU device
 * destroyed): the run must go on with the core on the processor to the step it was asked to
 * stop at, say so, and keep numbers that are numbers.
 */
async function trainsOnAfterGpuLoss(
  t: { diagnostic(message: string): void },
  harness: ReturnType<typeof useHarness>,
  backend: GpuKind,
) {
  const stopAt = backend === 'webgl' ? 40 : 12;
  const { page, problems, fig } = await openTrainer(harness, {}, (p) => keepGpu(p, backend));
  await fig.evaluate(
    (f, { b, stop }) => {
      f.setAttribute('backend', b);
      f.setAttribute('stop-after', stop);
    },
    { b: backend, stop: String(stopAt) },
  );
  await fig.getByRole('button', { name: 'Train' }).click();
  await page.waitForFunction(
    (b) => {
      const f = document.querySelector('rf-digit-trainer') as unknown as HTMLElement & {
        progress: { steps: number } | null;
      };
      const engine = f.shadowRoot!.querySelector('[data-engine]')!.getAttribute('data-engine');
      return engine === b && (f.progress?.steps ?? 0) >= 3;
    },
    backend,
    { timeout: 180_000, polling: 200 },
  );
  await loseGpu(page, backend, 'tfjs');
  await page.waitForFunction(
    () => (document.querySelector('rf-digit-trainer') as HTMLElement).dataset['gpuLost'],
    null,
    { timeout: 60_000 },
  );
  const engine = await fig.evaluate((f) => {
    const e = f.shadowRoot!.querySelector('[data-engine]')!;
    return { engine: e.getAttribute('data-engine'), text: e.textContent ?? '' };
  });
  assert.equal(engine.engine, 'cpu');
  const said = engine.text.match(
    /^Training on your processor \(@receptive\/core on this page, in slices of about 30 ms\); the GPU stopped at step (\d+) \((webgl: the WebGL context was lost|webgpu: the WebGPU device was lost \(.+\))\), so the run goes on from the weights of step (\d+)\./,
  );
  assert.ok(said, `the engine line says what happened: ${engine.text}`);
  assert.ok(said[2]!.startsWith(backend), `the ${backend} was lost: ${said[2]}`);
  const [at, from] = [Number(said[1]), Number(said[3])];
  assert.ok(from <= at && at < stopAt, `lost at step ${at}, going on from step ${from}`);
  // The run goes on, on the processor, to the step it was asked to stop at.
  await stateIs(page, 'paused', 300_000);
  const p = (await progressOf(page))!;
  const w = await weightsOf(page);
  t.diagnostic(
    `${backend} lost at step ${at}; went on from the weights of step ${from}; paused at ${p.steps} with loss ${p.losses.at(-1)?.toFixed(3)}`,
  );
  assert.equal(p.steps, stopAt);
  assert.equal(w.steps, stopAt);
  assert.ok(p.losses.length >= stopAt - (at - from), `${p.losses.length} losses came back`);
  assert.ok(p.losses.every(Number.isFinite), 'every loss is a number');
  const values = w.json.layers.flatMap((l) =>
    ['weight', 'bias'].flatMap((k) => (l[k] as { data: number[] } | null)?.data ?? []),
  );
  assert.ok(values.length > 0 && values.every(Number.isFinite), 'the weights are numbers');
  // The processor's steps moved the weights on from those of step `from`: the loss still falls.
  assert.ok(
    p.losses.at(-1)! < p.losses[0]!,
    `loss ${p.losses[0]} at the start, ${p.losses.at(-1)} at step ${stopAt}`,
  );
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(problems.offsiteRequests, []);
}

const h = useHarness();

describe('digit recognition lesson', () => {
  it('shows the loss the core computes for a digit and a label, and after one gradient step', async () => {
    const { page, problems } = await h.open(PATH);
    const fig = page.locator('rf-digit-loss');
    await fig.scrollIntoViewIfNeeded();
    await page.waitForFunction(
      () =>
        (document.querySelector('rf-digit-loss') as unknown as { example: unknown } | null)
          ?.example,
      null,
      { timeout: 30_000 },
    );
    const mlp = fromOnnx(new Uint8Array(readFileSync(`${MODELS_DIR}/models/mlp.onnx`)));
    const digit = heldOut.pixels.slice(11 * 784, 12 * 784);
    assert.equal(heldOut.labels[11], 6, 'test digit 11 is a 6');
    for (const label of [6, 5]) {
      await fig.getByRole('combobox', { name: 'Label' }).selectOption(String(label));
      const shown = await fig.evaluate((f) => {
        const e = (f as unknown as { example: { label: number; loss: number } }).example;
        return {
          label: e.label,
          loss: e.loss,
          text: f.shadowRoot!.querySelector('[data-loss]')!.textContent,
        };
      });
      assert.equal(shown.label, label);
      // The core's cross entropy of the MLP's scores (the layer before its softmax).
      const x = tensor(digit, [1, 1, 28, 28]);
      const logits = mlp.forwardAll(x, 'logits').output;
      const ref = crossEntropy(logits, [label]).data[0]!;
      assert.ok(
        Math.abs(shown.loss - ref) < 1e-6,
        `label ${label}: page ${shown.loss}, core ${ref}`,
      );
      assert.match(shown.text!, new RegExp(ref.toFixed(4)));
      // One gradient step: the same SGD step in Node.
      await fig.getByRole('button', { name: 'Take one gradient step' }).click();
      const after = await fig.evaluate((f) =>
        Number(f.shadowRoot!.querySelector('[data-after]')!.getAttribute('data-after')),
      );
      const copy = fromOnnx(new Uint8Array(readFileSync(`${MODELS_DIR}/models/mlp.onnx`)));
      const g = lossAndGradients(copy, x, [label]);
      sgd({ lr: 0.1 }).step(
        copy.parameters().map((p) => p.value),
        g.gradients,
      );
      const refAfter = lossAndGradients(copy, x, [label]).loss;
      assert.ok(
        Math.abs(after - refAfter) < 1e-5,
        `after the step: page ${after}, core ${refAfter}`,
      );
      assert.ok(after < shown.loss, 'the step lowers the loss');
    }
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.offsiteRequests, []);
  });

  it("without JavaScript shows the computed loss example, the networks and the shipped CNN's training curve", async () => {
    const { page, problems } = await h.open(PATH, { javaScriptEnabled: false });
    const mlp = fromOnnx(new Uint8Array(readFileSync(`${MODELS_DIR}/models/mlp.onnx`)));
    const x = tensor(heldOut.pixels.slice(11 * 784, 12 * 784), [1, 1, 28, 28]);
    const ref = crossEntropy(mlp.forwardAll(x, 'logits').output, [6]).data[0]!;
    const shown = Number(await page.locator('rf-digit-loss [data-loss]').getAttribute('data-loss'));
    assert.ok(Math.abs(shown - ref) < 1e-6, `build-time loss ${shown}, core ${ref}`);
    assert.match((await page.locator('rf-digit-loss').textContent())!, new RegExp(ref.toFixed(4)));
    const twoBlock = sequential(lessonCnn('max'), { inputShape: [1, 28, 28] }).parameterCount();
    assert.match(
      (await page.locator('[data-network="two-block"] caption').textContent())!,
      new RegExp(`${twoBlock.toLocaleString('en-US')} parameters`),
    );
    // The counts the lesson's sentences name are the ones the core computes for the same networks.
    const prose = (await page.locator('main').textContent())!.replace(/\s+/g, ' ');
    // The one-block network's first layer, as its table (computed by the core) shows it.
    const oneBlockConv = page.locator('[data-network="one-block"] tr[data-layer="conv1"] td');
    const kernels = (await oneBlockConv.nth(1).textContent())!.split(' × ')[0];
    const kernelCost = (await oneBlockConv.nth(2).textContent())!;
    assert.match(kernels!, /^\d+$/);
    const cnnCard = JSON.parse(readFileSync(`${MODELS_DIR}/models/cnn.card.json`, 'utf8')) as {
      heldOut: { accuracy: number };
      training: { epochs: number; seconds: number };
    };
    const shippedConv1 = sequential(lessonCnn('max').slice(0, 1), { inputShape: [1, 28, 28] });
    for (const sentence of [
      `every one of the network’s ${mlp.parameterCount().toLocaleString('en-US')} weights`,
      `the ${kernels} kernels cost only ${kernelCost} numbers`,
      `With ${twoBlock.toLocaleString('en-US')} parameters it is far smaller than the perceptron`,
      `the ${shippedConv1.outputShape[0]} kernels of its first layer update as it learns`,
      `beside the CNN we trained for ${cnnCard.training.epochs} passes`,
      `The one we trained for ${Math.round(cnnCard.training.seconds / 60)} minutes, ${cnnCard.training.epochs} passes over distorted copies of every digit, reads ${(cnnCard.heldOut.accuracy * 100).toFixed(2)}% of the test digits`,
    ]) {
      assert.ok(prose.includes(sentence), `the lesson says "${sentence}"`);
    }
    const log = JSON.parse(readFileSync(`${MODELS_DIR}/models/cnn.train.json`, 'utf8')) as {
      history: { loss: number }[];
    };
    const curve = page.locator('rf-digit-trainer svg[role="img"]');
    assert.match(
      (await curve.getAttribute('aria-label'))!,
      new RegExp(`over ${log.history.length} passes, from ${log.history[0]!.loss.toFixed(2)}`),
    );
    assert.equal(await curve.locator('polyline').count(), 1);
    assert.ok((await page.locator('rf-digit-trainer tbody tr').count()) >= 6);
    assert.deepEqual(problems.offsiteRequests, []);
  });

  for (const [width, height] of [
    [1280, 800],
    [390, 844],
  ] as const) {
    it(`puts the slide's three captions over the blocks of the live network at ${width} px, or lists them where the layers wrap`, async () => {
      const { page, problems } = await h.open(PATH, { viewport: { width, height } });
      const pad = page.locator('rf-digit-pad');
      await pad.scrollIntoViewIfNeeded();
      await pad.getByRole('button', { name: 'Next held-out digit' }).click();
      const net = page.locator('rf-network-3d');
      await net.scrollIntoViewIfNeeded();
      await page.waitForSelector('rf-network-3d[data-state="drawn"]', { timeout: 60_000 });
      // One frame places the labels: wait until every layer's name has a place.
      await page.waitForFunction(() => {
        const root = document.querySelector('rf-network-3d')!.shadowRoot!;
        return [...root.querySelectorAll<HTMLElement>('.rf-label')].every(
          (l) => l.hidden || l.style.transform,
        );
      });
      const boxes = await net.evaluate((n) => {
        const root = n.shadowRoot!;
        const centre = (e: Element) => {
          const r = e.getBoundingClientRect();
          return { x: (r.left + r.right) / 2, top: r.top, bottom: r.bottom, shown: r.width > 0 };
        };
        const layers: Record<string, ReturnType<typeof centre>> = {};
        for (const l of root.querySelectorAll<HTMLElement>('.rf-label:not(.rf-group)')) {
          const name = l.dataset['text']?.split('\n')[0];
          if (name && !l.dataset['class']) layers[name] = centre(l);
        }
        const groups = [...root.querySelectorAll<HTMLElement>('.rf-group')].map((g) => ({
          text: g.textContent,
          hidden: g.hidden,
          ...centre(g),
        }));
        const list = root.querySelector('ol.groups')!;
        return {
          layers,
          groups,
          listed: [...list.querySelectorAll('li')].map((li) => li.textContent),
          listShown: !list.classList.contains('sr-only'),
        };
      });
      const slide = [
        ['conv1', 'pool1', 'extract low-level visual features & aggregate'],
        ['conv2', 'pool2', 'extract higher-level visual features & aggregate'],
        ['logits', 'probs', 'non-vision-specific classifier'],
      ] as const;
      assert.deepEqual(
        boxes.groups.map((g) => g.text),
        slide.map((g) => g[2]),
      );
      // Every caption is also in the list under the view (read by screen readers).
      assert.equal(boxes.listed.length, 3);
      for (const [i, g] of slide.entries()) assert.ok(boxes.listed[i]!.endsWith(g[2]));
      const oneRow = new Set(Object.values(boxes.layers).map((l) => Math.round(l.top))).size === 1;
      if (oneRow) {
        // Each caption over its block: centred between its first and last layer, above them.
        for (const [i, [first, last]] of slide.entries()) {
          const g = boxes.groups[i]!;
          const a = boxes.layers[first]!;
          const b = boxes.layers[last]!;
          assert.equal(g.hidden, false);
          assert.ok(
            g.x >= a.x - 1 && g.x <= b.x + 1,
            `${g.text} at ${g.x}, between ${a.x} and ${b.x}`,
          );
          assert.ok(g.bottom < a.top, `${g.text} above the names`);
        }
        assert.equal(boxes.listShown, false);
      } else {
        // The layers wrap into rows on a narrow screen: the captions show as the list instead.
        assert.ok(boxes.groups.every((g) => g.hidden));
        assert.equal(boxes.listShown, true);
      }
      assert.equal(oneRow, width === 1280, 'one row of layers on a laptop, wrapped on a phone');
      assert.deepEqual(problems.pageErrors, []);
      assert.deepEqual(problems.offsiteRequests, []);
    });
  }

  it('trains in a worker (batches split across the cores) step for step like the core in Node, pauses, resumes the same run, and resets', async (t) => {
    const { page, problems, fig } = await openTrainer(h);
    await trainUntilPaused(page, fig, 150);
    const at150 = await weightsOf(page);
    assert.equal(at150.steps, 150);
    // threads="auto": each batch is split across one thread per core (up to 4), the trainer's
    // worker and a helper worker per extra thread, and the figure says so.
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const threads = Math.min(4, cores);
    const engine = fig.locator('[data-engine]');
    assert.equal(await engine.getAttribute('data-threads'), String(threads));
    if (threads > 1) {
      assert.match((await engine.textContent())!, new RegExp(`split across ${threads} threads`));
    }
    assert.equal(page.workers().length, threads);
    // The worker trains on the core's SIMD kernels (Chromium runs WebAssembly SIMD), each batch
    // split across the threads: Node does the same, with the same split and worker threads.
    // (Against one thread in Node the float rounding of summing shares, carried on by Adam,
    // grew to 1e-2 in 300 steps of the 12/20 network: no test of the page's arithmetic.)
    // Measured: no difference at all, after 150 and 300 steps.
    const ref150 = await nodeRunThreads(150, threads);
    const d150 = maxDiff(at150.json, ref150.net);
    assert.ok(d150 < 1e-5, `after 150 steps the weights differ by ${d150}`);
    // Resume: the same run continues to 300 steps.
    await fig.evaluate((f) => (f as unknown as { resume(n: number): void }).resume(300));
    await stateIs(page, 'paused');
    const at300 = await weightsOf(page);
    const p = (await progressOf(page))!;
    assert.equal(at300.steps, 300);
    const ref300 = await nodeRunThreads(300, threads);
    const d300 = maxDiff(at300.json, ref300.net);
    t.diagnostic(
      `300 seeded steps on ${threads} threads in ${(p.elapsedMs / 1000).toFixed(1)} s; largest weight difference to Node ${d300.toExponential(1)}; ${p.chunksIn} chunks (${p.bytes} bytes) in; test accuracy ${p.evals.map((e) => `${e.steps}: ${(e.accuracy * 100).toFixed(1)}%`).join(', ')}`,
    );
    assert.ok(d300 < 1e-5, `after 300 steps the weights differ by ${d300}`);
    // The loss shown for each step is the core's cross entropy of that batch.
    assert.equal(p.losses.length, 300);
    const worstLoss = Math.max(...p.losses.map((l, i) => Math.abs(l - ref300.losses[i]!)));
    assert.ok(worstLoss < 1e-4, `step losses differ by ${worstLoss}`);
    assert.ok(p.evals.length >= 1 && p.evals.at(-1)!.accuracy > 0.8);
    // The scalar loops take the same steps up to float rounding, which Adam's division by the
    // gradients' running size lets grow over 300 steps: the losses stay close.
    const scalar300 = nodeRun(300, 'scalar');
    const simd300 = nodeRun(300, 'simd');
    const worstScalar = Math.max(
      ...scalar300.losses.map((l, i) => Math.abs(l - simd300.losses[i]!)),
    );
    // (Measured: 9e-3 at most, on losses between about 0.1 and 2.3.)
    assert.ok(worstScalar < 0.05, `SIMD and scalar step losses differ by ${worstScalar}`);
    t.diagnostic(
      `SIMD vs scalar kernels in Node over 300 steps: largest loss difference ${worstScalar.toExponential(1)}, largest weight difference ${maxDiff(simd300.net.toJSON(), scalar300.net).toExponential(1)}`,
    );
    // Reset, then a fresh run on one thread (threads="1"): the seed's starting weights again,
    // and the batches no longer split (the worker alone: no helper starts).
    await fig.getByRole('button', { name: 'Reset' }).click();
    await stateIs(page, 'idle');
    assert.equal(await progressOf(page), null);
    await fig.evaluate((f) => f.setAttribute('threads', '1'));
    await trainUntilPaused(page, fig, 20);
    const fresh = await weightsOf(page);
    assert.equal(fresh.steps, 20);
    assert.ok(maxDiff(fresh.json, nodeRun(20, 'simd').net) < 1e-4, 'reset starts a fresh run');
    assert.equal(await engine.getAttribute('data-threads'), '1');
    // Leaving: the figure taken out of the page ends its worker.
    assert.equal(page.workers().length, 1);
    await fig.evaluate((f) => f.remove());
    await page.waitForFunction(() => true);
    for (let i = 0; i < 20 && page.workers().length > 0; i++) await page.waitForTimeout(100);
    assert.equal(page.workers().length, 0, 'the worker is gone');
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.offsiteRequests, []);
    assert.deepEqual(problems.failedRequests, []);
  });

  it("uses the reader's model on the pad, in the comparison and the feature maps, and exports an ONNX file onnxruntime-node reads alike", async () => {
    const { page, problems, fig } = await openTrainer(h);
    await trainUntilPaused(page, fig, 100);
    await fig.getByRole('button', { name: 'Use my model' }).click();
    await page.waitForFunction(
      () => document.querySelector('rf-digit-trainer')?.getAttribute('data-mine') === '100',
    );
    // A test digit on the pad: the reader's model answers it, labelled as theirs.
    const pad = page.locator('rf-digit-pad');
    await pad.scrollIntoViewIfNeeded();
    await pad.getByRole('button', { name: 'Next held-out digit' }).click();
    await page.waitForFunction(
      () => document.querySelector('rf-digit-trainer')?.hasAttribute('data-my-prediction'),
      null,
      { timeout: 30_000 },
    );
    const mine = await fig.evaluate((f) => f.shadowRoot!.querySelector('.mine h3')!.textContent);
    assert.match(mine!, /^Your model, as it was after 100 steps/);
    // The pad's digit through the reader's model, in the page, and the model as ONNX.
    const { probs, digit, bytes } = await fig.evaluate(async (f) => {
      const t = f as unknown as {
        padDigit: Float32Array;
        myAnswer(): number[];
        downloadOnnx(save: boolean): Promise<Uint8Array>;
      };
      return {
        probs: t.myAnswer(),
        digit: Array.from(t.padDigit),
        bytes: Array.from(await t.downloadOnnx(false)),
      };
    });
    const pageProbs = probs;
    assert.equal(probs.length, 10);
    const session = await ort.InferenceSession.create(Uint8Array.from(bytes));
    const out = await session.run({
      input: new ort.Tensor('float32', Float32Array.from(digit), [1, 1, 28, 28]),
    });
    const last = Object.keys(out).find((k) => k === 'probs')!;
    const ortProbs = Array.from(out[last]!.data as Float32Array);
    await session.release();
    const worst = Math.max(...ortProbs.map((v, i) => Math.abs(v - pageProbs[i]!)));
    assert.ok(worst < 1e-5, `onnxruntime-node and the page differ by ${worst}`);
    // Our own reader reads the file back to the same numbers.
    const back = fromOnnx(Uint8Array.from(bytes));
    const ours = back.forward(tensor(Float32Array.from(digit), [1, 1, 28, 28])).data;
    assert.ok(Math.max(...Array.from(ours, (v, i) => Math.abs(v - pageProbs[i]!))) < 1e-5);
    // The page's comparison answers with the reader's model beside the shipped CNN, labelled as
    // theirs, with the same probabilities; the feature maps follow it too.
    const compare = page.locator('rf-model-compare');
    await compare.scrollIntoViewIfNeeded();
    await page.waitForFunction(
      () =>
        document
          .querySelector('rf-model-compare')
          ?.shadowRoot?.querySelector('[data-model="yours"]')
          ?.hasAttribute('data-prediction'),
      null,
      { timeout: 30_000 },
    );
    const card = await compare.evaluate((c) => {
      const box = c.shadowRoot!.querySelector('[data-model="yours"]')!;
      const run = (c as unknown as { results: { model: string; probs: number[] }[] }).results.find(
        (r) => r.model === 'yours',
      )!;
      return {
        title: box.querySelector('.title')!.textContent,
        facts: box.querySelector('.facts')!.textContent,
        probs: run.probs,
        shipped: !!c.shadowRoot!.querySelector('[data-model="cnn"]'),
      };
    });
    assert.equal(card.title, 'Your model');
    assert.match(card.facts!, /^Trained in this page for 100 steps/);
    assert.ok(card.shipped, 'the shipped CNN stays beside it');
    assert.ok(Math.max(...card.probs.map((v, i) => Math.abs(v - pageProbs[i]!))) < 1e-5);
    const maps = page.locator('rf-feature-maps');
    await maps.scrollIntoViewIfNeeded();
    await page.waitForFunction(
      () =>
        /^Feature maps of your model\./.test(
          document.querySelector('rf-feature-maps')?.shadowRoot?.querySelector('[aria-live]')
            ?.textContent ?? '',
        ),
      null,
      { timeout: 30_000 },
    );
    assert.equal(await maps.evaluate((m) => (m as unknown as { model: string }).model), 'yours');
    // The 3D view draws the reader's network too, with its own activations for the digit.
    const net = page.locator('rf-network-3d');
    await net.scrollIntoViewIfNeeded();
    await page.waitForFunction(
      () => {
        const n = document.querySelector('rf-network-3d') as unknown as {
          model: string;
          dataset: DOMStringMap;
        };
        return n.model === 'yours' && n.dataset['state'] === 'drawn';
      },
      null,
      { timeout: 30_000 },
    );
    const probsDrawn = await net.evaluate(
      (n) => (n as unknown as { view: { bars: { values: Float32Array } } }).view.bars.values,
    );
    assert.ok(
      Math.max(...Object.values(probsDrawn).map((v, i) => Math.abs(v - pageProbs[i]!))) < 1e-5,
      "the 3D view's probabilities are the reader's model's",
    );
    // Reset drops the reader's model: the comparison and the maps go back to the shipped CNN.
    await fig.scrollIntoViewIfNeeded();
    await fig.getByRole('button', { name: 'Reset' }).click();
    await page.waitForFunction(
      () =>
        !document
          .querySelector('rf-model-compare')
          ?.shadowRoot?.querySelector('[data-model="yours"]'),
    );
    assert.equal(await maps.evaluate((m) => (m as unknown as { model: string }).model), 'cnn');
    assert.equal(await net.evaluate((m) => (m as unknown as { model: string }).model), 'cnn');
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.offsiteRequests, []);
  });

  it(
    'goes on training with the core on the processor when tfjs loses its WebGL context mid-run',
    {
      timeout: 400_000,
    },
    (t) => trainsOnAfterGpuLoss(t, h, 'webgl'),
  );

  it('works from the keyboard, is axe clean and fits a phone and a laptop', async () => {
    for (const viewport of [
      { width: 390, height: 844 },
      { width: 1280, height: 800 },
    ]) {
      const { context, page, problems, fig } = await openTrainer(h, {
        viewport,
        reducedMotion: 'reduce',
      });
      await fig.evaluate((f) => f.setAttribute('stop-after', '30'));
      await fig.getByRole('button', { name: 'Train' }).focus();
      await page.keyboard.press('Enter');
      await stateIs(page, 'paused');
      await fig.getByRole('combobox', { name: 'Learning rate' }).focus();
      await page.keyboard.press('ArrowDown');
      await fig.screenshot({
        path: new URL(`digit-trainer-${viewport.width}.png`, SCREENSHOT_DIR).pathname,
      });
      const overflow = await fig.evaluate(
        (f) => f.getBoundingClientRect().right - document.documentElement.clientWidth,
      );
      assert.ok(overflow <= 1, `the figure runs ${overflow} px off a ${viewport.width} px screen`);
      await assertNoSeriousViolations(page, `digit recognition at ${viewport.width} px`);
      assert.deepEqual(problems.pageErrors, []);
      assert.deepEqual(problems.offsiteRequests, []);
      await context.close();
    }
  });
});

// Chromium with WebGPU exposed (SwiftShader here): auto must still choose the processor and say
// why, and the tfjs path asked for by name trains the same run within a stated tolerance. Few
// steps: a software adapter compiles every shader on the processor.
describe('digit recognition lesson, tfjs on WebGPU', () => {
  const hGpu = useHarness({ webgpu: true });
  it(
    'goes on training with the core on the processor when tfjs loses its WebGPU device mid-run',
    {
      timeout: 400_000,
    },
    (t) => trainsOnAfterGpuLoss(t, hGpu, 'webgpu'),
  );

  it('auto chooses the processor beside a software adapter, and tfjs WebGPU trains close to the core', {
    timeout: 600_000,
  }, async (t) => {
    const { page, problems, fig } = await openTrainer(hGpu);
    // auto on this machine: no hardware WebGPU adapter (SwiftShader at most), so the processor.
    await trainUntilPaused(page, fig, 5);
    const auto = await fig.evaluate((f) => {
      const e = f.shadowRoot!.querySelector('[data-engine]')!;
      return { engine: e.getAttribute('data-engine'), text: e.textContent };
    });
    assert.equal(auto.engine, 'cpu');
    assert.match(
      auto.text!,
      /auto chose it: (this browser offers no WebGPU|WebGPU found no graphics adapter here|the only WebGPU adapter here is a software one)/,
    );
    // The tfjs path on WebGPU (SwiftShader here): the same seeded run, within a stated tolerance.
    await fig.getByRole('button', { name: 'Reset' }).click();
    await stateIs(page, 'idle');
    await fig.evaluate((f) => {
      f.setAttribute('backend', 'webgpu');
      f.setAttribute('stop-after', '4');
    });
    await fig.getByRole('button', { name: 'Train' }).click();
    await stateIs(page, 'paused', 400_000);
    const engine = await fig.evaluate((f) =>
      f.shadowRoot!.querySelector('[data-engine]')!.getAttribute('data-engine'),
    );
    assert.equal(engine, 'webgpu');
    const w = await weightsOf(page);
    const p = (await progressOf(page))!;
    assert.equal(w.steps, 4);
    const ref = nodeRun(4);
    const d = maxDiff(w.json, ref.net);
    const dl = Math.max(...p.losses.map((l, i) => Math.abs(l - ref.losses[i]!)));
    t.diagnostic(
      `tfjs WebGPU (SwiftShader): 4 steps in ${(p.elapsedMs / 1000).toFixed(1)} s; largest weight difference to the core in Node ${d.toExponential(1)}, largest loss difference ${dl.toExponential(1)}`,
    );
    assert.equal(p.losses.length, 4);
    assert.ok(d < 1e-4, `the WebGPU weights differ from the core's by ${d} (tolerance 1e-4)`);
    assert.ok(dl < 1e-4, `the WebGPU losses differ from the core's by ${dl} (tolerance 1e-4)`);
    // Leaving the page mid-run frees the GPU memory: the figure's tfjs tensors are all disposed.
    await fig.evaluate((f) => f.setAttribute('stop-after', '400'));
    await fig.getByRole('button', { name: 'Resume' }).click();
    await stateIs(page, 'running');
    const held = await fig.evaluate((f) =>
      (f as unknown as { gpuMemory(): Promise<{ tensors: number; bytes: number }> }).gpuMemory(),
    );
    assert.ok(
      held.tensors > 0 && held.bytes > 0,
      `tfjs holds ${held.tensors} tensors while training`,
    );
    const left = await page.evaluate(async () => {
      const f = document.querySelector('rf-digit-trainer') as unknown as HTMLElement & {
        gpuMemory(): Promise<{ tensors: number; bytes: number }>;
      };
      f.remove();
      // The steps under way when it left finish their read-backs, then free what they made: on
      // SwiftShader a step takes seconds, so wait for that (20 s at most), not a fixed time.
      const until = performance.now() + 20_000;
      let now = await f.gpuMemory();
      while (now.tensors > 0 && performance.now() < until) {
        await new Promise((r) => setTimeout(r, 250));
        now = await f.gpuMemory();
      }
      return now;
    });
    t.diagnostic(
      `tfjs memory while training: ${held.tensors} tensors, ${held.bytes} bytes; after the figure left: ${left.tensors} tensors, ${left.bytes} bytes`,
    );
    assert.deepEqual(left, { tensors: 0, bytes: 0 });
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.offsiteRequests, []);
  });
});
