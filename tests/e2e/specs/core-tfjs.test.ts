// @receptive/core/tfjs on the browser's GPU backends (webgl, webgpu) gives the core CPU
// reference's numbers, forward and training, within 1e-4: both run in the same page. The core's
// WebAssembly SIMD kernels are checked against its scalar loops in the same page too.
import assert from 'node:assert/strict';
import { before, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type {
  CompareReport,
  CompareRequest,
  CoreTfjsApi,
  Variant,
} from '../fixtures/core-tfjs/main.ts';
import { heldOut } from '../lib/digits.ts';
import { noProblems } from '../lib/guard.ts';
import { type OpenedPage, openFixture, useHarness } from '../lib/harness.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/core-tfjs/dist/', import.meta.url));
const TOLERANCE = 1e-4;

// Eight real held-out digits: two batches of four.
const COUNT = 8;
const digits = {
  pixels: Array.from(heldOut.pixels.subarray(0, COUNT * 784)),
  labels: Array.from(heldOut.labels.subarray(0, COUNT)),
};

const api = (page: Page) =>
  page.evaluateHandle(() => (window as unknown as { rfCoreTfjs: CoreTfjsApi }).rfCoreTfjs);

/**
 * Runs the comparison in the page and checks it: `backend` is the one that ran, every difference
 * is within 1e-4, every tensor is freed again and the page stayed clean.
 */
async function compareOn(
  t: TestContext,
  { page, problems }: OpenedPage,
  backend: string,
  variant: Variant,
  readBack: CompareRequest['readBack'],
  backends = [backend],
): Promise<CompareReport> {
  const request: CompareRequest = {
    backends,
    variant,
    seed: 7,
    batch: 4,
    steps: 2,
    readBack,
    ...digits,
  };
  const report = await (await api(page)).evaluate((m, r) => m.compare(r), request);
  assert.equal(report.backend, backend);
  assert.equal(report.backendAfter, backend);
  assert.equal(report.backendIsLive, true);
  const diffs: [string, number][] = Object.entries(report.forward);
  for (const [opt, steps] of Object.entries(report.train)) {
    for (const [what, d] of Object.entries(steps)) diffs.push([`${opt} ${what}`, d]);
  }
  // 9 layers and the output; loss, parameters and output after training for 2 optimizers.
  assert.equal(diffs.length, 10 + (readBack === 'sync' ? 6 : 0));
  for (const [what, d] of diffs) {
    assert.ok(d <= TOLERANCE, `${backend} ${variant} ${what}: max |diff| ${d} > ${TOLERANCE}`);
  }
  assert.equal(report.tensorsAfter, report.tensorsBefore, 'tensors leaked');
  assert.deepEqual(problems, noProblems());
  const worst = (ds: [string, number][]) => Math.max(...ds.map(([, d]) => d)).toExponential(1);
  t.diagnostic(
    `${report.backend}: max |diff| forward ${worst(diffs.slice(0, 10))}` +
      (readBack === 'sync' ? `, training ${worst(diffs.slice(10))}` : ''),
  );
  return report;
}

const VARIANTS: Variant[] = ['maxpool', 'blurpool'];

describe('@receptive/core/tfjs on the WebGPU launch matches the CPU reference within 1e-4', () => {
  const h = useHarness({ webgpu: true, dir: FIXTURE });
  let webgl: OpenedPage;
  let webgpu: OpenedPage;
  before(async () => {
    webgl = await openFixture(h);
    webgpu = await openFixture(h);
  });

  for (const variant of VARIANTS) {
    it(`webgl: ${variant} CNN, every activation, SGD-momentum and Adam steps`, async (t) => {
      const report = await compareOn(t, webgl, 'webgl', variant, 'sync');
      // Full float32 textures: tfjs drops to float16 where a GPU cannot render to float32.
      assert.deepEqual(report.webgl, { version: 2, float32: true, pack: true, forceF16: false });
    });
  }

  // This launch has a WebGPU adapter but no WebGPU canvas that can present, and tfjs-backend-
  // webgpu's dataSync() copies through WebGPU OffscreenCanvases: after one, the device is lost
  // ("mapAsync: A valid external Instance reference no longer exists"). Reads that await data()
  // are plain compute and run here; the synchronous API runs on the canvas launch below.
  for (const variant of VARIANTS) {
    it(`webgpu: ${variant} CNN, every activation (awaited read-back)`, async (t) => {
      await compareOn(t, webgpu, 'webgpu', variant, 'async');
    });
  }
});

describe('@receptive/core/tfjs on WebGPU with presentable canvases: forward and training', () => {
  const h = useHarness({ webgpu: 'canvas', dir: FIXTURE });
  let webgpu: OpenedPage;
  before(async () => {
    webgpu = await openFixture(h);
  });

  for (const variant of VARIANTS) {
    it(`webgpu: ${variant} CNN, every activation, SGD-momentum and Adam steps`, async (t) => {
      await compareOn(t, webgpu, 'webgpu', variant, 'sync');
    });
  }
});

describe('@receptive/core/tfjs on the plain launch (no WebGPU adapter)', () => {
  const h = useHarness({ webgpu: false, dir: FIXTURE });
  let plain: OpenedPage;
  before(async () => {
    plain = await openFixture(h);
  });

  it("useBackend('webgpu') throws BackendUnavailableError instead of falling back silently", async () => {
    const m = await api(plain.page);
    // navigator.gpu exists, so the webgpu backend registers, but there is no adapter: useBackend
    // asks for one before tfjs does, so the fallback logs nothing. tf.setBackend would answer
    // false, and getBackend() would then say 'webgpu'.
    assert.deepEqual(await m.evaluate((m) => m.registered()), ['cpu', 'webgl', 'webgpu']);
    const r = await m.evaluate((m) => m.tryBackends('webgpu'));
    assert.equal(r.chosen, null);
    assert.equal(r.error?.name, 'BackendUnavailableError');
    assert.deepEqual(r.error?.tried, [{ backend: 'webgpu', reason: 'no WebGPU adapter here' }]);
    assert.equal(
      r.error?.message,
      "useBackend: no tfjs backend of 'webgpu' could start here (webgpu: no WebGPU adapter here)",
    );
    // No backend was in use before, and none is named after.
    assert.equal(r.backendAfter, null);
    assert.deepEqual(plain.problems, noProblems());
  });

  it("the core's WebAssembly SIMD kernels give its scalar loops' numbers, forward and training", async (t) => {
    const request: CompareRequest = {
      backends: [],
      variant: 'maxpool',
      seed: 7,
      batch: 4,
      steps: 3,
      readBack: 'sync',
      ...digits,
    };
    const r = await (await api(plain.page)).evaluate((m, q) => m.simdVsScalar(q), request);
    // Chromium's V8 runs wasm SIMD: the kernels must load, not fall back.
    assert.deepEqual(r.simd, { requested: 'simd', active: 'simd', reason: null });
    assert.deepEqual(r.after, { requested: 'scalar', active: 'scalar', reason: null });
    for (const what of ['forward', 'forwardAll', 'loss', 'parameters'] as const) {
      assert.ok(r[what] <= 1e-5, `SIMD vs scalar ${what}: max |diff| ${r[what]} > 1e-5`);
    }
    assert.deepEqual(plain.problems, noProblems());
    t.diagnostic(
      `SIMD vs scalar: forward ${r.forward.toExponential(1)}, loss ${r.loss.toExponential(1)}, parameters ${r.parameters.toExponential(1)}`,
    );
  });

  it("useBackend('webgpu', 'webgl') falls back to webgl, which matches the reference", async (t) => {
    await compareOn(t, plain, 'webgl', 'maxpool', 'async', ['webgpu', 'webgl']);
  });
});
