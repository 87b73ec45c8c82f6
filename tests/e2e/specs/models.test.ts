import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { MODEL_NAMES } from '@receptive/models';
import { fromOnnx } from '@receptive/onnx';
import type { Page } from 'playwright-core';
import { heldOut, MODELS_DIR } from '../lib/digits.ts';
import { noProblems } from '../lib/guard.ts';
import { openFixture, useHarness } from '../lib/harness.ts';
import { modelsFixtureMounts } from '../lib/mounts.ts';

// The models package as built and onnxruntime-web's own files, next to a bare page.
const MOUNTS = modelsFixtureMounts(MODELS_DIR);

const N = heldOut.count;
/**
 * Digits checked with WebGPU on: the same kernels run for every digit, and SwiftShader, the
 * software adapter these runs get, takes about 15 ms a digit for the CNNs. The wasm build is
 * checked on all 10,000 official test digits in Node (packages/models' runtime test), so here
 * each provider reads a few hundred, one at a time as the figures run them.
 */
const N_WEBGPU = 200;
const N_WASM = 500;

/** Top-1 and probabilities of the core reference for the first `n` held-out digits. */
function reference(name: string, n: number) {
  const model = fromOnnx(new Uint8Array(readFileSync(`${MODELS_DIR}/models/${name}.onnx`)));
  const probs = model.forward({
    shape: [n, 1, 28, 28],
    data: heldOut.pixels.subarray(0, n * 784),
  }).data;
  return { probs, top: topOf(probs) };
}

function topOf(probs: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < probs.length / 10; i++) {
    let best = 0;
    for (let j = 1; j < 10; j++) if (probs[i * 10 + j]! > probs[i * 10 + best]!) best = j;
    out.push(best);
  }
  return out;
}

interface PageRun {
  backend: string;
  fallbackReason: string | null;
  probs: number[];
  layers: string[];
}

/** Loads a model in the page on `backend` and runs every held-out digit through it. */
const runInPage = (
  page: Page,
  name: string,
  backend: string,
  workload = 'interactive',
  count = N,
) =>
  page.evaluate(
    async ({ name, backend, workload, count }) => {
      // biome-ignore lint/suspicious/noExplicitAny: the module is put on window by the fixture page.
      const m = (window as any).rfModels;
      const digits = m.joinChunks([
        await m.loadDigitChunk('test', 0),
        await m.loadDigitChunk('test', 1),
      ]);
      const model = await m.loadModel(name, { backend, workload });
      const r = await model.run(digits.pixels.subarray(0, count * 784), count);
      const out = {
        backend: r.backend,
        fallbackReason: model.fallbackReason,
        probs: Array.from(r.probs),
        layers: model.layers,
      };
      await model.dispose();
      return out;
    },
    { name, backend, workload, count },
  ) as Promise<PageRun>;

function assertSameAsCore(name: string, run: PageRun) {
  const ref = reference(name, run.probs.length / 10);
  assert.deepEqual(
    topOf(run.probs),
    ref.top,
    `${name} on ${run.backend}: top-1 differs from the core`,
  );
  let worst = 0;
  for (let i = 0; i < ref.probs.length; i++)
    worst = Math.max(worst, Math.abs(ref.probs[i]! - run.probs[i]!));
  assert.ok(worst <= 1e-4, `${name} on ${run.backend}: probabilities differ by ${worst}`);
}

describe('the digit models in Chromium, with WebGPU', () => {
  const h = useHarness({ mounts: MOUNTS, webgpu: true });

  for (const name of MODEL_NAMES) {
    it(`${name}: wasm on the first ${N_WASM} held-out digits and webgpu on the first ${N_WEBGPU} agree with the core`, async () => {
      const { context, page, problems } = await openFixture(h);
      for (const [backend, count] of [
        ['wasm', N_WASM],
        ['webgpu', N_WEBGPU],
      ] as const) {
        const run = await runInPage(page, name, backend, 'interactive', count);
        assert.equal(run.backend, backend);
        assert.equal(run.fallbackReason, null);
        assertSameAsCore(name, run);
      }
      assert.deepEqual(problems, noProblems());
      await context.close();
    });
  }

  it('auto stays on wasm on a software GPU adapter, for batches too, as measured', async () => {
    const { context, page } = await openFixture(h);
    const hardware = await page.evaluate(() =>
      // biome-ignore lint/suspicious/noExplicitAny: see above.
      (window as any).rfModels.hardwareWebGpu(),
    );
    assert.equal(hardware, false, 'this launch offers SwiftShader, a software adapter');
    assert.equal((await runInPage(page, 'logreg', 'auto', 'interactive')).backend, 'wasm');
    assert.equal((await runInPage(page, 'logreg', 'auto', 'batch')).backend, 'wasm');
    assert.equal((await runInPage(page, 'logreg', 'webgpu', 'batch')).backend, 'webgpu');
    await context.close();
  });
});

describe('the digit models in Chromium without WebGPU', () => {
  const h = useHarness({ mounts: MOUNTS, webgpu: false });

  it('asking for WebGPU falls back to wasm, says why, and still reads every digit right', async () => {
    const { context, page, problems } = await openFixture(h);
    const run = await runInPage(page, 'cnn', 'webgpu');
    assert.equal(run.backend, 'wasm');
    assert.equal(run.fallbackReason, 'webgpu is not available here');
    assertSameAsCore('cnn', run);
    assert.deepEqual(problems, noProblems());
    await context.close();
  });

  it('asking for WebGL says why it runs on wasm instead, and still reads every digit right', async () => {
    const { context, page, problems } = await openFixture(h);
    const run = await runInPage(page, 'cnn', 'webgl');
    assert.equal(run.backend, 'wasm');
    assert.match(run.fallbackReason ?? '', /WebGL backend cannot run these models/);
    assertSameAsCore('cnn', run);
    assert.deepEqual(problems, noProblems());
    await context.close();
  });

  it('a missing model file is a clear error, and the page keeps working', async () => {
    const { context, page, problems } = await openFixture(h);
    const message = await page.evaluate(async () => {
      // biome-ignore lint/suspicious/noExplicitAny: see above.
      const m = (window as any).rfModels;
      try {
        await m.loadModel('cnn', { source: '/pkg/models/missing.onnx' });
        return 'loaded';
      } catch (err) {
        return `${(err as Error).name}: ${(err as Error).message}`;
      }
    });
    assert.match(
      message,
      /^ModelLoadError: Could not download the model from \/pkg\/models\/missing.onnx: HTTP 404$/,
    );
    const run = await runInPage(page, 'logreg', 'wasm');
    assert.equal(run.probs.length, N * 10);
    // The 404 itself is the only failed request, and it was expected.
    assert.deepEqual(
      problems.failedRequests.map((r) => r.replace(h.server.origin, '')),
      ['/pkg/models/missing.onnx: HTTP 404'],
    );
    assert.deepEqual(
      problems.consoleErrors.filter((e) => !e.includes('404')),
      [],
    );
    await context.close();
  });
});
