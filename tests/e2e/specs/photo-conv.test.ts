import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import { conv2d, tensor } from '@receptive/core';
import { KERNEL_PRESETS, paint, paintMode, toFloatImage } from '@receptive/widgets/specs';
import type { BrowserContextOptions, Locator, Page } from 'playwright-core';
import { seriousViolations } from '../lib/axe.ts';
import { type GpuKind, keepGpu, loseGpu } from '../lib/gpu-loss.ts';
import { noProblems } from '../lib/guard.ts';
import { type Harness, useHarness } from '../lib/harness.ts';

// <rf-photo-conv> in the convolution lesson: a photo, the reader's own image or a camera,
// convolved on tfjs (WebGPU, else WebGL) or on the core's CPU, checked against the core.
const LESSON = '/lessons/convolution/';
const FIGURE = 'rf-photo-conv';

interface FloatImage {
  w: number;
  h: number;
  c: number;
  data: number[];
}

/** A PNG file (8-bit RGBA, no filtering) of `w` x `h` pixels, colour from `pixel(x, y)`. */
function png(w: number, h: number, pixel: (x: number, y: number) => [number, number, number]) {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const raw = Buffer.alloc(h * (1 + w * 4));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [r, g, b] = pixel(x, y);
      raw.set([r, g, b, 255], y * (1 + w * 4) + 1 + x * 4);
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The figure's input and output pixels at `points` (all channels), read from the page. */
function samples(fig: Locator, points: [number, number][]) {
  return fig.evaluate((el, pts) => {
    const e = el as unknown as { input: FloatImage; output: FloatImage & { kernel: number[] } };
    const { input, output } = e;
    const at = (img: FloatImage, y: number, x: number, ch: number) =>
      y < 0 || x < 0 || y >= img.h || x >= img.w ? 0 : img.data[(y * img.w + x) * img.c + ch]!;
    return {
      w: input.w,
      h: input.h,
      c: input.c,
      kernel: output.kernel,
      points: pts.map(([y, x]) => ({
        y,
        x,
        windows: Array.from({ length: input.c }, (_, ch) =>
          [-1, 0, 1].flatMap((dy) => [-1, 0, 1].map((dx) => at(input, y + dy, x + dx, ch))),
        ),
        out: Array.from({ length: input.c }, (_, ch) => at(output, y, x, ch)),
      })),
    };
  }, points);
}

/** Checks the figure's output at a few pixels (corners included) against the core's conv2d. */
async function assertMatchesCore(fig: Locator, what: string) {
  const size = await fig.evaluate((el) => {
    const i = (el as unknown as { input: FloatImage }).input;
    return { w: i.w, h: i.h };
  });
  const pts: [number, number][] = [
    [0, 0],
    [size.h - 1, size.w - 1],
    [Math.floor(size.h / 2), Math.floor(size.w / 3)],
    [Math.floor(size.h / 3), Math.floor((2 * size.w) / 3)],
    [7, size.w - 2],
  ];
  const s = await samples(fig, pts);
  const weight = tensor(Float32Array.from(s.kernel), [1, 1, 3, 3]);
  for (const p of s.points) {
    p.windows.forEach((win, ch) => {
      // The 3x3 window (zero outside the image) through the core gives the one output value.
      const ref = conv2d(tensor(Float32Array.from(win), [1, 1, 3, 3]), weight).data[0]!;
      assert.ok(
        Math.abs(p.out[ch]! - ref) <= 1e-4,
        `${what}: pixel (${p.y}, ${p.x}) channel ${ch}: ${p.out[ch]} vs core ${ref}`,
      );
    });
  }
}

/** Waits until the figure's engine is settled (`data-state="ready"`). */
const ready = (page: Page) =>
  page.waitForFunction(
    (tag) => (document.querySelector(tag) as HTMLElement | null)?.dataset['state'] === 'ready',
    FIGURE,
    { timeout: 60_000 },
  );

/** Opens the lesson, scrolls the figure into view and waits until its engine is settled. */
async function openFigure(page: Page, setup?: (fig: Locator) => Promise<void>): Promise<Locator> {
  await page.goto(LESSON);
  const fig = page.locator(FIGURE);
  if (setup) await setup(fig);
  await fig.scrollIntoViewIfNeeded();
  await ready(page);
  return fig;
}

/**
 * {@link openFigure} in a fresh guarded context of `harness`; `prepare` runs on the page before
 * it loads.
 */
async function openIn(
  harness: Harness,
  options?: BrowserContextOptions,
  prepare?: (page: Page) => Promise<unknown>,
) {
  const opened = await harness.newPage(options);
  await prepare?.(opened.page);
  return { ...opened, fig: await openFigure(opened.page) };
}

/**
 * {@link openIn} with the figure settled on `gpu`, in a page that keeps every WebGL context or
 * WebGPU device it is given (the real APIs, only observed), so a test can lose tfjs's for real:
 * what a page may do, and the browser then reports the loss as after a GPU reset.
 */
async function openOnGpu(harness: Harness, gpu: GpuKind) {
  const opened = await openIn(harness, {}, (page) => keepGpu(page, gpu));
  assert.equal(await opened.fig.getAttribute('data-engine'), gpu);
  assert.equal(await opened.fig.locator('[data-note]').textContent(), '');
  return opened;
}

/** How the figure's note names the loss of each GPU, as a pattern. */
const LOSS_SAID: Record<GpuKind, string> = {
  webgl: 'webgl: the WebGL context was lost',
  webgpu: 'webgpu: the WebGPU device was lost \\(.+\\)',
};

/** Waits until the figure has moved to the CPU after losing `gpu`, and checks what it says. */
async function assertMovedToCpu(page: Page, fig: Locator, gpu: GpuKind) {
  await engineIs(page, 'cpu');
  await settled(page);
  // The note is a status region: screen readers announce it when it changes.
  const note = fig.getByRole('status');
  assert.ok(await note.isVisible(), 'the note is shown');
  assert.match(
    (await note.textContent()) ?? '',
    new RegExp(
      `^The GPU engine stopped \\(${LOSS_SAID[gpu]}\\), so @receptive\\/core now convolves on the CPU\\. Nothing was lost\\.$`,
    ),
  );
  assert.match(
    (await fig.locator('[data-status]').textContent()) ?? '',
    /^Convolved on the CPU \(@receptive\/core\) in \d+\.\d ms per frame\.$/,
  );
}

/**
 * Loses `gpu` while a new kernel (the Laplacian) is being convolved on it, so a run in flight
 * meets the loss too, and checks that the figure moved to the CPU with the core's numbers.
 */
async function loseMidRun(page: Page, fig: Locator, gpu: GpuKind) {
  await loseGpu(page, gpu, 'tfjs', {
    selector: FIGURE,
    property: 'kernel',
    value: [...KERNEL_PRESETS.laplacian],
  });
  await assertMovedToCpu(page, fig, gpu);
  await assertMatchesCore(fig, `Laplacian on the CPU after the ${gpu} loss`);
}

/** Waits until the figure runs on `engine` (`data-engine`). */
const engineIs = (page: Page, engine: string, timeout = 15_000) =>
  page.waitForFunction(
    ([tag, engine]) => document.querySelector(tag)?.getAttribute('data-engine') === engine,
    [FIGURE, engine] as const,
    { timeout },
  );

/** Waits until the figure's note (`[data-note]`) says something that matches `says`. */
const noteMatches = (page: Page, says: RegExp, timeout?: number) =>
  page.waitForFunction(
    ([tag, re]) =>
      new RegExp(re).test(
        document.querySelector(tag)?.shadowRoot?.querySelector('[data-note]')?.textContent ?? '',
      ),
    [FIGURE, says.source] as const,
    { timeout },
  );

/** Waits until the figure's input image is `w` pixels wide. */
const inputWidthIs = (page: Page, w: number) =>
  page.waitForFunction(
    ([tag, w]) =>
      (document.querySelector(tag) as unknown as { input?: { w: number } }).input?.w === w,
    [FIGURE, w] as const,
  );

/** Waits until the figure's output was made with its current kernel. */
const settled = (page: Page) =>
  page.waitForFunction((tag) => {
    const e = document.querySelector(tag) as unknown as {
      kernel: number[];
      output: { kernel: number[] } | null;
    };
    return e.output?.kernel.every((v, i) => v === e.kernel[i]) === true;
  }, FIGURE);

const outputOf = (fig: Locator) =>
  fig.evaluate((el) => Array.from((el as unknown as { output: FloatImage }).output.data));

describe('the photo figure (no WebGPU: what most readers get)', () => {
  const h = useHarness({ fakeCamera: true });

  it('loads tfjs only when scrolled near, runs on WebGL, and matches the core', async () => {
    const { page, problems } = await h.newPage();
    const scripts: { url: string; tfjs: boolean }[] = [];
    // The fallback to WebGL is quiet: no errors, and no warnings but the one Chromium itself
    // writes when a page asks for a WebGPU adapter and there is none (asked once, by useBackend).
    const noisy: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') noisy.push(msg.text());
    });
    page.on('response', async (res) => {
      if (!res.url().endsWith('.js')) return;
      const body = await res.text().catch(() => '');
      // A flag name tfjs registers as a string; it survives minification.
      scripts.push({ url: res.url(), tfjs: body.includes('WEBGL_VERSION') });
    });
    await page.goto(LESSON);
    await page.waitForLoadState('networkidle');
    const fig = page.locator(FIGURE);
    const top = await fig.evaluate((el) => el.getBoundingClientRect().top / window.innerHeight);
    assert.ok(top > 3, `the figure starts ${top.toFixed(1)} screens down, beyond the wake margin`);
    assert.deepEqual(
      scripts.filter((s) => s.tfjs).map((s) => s.url),
      [],
      'no tfjs before scrolling',
    );
    assert.equal(await fig.getAttribute('data-state'), null, 'figure asleep');
    const loadedBefore = scripts.length;

    await fig.scrollIntoViewIfNeeded();
    await ready(page);
    assert.ok(
      scripts.slice(loadedBefore).some((s) => s.tfjs),
      'tfjs is fetched once the figure is near',
    );
    assert.equal(await fig.getAttribute('data-engine'), 'webgl');
    const status = await fig.locator('[data-status]').textContent();
    assert.match(status ?? '', /^Convolved on the GPU \(tfjs, WebGL\) in \d+\.\d ms per frame\.$/);
    await assertMatchesCore(fig, 'horizontal edges on the coffee photo');
    // Signed output is drawn on a diverging scale, with its scale written out.
    assert.match(
      (await fig.locator('.legend').textContent()) ?? '',
      /blue below zero.*full colour at ±\d/,
    );
    // ... and a colour key of the shared diverging scale with the same ends.
    const scale = /full colour at ±([\d.]+)/.exec(
      (await fig.locator('.legend').textContent()) ?? '',
    )![1]!;
    assert.equal(await fig.locator('.key .color-key').getAttribute('data-map'), 'diverging');
    assert.deepEqual(await fig.locator('.key .color-key-ends span').allTextContents(), [
      `−${scale}`,
      '0',
      scale,
    ]);

    // Editing one kernel cell changes the output, to the core's numbers.
    const before = await outputOf(fig);
    // Asymmetric on purpose: a flipped kernel would give other numbers.
    await fig.getByLabel('Kernel row 2, column 2').fill('3');
    await fig.getByLabel('Kernel row 1, column 3').fill('2');
    await page.waitForFunction((tag) => {
      const k = (document.querySelector(tag) as unknown as { kernel: number[] }).kernel;
      return k[4] === 3 && k[2] === 2;
    }, FIGURE);
    await settled(page);
    const afterEdit = await outputOf(fig);
    assert.notDeepEqual(afterEdit, before, 'output changed with the kernel cell');
    await assertMatchesCore(fig, 'edited kernel');

    // Colour: three channels, each convolved on its own.
    await fig.getByLabel('Convolve').selectOption('rgb');
    await page.waitForFunction(
      (tag) => (document.querySelector(tag) as unknown as { output: FloatImage }).output.c === 3,
      FIGURE,
    );
    await assertMatchesCore(fig, 'per channel');

    // The live region speaks once the figure is still.
    await page.waitForFunction(
      (tag) =>
        /applied to Coffee cup, 512 by 341 pixels, on the GPU/.test(
          document.querySelector(tag)!.shadowRoot!.querySelector('[data-live]')!.textContent ?? '',
        ),
      FIGURE,
    );
    await fig.screenshot({ path: '/tmp/photo-conv.png' });
    assert.deepEqual(await seriousViolations(page), []);
    assert.deepEqual(problems, noProblems());
    assert.deepEqual(
      noisy.filter((m) => m !== 'No available adapters.'),
      [],
      'console quiet on the fallback',
    );
    assert.ok(noisy.length <= 1, `the adapter is asked for once: ${noisy.join(' | ')}`);
  });

  it("convolves the reader's own image, scales a big one down, and rejects a corrupt file", async () => {
    const { page, problems, fig } = await openIn(h);
    const file = fig.locator('input[type=file]');
    // A grey ramp with a bright square: known pixels to compare with.
    const small = png(40, 30, (x, y) => {
      const v = x >= 10 && x < 20 && y >= 10 && y < 20 ? 250 : x * 5;
      return [v, v, v];
    });
    await file.setInputFiles({ name: 'ramp.png', mimeType: 'image/png', buffer: small });
    await inputWidthIs(page, 40);
    await page.waitForTimeout(200);
    const s = await samples(fig, [[15, 15]]);
    assert.equal(s.h, 30);
    assert.ok(Math.abs(s.points[0]!.windows[0]![4]! - 250 / 255) < 1e-6, 'input pixel read');
    await assertMatchesCore(fig, 'uploaded image');
    assert.match((await fig.locator('#src-cap').textContent()) ?? '', /^ramp\.png \(40 × 30\)$/);

    const big = png(1600, 900, (x, y) => [(x * 7) % 256, (y * 3) % 256, 128]);
    await file.setInputFiles({ name: 'big.png', mimeType: 'image/png', buffer: big });
    await inputWidthIs(page, 512);
    assert.match(
      (await fig.locator('[data-note]').textContent()) ?? '',
      /\(1600 × 900\) was scaled down to fit 512 pixels/,
    );
    await assertMatchesCore(fig, 'scaled-down upload');

    await file.setInputFiles({
      name: 'broken.png',
      mimeType: 'image/png',
      buffer: Buffer.from('not a png at all'),
    });
    await noteMatches(page, /"broken\.png" could not be read as an image/);
    assert.equal(
      await fig.evaluate((el) => (el as unknown as { input: FloatImage }).input.w),
      512,
      'the previous image stays',
    );
    assert.deepEqual(problems, noProblems());
  });

  it('meets an empty file, a text file, an SVG carrying script and a 50-megapixel image with a message or a scaled copy, running nothing and sending nothing', async (t) => {
    const { page, problems, fig } = await openIn(h);
    const file = fig.locator('input[type=file]');
    const note = () => fig.locator('[data-note]').textContent();
    const widthNow = () => fig.evaluate((el) => (el as unknown as { input: FloatImage }).input.w);
    const before = await widthNow();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const refused = async (f: { name: string; mimeType: string; buffer: Buffer }, says: RegExp) => {
      await file.setInputFiles(f);
      await noteMatches(page, says);
      assert.equal(await widthNow(), before, `${f.name}: the previous image stays`);
    };
    await refused(
      { name: 'empty.png', mimeType: 'image/png', buffer: Buffer.alloc(0) },
      /"empty\.png" could not be read as an image/,
    );
    await refused(
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('just words') },
      /"notes\.txt" is not an image \(text\/plain\)/,
    );
    // An SVG with a script and an onload handler: images never run script; the file is either
    // refused or drawn as a picture, and nothing it holds runs or is fetched.
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30" onload="window.__ran=1"><script>window.__ran=2;fetch("https://example.com/x")</script><rect width="40" height="30" fill="#888"/><image href="https://example.com/y.png" width="1" height="1"/></svg>',
    );
    await file.setInputFiles({ name: 'trap.svg', mimeType: 'image/svg+xml', buffer: svg });
    await page.waitForFunction(
      ([tag, w]) => {
        const el = document.querySelector(tag!) as unknown as {
          input: { w: number };
          shadowRoot: ShadowRoot;
        };
        return (
          el.input.w !== w ||
          /"trap\.svg" could not be read/.test(
            el.shadowRoot.querySelector('[data-note]')!.textContent ?? '',
          )
        );
      },
      [FIGURE, before] as const,
    );
    assert.equal(await page.evaluate(() => (window as { __ran?: number }).__ran), undefined);
    t.diagnostic(`the SVG: ${(await note()) || `drawn as a picture, ${await widthNow()} px wide`}`);
    // 50 megapixels: decoded in the page and scaled down to the figure's size.
    const huge = png(8000, 6250, (x, y) => [x & 255, y & 255, 96]);
    await file.setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: huge });
    await noteMatches(page, /huge\.png|\(8000 × 6250\)/, 60_000);
    const said = (await note()) ?? '';
    t.diagnostic(`the 50-megapixel PNG: ${said}`);
    if (/scaled down/.test(said)) assert.equal(await widthNow(), 512);
    else assert.match(said, /"huge\.png" could not be read as an image/);
    assert.deepEqual(
      requests.filter(
        (u) => !u.startsWith('blob:') && !u.startsWith('data:') && !u.includes('127.0.0.1'),
      ),
      [],
      'nothing leaves the tab',
    );
    assert.deepEqual(problems, noProblems());
  });

  it('runs on the camera when allowed, and says so clearly when not', async () => {
    const { page, problems, fig } = await openIn(h, { permissions: ['camera'] });
    await fig.evaluate((el) => {
      (window as unknown as { frames: number }).frames = 0;
      el.addEventListener('rf-convolve', (e) => {
        if ((e as CustomEvent).detail.source === 'camera')
          (window as unknown as { frames: number }).frames++;
      });
    });
    await fig.getByRole('button', { name: 'Use camera' }).click();
    await page.waitForFunction(() => (window as unknown as { frames: number }).frames >= 3, null, {
      timeout: 30_000,
    });
    assert.equal(await fig.getAttribute('data-camera'), 'on');
    assert.equal(
      await fig.getByRole('button', { name: 'Stop camera' }).getAttribute('aria-pressed'),
      'true',
    );
    await assertMatchesCore(fig, 'camera frame');
    // Offscreen, the frames stop.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(500);
    const paused = await page.evaluate(() => (window as unknown as { frames: number }).frames);
    await page.waitForTimeout(700);
    assert.equal(
      await page.evaluate(() => (window as unknown as { frames: number }).frames),
      paused,
    );
    await fig.scrollIntoViewIfNeeded();
    await page.waitForFunction(
      (n) => (window as unknown as { frames: number }).frames > n,
      paused,
      { timeout: 10_000 },
    );
    await fig.getByRole('button', { name: 'Stop camera' }).click();
    assert.equal(await fig.getAttribute('data-camera'), 'off');
    assert.deepEqual(problems, noProblems());

    // A context that was not allowed the camera.
    const denied = await openIn(h);
    const { page: page2, fig: fig2 } = denied;
    await fig2.getByRole('button', { name: 'Use camera' }).click();
    await page2.waitForFunction(
      (tag) => (document.querySelector(tag) as HTMLElement).dataset['camera'] === 'error',
      FIGURE,
      { timeout: 15_000 },
    );
    assert.match(
      (await fig2.locator('[data-note]').textContent()) ?? '',
      /^The camera was not allowed\. To use it, allow camera access/,
    );
    assert.equal(await fig2.getAttribute('data-engine'), 'webgl', 'the photo still works');
    assert.deepEqual(denied.problems, noProblems());
  });

  it('never leaves the camera running: a photo set from script or a removal stops it, even mid-prompt', async () => {
    // Keep every stream the page is given, to check its tracks afterwards (the real camera API,
    // only observed).
    const { page, problems, fig } = await openIn(h, { permissions: ['camera'] }, (page) =>
      page.addInitScript(() => {
        const w = window as unknown as { streams: MediaStream[] };
        w.streams = [];
        if (!navigator.mediaDevices) return;
        const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
        navigator.mediaDevices.getUserMedia = async (c) => {
          const s = await real(c);
          w.streams.push(s);
          return s;
        };
      }),
    );
    const live = () =>
      page.evaluate(
        () =>
          (window as unknown as { streams: MediaStream[] }).streams.flatMap((s) =>
            s.getTracks().filter((t) => t.readyState === 'live'),
          ).length,
      );
    // On, then a photo chosen by script: the camera stops and the photo shows.
    await fig.getByRole('button', { name: 'Use camera' }).click();
    await page.waitForFunction(
      (tag) => (document.querySelector(tag) as HTMLElement).dataset['camera'] === 'on',
      FIGURE,
    );
    assert.equal(await live(), 1);
    await fig.evaluate((el) => {
      (el as unknown as { photo: string }).photo = 'camera';
    });
    assert.equal(await fig.getAttribute('data-camera'), 'off');
    assert.equal(await live(), 0);
    await inputWidthIs(page, 512);
    // Removed while the permission request is still pending: the stream that arrives after is
    // stopped at once.
    await fig.evaluate((el) => {
      (el.shadowRoot!.querySelector('[data-action="camera"]') as HTMLElement).click();
      el.remove();
    });
    await page.waitForFunction(
      () => (window as unknown as { streams: MediaStream[] }).streams.length === 2,
    );
    await page.waitForTimeout(200);
    assert.equal(await live(), 0, 'no camera track is left running');
    assert.deepEqual(problems, noProblems());
  });

  it('falls back to the core on the CPU, with a note, when the GPU engine asked for cannot start', async () => {
    const { page, problems } = await h.newPage();
    const fig = await openFigure(page, (f) =>
      f.evaluate((el) => el.setAttribute('backend', 'webgpu')),
    );
    assert.equal(await fig.getAttribute('data-engine'), 'cpu');
    assert.match(
      (await fig.locator('[data-note]').textContent()) ?? '',
      /^No GPU engine could start here \(.*webgpu.*\), so @receptive\/core convolves on the CPU\.$/,
    );
    assert.match(
      (await fig.locator('[data-status]').textContent()) ?? '',
      /^Convolved on the CPU \(@receptive\/core\) in \d+\.\d ms per frame\.$/,
    );
    await assertMatchesCore(fig, 'CPU fallback');
    // tfjs logs why WebGPU could not start as a console error; nothing else may.
    assert.deepEqual(
      { ...problems, consoleErrors: problems.consoleErrors.filter((e) => !/webgpu/i.test(e)) },
      noProblems(),
    );
  });

  it('says so with a Retry when the GPU engine’s code fails to download, and runs on the GPU after it', async () => {
    // TensorFlow.js is one chunk, fetched only by the photo figure's GPU engine.
    const tfjs = /\/_astro\/tfjs\.[\w-]+\.js$/;
    const { context, page, problems, fig } = await openIn(h, {}, (page) =>
      page.context().route(tfjs, (route) => route.fulfill({ status: 503, body: 'Unavailable' })),
    );
    const note = fig.locator('[data-note]');
    await noteMatches(page, /could not be loaded/);
    assert.match(
      (await note.textContent()) ?? '',
      /^The GPU engine could not be loaded: its code did not download \(.+\)\. @receptive\/core convolves on the CPU meanwhile\.$/,
    );
    assert.equal(await fig.getAttribute('data-engine'), 'cpu');
    await assertMatchesCore(fig, 'CPU while the GPU engine is missing');
    await context.unroute(tfjs);
    const retry = fig.getByRole('button', { name: 'Retry' });
    await retry.focus();
    await page.keyboard.press('Enter');
    await engineIs(page, 'webgl', 60_000);
    assert.equal(await retry.isVisible(), false);
    assert.equal(
      await page.evaluate((tag) => {
        const host = document.querySelector(tag);
        return document.activeElement === host ? host?.shadowRoot?.activeElement?.tagName : null;
      }, FIGURE),
      'CANVAS',
      'the keyboard focus moves from the Retry to the output',
    );
    await settled(page);
    await assertMatchesCore(fig, 'WebGL after the Retry');
    // The failed download is the only error the page reports.
    assert.deepEqual(
      {
        ...problems,
        consoleErrors: problems.consoleErrors.filter((e) => !/503|tfjs/i.test(e)),
        failedRequests: problems.failedRequests.filter((r) => !/tfjs/.test(r)),
      },
      noProblems(),
    );
  });

  it('moves to the core on the CPU, with a note, when the WebGL context is lost', async () => {
    const { page, problems, fig } = await openOnGpu(h, 'webgl');

    // tfjs draws into a canvas of its own, outside the document: its context is lost mid-run.
    await loseMidRun(page, fig, 'webgl');

    // It keeps answering: another kernel, on the CPU, still the core's numbers.
    await fig.locator('button[data-preset="box-blur"]').click();
    await settled(page);
    assert.equal(await fig.getAttribute('data-engine'), 'cpu');
    assert.match(
      (await fig.locator('[data-status]').textContent()) ?? '',
      /^Convolved on the CPU \(@receptive\/core\) in \d+\.\d ms per frame\.$/,
    );
    await assertMatchesCore(fig, 'box blur on the CPU after the context was lost');
    assert.deepEqual(problems, noProblems());
  });

  it('works on a phone-sized screen, and without JavaScript shows the photo, its credit and its output', async () => {
    const { page, problems, fig } = await openIn(h, { viewport: { width: 375, height: 740 } });
    const width = await fig.evaluate((el) => el.getBoundingClientRect().width);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    assert.ok(width <= 375 && overflow <= 0, `fits: ${width}px wide, overflow ${overflow}px`);
    await fig.screenshot({ path: '/tmp/photo-conv-phone.png' });
    assert.deepEqual(problems, noProblems());

    const nojs = await h.open(LESSON, { javaScriptEnabled: false });
    const page2 = nojs.page;
    const img = page2.locator(`${FIGURE} img:not(.rf-output)`);
    assert.match((await img.getAttribute('alt')) ?? '', /cup of coffee/);
    const photoUrl = (await img.getAttribute('src'))!;
    const photo = await page2.request.get(photoUrl);
    assert.equal(photo.status(), 200);
    assert.equal(photo.headers()['content-type'], 'image/webp');
    assert.match(
      (await page2.locator(`${FIGURE} .rf-credit`).first().textContent()) ?? '',
      /Rachel Michetti.*CC0/,
    );

    // The output for the initial kernel, computed at build time, served as a file next to it.
    const out = page2.locator(`${FIGURE} img.rf-output`);
    assert.match(
      (await out.getAttribute('alt')) ?? '',
      /^The “Horizontal edges” kernel applied to the grey version of the photo: A cup of coffee/,
    );
    const outUrl = (await out.getAttribute('src'))!;
    assert.match(outUrl, /^\/_receptive\/photo-conv\/coffee-grey-[0-9a-f]+\.webp$/);
    await out.scrollIntoViewIfNeeded();
    await page2.waitForFunction((i) => (i as HTMLImageElement).complete, await out.elementHandle());
    assert.deepEqual(
      await out.evaluate((i) => [
        (i as HTMLImageElement).naturalWidth,
        (i as HTMLImageElement).naturalHeight,
      ]),
      [512, 341],
      "the output image loads, at the photo's size",
    );
    assert.match(
      (await page2.locator(`${FIGURE} figure:has(img.rf-output) figcaption`).textContent()) ?? '',
      /computed by @receptive\/core when this page was built\. Signed output: blue below zero/,
    );

    // Its pixels are the core's convolution of the photo, coloured as the live figure colours
    // it. Both files are decoded by the browser; the reference is computed here.
    const decoded = await page.evaluate(
      async (urls) =>
        Promise.all(
          urls.map(async (u) => {
            const bitmap = await createImageBitmap(await (await fetch(u)).blob());
            const c = new OffscreenCanvas(bitmap.width, bitmap.height);
            const ctx = c.getContext('2d')!;
            ctx.drawImage(bitmap, 0, 0);
            const { data } = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
            return { w: bitmap.width, h: bitmap.height, rgba: Array.from(data) };
          }),
        ),
      [photoUrl, outUrl],
    );
    const [src, shown] = decoded as [{ w: number; h: number; rgba: number[] }, (typeof decoded)[0]];
    const { w, h: ht } = src;
    const grey = toFloatImage(Uint8ClampedArray.from(src.rgba), w, ht, 'grey');
    const painted = (kernel: readonly number[]) => {
      const conv = conv2d(
        tensor(grey.data, [1, 1, ht, w]),
        tensor(Float32Array.from(kernel), [1, 1, 3, 3]),
        null,
        { padding: 1 },
      );
      const image = { w, h: ht, c: 1, data: Float32Array.from(conv.data) };
      const rgba = new Uint8ClampedArray(w * ht * 4);
      paint(image, paintMode(kernel, image), rgba);
      return rgba;
    };
    const want = painted(KERNEL_PRESETS['horizontal-edge']);
    const blurred = painted(KERNEL_PRESETS['box-blur']);
    // The file is lossy WebP, so pixels are compared as 16 x 16 block averages (WebP's
    // macroblocks), per colour channel: the corners, the middle and two more.
    const mean = (rgba: ArrayLike<number>, bx: number, by: number, ch: number) => {
      let sum = 0;
      let n = 0;
      for (let y = by * 16; y < Math.min(ht, by * 16 + 16); y++)
        for (let x = bx * 16; x < Math.min(w, bx * 16 + 16); x++, n++)
          sum += rgba[(y * w + x) * 4 + ch]!;
      return sum / n;
    };
    const cols = Math.ceil(w / 16);
    const rows = Math.ceil(ht / 16);
    const blocks: [number, number][] = [
      [0, 0],
      [cols - 1, rows - 1],
      [Math.floor(cols / 2), Math.floor(rows / 2)],
      [Math.floor(cols / 3), Math.floor((2 * rows) / 3)],
      [Math.floor((2 * cols) / 3), Math.floor(rows / 4)],
    ];
    let worstBlur = 0;
    for (const [bx, by] of blocks) {
      for (let ch = 0; ch < 3; ch++) {
        const got = mean(shown.rgba, bx, by, ch);
        const ref = mean(want, bx, by, ch);
        assert.ok(
          Math.abs(got - ref) <= 6,
          `no-JS output, block (${bx}, ${by}) channel ${ch}: ${got.toFixed(1)} vs core ${ref.toFixed(1)}`,
        );
        worstBlur = Math.max(worstBlur, Math.abs(got - mean(blurred, bx, by, ch)));
      }
    }
    // And a wrong kernel would have been caught: the box blur's blocks are far off.
    assert.ok(worstBlur > 30, `the box blur differs by ${worstBlur.toFixed(1)} levels at most`);
    await page2.screenshot({ path: '/tmp/photo-nojs.png' });
    assert.deepEqual(nojs.problems, noProblems());
  });
});

describe('the photo figure with WebGPU', () => {
  const h = useHarness({ webgpu: true });

  it('runs on WebGPU and matches the core', async () => {
    const { page, problems, fig } = await openIn(h);
    assert.equal(await fig.getAttribute('data-engine'), 'webgpu');
    await assertMatchesCore(fig, 'WebGPU');
    await fig.locator('button[data-preset="laplacian"]').click();
    await page.waitForFunction(
      (tag) => (document.querySelector(tag) as unknown as { kernel: number[] }).kernel[4] === 4,
      FIGURE,
    );
    await settled(page);
    await assertMatchesCore(fig, 'WebGPU, Laplacian');
    assert.deepEqual(problems, noProblems());
  });

  it('moves to the core on the CPU, with a note, when the WebGPU device is lost mid-run', async () => {
    const { page, fig, problems } = await openOnGpu(h, 'webgpu');
    await loseMidRun(page, fig, 'webgpu');

    // It keeps answering: a kernel cell typed in, then a preset, each the core's numbers.
    await fig.getByLabel('Kernel row 1, column 3').fill('2');
    await page.waitForFunction(
      (tag) => (document.querySelector(tag) as unknown as { kernel: number[] }).kernel[2] === 2,
      FIGURE,
    );
    await settled(page);
    assert.equal(await fig.getAttribute('data-engine'), 'cpu');
    await assertMatchesCore(fig, 'edited kernel on the CPU after the device was lost');
    await fig.locator('button[data-preset="box-blur"]').click();
    await settled(page);
    assert.equal(await fig.getAttribute('data-engine'), 'cpu');
    await assertMatchesCore(fig, 'box blur on the CPU after the device was lost');

    // The rest of the page keeps working: the free kernel lab still answers its editor.
    const lab = page.locator('rf-kernel-lab').nth(1);
    await lab.scrollIntoViewIfNeeded();
    await lab.locator('button[data-preset="laplacian"]').click();
    await page.waitForFunction(
      () =>
        (document.querySelectorAll('rf-kernel-lab')[1] as unknown as { kernel: number[] })
          .kernel[4] === 4,
    );
    assert.deepEqual(problems, noProblems());
  });

  it('moves to the core on the CPU, with a note, when the WebGPU device is lost while idle', async () => {
    const { page, fig, problems } = await openOnGpu(h, 'webgpu');
    // Nothing running and nothing edited: the loss alone moves the figure, which redraws its
    // output on the CPU at once.
    await loseGpu(page, 'webgpu', 'tfjs');
    await assertMovedToCpu(page, fig, 'webgpu');
    await assertMatchesCore(fig, 'horizontal edges on the CPU after the device was lost');
    assert.deepEqual(problems, noProblems());
  });
});
