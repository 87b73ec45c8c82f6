// The lesson CNN's training step (batch 32, Adam; what <rf-digit-trainer> runs on the CPU path)
// in Debian's Chromium and in Node, in the same run: @receptive/core as built, imported by a bare
// page served on loopback. The SIMD kernels and the scalar loops, page and Node, take turns in
// rounds with the browser open throughout. Rows: the SIMD step against the scalar one in the
// page (issue goal 4x), and the page's SIMD step against Node's (goal 0.8x: a tab should train
// about as fast as Node does).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { LayerSpec, SequentialModel } from '@receptive/core';
import * as core from '@receptive/core';
import { launchBrowser } from '@receptive/e2e/lib/browser';
import { heldOut } from '@receptive/e2e/lib/digits';
import { serveMounts } from '@receptive/e2e/lib/mounts';
import { lessonCnn } from '@receptive/models/recipes';
import type { Row, Suite } from '../harness.ts';
import { median } from '../harness.ts';

const BATCH = 32;
const STEPS = 60;
const ROUNDS = 7;

/** The batches: real test digits, the same in the page and here. */
function batches(): { pixels: Float32Array; labels: number[] }[] {
  return Array.from({ length: 8 }, (_, b) => ({
    pixels: heldOut.pixels.slice(b * BATCH * 784, (b + 1) * BATCH * 784),
    labels: Array.from(heldOut.labels.subarray(b * BATCH, (b + 1) * BATCH)),
  }));
}

/** The kernel sets timed: the SIMD kernels and the scalar loops. */
const SETS = ['simd', 'scalar'] as const;
type KernelSet = (typeof SETS)[number];

/**
 * Builds one model and optimizer per kernel set and returns `round(set, steps)`: ms per training
 * step of `steps` steps with that set. Written to run as is in the page (it gets the core module
 * as `c`), so the page and Node time the same code.
 */
function stepRounds(
  c: typeof import('@receptive/core'),
  specs: LayerSpec[],
  data: { pixels: Float32Array | number[]; labels: number[] }[],
): (set: KernelSet, steps: number) => number {
  const net = (): SequentialModel => c.sequential(specs, { inputShape: [1, 28, 28], seed: 1 });
  const xs = data.map((d) => ({
    x: { shape: [d.labels.length, 1, 28, 28], data: Float32Array.from(d.pixels) },
    y: d.labels,
  }));
  const runs = {
    simd: { model: net(), opt: c.adam({ lr: 3e-3 }), at: 0 },
    scalar: { model: net(), opt: c.adam({ lr: 3e-3 }), at: 0 },
  };
  return (set, steps) => {
    c.setKernels(set);
    const r = runs[set];
    const t0 = performance.now();
    for (let s = 0; s < steps; s++) {
      const b = xs[r.at++ % xs.length]!;
      c.trainStep(r.model, b.x, b.y, r.opt);
    }
    const ms = (performance.now() - t0) / steps;
    c.setKernels('scalar');
    return ms;
  };
}

const suite: Suite = {
  name: 'training step of the lesson CNN in Chromium and in Node (@receptive/core)',
  async run(log) {
    const data = batches();
    const coreDir = dirname(createRequire(import.meta.url).resolve('@receptive/core/package.json'));
    const page = mkdtempSync(join(tmpdir(), 'rf-core-page-'));
    writeFileSync(join(page, 'index.html'), '<!doctype html><title>core</title>');
    const server = await serveMounts({ '/': page, '/core': coreDir });
    const browser = await launchBrowser();
    const inPage: Record<KernelSet, number[]> = { simd: [], scalar: [] };
    const inNode: Record<KernelSet, number[]> = { simd: [], scalar: [] };
    let kernelsInPage: unknown;
    try {
      const tab = await (await browser.newContext({ baseURL: server.origin })).newPage();
      await tab.goto('/');
      // The function goes to the page as source; the page imports the core as built.
      kernelsInPage = await tab.evaluate(
        async ({ src, specs, data }) => {
          const c = await import('/core/dist/index.js' as string);
          const f = new Function(`return (${src})`)();
          (globalThis as { rfRound?: unknown }).rfRound = f(c, specs, data);
          c.setKernels('simd');
          const kernels = c.kernels();
          c.setKernels('scalar');
          return kernels;
        },
        {
          src: stepRounds.toString(),
          specs: lessonCnn('max'),
          data: data.map((d) => ({ pixels: Array.from(d.pixels), labels: d.labels })),
        },
      );
      const pageRound = (set: KernelSet, steps: number) =>
        tab.evaluate(
          ({ set, steps }) =>
            (globalThis as unknown as { rfRound: (s: string, n: number) => number }).rfRound(
              set,
              steps,
            ),
          { set, steps },
        );
      const nodeRound = stepRounds(core, lessonCnn('max'), data);
      // Page and Node take turns, round by round, with the browser open throughout: both see the
      // same machine (on two cores, a browser's own processes and any noise land on both alike).
      for (const set of SETS) {
        await pageRound(set, STEPS);
        nodeRound(set, STEPS);
      }
      for (let k = 0; k < ROUNDS; k++) {
        for (const set of SETS) {
          inPage[set].push(await pageRound(set, STEPS));
          inNode[set].push(nodeRound(set, STEPS));
        }
      }
    } finally {
      await browser.close();
      await server.close();
    }
    const ms = (xs: number[]) => median(xs);
    log(`kernels in the page: ${JSON.stringify(kernelsInPage)}`);
    for (const [where, t] of [
      ['Chromium', inPage],
      ['Node', inNode],
    ] as const) {
      log(
        `${where}: SIMD ${ms(t.simd).toFixed(2)} ms/step (rounds ${t.simd.map((x) => x.toFixed(2)).join(', ')}), scalar ${ms(t.scalar).toFixed(2)} ms/step (rounds ${t.scalar.map((x) => x.toFixed(2)).join(', ')})`,
      );
    }
    const exs = (msPerStep: number) => (BATCH * 1000) / msPerStep;
    const row = (
      workload: string,
      peer: string,
      ours: number,
      theirs: number,
      goal: number,
    ): Row => ({
      workload,
      peer,
      unit: 'examples/s',
      ours: exs(ours),
      theirs: exs(theirs),
      speedup: theirs / ours,
      goal,
      runs: ROUNDS * STEPS,
    });
    if (ms(inPage.scalar) / ms(inPage.simd) < 4) {
      log(
        `where the tab's SIMD step falls short of 4x: as in Node (suite core-cpu, "where training falls short"), each op is a separate call on tensors in JavaScript's memory that copies its operands into the kernels' memory and its result out; the kernels' arithmetic is the smaller part of a step. Node's SIMD step against its scalar one in this run: ${(ms(inNode.scalar) / ms(inNode.simd)).toFixed(2)}x`,
      );
    }
    return [
      row(
        `training the lesson CNN, batch ${BATCH}, Adam, in a Chromium tab, SIMD kernels`,
        'the scalar loops in the same tab',
        ms(inPage.simd),
        ms(inPage.scalar),
        4,
      ),
      row(
        `training the lesson CNN, batch ${BATCH}, Adam, SIMD kernels, Chromium tab`,
        'the same in Node',
        ms(inPage.simd),
        ms(inNode.simd),
        0.8,
      ),
    ];
  },
};

export default suite;
