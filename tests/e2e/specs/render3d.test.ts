import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type * as R3D from '@receptive/render3d';
import { THEME } from '@receptive/render3d';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { assertNoSeriousViolations } from '../lib/axe.ts';
import { openWithoutWebGL } from '../lib/canvas.ts';
import { noProblems } from '../lib/guard.ts';
import { type Harness, SCREENSHOT_DIR, useHarness } from '../lib/harness.ts';
import {
  colorDistance,
  colorsAt,
  imageStats,
  meanDifference,
  rgb,
} from '../lib/render3d/pixels.ts';
import { loseWebGLContext } from '../lib/render3d/webgl-loss.ts';

// The package's example page, built by its `build` script (turbo builds it before e2e).
const require = createRequire(import.meta.url);
const PACKAGE_DIR = fileURLToPath(
  new URL('.', `file://${require.resolve('@receptive/render3d/package.json')}`),
);
const EXAMPLE_DIST = `${PACKAGE_DIR}example/dist/`;
const BACKGROUND = rgb(THEME.background);

/** What the playground page puts on window. */
interface Playground {
  render3d: typeof R3D;
  synthetic: {
    digit(d: number, seed?: number): Float32Array;
    lessonActivations(input: Float32Array): R3D.LayerActivation[];
    trace(layer: string, y: number, x: number): R3D.TracedRegion[];
  };
  view?: R3D.NetworkView;
  cursor?: R3D.UnitCursor;
  picks: (R3D.PickDetail | null)[];
  hovers: (R3D.PickDetail | null)[];
}

/** Opens the playground with one empty `#stage` of `width` x `height` CSS pixels at the top left. */
async function playground(page: Page, width: number, height: number) {
  await page.goto('/playground.html');
  await page.waitForFunction(
    () => (window as unknown as { playgroundReady?: boolean }).playgroundReady,
  );
  await page.evaluate(
    ([w, h]) => {
      document.body.innerHTML = `<div id="stage" style="position:fixed;left:0;top:0;width:${w}px;height:${h}px"></div>`;
    },
    [width, height],
  );
}

/**
 * Builds the lesson CNN's NetworkView on the stage, seeded digit 3, with a UnitCursor that
 * outlines and says each unit (as the example page wires it), and waits for a frame.
 */
async function lessonView(page: Page, preset = 'front', backend: R3D.BackendRequest = 'webgl') {
  await page.evaluate(
    async ({ preset, backend }) => {
      const w = window as unknown as Playground;
      const layers = w.synthetic.lessonActivations(w.synthetic.digit(3));
      w.view = new w.render3d.NetworkView(document.getElementById('stage')!, {
        layers,
        preset,
        maxPixelRatio: 1,
        backend,
        // The cursor follows a canvas the host swaps in.
        onCanvas: (canvas) => w.cursor?.connect(canvas),
      });
      const view = w.view;
      w.picks = [];
      w.hovers = [];
      w.cursor = new w.render3d.UnitCursor(view, {
        announce: (unit, picked) => `${picked ? 'Picked ' : ''}${view.describeUnit(unit)}`,
      }).connect(view.host.canvas);
      const outline = (unit: R3D.CursorUnit | null) =>
        view.highlight(unit && view.stack(unit.layer) ? unit : null);
      w.cursor.addEventListener('pick', (e) => {
        const { unit } = (e as R3D.CursorEvent).detail;
        outline(unit);
        w.picks.push(view.unitDetail(unit));
      });
      w.cursor.addEventListener('hover', (e) => {
        const { unit } = (e as R3D.CursorEvent).detail;
        outline(unit);
        w.hovers.push(view.unitDetail(unit));
      });
      await w.view.host.ready;
    },
    { preset, backend },
  );
  await framesAtLeast(page, 1);
}

/**
 * A fresh guarded context of `harness` with the playground on a `width` x `height` stage and the
 * lesson CNN's view in it at `preset` (see {@link lessonView}).
 */
async function openLessonView(
  harness: Harness,
  [width, height]: [number, number],
  preset: string,
  options?: BrowserContextOptions,
) {
  const opened = await harness.newPage(options);
  await playground(opened.page, width, height);
  await lessonView(opened.page, preset);
  return opened;
}

/**
 * Draws a 2x2 map, 1 unit per texel, seen head-on from 4 units, on `backend`, and checks the
 * colours at each texel's centre: 39.7 px from the canvas centre (0.5 / (2 * 4 * tan 17.5deg) *
 * 200). Returns what drew it.
 */
async function knownColours(page: Page, backend: R3D.BackendRequest) {
  await playground(page, 200, 200);
  const show = (values: number[]) =>
    page.evaluate(
      async ({ values, backend }) => {
        const { render3d } = window as unknown as Playground;
        document.getElementById('stage')!.replaceChildren();
        const host = new render3d.SceneHost(document.getElementById('stage')!, {
          label: 'known tensor',
          maxPixelRatio: 1,
          backend,
        });
        await host.ready;
        const stack = new render3d.FeatureMapStack({
          shape: [1, 2, 2],
          data: new Float32Array(values),
          texel: 1,
          legend: false,
        });
        host.scene.add(stack);
        host.camera.position.set(0, 0, 4);
        host.camera.lookAt(0, 0, 0);
        host.renderNow();
        const drawCalls = host.stats().drawCalls;
        await new Promise(requestAnimationFrame);
        return {
          scale: { ...stack.colorScale },
          backend: host.backend,
          fallbackReason: host.fallbackReason,
          drawCalls,
        };
      },
      { values, backend },
    );
  const at: [number, number][] = [
    [60, 60],
    [140, 60],
    [60, 140],
    [140, 140],
    [5, 5],
  ];
  // Non-negative: ink on paper from 0 to the maximum, as the digit pad draws (white, #141418).
  const first = await show([0, 1, 2, 3]);
  assert.deepEqual(first.scale, { map: 'ink', min: 0, max: 3 });
  let colors = await colorsAt(page, await page.locator('#stage').screenshot(), at);
  const expected = [rgb(0xffffff), null, null, rgb(0x141418), BACKGROUND];
  expected.forEach((want, i) => {
    if (want)
      assert.ok(
        colorDistance(colors[i]!, want) <= 3,
        `${first.backend}: pixel ${at[i]}: ${colors[i]} vs ${want}`,
      );
  });
  // The middle values sit between the ends, darker as they grow, and grey.
  assert.ok(colors[1]![1] < colors[0]![1] && colors[2]![1] < colors[1]![1]);
  assert.ok(Math.abs(colors[1]![0] - colors[1]![2]) <= 6, `grey: ${colors[1]}`);
  // Signed: blue-white-red centred on zero (#2166ac, #ffffff, #b2182b).
  const second = await show([-2, 0, 1, 2]);
  assert.deepEqual(second.scale, { map: 'diverging', min: -2, max: 2 });
  colors = await colorsAt(page, await page.locator('#stage').screenshot(), at);
  [rgb(0x2166ac), rgb(0xffffff), null, rgb(0xb2182b)].forEach((want, i) => {
    if (want)
      assert.ok(
        colorDistance(colors[i]!, want) <= 3,
        `${second.backend}: pixel ${at[i]}: ${colors[i]} vs ${want}`,
      );
  });
  assert.ok(colors[2]![0] > colors[2]![2], 'a positive value is reddish');
  assert.ok(first.drawCalls > 0, `${first.backend} drew ${first.drawCalls} calls`);
  return first;
}

const PICK_UNITS = [
  { layer: 'input', channel: 0, y: 14, x: 9 },
  { layer: 'conv1', channel: 0, y: 5, x: 20 },
  { layer: 'pool1', channel: 0, y: 12, x: 0 },
  { layer: 'conv2', channel: 0, y: 3, x: 7 },
  { layer: 'pool2', channel: 0, y: 4, x: 4 },
  { layer: 'dense', channel: 0, y: 6, x: 0 },
  { layer: 'softmax', channel: 0, y: 2, x: 0 },
];

/** The activation the synthetic lesson CNN gives unit `u` for digit 3. */
const unitValue = (page: Page, u: { layer: string; channel: number; y: number; x: number }) =>
  page.evaluate((u) => {
    const w = window as unknown as Playground;
    const layer = w.synthetic
      .lessonActivations(w.synthetic.digit(3))
      .find((l) => l.name === u.layer)!;
    const [, hh = 1, ww = 1] = layer.shape.length === 3 ? layer.shape : [1, layer.shape[0], 1];
    return layer.data[(u.channel * hh + u.y) * ww + u.x]!;
  }, u);

/** Clicks each unit of {@link PICK_UNITS} where the view draws it and checks the pick event. */
async function clickEachUnit(page: Page) {
  for (const unit of PICK_UNITS) {
    const point = await page.evaluate(
      (u) => (window as unknown as Playground).view!.clientPosition(u.layer, u.channel, u.y, u.x),
      unit,
    );
    assert.ok(point, `${unit.layer} is in view`);
    await page.mouse.click(point.x, point.y);
    const picked = await page.evaluate(() => (window as unknown as Playground).picks.at(-1));
    assert.ok(picked, `a pick event for ${unit.layer}`);
    const { value: got, ...where } = picked;
    assert.deepEqual(where, unit);
    const value = await unitValue(page, unit);
    assert.ok(Math.abs(got - value) < 1e-6, `${unit.layer}: value ${got}, expected ${value}`);
  }
}

const framesAtLeast = (page: Page, n: number) =>
  page.waitForFunction((n) => ((window as unknown as Playground).view?.host.frames ?? 0) >= n, n);

const h = useHarness({ dir: EXAMPLE_DIST });

describe('@receptive/render3d in Chromium', () => {
  it('draws every renderer of the example page, with text alternatives and no errors', async () => {
    const { page, problems } = await h.open('/', { viewport: { width: 1000, height: 1500 } });
    await page.waitForFunction(() => {
      const ex = (
        window as unknown as {
          rfExample?: Record<string, { host?: R3D.SceneHost; frames?: number }>;
        }
      ).rfExample;
      return (
        ex &&
        ex['network']!.host!.frames > 0 &&
        ex['stackHost']!.frames! > 0 &&
        ex['conv']!.host!.frames > 0
      );
    });
    // The pre-ReLU stack is mostly near-white (values near zero), so it needs less to pass.
    for (const [id, least] of [
      ['network', 0.08],
      ['stack', 0.02],
      ['conv', 0.08],
    ] as const) {
      const png = await page.locator(`#${id}`).screenshot();
      const stats = await imageStats(page, png, BACKGROUND);
      assert.ok(stats.drawn > least, `#${id}: only ${(stats.drawn * 100).toFixed(1)}% drawn`);
      assert.ok(stats.colors > 40, `#${id}: only ${stats.colors} colours`);
      const canvas = page.locator(`#${id} canvas`);
      // The network takes the keyboard (an application); the others are pictures.
      assert.equal(await canvas.getAttribute('role'), id === 'network' ? 'application' : 'img');
      assert.ok((await canvas.getAttribute('aria-label'))!.length > 10);
      const described = (await canvas.getAttribute('aria-describedby'))!.split(' ');
      for (const d of described) {
        assert.match((await page.locator(`#${d}`).textContent()) ?? '', /\w+ \w+ \w+/);
      }
    }
    assert.match(
      (await page.locator('#network p').first().textContent()) ?? '',
      /conv1 \(8 × 26 × 26\).*most probable class is \d/,
    );
    const shot = fileURLToPath(new URL('render3d-network.png', SCREENSHOT_DIR));
    await page.locator('#network').screenshot({ path: shot });
    if (process.env['UPDATE_SCREENSHOTS']) {
      const docs = `${PACKAGE_DIR}docs/`;
      mkdirSync(docs, { recursive: true });
      copyFileSync(shot, `${docs}network.png`);
    }
    await assertNoSeriousViolations(page);
    assert.deepEqual(problems, noProblems());
  });

  it('shows the expected colours at known pixels for a known tensor', async () => {
    const { page, problems } = await h.newPage();
    const drew = await knownColours(page, 'webgl');
    assert.equal(drew.backend, 'webgl');
    assert.equal(drew.fallbackReason, null);
    assert.deepEqual(problems, noProblems());
  });

  it('reports the unit under the pointer as { layer, channel, y, x, value }', async () => {
    const { page, problems } = await openLessonView(h, [640, 320], 'front');
    await clickEachUnit(page);
    // Hovering outlines the texel under the pointer; a trace draws in two more calls.
    const stats = await page.evaluate(async () => {
      const w = window as unknown as Playground;
      const view = w.view!;
      view.host.renderNow();
      const before = view.host.stats().drawCalls;
      view.showReceptiveField(w.synthetic.trace('pool2', 2, 2));
      view.host.renderNow();
      return { before, after: view.host.stats().drawCalls };
    });
    assert.ok(stats.before <= 24, `the lesson CNN takes ${stats.before} draw calls`);
    assert.equal(stats.after, stats.before + 2);
    assert.deepEqual(problems, noProblems());
  });

  it('lets a UnitCursor walk, pick and announce units by keyboard, as the pointer does', async () => {
    const { page, problems } = await openLessonView(h, [640, 320], 'front', {
      reducedMotion: 'reduce',
    });
    const live = page.locator('#stage [aria-live="polite"]');
    const canvas = page.locator('#stage canvas');
    assert.equal(await canvas.getAttribute('tabindex'), '0');
    assert.equal(await canvas.getAttribute('role'), 'application');
    await canvas.focus();
    const last = () =>
      page.evaluate(() => {
        const w = window as unknown as Playground;
        return { hover: w.hovers.at(-1), pick: w.picks.at(-1), picks: w.picks.length };
      });
    // Focus lands on the first unit of the first layer.
    assert.deepEqual((await last()).hover, {
      layer: 'input',
      channel: 0,
      y: 0,
      x: 0,
      value: await unitValue(page, { layer: 'input', channel: 0, y: 0, x: 0 }),
    });
    // Next layer ('.'), three right, two down, channel 3 by ] and PageDown.
    await page.keyboard.press('.');
    for (const key of ['ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowDown', 'ArrowDown']) {
      await page.keyboard.press(key);
    }
    await page.keyboard.press(']');
    await page.keyboard.press(']');
    await page.keyboard.press('PageDown');
    await page.keyboard.press('PageUp');
    await page.keyboard.press(']');
    const unit = { layer: 'conv1', channel: 3, y: 2, x: 3 };
    const value = await unitValue(page, unit);
    let got = await last();
    assert.deepEqual(got.hover, { ...unit, value });
    const words = `conv1, channel 3, row 2, column 3: ${Number(value.toPrecision(3))}`;
    assert.equal(await live.textContent(), words);
    assert.deepEqual(
      await page.evaluate(
        () => (window as unknown as Playground).view!.stack('conv1')!.highlighted,
      ),
      { channel: 3, y: 2, x: 3 },
    );
    // Enter picks it: the same event a click sends.
    await page.keyboard.press('Enter');
    got = await last();
    assert.deepEqual(got.pick, { ...unit, value });
    assert.equal(await live.textContent(), `Picked ${words}`);
    // ',' and '.' change layer too, keeping the place in the map (scaled): conv1 (2, 3) -> pool1 (1, 1).
    await page.keyboard.press('.');
    assert.deepEqual((await last()).hover?.layer, 'pool1');
    assert.deepEqual(
      { ...(await last()).hover, value: 0 },
      { layer: 'pool1', channel: 3, y: 1, x: 1, value: 0 },
    );
    await page.keyboard.press(',');
    assert.equal((await last()).hover?.layer, 'conv1');
    // '.' stops at the last layer; Tab leaves the figure, as it leaves any control: no trap.
    for (let i = 0; i < 6; i++) await page.keyboard.press('.');
    assert.equal((await last()).hover?.layer, 'softmax');
    assert.match((await live.textContent()) ?? '', /^softmax, class \d: /);
    await page.keyboard.press('Tab');
    assert.equal(
      await page.evaluate(() => document.activeElement?.tagName),
      'BODY',
      'focus left the canvas',
    );
    assert.deepEqual(problems, noProblems());
  });

  it('moves the UnitCursor to the canvas the host swaps in after a failed GPU renderer', async () => {
    const { page, problems } = await openLessonView(h, [640, 320], 'front', {
      reducedMotion: 'reduce',
    });
    const before = await page.locator('#stage canvas').elementHandle();
    // The host's own recovery from a lost WebGPU device, started by hand: the renderer goes and
    // a fresh canvas takes the old one's place.
    await page.evaluate(() =>
      (
        (window as unknown as Playground).view!.host as unknown as {
          fallBack(reason: string): Promise<void>;
        }
      ).fallBack('test'),
    );
    const canvas = page.locator('#stage canvas');
    assert.equal(await canvas.count(), 1);
    assert.equal(await canvas.evaluate((c, old) => c !== old, before), true, 'a new canvas');
    assert.equal(await canvas.getAttribute('tabindex'), '0');
    assert.equal(await canvas.getAttribute('role'), 'application');
    await canvas.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('.');
    const hover = await page.evaluate(() => (window as unknown as Playground).hovers.at(-1));
    assert.deepEqual({ ...hover, value: 0 }, { layer: 'conv1', channel: 0, y: 0, x: 1, value: 0 });
    assert.deepEqual(problems, noProblems());
  });

  it('keeps GPU memory and the JS heap flat over 10,000 update+render cycles', async () => {
    const { context, page, problems } = await openLessonView(h, [96, 54], 'overview');
    const cdp = await context.newCDPSession(page);
    const cycles = (n: number) =>
      page.evaluate((n) => {
        const w = window as unknown as Playground;
        const view = w.view!;
        const sets = [
          w.synthetic.lessonActivations(w.synthetic.digit(3)),
          w.synthetic.lessonActivations(w.synthetic.digit(8)),
        ];
        for (let i = 0; i < n; i++) {
          view.update(sets[i & 1]!);
          view.host.renderNow();
        }
        return view.host.stats();
      }, n);
    const heap = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      return (await cdp.send('Runtime.getHeapUsage')).usedSize;
    };
    const warm = await cycles(200);
    const heapBefore = await heap();
    let last = warm;
    for (let i = 0; i < 10; i++) last = await cycles(1000);
    const heapAfter = await heap();
    assert.equal(last.geometries, warm.geometries, 'geometries on the GPU');
    assert.equal(last.textures, warm.textures, 'textures on the GPU');
    const grew = heapAfter - heapBefore;
    assert.ok(grew < 1_000_000, `JS heap grew by ${grew} bytes over 10,000 cycles`);
    // dispose() hands every geometry and texture back.
    const left = await page.evaluate(() => {
      const view = (window as unknown as Playground).view!;
      const renderer = view.host.renderer!;
      view.dispose();
      return renderer.info.memory;
    });
    assert.deepEqual({ ...left }, { geometries: 0, textures: 0 });
    assert.deepEqual(problems, noProblems());
  });

  it('renders the same picture again after a lost WebGL context is restored', async () => {
    const { page, problems } = await openLessonView(h, [320, 180], 'front');
    const before = await page.locator('#stage').screenshot();
    const lost = await loseWebGLContext(
      await page.evaluateHandle(() => (window as unknown as Playground).view!.host),
    );
    // An update while the context is lost, drawn once it is back.
    await page.evaluate(() => {
      const w = window as unknown as Playground;
      if (!w.view!.host.contextLost) throw new Error('the host did not notice the loss');
      w.view!.update(w.synthetic.lessonActivations(w.synthetic.digit(3)));
    });
    await lost.restore();
    await page.waitForFunction((lostAt) => {
      const host = (window as unknown as Playground).view!.host;
      return host.frames > lostAt && !host.contextLost;
    }, lost.frames);
    const afterShot = await page.locator('#stage').screenshot();
    const stats = await imageStats(page, afterShot, BACKGROUND);
    assert.ok(
      stats.drawn > 0.05 && stats.colors > 20,
      `drawn ${stats.drawn}, ${stats.colors} colours`,
    );
    const diff = await meanDifference(page, before, afterShot);
    assert.ok(diff < 1, `the restored frame differs by ${diff} per channel on average`);
    assert.deepEqual(problems, noProblems());
  });

  it('glides between camera presets, or jumps there under prefers-reduced-motion', async () => {
    for (const reducedMotion of ['no-preference', 'reduce'] as const) {
      const { page, problems } = await openLessonView(h, [320, 180], 'overview', {
        reducedMotion,
      });
      const gap = await page.evaluate(() => {
        const view = (window as unknown as Playground).view!;
        view.setPreset('conv2');
        return view.host.camera.position.distanceTo(view.presets.get('conv2')!.position);
      });
      if (reducedMotion === 'reduce') assert.ok(gap < 1e-6, `jumped (${gap} away)`);
      else assert.ok(gap > 0.1, `starts gliding from where it was (${gap} away)`);
      await page.waitForFunction(() => {
        const view = (window as unknown as Playground).view!;
        return view.host.camera.position.distanceTo(view.presets.get('conv2')!.position) < 1e-6;
      });
      assert.deepEqual(problems, noProblems());
    }
  });

  it('falls back to a 2D canvas when the browser has no WebGL', async () => {
    const { page, problems } = await openWithoutWebGL(h, '/', {
      viewport: { width: 1000, height: 1500 },
    });
    await page.waitForFunction(() => {
      const ex = (
        window as unknown as {
          rfExample?: { network: R3D.NetworkView; conv: R3D.ConvolutionScene };
        }
      ).rfExample;
      return ex && ex.network.host.frames > 0 && ex.conv.host.frames > 0;
    });
    assert.deepEqual(
      await page.evaluate(() => {
        const ex = (
          window as unknown as {
            rfExample: {
              network: R3D.NetworkView;
              stackHost: R3D.SceneHost;
              conv: R3D.ConvolutionScene;
            };
          }
        ).rfExample;
        return [ex.network.host.backend, ex.stackHost.backend, ex.conv.host.backend];
      }),
      ['2d', '2d', '2d'],
    );
    for (const id of ['network', 'conv']) {
      const stats = await imageStats(page, await page.locator(`#${id}`).screenshot(), BACKGROUND);
      assert.ok(
        stats.drawn > 0.05 && stats.colors > 20,
        `#${id}: drawn ${stats.drawn}, ${stats.colors} colours`,
      );
    }
    assert.match(
      (await page.locator('#network p').first().textContent()) ?? '',
      /most probable class/,
    );
    assert.deepEqual(problems, noProblems());
  });
});

describe('@receptive/render3d on WebGPU (Chromium with a SwiftShader WebGPU canvas)', () => {
  const g = useHarness({ dir: EXAMPLE_DIST, webgpu: 'canvas' });

  it('draws the known colours, picks units and draws the same network as WebGL2', async () => {
    const { page, problems } = await g.newPage();
    const drew = await knownColours(page, 'webgpu');
    assert.equal(drew.backend, 'webgpu', `fell back: ${drew.fallbackReason}`);
    assert.equal(drew.fallbackReason, null);
    // The lesson CNN, picked by pointer on WebGPU, then the same picture on WebGL2.
    await playground(page, 640, 320);
    await lessonView(page, 'front', 'webgpu');
    assert.equal(
      await page.evaluate(() => (window as unknown as Playground).view!.host.backend),
      'webgpu',
    );
    await clickEachUnit(page);
    const shot = async () => {
      await page.evaluate(() => {
        const view = (window as unknown as Playground).view!;
        view.highlight(null);
        view.host.renderNow();
      });
      await page.evaluate(() => new Promise(requestAnimationFrame));
      return page.locator('#stage').screenshot();
    };
    const gpu = await shot();
    const stats = await imageStats(page, gpu, BACKGROUND);
    assert.ok(
      stats.drawn > 0.05 && stats.colors > 20,
      `drawn ${stats.drawn}, ${stats.colors} colours`,
    );
    await page.evaluate(() => (window as unknown as Playground).view!.dispose());
    await lessonView(page, 'front', 'webgl');
    const gl = await shot();
    const diff = await meanDifference(page, gpu, gl);
    assert.ok(diff < 4, `WebGPU and WebGL2 frames differ by ${diff} per channel on average`);
    assert.deepEqual(problems, noProblems());
  });

  it('keeps WebGL2 for `auto` on a software adapter, and says why', async () => {
    const { page, problems } = await g.newPage();
    const drew = await knownColours(page, 'auto');
    assert.equal(drew.backend, 'webgl');
    assert.match(drew.fallbackReason ?? '', /software/);
    assert.deepEqual(problems, noProblems());
  });
});

describe('@receptive/render3d where WebGPU has an adapter but cannot show a canvas', () => {
  const g = useHarness({ dir: EXAMPLE_DIST, webgpu: true });

  it('falls back from `webgpu` to WebGL2 with the reason, never a blank figure', async () => {
    const { page, problems } = await g.newPage();
    const drew = await knownColours(page, 'webgpu');
    assert.equal(drew.backend, 'webgl');
    assert.match(drew.fallbackReason ?? '', /never reaches the screen/);
    // The example page asked for WebGPU by its query: the network still draws and picks.
    await playground(page, 640, 320);
    await lessonView(page, 'front', 'webgpu');
    await clickEachUnit(page);
    assert.deepEqual(problems, noProblems());
  });
});
