import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { receptiveField } from '@receptive/core';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { assertNoSeriousViolations } from '../lib/axe.ts';
import { openWithoutWebGL, sampledColours } from '../lib/canvas.ts';
import { cnn, heldOutDigit, modelCard } from '../lib/digits.ts';
import {
  focusedIn,
  hoverUnit,
  propertyOf,
  shapeTableRows,
  showFigure,
  waitForModelCard,
} from '../lib/figures.ts';
import { noProblems } from '../lib/guard.ts';
import { useHarness } from '../lib/harness.ts';

// The whole CNN in 3D under the feature maps of the first lesson (<rf-network-3d>): its layers,
// the values of the units it reports and their receptive fields are checked against
// @receptive/core's own forward pass and receptiveField on the shipped ONNX file.
const card = modelCard('cnn');
const PATH = '/lessons/curve-fitting/';
const FIG = 'rf-network-3d';

type Unit = { layer: string; channel: number; y: number; x: number };
type Picked = Unit & {
  kind: string;
  value: number;
  field: {
    region: { y0: number; y1: number; x0: number; x1: number };
    size: [number, number];
    pixels: number;
  };
};
type Fig = HTMLElement & {
  layers: { name: string; kind: string; dims: number[] }[] | null;
  picked: Picked | null;
  unit: Unit | null;
  view: {
    layers: string[];
    currentPreset: string | null;
    presets: Map<string, { position: { distanceTo(v: unknown): number } }>;
    host: {
      canvas: HTMLCanvasElement;
      backend: string;
      frames: number;
      camera: { position: unknown };
    };
  } | null;
};

/** The core's activations of held-out digit `index`, by name (input included). */
function coreRun(index: number) {
  return cnn.forwardAll(heldOutDigit(index)).activations;
}

/** The core's value of a unit, read as the figure counts units. */
function coreValue(acts: ReturnType<typeof coreRun>, u: Unit): number {
  const t = acts[u.layer]!;
  if (t.shape.length === 4) {
    const [, , h, w] = t.shape as number[];
    return t.data[(u.channel * h! + u.y) * w! + u.x]!;
  }
  return t.data[u.y]!;
}

const picked = (page: Page) => propertyOf<Picked | null>(page, FIG, 'picked');

/** Waits until the 3D view has drawn a frame. */
const framesDrawn = (page: Page) =>
  page.waitForFunction(
    (tag) => (document.querySelector(tag) as unknown as Fig).view!.host.frames > 0,
    FIG,
  );

/** Picks the pad's first held-out digit and brings the figure on screen, drawn. */
async function showDigit(page: Page) {
  await page.locator('rf-digit-pad').scrollIntoViewIfNeeded();
  await page.waitForSelector('rf-model-compare[data-state="ready"]', { timeout: 30_000 });
  await page.locator('rf-digit-pad [data-action="next"]').click();
  // The comparison's answer for this digit (from the core: the lesson needs no runtime).
  await waitForModelCard(page, 'cnn', 'engine', 'core/cpu');
  await showFigure(page, FIG, 'drawn');
}

/** The lesson in a fresh guarded context, with the pad's first held-out digit shown in the figure. */
async function openWithDigit(options?: BrowserContextOptions) {
  const opened = await h.open(PATH, options);
  await showDigit(opened.page);
  return opened;
}

/** Moves focus to the figure's canvas the way a keyboard does: Tab from the last camera button. */
async function tabToCanvas(page: Page) {
  await page.locator(`${FIG} .toolbar button`).last().focus();
  await page.keyboard.press('Tab');
  assert.equal(await focusedIn(page, FIG), 'canvas');
}

/** Asserts that the figure's report of a unit is the core's: value and receptive field. */
function assertUnit(got: Picked, acts: ReturnType<typeof coreRun>) {
  const want = coreValue(acts, got);
  assert.ok(
    Math.abs(got.value - want) <= 1e-3 * Math.max(1, Math.abs(want)),
    `${JSON.stringify(got)}: value ${got.value} vs core ${want}`,
  );
  if (got.layer === 'input') {
    assert.deepEqual(got.field.size, [1, 1]);
    return;
  }
  const vector = acts[got.layer]!.shape.length === 2;
  const field = receptiveField(cnn, got.layer, vector ? { index: got.y } : { y: got.y, x: got.x });
  assert.deepEqual(got.field.size, field.size, `${got.layer}: field size`);
  assert.deepEqual(got.field.region, field.region, `${got.layer}: field region`);
  assert.equal(got.field.pixels, field.pixels);
}

const h = useHarness();

describe('the whole network in 3D (<rf-network-3d>)', () => {
  it('loads three.js only near the figure, then draws every layer the core computes for the digit', async () => {
    const { page, problems } = await h.newPage();
    // Every script the page fetches, with whether it holds three.js (which marks itself with
    // window.__THREE__ when it runs), in order.
    const scripts: { url: string; three: boolean }[] = [];
    page.on('response', async (res) => {
      if (res.request().resourceType() !== 'script') return;
      const body = await res.text().catch(() => '');
      scripts.push({ url: res.url(), three: body.includes('__THREE__') });
    });
    // Every URL the page's scripts fetch (recorded, then passed on unchanged): the comparison
    // and the 3D view share one download of each model file (@receptive/models' assets), so none
    // is fetched twice, whatever the browser's cache would have answered.
    await page.addInitScript(() => {
      const w = window as unknown as { __fetched: string[] };
      const real = window.fetch.bind(window);
      w.__fetched = [];
      window.fetch = (input, init) => {
        w.__fetched.push(input instanceof Request ? input.url : String(input));
        return real(input, init);
      };
    });
    await page.goto(PATH);
    await page.waitForLoadState('networkidle');
    const threeFetched = () => scripts.filter((s) => s.three).map((s) => s.url);
    assert.deepEqual(threeFetched(), [], 'no three.js on load');
    assert.equal(await page.evaluate(() => '__THREE__' in window), false);
    // Near the pad (the comparison and the feature maps wake) but not at the figure yet.
    await page.locator('rf-digit-pad').scrollIntoViewIfNeeded();
    await page.waitForSelector('rf-model-compare[data-state="ready"]', { timeout: 30_000 });
    await page.waitForLoadState('networkidle');
    assert.deepEqual(threeFetched(), [], 'no three.js before the figure is on screen');
    assert.equal(await propertyOf(page, FIG, 'view'), null);
    await showDigit(page);
    assert.ok(threeFetched().length >= 1, 'three.js loaded once the figure was on screen');
    assert.ok(
      scripts.some((s) => /scenes-3d/.test(s.url)),
      'the figure loaded its 3D chunk',
    );

    const acts = coreRun(0);
    const layers = (await propertyOf<Fig['layers']>(page, FIG, 'layers'))!;
    // Every feature-map layer of the core's forward pass, input first, with its shape.
    const maps = Object.entries(acts)
      .filter(([, t]) => t.shape.length === 4)
      .map(([name, t]) => ({ name, dims: [...t.shape] }));
    assert.deepEqual(
      layers.filter((l) => l.dims.length === 4).map((l) => ({ name: l.name, dims: l.dims })),
      maps,
    );
    // Then the linear layer and the softmax, named as the model card names them.
    const vectors = card.architecture.filter(
      (l: { kind: string }) => l.kind === 'linear' || l.kind === 'softmax',
    );
    assert.deepEqual(
      layers.filter((l) => l.dims.length === 2).map((l) => [l.name, l.kind, l.dims[1]]),
      vectors.map((l: { name: string; kind: string; outputShape: number[] }) => [
        l.name,
        l.kind === 'softmax' ? 'softmax' : 'dense',
        l.outputShape[0],
      ]),
    );
    // The 3D view draws those same layers, and has drawn them.
    const view = await page.evaluate((tag) => {
      const v = (document.querySelector(tag) as unknown as Fig).view!;
      return { layers: v.layers, backend: v.host.backend, frames: v.host.frames };
    }, FIG);
    assert.deepEqual(
      view.layers,
      layers.map((l) => l.name),
    );
    assert.equal(view.backend, 'webgl');
    assert.equal(await page.locator(FIG).getAttribute('data-backend'), 'webgl');
    await framesDrawn(page);
    await page.waitForLoadState('networkidle');
    const modelFiles = (
      await page.evaluate(() => (window as unknown as { __fetched: string[] }).__fetched)
    )
      .map((u) => new URL(u).pathname)
      .filter((p) => /\.(onnx|card\.json)$/.test(p) || /card[^/]*\.json$/.test(p));
    assert.ok(
      modelFiles.some((f) => /\/cnn[^/]*\.onnx$/.test(f)),
      `the CNN's file was fetched: ${modelFiles.join(', ')}`,
    );
    assert.deepEqual(
      modelFiles.filter((f, i) => modelFiles.indexOf(f) !== i),
      [],
      `a model file was fetched twice: ${modelFiles.join(', ')}`,
    );
    // One camera button per layer, and one for the whole network.
    const buttons = await page.locator(`${FIG} .toolbar button`).allTextContents();
    assert.deepEqual(buttons.slice(1), ['Input', ...layers.slice(1).map((l) => l.name)]);
    assert.deepEqual(problems, noProblems());
  });

  it("picks units by keyboard and reports the core's value and receptive field", async () => {
    const { page, problems } = await openWithDigit();
    const acts = coreRun(0);
    const names = (await page.evaluate(
      (tag) => (document.querySelector(tag) as unknown as Fig).layers!.map((l) => l.name),
      FIG,
    ))!;
    await tabToCanvas(page);
    // Focus picks a unit of the first layer after the input.
    const first = (await picked(page))!;
    assert.equal(first.layer, names[1]);
    assertUnit(first, acts);
    // Two layers on (comma and period change layer), two channels on, one row down, one left.
    await page.keyboard.press('.');
    await page.keyboard.press('.');
    const start = (await picked(page))!;
    assert.equal(start.layer, names[3]);
    await page.keyboard.press(']');
    await page.keyboard.press('PageDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowLeft');
    const got = (await picked(page))!;
    assert.deepEqual(
      { layer: got.layer, channel: got.channel, y: got.y, x: got.x },
      { layer: start.layer, channel: start.channel + 2, y: start.y + 1, x: start.x - 1 },
    );
    assertUnit(got, acts);
    // The readout says the same, counted from 1, and the live region says it once it rests.
    const readout = (await page.locator(`${FIG} .readout`).textContent()) ?? '';
    assert.ok(
      readout.startsWith(
        `${got.layer}, channel ${got.channel + 1}, row ${got.y + 1}, column ${got.x + 1}:`,
      ),
      readout,
    );
    assert.ok(
      readout.includes(
        `receptive field is ${got.field.size[0]} × ${got.field.size[1]} pixels: rows ${got.field.region.y0 + 1}–${got.field.region.y1 + 1}`,
      ),
      readout,
    );
    await page.waitForFunction((tag) => {
      const root = document.querySelector(tag)!.shadowRoot!;
      return (
        root.querySelector('[data-live]')!.textContent ===
        root.querySelector('.readout')!.textContent
      );
    }, FIG);
    // On to the softmax: each class sees all that the last feature map sees.
    for (let i = 3; i < names.length - 1; i++) await page.keyboard.press('.');
    const last = (await picked(page))!;
    assert.equal(last.layer, names.at(-1));
    assert.equal(last.kind, 'softmax');
    assertUnit(last, acts);
    // Back to the input: a pixel of the digit.
    for (let i = 0; i < names.length; i++) await page.keyboard.press(',');
    const pixel = (await picked(page))!;
    assert.equal(pixel.layer, 'input');
    assertUnit(pixel, acts);
    // Escape clears; rf-pick says so.
    await page.evaluate((tag) => {
      const w = window as unknown as { picks: unknown[] };
      w.picks = [];
      document
        .querySelector(tag)!
        .addEventListener('rf-pick', (e) => w.picks.push((e as CustomEvent).detail));
    }, FIG);
    await page.keyboard.press('Escape');
    assert.deepEqual(await page.evaluate(() => (window as unknown as { picks: unknown[] }).picks), [
      null,
    ]);
    assert.equal(await picked(page), null);
    assert.deepEqual(problems, noProblems());
  });

  it('picks a unit under the pointer, moves the camera per layer and jumps under reduced motion', async () => {
    const { page, problems } = await openWithDigit({ reducedMotion: 'reduce' });
    const acts = coreRun(0);
    // A camera button: pressed, and the camera is at that layer's preset at once (no tween).
    await page.locator(`${FIG} .toolbar button[data-preset="pool1"]`).click();
    const at = await page.evaluate((tag) => {
      const v = (document.querySelector(tag) as unknown as Fig).view!;
      return {
        preset: v.currentPreset,
        distance: v.presets.get('pool1')!.position.distanceTo(v.host.camera.position),
      };
    }, FIG);
    assert.equal(at.preset, 'pool1');
    assert.ok(at.distance < 1e-9, `camera ${at.distance} from the preset`);
    assert.equal(
      await page
        .locator(`${FIG} .toolbar button[data-preset="pool1"]`)
        .getAttribute('aria-pressed'),
      'true',
    );
    // Hover a unit of pool1 where the view draws it.
    const target = { layer: 'pool1', channel: 0, y: 6, x: 6 };
    await hoverUnit(page, FIG, target);
    await page.waitForFunction((tag) => {
      const p = (document.querySelector(tag) as unknown as Fig).picked;
      return p?.layer === 'pool1';
    }, FIG);
    const got = (await picked(page))!;
    assert.equal(got.y, target.y);
    assert.equal(got.x, target.x);
    assertUnit(got, acts);
    assert.deepEqual(problems, noProblems());
  });

  it('draws on a 2D canvas without WebGL, where the keys still pick units', async () => {
    const { page, problems } = await openWithoutWebGL(h, PATH);
    await showDigit(page);
    assert.equal(await page.locator(FIG).getAttribute('data-backend'), '2d');
    assert.equal(await page.locator(`${FIG} .toolbar`).isVisible(), false, 'no camera in 2D');
    await framesDrawn(page);
    const colours = await sampledColours(
      await page.evaluateHandle(
        (tag) => (document.querySelector(tag) as unknown as Fig).view!.host.canvas,
        FIG,
      ),
    );
    assert.ok(colours > 5, `${colours} colours on the 2D canvas`);
    await page.evaluate(
      (tag) => (document.querySelector(tag) as unknown as Fig).view!.host.canvas.focus(),
      FIG,
    );
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('.');
    const got = (await picked(page))!;
    assertUnit(got, coreRun(0));
    assert.deepEqual(problems, noProblems());
  });

  it('picks by keyboard on the canvas the host swaps in after a lost GPU device', async () => {
    const { page, problems } = await openWithDigit();
    await framesDrawn(page);
    const canvasOf = () =>
      page.evaluateHandle(
        (tag) => (document.querySelector(tag) as unknown as Fig).view!.host.canvas,
        FIG,
      );
    const before = await canvasOf();
    // The host's own recovery from a lost WebGPU device, started by hand (headless Chromium has
    // no WebGPU that reaches the screen): the renderer goes and a fresh canvas takes its place.
    await page.evaluate(
      (tag) =>
        (
          (document.querySelector(tag) as unknown as Fig).view!.host as unknown as {
            fallBack(reason: string): Promise<void>;
          }
        ).fallBack('test'),
      FIG,
    );
    const after = await canvasOf();
    assert.equal(await after.evaluate((c, old) => c !== old, before), true, 'a new canvas');
    assert.deepEqual(
      await after.evaluate((c) => [
        (c as HTMLCanvasElement).isConnected,
        (c as HTMLCanvasElement).tabIndex,
        (c as HTMLCanvasElement).getAttribute('role'),
      ]),
      [true, 0, 'application'],
    );
    await tabToCanvas(page);
    await page.keyboard.press('ArrowRight');
    const got = (await picked(page))!;
    assert.equal(got.layer, 'conv1');
    assertUnit(got, coreRun(0));
    assert.deepEqual(problems, noProblems());
  });

  it('says when the comparison does not run its model, and has no serious accessibility violations', async () => {
    const { page, problems } = await openWithDigit();
    await tabToCanvas(page);
    await assertNoSeriousViolations(page);
    await page.evaluate(
      (tag) => document.querySelector(tag)!.setAttribute('model', 'cnn-blurpool'),
      FIG,
    );
    const status = page.locator(`${FIG} .status`);
    await page.waitForFunction(
      (tag) => !!document.querySelector(tag)!.shadowRoot!.querySelector('.status')!.textContent,
      FIG,
    );
    assert.match(
      (await status.textContent()) ?? '',
      /does not run the cnn-blurpool model: add it to its models/,
    );
    assert.deepEqual(problems, noProblems());
  });

  it("without JavaScript, shows every layer's shape from the model card", async () => {
    const { page, problems } = await h.open(PATH, { javaScriptEnabled: false });
    assert.deepEqual(
      await shapeTableRows(page, FIG),
      card.architecture.map((l: { name: string; outputShape: number[] }) => [
        l.name,
        l.outputShape.join(' × '),
      ]),
    );
    assert.deepEqual(problems, noProblems());
  });
});
