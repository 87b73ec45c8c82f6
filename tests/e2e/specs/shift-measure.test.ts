// <rf-shift-measure>: accuracy against shift and Zhang's consistency measured in the page (a batch
// job on onnxruntime-web in a worker), checked digit by digit against onnxruntime-node running the
// same digits and shifts, with the same summary code; cancel, a failed download, long tasks,
// nothing offsite, axe, both screen sizes.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { shift2d, shiftPairs } from '@receptive/core';
import { SHIFT_PAIR } from '@receptive/models';
import type { ShiftMeasured } from '@receptive/widgets';
import { gridShifts, type ShiftSummary, summarize } from '@receptive/widgets/specs';
import type { Page } from 'playwright-core';
import { assertNoSeriousViolations } from '../lib/axe.ts';
import { heldOut, MODELS_DIR, modelCard } from '../lib/digits.ts';
import { destroyWorkerGpuDevices, keepWorkerGpuDevices } from '../lib/gpu-loss.ts';
import { SCREENSHOT_DIR, useHarness } from '../lib/harness.ts';
import { SITE_DIST } from '../lib/server.ts';

// onnxruntime-node is the models package's test runtime; it ships its Linux binary.
interface OrtSession {
  run(
    feeds: Record<string, unknown>,
    fetches: string[],
  ): Promise<Record<string, { data: unknown }>>;
  release(): Promise<void>;
}
const ort = createRequire(`${MODELS_DIR}/`)('onnxruntime-node') as {
  InferenceSession: { create(bytes: Uint8Array): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => unknown;
};

// The lesson's section once it is built with the figure; until then the authoring page's example.
const lesson = `${SITE_DIST}lessons/shift-invariance/index.html`;
const PATH =
  existsSync(lesson) && readFileSync(lesson, 'utf8').includes('<rf-shift-measure')
    ? '/lessons/shift-invariance/'
    : '/authoring/';
const MODELS = SHIFT_PAIR;
const RANGE = 4;
// Half the figure's default run: every top-1 class is still compared with onnxruntime-node.
const N = 500;

/** The figure's `result`, its typed arrays read out of the page as arrays. */
type Measured = Omit<ShiftMeasured, 'results'> & {
  results: (Omit<ShiftMeasured['results'][number], 'summary' | 'top1'> & {
    summary: Omit<ShiftSummary, 'grid'> & { grid: number[] };
    top1: number[];
  })[];
};

/** Top-1 of the first `n` test digits at every shift of the grid, by onnxruntime-node. */
async function nodeTop1(name: string, n: number): Promise<Uint8Array> {
  const session = await ort.InferenceSession.create(
    readFileSync(`${MODELS_DIR}/models/${name}.onnx`),
  );
  const shifts = gridShifts(RANGE);
  const out = new Uint8Array(shifts.length * n);
  const digits = { shape: [n, 1, 28, 28], data: heldOut.pixels.subarray(0, n * 784) };
  for (const [s, [dy, dx]] of shifts.entries()) {
    const x = shift2d(digits, dy, dx);
    const r = await session.run({ input: new ort.Tensor('float32', x.data, [n, 1, 28, 28]) }, [
      'probs',
    ]);
    const probs = r['probs']!.data as Float32Array;
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let j = 1; j < 10; j++) if (probs[i * 10 + j]! > probs[i * 10 + best]!) best = j;
      out[s * n + i] = best;
    }
  }
  await session.release();
  return out;
}

/** Collects long tasks from before the page's first script. */
const watchLongTasks = (page: Page) =>
  page.addInitScript(() => {
    const w = window as unknown as { __longTasks: number[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });

/** Waits until the figure's `data-state` is `state`. */
const stateIs = (page: Page, state: string, timeout = 120_000) =>
  page.waitForFunction(
    (s) => document.querySelector('rf-shift-measure')?.getAttribute('data-state') === s,
    state,
    { timeout, polling: 250 },
  );

/** Opens the page at the figure and lets the figures around it finish waking up. */
async function openFigure(page: Page) {
  await page.goto(PATH);
  const fig = page.locator('rf-shift-measure').first();
  await fig.scrollIntoViewIfNeeded();
  await stateIs(page, 'idle', 30_000);
  await page.waitForTimeout(3000);
  return fig;
}

const h = useHarness();

describe('<rf-shift-measure>', () => {
  it(`measures ${N} test digits x 81 shifts x 2 models exactly as onnxruntime-node does, with no long task and nothing offsite`, async (t) => {
    const { context, page, problems } = await h.newPage();
    await watchLongTasks(page);
    const fig = await openFigure(page);
    await fig.evaluate((f, n) => f.setAttribute('digits', String(n)), N);
    await page.evaluate(() => {
      (window as unknown as { __longTasks: number[] }).__longTasks.length = 0;
    });
    await fig.getByRole('button', { name: /^Measure 500 test digits/ }).click();
    await stateIs(page, 'done', 300_000);
    // Long tasks up to the end of the run, before the test reads anything out of the page.
    const longTasks = await page.evaluate(
      () => (window as unknown as { __longTasks: number[] }).__longTasks,
    );
    const run: Measured = await fig.evaluate((f) => {
      const d = (f as unknown as { result: ShiftMeasured }).result;
      return {
        ...d,
        results: d.results.map((r) => ({
          ...r,
          top1: Array.from(r.top1),
          summary: { ...r.summary, grid: Array.from(r.summary.grid) },
        })),
      };
    });
    t.diagnostic(
      `${N} digits x 81 shifts x 2 models in ${(run.elapsedMs / 1000).toFixed(1)} s on ${run.results.map((r) => r.backend).join(', ')}; longest main-thread task ${longTasks.length ? `${Math.max(...longTasks).toFixed(0)} ms` : 'none over 50 ms'} (${longTasks.length} over 50 ms)`,
    );
    assert.equal(run.complete, true);
    assert.equal(run.digits, N);
    const labels = heldOut.labels.subarray(0, N);
    for (const [m, name] of MODELS.entries()) {
      const r = run.results[m]!;
      assert.equal(r.model, name);
      const ours = await nodeTop1(name, N);
      let differ = 0;
      for (let i = 0; i < ours.length; i++) if (ours[i] !== r.top1[i]) differ++;
      assert.equal(differ, 0, `${name}: ${differ} of ${ours.length} top-1 classes differ`);
      // The same summary code over the Node classes gives the page's numbers.
      const card = modelCard(name);
      const protocol = {
        maxShift: card.shift.maxShift,
        seed: card.shift.seed,
        draws: Math.round(card.shift.pairs / card.heldOut.total),
      };
      const node = summarize(ours, labels, N, RANGE, protocol);
      assert.equal(r.summary.consistency, node.consistency);
      assert.equal(r.summary.pairs, N * protocol.draws);
      assert.deepEqual(r.summary.grid, Array.from(node.grid));
      // The figure writes both: measured here and the card's, read from the card.
      const row = fig.locator(`[data-summary] tr[data-model="${name}"]`);
      assert.equal(
        await row.locator('[data-measured="consistency"]').textContent(),
        `${(node.consistency * 100).toFixed(1)}%`,
      );
      assert.equal(
        await row.locator('[data-card="consistency"]').textContent(),
        `${(card.shift.consistency * 100).toFixed(1)}%`,
      );
      t.diagnostic(
        `${name}: consistency ${(node.consistency * 100).toFixed(2)}% here over ${node.pairs} pairs (card ${(card.shift.consistency * 100).toFixed(2)}% over ${card.shift.pairs}); unshifted ${(node.grid[40]! * 100).toFixed(1)}%`,
      );
    }
    // The engine is named, the plot drew (two uPlot canvases) and the estimate for all 10,000 is there.
    assert.match((await fig.locator('[data-engine]').textContent()) ?? '', /WebAssembly|WebGPU/);
    assert.equal(await fig.locator('.plot canvas').count(), 2);
    assert.match(
      (await fig.getByRole('button', { name: /^Read all 10,000/ }).textContent()) ?? '',
      /about \d+ s at this page's measured rate/,
    );
    assert.deepEqual(problems.offsiteRequests, []);
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.failedRequests, []);
    await context.close();
  });

  it('cancels mid-run and keeps working: the numbers so far stay, and a new run finishes', async () => {
    const { context, page, problems } = await h.newPage();
    const fig = await openFigure(page);
    await fig.evaluate((f) => f.setAttribute('digits', '400'));
    await fig.getByRole('button', { name: /^Measure 400 test digits/ }).click();
    await page.waitForFunction(
      () => {
        const f = document.querySelector('rf-shift-measure');
        const bar = f?.shadowRoot?.querySelector('progress');
        // Mid-run, and past the first block of digits that every model has finished (the two
        // workers run at their own pace, so a share of runs alone does not promise one).
        const partial = (f as unknown as { result: { digits: number } | null } | null)?.result;
        return (
          f?.getAttribute('data-state') === 'running' &&
          bar &&
          bar.value > 0.3 * bar.max &&
          (partial?.digits ?? 0) > 0
        );
      },
      undefined,
      { timeout: 120_000, polling: 100 },
    );
    await fig.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await fig.getAttribute('data-state'), 'cancelled');
    assert.match((await fig.locator('.progress-text').textContent()) ?? '', /^Stopped after/);
    assert.match((await fig.locator('[data-live]').textContent()) ?? '', /^Cancelled after/);
    assert.equal(await fig.getByRole('button', { name: 'Cancel' }).isDisabled(), true);
    // A second run with fewer digits finishes.
    await fig.evaluate((f) => f.setAttribute('digits', '100'));
    await fig.getByRole('button', { name: /^Measure 100 test digits/ }).click();
    await stateIs(page, 'done');
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.offsiteRequests, []);
    await context.close();
  });

  it('says clearly when a model cannot be downloaded, and the rest of the page works', async () => {
    const { context } = await h.context();
    await context.route(`**/${SHIFT_PAIR[1]}*.onnx`, (route) => route.fulfill({ status: 503 }));
    const page = await context.newPage();
    const fig = await openFigure(page);
    await fig.getByRole('button', { name: /^Measure/ }).click();
    await stateIs(page, 'error', 60_000);
    const alert = fig.getByRole('alert');
    assert.match((await alert.textContent()) ?? '', /Could not download the model.*503/);
    assert.equal(await fig.getByRole('button', { name: /^Measure/ }).isEnabled(), true);
    // The page still scrolls and its other figures still answer to the keyboard.
    await page.keyboard.press('End');
    await page.waitForFunction(() => window.scrollY > 0, undefined, { timeout: 5000 });
    await context.close();
  });

  it('is axe clean and readable at 390x844 and 1280x800', async () => {
    for (const viewport of [
      { width: 390, height: 844 },
      { width: 1280, height: 800 },
    ]) {
      const { context, page } = await h.newPage({ viewport });
      const fig = await openFigure(page);
      await fig.evaluate((f) => f.setAttribute('digits', '60'));
      await fig.getByRole('button', { name: /^Measure/ }).focus();
      await page.keyboard.press('Enter');
      await stateIs(page, 'done');
      const box = await fig.boundingBox();
      assert.ok(box && box.width <= viewport.width, `the figure fits ${viewport.width} px`);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.ok(overflow <= 0, `no sideways scroll at ${viewport.width} px (${overflow} px)`);
      await fig.screenshot({
        path: new URL(`shift-measure-${viewport.width}.png`, SCREENSHOT_DIR).pathname,
      });
      await assertNoSeriousViolations(page, `${PATH} at ${viewport.width} px`);
      await context.close();
    }
  });
});

// A graphics card lost mid-run: SwiftShader's WebGPU adapter is real enough to run the models
// and to lose a device. Each worker keeps the devices it is given (the real API, only observed),
// so the test can destroy them for real while the batch job runs.
describe('<rf-shift-measure> on WebGPU', () => {
  const gpu = useHarness({ webgpu: true });

  it('finishes on WebAssembly when the GPU device is lost mid-run, and says so', async () => {
    const { context, page, problems } = await gpu.newPage();
    const workers = keepWorkerGpuDevices(page);
    const fig = await openFigure(page);
    await fig.evaluate((f) => {
      f.setAttribute('backend', 'webgpu');
      f.setAttribute('digits', '120');
    });
    await fig.getByRole('button', { name: /^Measure 120 test digits/ }).click();
    // Running on WebGPU, with the first runs done.
    await page.waitForFunction(
      () => {
        const f = document.querySelector('rf-shift-measure');
        const bar = f?.shadowRoot?.querySelector('progress');
        return f?.getAttribute('data-state') === 'running' && bar && bar.value > 0;
      },
      undefined,
      { timeout: 180_000, polling: 100 },
    );
    assert.match(
      (await fig.locator('[data-engine]').getAttribute('data-engine')) ?? '',
      /webgpu/,
      'both models start on WebGPU',
    );
    // Everything the live region says from here on.
    await fig.evaluate((f) => {
      const said: string[] = [];
      (window as unknown as { rfSaid: string[] }).rfSaid = said;
      const live = f.shadowRoot!.querySelector('[data-live]')!;
      new MutationObserver(() => said.push(live.textContent ?? '')).observe(live, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    const lost = await destroyWorkerGpuDevices(workers);
    assert.ok(lost >= 2, `found the devices the workers compute on (${lost})`);
    await stateIs(page, 'done', 300_000);
    const run = await fig.evaluate((f) => {
      const d = (f as unknown as { result: ShiftMeasured }).result;
      return { ...d, results: d.results.map((r) => ({ ...r, top1: [] })) };
    });
    assert.equal(run.complete, true);
    assert.equal(run.digits, 120);
    for (const r of run.results) {
      assert.equal(r.backend, 'wasm', `${r.model} finished on WebAssembly`);
      // The loss itself, or the run it broke when that failed first (SwiftShader reports the
      // loss of one worker's device late or not at all).
      assert.match(
        r.fallbackReason ?? '',
        /lost|webgpu failed while running/,
        `${r.model} says why`,
      );
    }
    assert.match(
      (await fig.locator('[data-engine]').textContent()) ?? '',
      /WebAssembly.*Not on the graphics card: .*(lost|failed while running)/,
    );
    assert.ok(
      (await page.evaluate(() => (window as unknown as { rfSaid: string[] }).rfSaid)).some((t) =>
        /graphics card was lost; the rest runs on the processor/.test(t),
      ),
      'the change is announced',
    );
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.offsiteRequests, []);
    await context.close();
  });
});

// Keeps the consistency protocol honest: the pairs the page draws are the ones Node draws.
describe('shift pairs', () => {
  it('are the cards protocol for the digits asked for', () => {
    const card = modelCard('cnn');
    const pairs = shiftPairs(card.heldOut.total, {
      maxShift: card.shift.maxShift,
      seed: card.shift.seed,
      draws: Math.round(card.shift.pairs / card.heldOut.total),
    });
    assert.equal(pairs.length / 4, card.shift.pairs);
  });
});
