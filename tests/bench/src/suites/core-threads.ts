// Training the lesson CNN (Adam, SIMD kernels) on every core against one: @receptive/core's
// DataParallelTrainer, the batch split across this thread and one worker per extra core, each
// computing its share's gradients. In Node (worker_threads) and in Debian's Chromium (a bare
// page: its thread and module Web Workers, the core as built), one after the other so neither
// competes with the other for the cores; within each, one thread and all threads take turns
// round by round. Goal from the SIMD issue: all cores >= 0.8 x cores times one.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { MessageChannel, Worker as ThreadWorker } from 'node:worker_threads';
import type { GradientPort, LayerSpec, SequentialModel } from '@receptive/core';
import * as core from '@receptive/core';
import { launchBrowser } from '@receptive/e2e/lib/browser';
import { heldOut } from '@receptive/e2e/lib/digits';
import { serveMounts } from '@receptive/e2e/lib/mounts';
import { lessonCnn } from '@receptive/models/recipes';
import type { Row, Suite } from '../harness.ts';
import { median } from '../harness.ts';

const BATCHES = [32, 128] as const;
const STEPS = 30;
const ROUNDS = 5;

/** Real test digits: `count` batches of `size`. */
function batches(size: number, count: number): { pixels: number[]; labels: number[] }[] {
  return Array.from({ length: count }, (_, b) => ({
    pixels: Array.from(heldOut.pixels.subarray(b * size * 784, (b + 1) * size * 784)),
    labels: Array.from(heldOut.labels.subarray(b * size, (b + 1) * size)),
  }));
}

/**
 * Builds, for one batch size, a one-thread and an all-threads run of the lesson CNN and returns
 * `round(which, steps)`: ms per step. Written to run as is in the page (it gets the core module
 * as `c` and the workers' ports).
 */
function threadRounds(
  c: typeof import('@receptive/core'),
  specs: LayerSpec[],
  data: { pixels: number[]; labels: number[] }[],
  ports: GradientPort[],
): (which: Which, steps: number) => Promise<number> {
  const net = (): SequentialModel => c.sequential(specs, { inputShape: [1, 28, 28], seed: 1 });
  const batch = (d: { pixels: number[]; labels: number[] }, n: number) => ({
    x: { shape: [n, 1, 28, 28], data: Float32Array.from(d.pixels.slice(0, n * 784)) },
    y: d.labels.slice(0, n),
  });
  const full = data.map((d) => batch(d, d.labels.length));
  // One thread's share of a batch split evenly: what a step on all threads would take with
  // messages, waiting and summing free.
  const share = data.map((d) => batch(d, Math.ceil(d.labels.length / (ports.length + 1))));
  const runs = {
    one: { t: new c.DataParallelTrainer(net(), c.adam({ lr: 3e-3 }), []), xs: full, at: 0 },
    all: { t: new c.DataParallelTrainer(net(), c.adam({ lr: 3e-3 }), ports), xs: full, at: 0 },
    share: { t: new c.DataParallelTrainer(net(), c.adam({ lr: 3e-3 }), []), xs: share, at: 0 },
  };
  return async (which, steps) => {
    c.setKernels('simd');
    const r = runs[which];
    const t0 = performance.now();
    for (let s = 0; s < steps; s++) {
      const b = r.xs[r.at++ % r.xs.length]!;
      await r.t.step(b.x, b.y);
    }
    const ms = (performance.now() - t0) / steps;
    c.setKernels('scalar');
    return ms;
  };
}

type Which = 'one' | 'all' | 'share';
const WHICH: readonly Which[] = ['one', 'all', 'share'];
type Times = Record<number, Record<Which, number[]>>;

async function measure(
  round: (batch: number) => (which: Which, steps: number) => Promise<number>,
): Promise<Times> {
  const out: Times = {};
  for (const batch of BATCHES) {
    const r = round(batch);
    out[batch] = { one: [], all: [], share: [] };
    for (const w of WHICH) await r(w, STEPS);
    for (let k = 0; k < ROUNDS; k++) {
      for (const w of WHICH) out[batch]![w].push(await r(w, STEPS));
    }
  }
  return out;
}

const suite: Suite = {
  name: 'training the lesson CNN on every core (@receptive/core DataParallelTrainer)',
  async run(log) {
    const cores = availableParallelism();
    // Node: one worker thread per extra core, each reached through a MessageChannel.
    const workers: ThreadWorker[] = [];
    const ports = Array.from({ length: cores - 1 }, () => {
      const { port1, port2 } = new MessageChannel();
      workers.push(
        new ThreadWorker(new URL(import.meta.resolve('@receptive/e2e/lib/gradient-worker')), {
          workerData: { port: port2 },
          transferList: [port2],
        }),
      );
      return port1;
    });
    let inNode: Times;
    try {
      inNode = await measure((batch) =>
        threadRounds(core, lessonCnn('max'), batches(batch, 8), ports as unknown as GradientPort[]),
      );
    } finally {
      for (const p of ports) p.close();
      await Promise.all(workers.map((w) => w.terminate()));
    }
    // Chromium: the page's thread and navigator.hardwareConcurrency - 1 module workers.
    const coreDir = dirname(createRequire(import.meta.url).resolve('@receptive/core/package.json'));
    const dir = mkdtempSync(join(tmpdir(), 'rf-threads-page-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>threads</title>');
    writeFileSync(
      join(dir, 'gradients.js'),
      "import { serveGradients } from '/core/dist/index.js';\nserveGradients(self);\n",
    );
    const server = await serveMounts({ '/': dir, '/core': coreDir });
    const browser = await launchBrowser();
    let inPage: Times;
    let pageCores = 0;
    try {
      const tab = await (await browser.newContext({ baseURL: server.origin })).newPage();
      await tab.goto('/');
      ({ times: inPage, cores: pageCores } = await tab.evaluate(
        async ({ roundsSrc, measureSrc, specs, data, batchSizes, steps, rounds, which }) => {
          const c = await import('/core/dist/index.js' as string);
          const cores = navigator.hardwareConcurrency;
          const ports = Array.from(
            { length: cores - 1 },
            () => new Worker('/gradients.js', { type: 'module' }),
          );
          const threadRounds = new Function(`return (${roundsSrc})`)();
          const measure = new Function(
            'BATCHES',
            'STEPS',
            'ROUNDS',
            'WHICH',
            `return (${measureSrc})`,
          )(batchSizes, steps, rounds, which);
          const times = await measure((batch: number) =>
            threadRounds(c, specs, data[batch], ports),
          );
          for (const w of ports) w.terminate();
          return { times, cores };
        },
        {
          roundsSrc: threadRounds.toString(),
          specs: lessonCnn('max'),
          measureSrc: measure.toString(),
          data: Object.fromEntries(BATCHES.map((b) => [b, batches(b, 8)])),
          batchSizes: [...BATCHES],
          which: [...WHICH],
          steps: STEPS,
          rounds: ROUNDS,
        },
      ));
    } finally {
      await browser.close();
      await server.close();
    }
    const rows: Row[] = [];
    for (const [where, t, n] of [
      ['Node, worker_threads', inNode, cores],
      ['Chromium tab, Web Workers', inPage, pageCores],
    ] as const) {
      for (const batch of BATCHES) {
        const one = median(t[batch]!.one);
        const all = median(t[batch]!.all);
        const share = median(t[batch]!.share);
        const rounds = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');
        log(
          `${where}, batch ${batch}: 1 thread ${one.toFixed(2)} ms/step (rounds ${rounds(t[batch]!.one)}), ${n} threads ${all.toFixed(2)} ms/step (rounds ${rounds(t[batch]!.all)}); one thread's share (${Math.ceil(batch / n)} digits) alone ${share.toFixed(2)} ms/step`,
        );
        if (one / all < 0.8 * n) {
          log(
            `where ${where} at batch ${batch} falls short: a step on ${n} threads took ${all.toFixed(2)} ms, against ${share.toFixed(2)} ms for one thread's share alone, the best an even split can do (${(one / share).toFixed(2)}x); the other ${(all - share).toFixed(2)} ms went to the messages (the parameters and a share out to each worker, its gradients back), waiting on the slower share, and summing the shares before the optimizer step`,
          );
        }
        rows.push({
          workload: `training the lesson CNN, batch ${batch}, Adam, SIMD kernels, ${n} threads (${where})`,
          peer: 'the same on 1 thread',
          unit: 'examples/s',
          ours: (batch * 1000) / all,
          theirs: (batch * 1000) / one,
          speedup: one / all,
          goal: 0.8 * n,
          runs: ROUNDS * STEPS,
        });
      }
    }
    return rows;
  },
};

export default suite;
