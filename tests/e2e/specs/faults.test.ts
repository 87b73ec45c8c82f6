import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { describe, it } from 'node:test';
import type { BrowserContext, Page, Route } from 'playwright-core';
import { drawOnPad, hoverUnit, showFigure, waitForModelCard } from '../lib/figures.ts';
import { keepGpuDevices, loseGpu } from '../lib/gpu-loss.ts';
import { useHarness } from '../lib/harness.ts';
import { throttle, unthrottle } from '../lib/network.ts';
import { meanDifference } from '../lib/render3d/pixels.ts';
import { loseWebGLContext, type WebGLHost } from '../lib/render3d/webgl-loss.ts';
import { serveSite } from '../lib/server.ts';
import { launchTabbedBrowser } from '../lib/tabbed-browser.ts';

// Faults injected in the browser's network stack (request interception and the DevTools
// protocol), never in our code: each breaks one figure, which says what went wrong and offers a
// Retry; the rest of the page goes on working, and a retry once the fault is gone succeeds.

const LESSON = '/lessons/curve-fitting/';
const COMPARE = 'rf-model-compare';
/** The CNN's model file (not the blur-pool or shortcut CNN's): `cnn-<hash>.onnx` or `cnn.<hash>.onnx`. */
const CNN_FILE = /\/cnn[-.][\w-]{8}\.onnx$/;
/** A vertical stroke: a 1 for every model. */
const ONE: [number, number][][] = [
  [
    [140, 40],
    [140, 240],
  ],
];

const h = useHarness();

const stateIs = (page: Page, state: string, timeout = 30_000) =>
  page.waitForSelector(`${COMPARE}[data-state="${state}"]`, { timeout });

/** The comparison's alert: what failed, as the reader hears it. */
const alertText = (page: Page) =>
  page.locator(COMPARE).getByRole('alert').textContent() as Promise<string>;

/** The lesson with `fault` answering for the CNN's model file, the comparison scrolled to. */
async function openWithFault(
  fault: (route: Route) => Promise<void> | void,
): Promise<{ context: BrowserContext; page: Page; clear: () => Promise<void> }> {
  const { context } = await h.context();
  const handler = (route: Route) => fault(route);
  await context.route(CNN_FILE, handler);
  const page = await context.newPage();
  await page.goto(LESSON);
  await page.locator(COMPARE).scrollIntoViewIfNeeded();
  return { context, page, clear: () => context.unroute(CNN_FILE, handler) };
}

/**
 * The figure failed with a message matching `expected` and a Retry; the other two models still
 * answer a drawn digit; once the fault is cleared, Retry (by keyboard) brings the CNN in.
 */
async function failsThenRecovers(
  page: Page,
  clear: () => Promise<void>,
  expected: RegExp,
  timeout = 30_000,
): Promise<void> {
  await stateIs(page, 'error', timeout);
  const message = await alertText(page);
  assert.match(message, expected);
  assert.match(message, /^Convolutional/);
  // The rest of the page works: the other models answer the pad.
  await drawOnPad(page, ONE);
  await waitForModelCard(page, 'logreg', 'prediction', '1');
  await waitForModelCard(page, 'mlp', 'prediction', '1');
  const retry = page.locator(COMPARE).getByRole('button', { name: 'Retry' });
  await clear();
  await retry.focus();
  await page.keyboard.press('Enter');
  await stateIs(page, 'ready');
  await waitForModelCard(page, 'cnn', 'engine', 'core/cpu');
  await waitForModelCard(page, 'cnn', 'prediction', '1');
  assert.equal(await retry.isVisible(), false, 'the Retry goes once everything is in');
  assert.equal(
    await focusIn(page, COMPARE),
    'models',
    'the keyboard focus moves from the Retry to the answers',
  );
}

/** The class of the element that has the keyboard focus inside `tag`'s shadow root, if any. */
const focusIn = (page: Page, tag: string) =>
  page.evaluate((t) => {
    const host = document.querySelector(t);
    if (document.activeElement !== host) return `outside (${document.activeElement?.tagName})`;
    return host?.shadowRoot?.activeElement?.className ?? 'none';
  }, tag);

describe('faults in the model downloads of <rf-model-compare>', () => {
  it('a model file that answers 404', async () => {
    const { context, page, clear } = await openWithFault((route) =>
      route.fulfill({ status: 404, contentType: 'text/plain', body: 'Not found' }),
    );
    await failsThenRecovers(
      page,
      clear,
      /could not be loaded: Could not download the model: HTTP 404\.$/,
    );
    await context.close();
  });

  it('a model file cut short', async () => {
    const { context, page, clear } = await openWithFault(async (route) => {
      const full = await route.fetch();
      const body = await full.body();
      await route.fulfill({
        status: 200,
        contentType: 'application/octet-stream',
        body: body.subarray(0, body.length >> 1),
      });
    });
    await failsThenRecovers(page, clear, /the file is \d+ bytes, not the \d+ of the model\.$/);
    await context.close();
  });

  it('a model file replaced by an HTML error page', async () => {
    const { context, page, clear } = await openWithFault((route) =>
      route.fulfill({
        status: 200,
        contentType: 'text/html; charset=utf-8',
        body: '<!doctype html><title>Service unavailable</title><h1>Try again later</h1>',
      }),
    );
    await failsThenRecovers(
      page,
      clear,
      /the server answered with a web page instead of the file\.$/,
    );
    await context.close();
  });

  it('a model download that stalls: no byte for 10 s', async () => {
    // The request is held and never answered: the figure gives up after its 10 s stall watch.
    const { context, page, clear } = await openWithFault(() => {});
    const started = Date.now();
    await failsThenRecovers(page, clear, /the download stalled \(no data for 10 s\)\.$/, 40_000);
    assert.ok(Date.now() - started >= 10_000, 'not before 10 s without a byte');
    await context.close();
  });

  it('a very slow model download whose bytes keep coming is never cut off', async () => {
    const { context, page } = await h.open(LESSON);
    await page.waitForLoadState('load');
    // 1.6 MB of perceptron at 120 KB/s: about 13 s, longer than the stall watch, bytes all along.
    const cdp = await context.newCDPSession(page);
    await throttle(cdp, { down: 120_000 });
    const started = Date.now();
    await page.locator(COMPARE).scrollIntoViewIfNeeded();
    // The figure wakes near the viewport; under load its code can arrive after the scroll, so the
    // watch below starts once it has left `idle`.
    await page.waitForSelector(`${COMPARE}:not([data-state="idle"])`, { timeout: 30_000 });
    // Watch the progress sentence as it moves.
    const seen = new Set<string>();
    const engine = page.locator(COMPARE).locator('[data-model="mlp"] .engine');
    while (Date.now() - started < 60_000) {
      const text = (await engine.textContent()) ?? '';
      if (/^Downloading: /.test(text)) seen.add(text);
      if ((await page.locator(COMPARE).getAttribute('data-state')) !== 'loading') break;
      await page.waitForTimeout(250);
    }
    assert.equal(await page.locator(COMPARE).getAttribute('data-state'), 'ready');
    assert.ok(Date.now() - started > 10_000, 'the download outlasted the stall watch');
    assert.ok(seen.size >= 10, `progress moved (${seen.size} different sentences)`);
    await unthrottle(cdp);
    await drawOnPad(page, ONE);
    await waitForModelCard(page, 'mlp', 'prediction', '1');
    await context.close();
  });
});

describe('faults in the 3D code of <rf-network-3d>', () => {
  it('the three.js chunk failing to load, then loading on Retry', async () => {
    const { context } = await h.context();
    // three.js and @receptive/render3d, in one chunk (three's WebGPU build loads only for WebGPU).
    const chunk = /\/_astro\/scenes-3d\.[\w-]+\.js$/;
    await context.route(chunk, (route) => route.fulfill({ status: 503, body: 'Unavailable' }));
    const page = await context.newPage();
    await page.goto(LESSON);
    const fig = page.locator('rf-network-3d');
    await fig.scrollIntoViewIfNeeded();
    await page.waitForSelector('rf-network-3d[data-state="error"]', { timeout: 30_000 });
    assert.match(
      (await fig.getByRole('alert').textContent()) ?? '',
      /^The 3D view could not be loaded \(.*scenes-3d.*\)\. The feature maps above show the same layers\.$/,
    );
    // The rest of the page works: the comparison and the feature maps answer the pad.
    await drawOnPad(page, ONE);
    await waitForModelCard(page, 'cnn', 'prediction', '1');
    await page.waitForSelector('rf-feature-maps[data-state="drawn"]');
    assert.match((await fig.getByRole('alert').textContent()) ?? '', /could not be loaded/);
    await context.unroute(chunk);
    // The Retry fetches the chunk again, under a fresh URL (some browsers answer a second import
    // of a URL that failed from their module map, without asking the network).
    const refetched = page.waitForRequest((r) =>
      /\/_astro\/scenes-3d\.[\w-]+\.js\?retry=1$/.test(r.url()),
    );
    await fig.scrollIntoViewIfNeeded();
    const retry = fig.getByRole('button', { name: 'Retry' });
    await retry.focus();
    await page.keyboard.press('Enter');
    await refetched;
    await page.waitForSelector('rf-network-3d[data-state="drawn"]', { timeout: 60_000 });
    assert.equal(await retry.isVisible(), false);
    assert.equal(
      await focusIn(page, 'rf-network-3d'),
      'stage',
      'the keyboard focus moves from the Retry to the scene',
    );
    // The alert is emptied (and so hidden).
    assert.equal(await fig.locator('.status[role="alert"]').textContent(), '');
    await context.close();
  });
});

describe('a figure whose code fails to download', () => {
  it('keeps its fallback, says so with a Retry, and upgrades when the Retry fetches it afresh', async () => {
    const { context } = await h.context();
    const chunk = /\/_astro\/kernel-lab\.[\w-]+\.js(\?.*)?$/;
    await context.route(chunk, (route) => route.fulfill({ status: 503, body: 'Unavailable' }));
    const page = await context.newPage();
    await page.goto('/lessons/convolution/');
    const fig = page.locator('rf-kernel-lab').first();
    await fig.scrollIntoViewIfNeeded();
    const notice = page.locator('.rf-wake-error[data-for="rf-kernel-lab"]').first();
    await notice.waitFor({ timeout: 30_000 });
    assert.equal(await notice.getAttribute('role'), 'alert');
    assert.match(
      (await notice.textContent()) ?? '',
      /^This figure’s code did not load \(.*kernel-lab.*\)\. Retry$/,
    );
    assert.equal(
      await page.evaluate(() => customElements.get('rf-kernel-lab') === undefined),
      true,
    );
    // Every instance of the figure on the page says so, each right after itself.
    assert.equal(
      await page.locator('.rf-wake-error[data-for="rf-kernel-lab"]').count(),
      await page.locator('rf-kernel-lab').count(),
    );
    // A Retry while the server still fails: the notice stays, with the keyboard on its Retry.
    const retry = notice.getByRole('button', { name: 'Retry' });
    const firstTry = page.waitForRequest((r) =>
      /\/_astro\/kernel-lab\.[\w-]+\.js\?retry=1$/.test(r.url()),
    );
    await retry.focus();
    await page.keyboard.press('Enter');
    await firstTry;
    await page.waitForFunction(
      () => document.querySelector('.rf-wake-error button')?.getAttribute('aria-disabled') === null,
    );
    assert.equal(await retry.evaluate((b) => b === document.activeElement), true);
    assert.equal(
      await page.evaluate(() => customElements.get('rf-kernel-lab') === undefined),
      true,
    );
    // The server is back: the next Retry fetches the chunk afresh again and the figure upgrades.
    await context.unroute(chunk);
    const refetched = page.waitForRequest((r) =>
      /\/_astro\/kernel-lab\.[\w-]+\.js\?retry=2$/.test(r.url()),
    );
    await page.keyboard.press('Enter');
    await refetched;
    await page.waitForFunction(() => customElements.get('rf-kernel-lab') !== undefined, null, {
      timeout: 30_000,
    });
    assert.equal(await page.locator('.rf-wake-error').count(), 0);
    assert.equal(
      await page.evaluate(() => document.activeElement?.tagName.toLowerCase()),
      'rf-kernel-lab',
      'the keyboard focus moves from the Retry to the figure',
    );
    // The figure drew itself in place of its fallback.
    assert.equal(
      await page.evaluate(() => document.querySelector('rf-kernel-lab')?.shadowRoot != null),
      true,
    );
    await context.close();
  });
});

describe('a figure removed mid-computation', () => {
  it('<rf-shift-measure> removed while its workers measure: they end, and nothing throws', async () => {
    const { context, page, problems } = await h.newPage();
    const open = new Set<unknown>();
    let started = 0;
    page.on('worker', (w) => {
      started++;
      open.add(w);
      w.on('close', () => open.delete(w));
    });
    await page.goto('/lessons/shift-invariance/');
    const fig = page.locator('rf-shift-measure');
    await fig.scrollIntoViewIfNeeded();
    await page.waitForSelector('rf-shift-measure[data-state="idle"]', { timeout: 30_000 });
    await fig.evaluate((f) => f.setAttribute('digits', '250'));
    await fig.getByRole('button', { name: /^Measure/ }).click();
    // Under way: the workers have reported digits.
    await page.waitForFunction(
      () => {
        const bar = document
          .querySelector('rf-shift-measure')
          ?.shadowRoot?.querySelector<HTMLProgressElement>('progress');
        return !!bar && bar.value > 0;
      },
      undefined,
      { timeout: 60_000, polling: 100 },
    );
    assert.ok(open.size > 0, 'workers are measuring');
    await fig.evaluate((f) => f.remove());
    const deadline = Date.now() + 5000;
    while (open.size > 0 && Date.now() < deadline) await page.waitForTimeout(100);
    assert.equal(open.size, 0, `all ${started} workers ended`);
    // The page goes on: no errors, and its other figures still answer.
    await drawOnPad(page, ONE);
    await page.waitForFunction(
      () => document.querySelector('rf-digit-pad')?.getAttribute('data-empty') !== 'true',
    );
    await page.waitForTimeout(500);
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
    await context.close();
  });
});

// The widgets' example page runs its comparison on onnxruntime-web (backend="wasm").
const EXAMPLE_DIST = `${dirname(createRequire(import.meta.url).resolve('@receptive/widgets/package.json'))}/example/dist/`;

describe('faults in the runtime download of <rf-model-compare backend="wasm">', () => {
  const example = useHarness({ dir: EXAMPLE_DIST });

  it("onnxruntime-web's .wasm failing to load", async () => {
    const { context } = await example.context();
    const wasm = '**/ort/ort-wasm-simd-threaded.wasm';
    await context.route(wasm, (route) => route.fulfill({ status: 404, body: 'Not found' }));
    const page = await context.newPage();
    await page.goto('/');
    await page.locator(COMPARE).scrollIntoViewIfNeeded();
    await stateIs(page, 'error', 60_000);
    assert.equal(await alertText(page), 'The model runtime could not be loaded: HTTP 404.');
    // The models answer from the core meanwhile.
    await drawOnPad(page, ONE);
    await waitForModelCard(page, 'cnn', 'engine', 'core/cpu');
    await waitForModelCard(page, 'cnn', 'prediction', '1');
    await context.unroute(wasm);
    await page.locator(COMPARE).getByRole('button', { name: 'Retry' }).click();
    await stateIs(page, 'ready', 60_000);
    await waitForModelCard(page, 'cnn', 'engine', 'onnxruntime-web/wasm');
    await drawOnPad(page, ONE);
    await waitForModelCard(page, 'cnn', 'prediction', '1');
    await context.close();
  });
});

describe('a lost WebGPU device in <rf-model-compare backend="webgpu">', () => {
  const gpu = useHarness({ webgpu: true });

  it('answers on WebAssembly from then on, says so on each card, and still reads the digit', async () => {
    const { context, page, problems } = await gpu.newPage();
    await keepGpuDevices(page);
    // The lesson, whose comparison loads (on WebGPU, asked for before it nears the viewport)
    // once it is scrolled to.
    await page.goto(LESSON);
    await page.evaluate(
      (sel) => document.querySelector(sel)!.setAttribute('backend', 'webgpu'),
      COMPARE,
    );
    await page.locator(COMPARE).scrollIntoViewIfNeeded();
    await stateIs(page, 'ready', 120_000);
    await drawOnPad(page, ONE);
    await waitForModelCard(page, 'cnn', 'engine', 'onnxruntime-web/webgpu', { timeout: 60_000 });
    await waitForModelCard(page, 'cnn', 'prediction', '1');
    await loseGpu(page, 'webgpu', 'onnxruntime-web');
    await drawOnPad(page, ONE);
    await waitForModelCard(page, 'cnn', 'engine', 'onnxruntime-web/wasm', { timeout: 60_000 });
    await waitForModelCard(page, 'cnn', 'prediction', '1');
    const card = await page.evaluate(
      (sel) =>
        document.querySelector(sel)!.shadowRoot!.querySelector('[data-model="cnn"]')!.textContent,
      COMPARE,
    );
    assert.match(
      card ?? '',
      /The graphics card stopped \(the GPU device was lost \(.+\)\), so it moved there\./,
    );
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.offsiteRequests, []);
    await context.close();
  });
});

/** Loses the WebGL context of figure `tag`'s 3D view (see {@link loseWebGLContext}). */
const loseContext = async (page: Page, tag: string) =>
  loseWebGLContext(
    await page.evaluateHandle(
      (tag) => (document.querySelector(tag) as unknown as { view: { host: WebGLHost } }).view.host,
      tag,
    ),
  );

/** Waits until figure `tag`'s view has drawn again after frame `after`, with a live context. */
const drawsAgain = (page: Page, tag: string, after: number) =>
  page.waitForFunction(
    ([tag, after]) => {
      const host = (
        document.querySelector(tag as string) as unknown as {
          view: { host: { frames: number; contextLost: boolean } };
        }
      ).view.host;
      return host.frames > (after as number) && !host.contextLost;
    },
    [tag, after] as const,
    { timeout: 15_000 },
  );

describe('a lost WebGL context in the lessons’ 3D figures', () => {
  it('<rf-network-3d>: restored, the same picture; lost for good, a new canvas that still picks units', async () => {
    const { page, problems } = await h.open(`${LESSON}?pad=t1`);
    // The feature maps above draw the digit first and push the 3D view down the page.
    await showFigure(page, 'rf-feature-maps', 'drawn', 60_000);
    const fig = await showFigure(page, 'rf-network-3d', 'drawn', 60_000);
    await page.waitForTimeout(500);
    const stage = fig.locator('.stage');
    const before = await stage.screenshot();
    const restored = await loseContext(page, 'rf-network-3d');
    await restored.restore();
    await drawsAgain(page, 'rf-network-3d', restored.frames);
    await page.waitForTimeout(300);
    const diff = await meanDifference(page, before, await stage.screenshot());
    assert.ok(diff < 1, `the restored frame differs by ${diff} per channel on average`);

    const lost = await loseContext(page, 'rf-network-3d');
    await drawsAgain(page, 'rf-network-3d', lost.frames);
    const replaced = await fig.evaluate((f, lostCanvas) => {
      const host = (
        f as unknown as {
          view: { host: { canvas: HTMLCanvasElement; contextsReplaced: number; backend: string } };
        }
      ).view.host;
      return {
        fresh: host.canvas !== lostCanvas,
        connected: host.canvas.isConnected,
        replaced: host.contextsReplaced,
        backend: host.backend,
      };
    }, lost.canvas);
    assert.deepEqual(replaced, { fresh: true, connected: true, replaced: 1, backend: 'webgl' });
    const diffNew = await meanDifference(page, before, await stage.screenshot());
    assert.ok(diffNew < 1, `the new canvas differs by ${diffNew} per channel on average`);
    // Picking goes on over the new canvas.
    const unit = { layer: 'conv1', channel: 0, y: 13, x: 13 };
    await page.evaluate(() =>
      (
        document.querySelector('rf-network-3d') as unknown as {
          view: { setPreset(p: string, o: object): void };
        }
      ).view.setPreset('conv1', { animate: false }),
    );
    await page.waitForTimeout(300);
    await hoverUnit(page, 'rf-network-3d', unit);
    await page.waitForFunction(() =>
      document.querySelector('rf-network-3d')?.getAttribute('data-unit')?.startsWith('conv1,0,'),
    );
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  });

  it('<rf-conv-layer-3d>: lost for good, drawn again on a new canvas', async () => {
    const { page, problems } = await h.open('/lessons/convolution-layers/');
    const fig = page.locator('rf-conv-layer-3d');
    await fig.scrollIntoViewIfNeeded();
    await page.waitForFunction(
      () =>
        (
          document.querySelector('rf-conv-layer-3d') as unknown as {
            drawn: { frames: number } | null;
          }
        ).drawn?.frames,
      undefined,
      { timeout: 30_000 },
    );
    const lost = await loseContext(page, 'rf-conv-layer-3d');
    await drawsAgain(page, 'rf-conv-layer-3d', lost.frames);
    const host = await fig.evaluate((f, lostCanvas) => {
      const h = (
        f as unknown as { view: { host: { canvas: HTMLCanvasElement; contextsReplaced: number } } }
      ).view.host;
      return { fresh: h.canvas !== lostCanvas, replaced: h.contextsReplaced };
    }, lost.canvas);
    assert.deepEqual(host, { fresh: true, replaced: 1 });
    // Its k input still redraws the scene.
    await fig.locator('input[name="k"]').fill('2');
    await page.waitForFunction(
      () =>
        (
          document.querySelector('rf-conv-layer-3d') as unknown as {
            drawn: { filters: number } | null;
          }
        ).drawn?.filters === 2,
    );
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  });
});

// A tab hidden mid-computation: a real tab switch in a headed Chromium on a virtual display
// (lib/tabbed-browser.ts), since headless Chromium and Playwright keep every page visible.
describe('the tab hidden mid-computation, and shown again', () => {
  it('the trainer keeps training in its worker while hidden and finishes its run; the page gets no error', async () => {
    const server = await serveSite();
    const browser = await launchTabbedBrowser();
    try {
      const tab = await browser.open(`${server.origin}/lessons/digit-recognition/`);
      const trainer = "document.querySelector('rf-digit-trainer')";
      await tab.evaluate(`${trainer}.scrollIntoView()`);
      await tab.waitFor(`${trainer}?.getAttribute('data-state') === 'idle'`);
      await tab.evaluate(
        `(${trainer}.setAttribute('backend', 'cpu'), ${trainer}.setAttribute('stop-after', '150'), ${trainer}.train())`,
      );
      await tab.waitFor(`(${trainer}.progress?.steps ?? 0) >= 10`, 120_000);
      assert.equal(await tab.evaluate('document.visibilityState'), 'visible');
      await tab.evaluate(
        `window.rfSeen = []; document.addEventListener('visibilitychange', () => rfSeen.push(document.visibilityState))`,
      );
      // Another tab in front: this one is hidden, as when a reader switches tabs.
      const other = await browser.open('about:blank');
      await tab.waitFor(`document.visibilityState === 'hidden'`, 10_000);
      const hiddenAt = await tab.evaluate<number>(`${trainer}.progress.steps`);
      await new Promise((r) => setTimeout(r, 3000));
      // The worker trained on while the tab was hidden (its messages still arrive).
      const stillHidden = await tab.evaluate<string>('document.visibilityState');
      const afterHidden = await tab.evaluate<number>(`${trainer}.progress.steps`);
      await browser.show(tab);
      await tab.waitFor(`document.visibilityState === 'visible'`, 10_000);
      await tab.waitFor(`${trainer}.getAttribute('data-state') === 'paused'`, 240_000);
      const end = await tab.evaluate<{ steps: number; losses: number[] }>(
        `(({ steps, losses }) => ({ steps, losses }))(${trainer}.progress)`,
      );
      assert.equal(stillHidden, 'hidden');
      assert.deepEqual(await tab.evaluate('rfSeen'), ['hidden', 'visible']);
      assert.ok(afterHidden > hiddenAt, `trained while hidden: step ${hiddenAt} to ${afterHidden}`);
      assert.equal(end.steps, 150);
      assert.ok(end.losses.length === 150 && end.losses.every(Number.isFinite), 'every loss is in');
      assert.ok(end.losses.at(-1)! < end.losses[0]!, 'and the loss fell');
      assert.deepEqual(tab.problems, []);
      assert.deepEqual(other.problems, []);
    } finally {
      await browser.close();
      await server.close();
    }
  });

  it('the 3D network draws nothing while hidden, and draws what changed meanwhile once shown', async () => {
    const server = await serveSite();
    const browser = await launchTabbedBrowser();
    try {
      const tab = await browser.open(`${server.origin}${LESSON}?pad=t1`);
      // The feature maps above draw the digit first and push the 3D view down the page.
      for (const tag of ['rf-feature-maps', 'rf-network-3d']) {
        await tab.evaluate(`document.querySelector('${tag}').scrollIntoView({ block: 'center' })`);
        await tab.waitFor(
          `document.querySelector('${tag}')?.getAttribute('data-state') === 'drawn'`,
          60_000,
        );
      }
      const host = "document.querySelector('rf-network-3d').view.host";
      await tab.waitFor(`${host}.frames > 0`);
      await browser.open('about:blank');
      await tab.waitFor(`document.visibilityState === 'hidden'`, 10_000);
      // A change while hidden (what a resize or a new digit asks for) waits for the tab.
      const before = await tab.evaluate<number>(`(${host}.invalidate(), ${host}.frames)`);
      await new Promise((r) => setTimeout(r, 1500));
      const hidden = await tab.evaluate<{ frames: number; active: boolean }>(
        `({ frames: ${host}.frames, active: ${host}.active })`,
      );
      assert.equal(hidden.active, false, 'the scene knows the tab is hidden');
      assert.equal(hidden.frames, before, 'no frame is drawn in a hidden tab');
      await browser.show(tab);
      await tab.waitFor(`${host}.frames > ${before}`, 10_000);
      assert.equal(await tab.evaluate(`${host}.active`), true);
      assert.deepEqual(tab.problems, []);
    } finally {
      await browser.close();
      await server.close();
    }
  });
});
