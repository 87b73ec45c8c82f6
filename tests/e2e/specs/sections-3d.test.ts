import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { conv2d, layers, relu, sequential, tensor } from '@receptive/core';
import type { ConvLayer3dDrawn } from '@receptive/widgets';
import type { Page } from 'playwright-core';
import { assertNoSeriousViolations } from '../lib/axe.ts';
import { openWithoutWebGL, sampledColours } from '../lib/canvas.ts';
import {
  focusedIn,
  hoverUnit,
  propertyOf,
  scrollToStep,
  waitForAttribute,
} from '../lib/figures.ts';
import { noProblems } from '../lib/guard.ts';
import { type OpenedPage, useHarness } from '../lib/harness.ts';
import { cellsSeen, poolingNet } from '../lib/lecture.ts';
import { scrollThrough, scrollThroughSteps } from '../lib/scroll.ts';

// Sections 3 and 4 as scrollytelling: the 3D convolution-layer figure (three.js loaded lazily)
// and the pooling figure, each driven by its steps. Every expected number is computed here by
// @receptive/core, never read back from the page's own code.

const PATH = '/lessons/convolution-layers/';
const FIG = 'rf-conv-layer-3d';
// The scroll steps of section 3 and what each sets.
const CONV_STEPS: Record<string, { k: number; d: number; unit: string | null }> = {
  one: { k: 1, d: 1, unit: null },
  three: { k: 3, d: 1, unit: '2,2,3' },
  depth: { k: 3, d: 2, unit: '1,3,3' },
};
// The scroll steps of section 4 and the unit each traces.
const POOL_STEPS: Record<string, string> = {
  block: 'pool1,6,7',
  sixteen: 'pool1,8,6',
  again: 'pool2,3,3',
  whole: 'pool2,4,3',
};

type Fig = HTMLElement & {
  drawn: ConvLayer3dDrawn | null;
  filters: number;
  channels: number;
  unit: { filter: number; y: number; x: number } | null;
  data: {
    input: number[];
    weights: number[];
    biases: number[];
    preactivation: number[];
    output: number[];
    inputShape: number[];
  };
  unitPosition(u: { filter: number; y: number; x: number }): { x: number; y: number } | null;
  view: {
    host: { canvas: HTMLCanvasElement; renderer: unknown; fallBack(reason: string): Promise<void> };
  } | null;
};

/** What the core says a layer of k filters on d x 7 x 7 looks like. */
function coreLayer(k: number, d: number) {
  const net = sequential([layers.conv2d({ filters: k, kernel: 3 }), layers.relu()], {
    inputShape: [d, 7, 7],
  });
  return {
    output: (net.outputShape as number[]).join(' × '),
    parameters: net.parameterCount(),
    weights: k * d * 9,
    biases: net.parameterCount() - k * d * 9,
  };
}

const drawn = (page: Page) => propertyOf<Fig['drawn']>(page, FIG, 'drawn');
const cell = (page: Page, key: string) =>
  page.locator(`${FIG} .stage ~ table [data-shape="${key}"]`).textContent();

/** The figure's 3D canvas, as a handle in the page. */
const canvasOf = (page: Page) =>
  page.evaluateHandle(
    (tag) => (document.querySelector(tag) as unknown as Fig).view!.host.canvas,
    FIG,
  );

const unitOf = (page: Page) => propertyOf<Fig['unit']>(page, FIG, 'unit');

const figureReady = (page: Page) =>
  waitForAttribute(page, FIG, 'data-state', 'ready', { timeout: 20_000 });

/** Waits until the figure has drawn a frame. */
const framesDrawn = (page: Page) =>
  page.waitForFunction(
    (tag) => (document.querySelector(tag) as unknown as Fig).drawn!.frames > 0,
    FIG,
  );

/** Types into one of the figure's number inputs (k or d). */
async function setCount(page: Page, name: 'k' | 'd', value: string) {
  const input = page.locator(`${FIG} input[name="${name}"]`);
  await input.focus();
  await page.keyboard.press('Control+a');
  await page.keyboard.type(value);
}

/** Types `k` and `d` into the figure's inputs and checks the layer it then draws. */
async function setLayer(page: Page, k: number, d: number) {
  await setCount(page, 'k', String(k));
  await setCount(page, 'd', String(d));
  await assertLayer(page, k, d);
}

async function assertLayer(page: Page, k: number, d: number) {
  const want = coreLayer(k, d);
  await page.waitForFunction(
    ([tag, k, d]) => {
      const s = (document.querySelector(tag as string) as unknown as Fig).drawn;
      return s?.outputSlices === k && s.inputChannels === d;
    },
    [FIG, k, d] as const,
  );
  assert.equal(await cell(page, 'output'), want.output, `k=${k} d=${d}: output shape`);
  assert.equal(await cell(page, 'input'), `${d} × 7 × 7`);
  assert.equal(await cell(page, 'filters'), `${k} × ${d} × 3 × 3`);
  assert.equal(
    await cell(page, 'parameters'),
    `${want.weights.toLocaleString('en-US')} + ${want.biases} = ${want.parameters.toLocaleString('en-US')}`,
  );
  const s = (await drawn(page))!;
  assert.deepEqual(
    [s.inputChannels, s.filters, s.filterChannels, s.outputSlices, s.outputRows, s.outputColumns],
    [d, k, d, k, 5, 5],
    `k=${k} d=${d}: the stacks drawn`,
  );
  const sentence = await page.locator(`${FIG} .sentence`).textContent();
  assert.ok(sentence?.startsWith(`Output ${want.output}:`), sentence ?? '');
  assert.match(sentence ?? '', new RegExp(`${want.parameters.toLocaleString('en-US')} parameters`));
}

/** How much of each channel plane shows, and the labels over the figure. */
interface Seen {
  planes: { name: string; channel: number; shown: number }[];
  labels: {
    text: string;
    size: number;
    left: number;
    top: number;
    right: number;
    bottom: number;
  }[];
  width: number;
  height: number;
}

/**
 * Measures the exploded layer as the camera sees it: for every channel plane of the input, of
 * each filter and of the output, the share of its texel centres that no plane nearer the camera
 * covers on screen; and the HTML labels' text size and boxes (CSS pixels, from the stage).
 */
function seen(page: Page): Promise<Seen> {
  return page.evaluate((tag) => {
    type V = {
      x: number;
      y: number;
      clone(): V;
      project(c: unknown): V;
      distanceTo(v: V): number;
    };
    type S = {
      name: string;
      channels: number;
      rows: number;
      columns: number;
      position: V;
      texelCenter(c: number, y: number, x: number, t: V): V;
      regionCorner(y0: number, y1: number, x0: number, x1: number, c: number, k: number, t: V): V;
    };
    const fig = document.querySelector(tag) as unknown as {
      shadowRoot: ShadowRoot;
      view: {
        input: S;
        filters: S[];
        output: S;
        host: { camera: { position: V; updateMatrixWorld(): void }; container: HTMLElement };
      };
    };
    const v = fig.view;
    const cam = v.host.camera;
    cam.updateMatrixWorld();
    const planes = [v.input, ...v.filters, v.output].flatMap((s) =>
      Array.from({ length: s.channels }, (_, c) => {
        const quad = [0, 1, 2, 3].map((k) =>
          s.regionCorner(0, s.rows - 1, 0, s.columns - 1, c, k, s.position.clone()).project(cam),
        );
        const centre = s.texelCenter(c, s.rows / 2, s.columns / 2, s.position.clone());
        return { s, c, quad, depth: centre.distanceTo(cam.position) };
      }),
    );
    const inside = (p: V, q: V[]) => {
      let sign = 0;
      for (let i = 0; i < 4; i++) {
        const a = q[i]!;
        const b = q[(i + 1) % 4]!;
        const cross = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
        if (Math.abs(cross) < 1e-12) continue;
        if (sign === 0) sign = Math.sign(cross);
        else if (Math.sign(cross) !== sign) return false;
      }
      return true;
    };
    const shown = planes.map((p) => {
      let free = 0;
      for (let y = 0; y < p.s.rows; y++) {
        for (let x = 0; x < p.s.columns; x++) {
          const at = p.s.texelCenter(p.c, y, x, p.s.position.clone()).project(cam);
          if (!planes.some((o) => o !== p && o.depth < p.depth && inside(at, o.quad))) free++;
        }
      }
      return { name: p.s.name, channel: p.c, shown: free / (p.s.rows * p.s.columns) };
    });
    const stage = v.host.container.getBoundingClientRect();
    const labels = [...fig.shadowRoot.querySelectorAll<HTMLElement>('.rf-label')].map((l) => {
      const r = l.getBoundingClientRect();
      return {
        text: [...l.children].map((line) => line.textContent).join(' '),
        size: Number.parseFloat(getComputedStyle(l).fontSize),
        left: r.left - stage.left,
        top: r.top - stage.top,
        right: r.right - stage.left,
        bottom: r.bottom - stage.top,
      };
    });
    return { planes: shown, labels, width: stage.width, height: stage.height };
  }, FIG);
}

const h = useHarness();

/**
 * Opens the lesson (by `open`, else a plain `h.open(PATH)`) at its last step, which leaves
 * k and d to the reader, once the figure is ready.
 */
async function openAtFreeStep(open = () => h.open(PATH)): Promise<OpenedPage> {
  const opened = await open();
  await scrollToStep(opened.page, 'free');
  await figureReady(opened.page);
  return opened;
}

describe('sections 3 and 4 as scrollytelling, with the 3D convolution layer', () => {
  it('loads three.js only near the figure, then draws the layer the core computes for each k and d', async () => {
    // A short window, so that the figure starts well below the fold.
    const { page, problems } = await h.newPage({ viewport: { width: 1280, height: 500 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(PATH);
    await page.waitForLoadState('networkidle');
    const heavy = () => requests.filter((u) => /scenes-3d|three/.test(u));
    assert.deepEqual(heavy(), [], 'no three.js before scrolling');
    // The element's own code may be defined by now (it is small); its 3D view is not.
    assert.equal((await drawn(page)) ?? null, null);
    // The fallback table is there from the start (no JavaScript needed for the shapes).
    assert.equal(
      await page.locator(`${FIG} .rf-fallback [data-shape="output"]`).textContent(),
      '1 × 5 × 5',
    );
    await page.locator('rf-scrolly').first().scrollIntoViewIfNeeded();
    await figureReady(page);
    assert.ok(heavy().length >= 1, 'the 3D code loaded once near');
    assert.equal((await drawn(page))!.backend, 'webgl');
    assert.ok((await drawn(page))!.frames > 0, 'it rendered');
    // It shows what the active step asks for.
    const state = (await page.locator('rf-scrolly').first().getAttribute('data-state'))!;
    const want = CONV_STEPS[state];
    if (want) await assertLayer(page, want.k, want.d);

    // On to the last step, which leaves k and d to the reader, in a laptop-sized window.
    await page.setViewportSize({ width: 1280, height: 800 });
    await scrollToStep(page, 'free');
    await waitForAttribute(page, 'rf-scrolly', 'data-state', 'free');
    for (const [k, d] of [
      [4, 1],
      [4, 3],
      [8, 8],
      [2, 5],
    ] as const) {
      await setLayer(page, k, d);
    }
    // Out of range: said so, and the layer stays as it was.
    await setCount(page, 'k', '9');
    assert.equal(await page.locator(`${FIG} input[name="k"]`).getAttribute('aria-invalid'), 'true');
    assert.equal(
      await page.locator(`${FIG} .error`).textContent(),
      'k must be a whole number from 1 to 8.',
    );
    await assertLayer(page, 2, 5);
    assert.deepEqual(problems, noProblems());
  });

  it("picks an output unit by pointer and by keyboard: the window it reads and the core's value", async () => {
    const { page, problems } = await openAtFreeStep();
    await setLayer(page, 3, 2);
    // The core's own convolution of the figure's input with its weights and biases.
    const data = await page.evaluate((tag) => {
      const d = (document.querySelector(tag) as unknown as Fig).data;
      return {
        input: Array.from(d.input),
        weights: Array.from(d.weights),
        biases: Array.from(d.biases),
      };
    }, FIG);
    const out = relu(
      conv2d(
        tensor(Float32Array.from(data.input), [1, 2, 7, 7]),
        tensor(Float32Array.from(data.weights), [3, 2, 3, 3]),
        tensor(Float32Array.from(data.biases), [3]),
      ),
    ).data;
    const at = (f: number, y: number, x: number) => out[(f * 5 + y) * 5 + x]!;

    // Pointer: hover the unit's centre on the canvas.
    const target = { filter: 0, y: 2, x: 3 };
    await hoverUnit(page, FIG, target);
    await page.waitForFunction(
      (tag) => (document.querySelector(tag) as unknown as Fig).unit !== null,
      FIG,
    );
    assert.deepEqual(await unitOf(page), target);

    // Keyboard: Tab from the d input to the canvas, then arrows and ] move the unit.
    await page.locator(`${FIG} input[name="d"]`).focus();
    await page.keyboard.press('Tab');
    assert.equal(await focusedIn(page, FIG), 'canvas');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press(']');
    await page.keyboard.press('ArrowRight');
    assert.deepEqual(await unitOf(page), { filter: 1, y: 3, x: 1 });
    const readout = (await page.locator(`${FIG} .readout`).textContent()) ?? '';
    assert.match(readout, /^Filter 2, row 4, column 2: it reads the 2 × 3 × 3 window of rows 4–6/);
    const relued = Number(/after ReLU (\d+(?:\.\d+)?)/.exec(readout)?.[1]);
    assert.ok(Math.abs(relued - at(1, 3, 1)) < 0.006, `${relued} vs core ${at(1, 3, 1)}`);
    await page.keyboard.press('Escape');
    assert.equal(await unitOf(page), null);
    assert.deepEqual(problems, noProblems());
  });

  it('draws on a 2D canvas when the browser has no WebGL, and still follows k and d', async () => {
    const { page, problems } = await openAtFreeStep(() => openWithoutWebGL(h, PATH));
    assert.equal((await drawn(page))!.backend, '2d');
    await setLayer(page, 5, 3);
    await framesDrawn(page);
    // The 2D canvas is not blank: more than one colour on it.
    const colours = await sampledColours(
      await page.evaluateHandle(
        (tag) => document.querySelector(tag)!.shadowRoot!.querySelector('canvas')!,
        FIG,
      ),
    );
    assert.ok(colours > 5, `${colours} colours on the 2D canvas`);
    // Hovering picks units on the 2D canvas too: the last filter's bottom-right unit, then a
    // unit of the first filter.
    for (const u of [
      { filter: 4, y: 4, x: 4 },
      { filter: 0, y: 1, x: 2 },
    ]) {
      // Where the unit is drawn is read again before each try: on a busy machine the pinned
      // figure can still be settling when the first position is taken.
      let picked = false;
      for (let attempt = 0; attempt < 10 && !picked; attempt++) {
        // Away first, so that a position the pointer already rests on is entered again.
        if (attempt > 0) await page.mouse.move(0, 0);
        await hoverUnit(page, FIG, u);
        picked = await page
          .waitForFunction(
            ([tag, f, y, x]) => {
              const v = (document.querySelector(tag as string) as unknown as Fig).unit;
              return v?.filter === f && v.y === y && v.x === x;
            },
            [FIG, u.filter, u.y, u.x] as const,
            { timeout: 2000 },
          )
          .then(
            () => true,
            () => false,
          );
      }
      assert.ok(picked, `hovering picks ${JSON.stringify(u)} on the 2D canvas`);
    }
    assert.match(
      (await page.locator(`${FIG} .readout`).textContent()) ?? '',
      /^Filter 1, row 2, column 3: it reads the 3 × 3 × 3 window/,
    );
    assert.deepEqual(problems, noProblems());
  });

  it('announces the unit the pointer rests on once, from a live region apart from the readout', async () => {
    const { page, problems } = await openAtFreeStep();
    await setCount(page, 'k', '2');
    await assertLayer(page, 2, 1);
    assert.equal(await page.locator(`${FIG} .readout`).getAttribute('aria-live'), null);
    const live = page.locator(`${FIG} [data-live]`);
    assert.equal(await live.getAttribute('aria-live'), 'polite');
    // Let what the scroll steps traced be said first.
    await page.waitForTimeout(700);
    // Count what the live region says while the pointer crosses a row of units.
    await live.evaluate((el) => {
      const w = window as unknown as { said: string[] };
      w.said = [];
      new MutationObserver(() => w.said.push(el.textContent ?? '')).observe(el, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    for (let x = 0; x < 5; x++) await hoverUnit(page, FIG, { filter: 0, y: 2, x });
    assert.deepEqual(await unitOf(page), { filter: 0, y: 2, x: 4 });
    await page.waitForFunction(() => (window as unknown as { said: string[] }).said.length > 0);
    await page.waitForTimeout(700);
    const said = await page.evaluate(() => (window as unknown as { said: string[] }).said);
    assert.equal(said.length, 1, `said once: ${JSON.stringify(said)}`);
    assert.equal(said[0], await page.locator(`${FIG} .readout`).textContent());
    assert.match(said[0]!, /^Filter 1, row 3, column 5:/);
    assert.deepEqual(problems, noProblems());
  });

  it('keeps the unit attribute whatever the order of the attributes, and says when fewer filters drop it', async () => {
    const { page, problems } = await openAtFreeStep();
    await setCount(page, 'k', '3');
    await assertLayer(page, 3, 1);
    // A unit of the fifth filter, set before the filters that make it exist.
    const unit = await page.evaluate(async (tag) => {
      const fig = document.querySelector(tag)!;
      fig.setAttribute('unit', '5,1,2');
      fig.setAttribute('channels', '2');
      fig.setAttribute('filters', '5');
      await Promise.resolve();
      return (fig as unknown as Fig).unit;
    }, FIG);
    assert.deepEqual(unit, { filter: 4, y: 0, x: 1 });
    assert.equal(await page.locator(FIG).getAttribute('data-unit'), '5,1,2');
    // Fewer filters than the traced one: the unit is gone, and rf-unit says so.
    const events = await page.evaluate((tag) => {
      const fig = document.querySelector(tag)!;
      const seen: unknown[] = [];
      fig.addEventListener('rf-unit', (e) => seen.push((e as CustomEvent).detail));
      (fig as unknown as Fig).filters = 2;
      return seen;
    }, FIG);
    assert.deepEqual(events, [null]);
    assert.equal(await unitOf(page), null);
    assert.equal(await page.locator(FIG).getAttribute('data-unit'), null);
    assert.deepEqual(problems, noProblems());
  });

  it('frees its WebGL context when removed, keeps it when moved, and rebuilds when added again', async () => {
    const { page, problems } = await openAtFreeStep();
    const lost = (canvas: Awaited<ReturnType<typeof canvasOf>>) =>
      canvas.evaluate((c) => (c as HTMLCanvasElement).getContext('webgl2')!.isContextLost());
    const first = await canvasOf(page);
    assert.equal(await lost(first), false);
    // Moved (removed and put back in one task): the same view and context.
    const kept = await page.evaluate(async (tag) => {
      const fig = document.querySelector(tag) as unknown as Fig & HTMLElement;
      const view = fig.view;
      const parent = fig.parentElement!;
      const next = fig.nextSibling;
      fig.remove();
      parent.insertBefore(fig, next);
      await new Promise((r) => setTimeout(r, 50));
      return fig.view === view && fig.dataset['state'] === 'ready';
    }, FIG);
    assert.ok(kept, 'a moved figure keeps its view');
    assert.equal(await lost(first), false);
    // Removed: the view is disposed, its canvas gone and its context lost.
    const removed = await page.evaluate(async (tag) => {
      const fig = document.querySelector(tag) as unknown as Fig & HTMLElement;
      const w = window as unknown as { fig: HTMLElement; at: [Node, Node | null] };
      w.at = [fig.parentElement!, fig.nextSibling];
      w.fig = fig;
      fig.remove();
      await Promise.resolve();
      await Promise.resolve();
      return { view: fig.view, state: fig.dataset['state'] ?? null };
    }, FIG);
    assert.deepEqual(removed, { view: null, state: null });
    assert.equal(await lost(first), true, 'the WebGL context is released');
    assert.equal(await first.evaluate((c) => (c as HTMLCanvasElement).isConnected), false);
    // Added again: a new view on a new canvas, drawing the same layer.
    await page.evaluate(() => {
      const w = window as unknown as { fig: HTMLElement; at: [Node, Node | null] };
      w.at[0].insertBefore(w.fig, w.at[1]);
    });
    await figureReady(page);
    const second = await canvasOf(page);
    assert.equal(await second.evaluate((c, old) => c !== old, first), true);
    assert.equal(await lost(second), false);
    await framesDrawn(page);
    assert.deepEqual(problems, noProblems());
  });

  it('wires the canvas the host swaps in after a lost GPU device: focus, keys and hover still work', async () => {
    const { page, problems } = await openAtFreeStep();
    const before = await canvasOf(page);
    // The host's own recovery when a WebGPU device is lost (headless Chromium has no WebGPU
    // that reaches the screen, so the test starts it): the renderer goes, a fresh canvas
    // takes the old one's place and WebGL2 starts on it.
    await page.evaluate(
      (tag) => (document.querySelector(tag) as unknown as Fig).view!.host.fallBack('test'),
      FIG,
    );
    const after = await canvasOf(page);
    assert.equal(await after.evaluate((c, old) => c !== old, before), true, 'a new canvas');
    assert.deepEqual(
      await after.evaluate((c) => {
        const canvas = c as HTMLCanvasElement;
        return [canvas.isConnected, canvas.tabIndex, canvas.getAttribute('role')];
      }),
      [true, 0, 'application'],
    );
    await page.evaluate((tag) => {
      (document.querySelector(tag) as unknown as Fig).unit = null;
    }, FIG);
    await page.locator(`${FIG} input[name="d"]`).focus();
    await page.keyboard.press('Tab');
    assert.equal(
      await page.evaluate(
        (tag) =>
          document.querySelector(tag)!.shadowRoot!.activeElement ===
          (document.querySelector(tag) as unknown as Fig).view!.host.canvas,
        FIG,
      ),
      true,
    );
    await page.keyboard.press('ArrowRight');
    assert.deepEqual(await unitOf(page), { filter: 0, y: 0, x: 1 });
    await framesDrawn(page);
    const target = { filter: 0, y: 3, x: 2 };
    await hoverUnit(page, FIG, target);
    await page.waitForFunction(
      (tag) => (document.querySelector(tag) as unknown as Fig).unit?.y === 3,
      FIG,
    );
    assert.deepEqual(await unitOf(page), target);
    assert.deepEqual(problems, noProblems());
  });

  it('fans out every channel of the input, of each filter and of the output, and names the parts in 12 px text', async (t) => {
    for (const viewport of [
      { width: 1280, height: 800 },
      { width: 390, height: 844 },
    ]) {
      const { page, problems } = await openAtFreeStep(() => h.open(PATH, { viewport }));
      for (const [k, d] of [
        [3, 2],
        [2, 3],
      ] as const) {
        await setLayer(page, k, d);
        await framesDrawn(page);
        const got = await seen(page);
        const where = `${viewport.width}x${viewport.height}, k=${k} d=${d}`;
        assert.equal(got.planes.length, d + k * d + k, `${where}: every plane measured`);
        const least = Math.min(...got.planes.map((p) => p.shown));
        t.diagnostic(`${where}: the least-seen channel plane shows ${(least * 100).toFixed(0)}%`);
        for (const p of got.planes) {
          assert.ok(p.shown >= 0.6, `${where}: ${p.name} channel ${p.channel} shows ${p.shown}`);
        }
        assert.deepEqual(
          got.labels.map((l) => l.text.split(' ')[0]),
          ['input', String(k), 'output'],
        );
        for (const l of got.labels) {
          assert.ok(l.size >= 12, `${where}: "${l.text}" is ${l.size}px`);
          assert.ok(
            l.left >= 0 && l.top >= 0 && l.right <= got.width && l.bottom <= got.height,
            `${where}: "${l.text}" leaves the figure`,
          );
        }
        for (const [i, a] of got.labels.entries()) {
          for (const b of got.labels.slice(i + 1)) {
            const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
            const hh = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
            assert.ok(w <= 0.5 || hh <= 0.5, `${where}: "${a.text}" overlaps "${b.text}"`);
          }
        }
      }
      // Both colour keys, ink for the maps and the diverging scale for the weights.
      assert.deepEqual(
        await page
          .locator(`${FIG} .keys .color-key`)
          .evaluateAll((ks) => ks.map((k) => (k as HTMLElement).dataset['map'])),
        ['ink', 'diverging'],
      );
      assert.deepEqual(problems, noProblems());
    }
  });

  it('scroll steps drive the 3D figure in section 3', async () => {
    const { page, problems } = await h.open(PATH);
    const scrolly = page.locator('rf-scrolly').first();
    const seen = await scrollThroughSteps(page, scrolly, async (state) => {
      const want = CONV_STEPS[state];
      if (!want) return;
      await figureReady(page);
      await assertLayer(page, want.k, want.d);
      const unit = await page.locator(FIG).getAttribute('data-unit');
      assert.equal(unit, want.unit, `${state}: traced unit`);
    });
    assert.deepEqual(seen, ['one', 'three', 'depth', 'free']);
    assert.deepEqual(problems, noProblems());
  });

  it('scroll steps drive the pooling figure in section 4: 16 pixels, then more, then all', async () => {
    const { page, problems } = await h.open('/lessons/pooling/');
    const net = poolingNet();
    const seen = await scrollThroughSteps(page, page.locator('rf-scrolly'), async (state) => {
      const [layer, row, col] = POOL_STEPS[state]!.split(',');
      const y = Number(row) - 1;
      const x = Number(col) - 1;
      await page.waitForFunction(
        ([l, y, x]) => {
          const t = (
            document.querySelector('rf-pooling') as unknown as {
              traced: { layer: string; y: number; x: number } | null;
            }
          )?.traced;
          return (
            t?.layer === l &&
            t?.y === y &&
            t?.x === x &&
            document.querySelector('rf-pooling')!.shadowRoot!.querySelector('.current') !== null
          );
        },
        [layer, y, x] as const,
      );
      const pixels = cellsSeen(net, layer!, { y, x }).length;
      const lit = await page.locator('rf-pooling [data-layer="input"].lit').count();
      assert.equal(lit, pixels, `${state}: input pixels lit`);
      if (layer === 'pool1') assert.equal(lit, 16);
      assert.match(
        (await page.locator('rf-pooling .count').textContent()) ?? '',
        new RegExp(`<?${pixels}>? digit pixels|${pixels} digit pixels`),
      );
    });
    assert.deepEqual(seen, Object.keys(POOL_STEPS));
    // The last step: one unit of a 6 x 6 image sees all 36 pixels, traced at build time.
    const whole = page.locator(
      '[data-step][data-state="whole"] [data-rf-chain="6"] tr[data-whole="true"]',
    );
    assert.equal(await whole.getAttribute('data-pixels'), '36');
    assert.deepEqual(problems, noProblems());
  });

  it('the pinned figures fit a laptop screen, and phones get the figure then the text', async () => {
    for (const [path, state] of [
      [PATH, 'depth'],
      ['/lessons/pooling/', 'sixteen'],
    ] as const) {
      const { page, problems } = await h.open(path, { viewport: { width: 1280, height: 800 } });
      await scrollToStep(page, state);
      await page.waitForTimeout(400);
      const box = (await page.locator('rf-scrolly > [slot="figure"]').first().boundingBox())!;
      assert.ok(
        box.y >= 0 && box.y + box.height <= 800,
        `${path}: figure ${JSON.stringify(box)} fits 800px`,
      );
      const steps = (await page.locator('[data-scrolly-steps]').first().boundingBox())!;
      assert.ok(box.x > steps.x, `${path}: figure beside the text on a laptop`);
      assert.deepEqual(problems, noProblems());

      const phone = await h.open(path, {
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
      });
      const p = phone.page;
      const fig = (await p.locator('rf-scrolly > [slot="figure"]').first().boundingBox())!;
      const text = (await p.locator('[data-scrolly-steps]').first().boundingBox())!;
      assert.ok(fig.y < text.y, `${path}: figure before the text on a phone`);
      assert.ok(fig.width <= 390, `${path}: figure ${fig.width}px wide`);
      const overflow = await p.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.equal(overflow, 0, `${path}: no sideways scrolling on a phone`);
      assert.deepEqual(phone.problems, noProblems());
    }
  });

  it('has no serious accessibility violations with the 3D figure and the pooling figure live', async () => {
    for (const path of [PATH, '/lessons/pooling/']) {
      const { page, problems } = await h.open(path);
      await scrollThrough(page, async () => {}, 700);
      if (path === PATH) await figureReady(page);
      await assertNoSeriousViolations(page, path);
      assert.deepEqual(problems, noProblems(), path);
    }
  });
});
