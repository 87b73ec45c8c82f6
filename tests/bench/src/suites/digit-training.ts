// The digit-recognition lesson's "Train it yourself" on the CPU path (<rf-digit-trainer>:
// @receptive/core in a Web Worker) in Debian's Chromium on the built site: from the click on
// Train, the weights are read every 2 s while the digits stream in and the network trains, and
// each copy is scored afterwards in Node on all 10,000 test digits (so scoring costs the run
// nothing). Budget from the section's issue: >= 98.0% within 60 s of the click, streaming
// included; also the times to 95% and 97%, the longest main-thread task, and the training bytes
// sent to the page. `DIGIT_TRAINING_SECONDS` sets how long to watch (default 90).
import { readdirSync, statSync } from 'node:fs';
import { accuracy, type ModelJSON, modelFromJSON, predict } from '@receptive/core';
import { heldOut, MODELS_DIR } from '@receptive/e2e/lib/digits';
import { budgetRow, type Suite } from '../harness.ts';
import { LongTasks, waitForData, withSite } from '../site.ts';

const BUDGET_S = 60;
const TARGET = 0.98;
const WATCH_S = Number(process.env['DIGIT_TRAINING_SECONDS'] ?? 90);
const LONG_TASK_MS = 50;

const suite: Suite = {
  name: 'training the lesson CNN in Chromium (CPU path, Web Worker)',
  async run(log) {
    const snaps: { wallMs: number; steps: number; json: ModelJSON }[] = [];
    let tasks: number[] = [];
    let bytes = 0;
    let chunks = 0;
    await withSite(async (open) => {
      const { context, page } = await open();
      const longTasks = await LongTasks.watch(page);
      await page.goto('/lessons/digit-recognition/');
      const fig = page.locator('rf-digit-trainer');
      await fig.scrollIntoViewIfNeeded();
      await waitForData(page, 'rf-digit-trainer', 'state', 'idle');
      await page.waitForTimeout(2000);
      await longTasks.clear();
      const t0 = Date.now();
      await fig.getByRole('button', { name: 'Train' }).click();
      while (Date.now() - t0 < WATCH_S * 1000) {
        await page.waitForTimeout(2000);
        const w = await fig.evaluate(async (f) =>
          (f as unknown as { weights(): Promise<{ steps: number; json: ModelJSON }> }).weights(),
        );
        snaps.push({ wallMs: Date.now() - t0, steps: w.steps, json: w.json });
      }
      const p = await fig.evaluate((f) => {
        const x = (f as unknown as { progress: { bytes: number; chunksIn: number } }).progress;
        return { bytes: x.bytes, chunksIn: x.chunksIn };
      });
      bytes = p.bytes;
      chunks = p.chunksIn;
      tasks = await longTasks.read();
      await context.close();
    });
    const x = { shape: [heldOut.count, 1, 28, 28], data: heldOut.pixels };
    const scored = snaps.map((s) => ({
      ...s,
      accuracy: accuracy(predict(modelFromJSON(s.json), x, 500), heldOut.labels),
    }));
    const first = (a: number) => scored.find((s) => s.accuracy >= a);
    const at = (a: number) => {
      const s = first(a);
      return s ? `${(s.wallMs / 1000).toFixed(1)} s (step ${s.steps})` : `not within ${WATCH_S} s`;
    };
    const within = scored.filter((s) => s.wallMs <= BUDGET_S * 1000);
    const best60 = within.length ? Math.max(...within.map((s) => s.accuracy)) : 0;
    const last60 = within.at(-1);
    const files = readdirSync(`${MODELS_DIR}/data`).filter((f) =>
      /^mnist-train-\d+\.rfd\.gz$/.test(f),
    );
    const onDisk = files.reduce((s, f) => s + statSync(`${MODELS_DIR}/data/${f}`).size, 0);
    log(
      `accuracy on the 10,000 test digits of copies read every 2 s: ${scored.map((s) => `${(s.wallMs / 1000).toFixed(0)} s ${(s.accuracy * 100).toFixed(2)}%`).join(', ')}`,
    );
    log(
      `from the click on Train: 95% at ${at(0.95)}, 97% at ${at(0.97)}, 98% at ${at(0.98)}; at ${BUDGET_S} s: ${last60 ? `${(last60.accuracy * 100).toFixed(2)}% (step ${last60.steps})` : 'no copy'}`,
    );
    log(
      `training data sent to the page: ${chunks} chunks, ${(bytes / 1e6).toFixed(2)} MB by Resource Timing in the worker (the gzip'd chunks as shipped: ${(onDisk / 1e6).toFixed(2)} MB for all 60 on disk, lossless, one byte per grey level); the 1,000-digit test chunk comes on top`,
    );
    log(
      `main thread while training: ${tasks.length ? `${tasks.length} tasks over ${LONG_TASK_MS} ms, longest ${Math.max(...tasks).toFixed(0)} ms` : `no task over ${LONG_TASK_MS} ms`}`,
    );
    const worst = LongTasks.longest(tasks);
    return [
      {
        workload: `lesson CNN trained in the page (CPU path): best 10,000-digit accuracy within ${BUDGET_S} s of Train`,
        peer: 'budget 98.0%',
        unit: 'score',
        ours: best60 * 100,
        theirs: TARGET * 100,
        speedup: best60 / TARGET,
        goal: 1,
        runs: 1,
        stat: 'run',
      },
      budgetRow({
        workload: 'training in the page: longest main-thread task (0: none over 50 ms)',
        ours: worst,
        budget: LONG_TASK_MS,
        floor: 1,
        runs: 1,
        stat: 'run',
      }),
    ];
  },
};

export default suite;
