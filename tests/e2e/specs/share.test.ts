// Shareable figure state: what the reader changes goes into the page's address without adding
// history entries, a link reopens the figures as they were, Back and Forward give each entry's
// state back, "Copy link" copies such a link, and a tampered address is ignored with a note.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { drawOnPad, hoverUnit, showFigure } from '../lib/figures.ts';
import { noProblems, type PageProblems } from '../lib/guard.ts';
import { useHarness } from '../lib/harness.ts';
import { KERNELS } from '../lib/lecture.ts';

const LESSON = '/lessons/convolution/';
const PAD_LESSON = '/lessons/curve-fitting/';
const SEVEN: [number, number][][] = [
  [
    [80, 60],
    [200, 60],
    [130, 230],
  ],
];
const h = useHarness();

const kernelOf = (lab: Locator) =>
  lab.evaluate((e) => (e as unknown as { kernel: number[] }).kernel);
const param = (page: Page, key: string) => new URL(page.url()).searchParams.get(key);

/** Waits until the address holds `value` (or nothing, for null) for the figure `key`. */
const addressHas = (page: Page, key: string, value: string | null) =>
  page.waitForFunction(
    ([k, v]) => new URLSearchParams(window.location.search).get(k) === v,
    [key, value] as const,
    { timeout: 5000 },
  );

/** A new page of `context` at `url`, with figure `tag` scrolled into view. */
async function figureAt(context: BrowserContext, url: string, tag: string) {
  const page = await context.newPage();
  await page.goto(url);
  const fig = page.locator(tag);
  await fig.scrollIntoViewIfNeeded();
  return { page, fig };
}

/**
 * `page`'s address opened afresh in a new page of its context, with figure `tag` scrolled into
 * view once its element is defined.
 */
async function reopened(page: Page, tag: string) {
  const opened = await figureAt(page.context(), page.url(), tag);
  await opened.page.waitForFunction((tag) => customElements.get(tag), tag);
  return opened;
}

const clean = (problems: PageProblems) => assert.deepEqual(problems, noProblems());

const padPixels = (page: Page) =>
  page
    .locator('rf-digit-pad')
    .evaluate((p) => Array.from((p as unknown as { pixels: Float32Array }).pixels));

/** Each model's prediction, once the comparison has answered with all three. */
const predictions = async (page: Page) => {
  await page.waitForFunction(
    () =>
      document.querySelector('rf-model-compare')?.shadowRoot?.querySelectorAll('[data-prediction]')
        .length === 3,
    undefined,
    { timeout: 60_000 },
  );
  return page
    .locator('rf-model-compare [data-prediction]')
    .evaluateAll((cards) => cards.map((c) => (c as HTMLElement).dataset['prediction']));
};

describe('figure state in the address', () => {
  it('follows the kernel lab and the step without new history entries, and a copied link reopens both', async () => {
    const { page, problems, context } = await h.open(LESSON);
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const lab = page.locator('rf-kernel-lab').first();
    await lab.scrollIntoViewIfNeeded();
    await page.waitForFunction(() =>
      document.querySelector('rf-scrolly')?.hasAttribute('data-ready'),
    );
    const entries = await page.evaluate(() => history.length);
    await lab.locator('button[data-preset="laplacian"]').click();
    await addressHas(page, 'kernel-lab-1', 'laplacian:nopad');
    // A cell edited by hand: nine numbers, no longer a preset.
    const cell = lab.getByRole('spinbutton', { name: 'Kernel row 1, column 1' });
    await cell.fill('2');
    await cell.press('Tab');
    await addressHas(page, 'kernel-lab-1', '2,-1,0,-1,4,-1,0,-1,0:nopad');
    assert.equal(await page.evaluate(() => history.length), entries, 'no history entry per edit');
    const step = await page.locator('rf-scrolly').first().getAttribute('data-state');
    assert.ok(step, 'the sequence has an active step');

    await lab.getByRole('button', { name: 'Copy link to this figure' }).click();
    await lab
      .locator('.share-status')
      .filter({ hasText: /^Link copied/ })
      .waitFor({ timeout: 5000 });
    const link = await page.evaluate(() => navigator.clipboard.readText());
    const url = new URL(link);
    assert.equal(url.pathname, LESSON);
    assert.equal(url.searchParams.get('kernel-lab-1'), '2,-1,0,-1,4,-1,0,-1,0:nopad');
    assert.equal(url.searchParams.get('scrolly-1'), step, 'the link holds the step');

    // The link, opened afresh: the step is active, the figure on screen with the reader's kernel.
    const again = await context.newPage();
    await again.goto(link);
    const lab2 = again.locator('rf-kernel-lab').first();
    await again.waitForFunction(
      (s) => document.querySelector('rf-scrolly')?.getAttribute('data-state') === s,
      step,
    );
    assert.deepEqual(await kernelOf(lab2), [2, -1, 0, -1, 4, -1, 0, -1, 0]);
    await again.waitForTimeout(500);
    assert.deepEqual(await kernelOf(lab2), [2, -1, 0, -1, 4, -1, 0, -1, 0], 'the step keeps it');
    const box = await lab2.boundingBox();
    const view = again.viewportSize()!;
    assert.ok(box && box.y < view.height && box.y + box.height > 0, 'the figure is on screen');
    clean(problems);
  });

  it('gives each history entry its own state back on Back and Forward', async () => {
    const { page, problems } = await h.open(LESSON);
    const lab = page.locator('rf-kernel-lab').nth(1);
    await lab.scrollIntoViewIfNeeded();
    await lab.locator('button[data-preset="laplacian"]').click();
    await addressHas(page, 'kernel-lab-2', 'laplacian:nopad');
    // A same-page navigation adds an entry (an anchor that scrolls nowhere).
    await page.evaluate(() => {
      window.location.hash = 'nowhere';
    });
    await lab.locator('button[data-preset="horizontal-edge"]').click();
    await addressHas(page, 'kernel-lab-2', 'horizontal-edge:nopad');
    await page.goBack();
    await page.waitForFunction(() => !window.location.hash);
    await page.waitForFunction(
      (k) =>
        (document.querySelectorAll('rf-kernel-lab')[1] as unknown as { kernel: number[] })
          .kernel[4] === k,
      KERNELS.laplacian[4],
    );
    assert.deepEqual(await kernelOf(lab), KERNELS.laplacian);
    await page.goForward();
    await page.waitForFunction(() => window.location.hash === '#nowhere');
    await page.waitForFunction(
      () =>
        (document.querySelectorAll('rf-kernel-lab')[1] as unknown as { kernel: number[] })
          .kernel[4] === 2,
    );
    assert.deepEqual(await kernelOf(lab), KERNELS['horizontal-edge']);
    clean(problems);
  });

  it('ignores a tampered address with a quiet note, and the figures work as usual', async () => {
    const { page, problems } = await h.open(
      `${LESSON}?kernel-lab-2=1e400,0:pad&scrolly-1=no-such-step&utm_source=mail`,
    );
    const lab = page.locator('rf-kernel-lab').nth(1);
    await lab.scrollIntoViewIfNeeded();
    assert.deepEqual(
      await kernelOf(lab),
      KERNELS['box-blur'].map((v) => v),
    );
    assert.match(
      (await lab.locator('.share-status').textContent()) ?? '',
      /could not be read, so the figure starts as usual/,
    );
    // The unreadable states leave the address; what is not a figure's stays.
    await addressHas(page, 'kernel-lab-2', null);
    assert.equal(param(page, 'utm_source'), 'mail');
    await lab.locator('button[data-preset="laplacian"]').click();
    await addressHas(page, 'kernel-lab-2', 'laplacian:nopad');
    clean(problems);
  });

  it('holds a drawn digit exactly, and a test digit by its number with its shift', async () => {
    const { page, problems } = await h.open(PAD_LESSON);
    // The lesson's figures wake as they near the screen.
    await page.locator('rf-digit-pad').scrollIntoViewIfNeeded();
    await drawOnPad(page, SEVEN);
    await page.waitForFunction(() =>
      /^d[\w-]+$/.test(new URL(location.href).searchParams.get('pad') ?? ''),
    );
    const drawn = await padPixels(page);
    const answers = await predictions(page);
    const { page: again } = await reopened(page, 'rf-digit-pad');
    await again.locator('rf-digit-pad canvas.draw').waitFor();
    assert.deepEqual(await padPixels(again), drawn, 'the same 784 pixels');
    assert.deepEqual(await predictions(again), answers, 'the same predictions');
    assert.match(
      (await again.locator('rf-digit-pad .status').textContent()) ?? '',
      /The drawing from the link/,
    );
    await again.close();

    // Test digits by their number, counted from 1; a move adds its offset.
    await page.getByRole('button', { name: 'Next held-out digit' }).click();
    await page.getByRole('button', { name: 'Next held-out digit' }).click();
    await addressHas(page, 'pad', 't2');
    await page.getByRole('button', { name: 'Move right one pixel' }).click();
    await page.getByRole('button', { name: 'Move up one pixel' }).click();
    await addressHas(page, 'pad', 't2.1,-1');
    const moved = await padPixels(page);
    const { page: third } = await reopened(page, 'rf-digit-pad');
    await third.waitForFunction(() =>
      /Test digit 2 of/.test(
        document.querySelector('rf-digit-pad')?.shadowRoot?.querySelector('.status')?.textContent ??
          '',
      ),
    );
    await third.waitForFunction((want) => {
      const p = (document.querySelector('rf-digit-pad') as unknown as { pixels: Float32Array })
        .pixels;
      return p.every((v, i) => v === want[i]);
    }, moved);
    // Clearing the pad takes the digit out of the address.
    await third.getByRole('button', { name: 'Clear' }).click();
    await addressHas(third, 'pad', null);
    clean(problems);
  });

  it('holds where the reader put the 1 and the shift of the network figure', async () => {
    const { page, problems } = await h.open('/lessons/shift-invariance/');
    const block = page.locator('rf-shift-block');
    await block.scrollIntoViewIfNeeded();
    await block.locator('[data-y="1"][data-x="2"]').click();
    await addressHas(page, 'shift-block-1', '2,3');
    const net = await showFigure(page, 'rf-shift-network', 'ready', 60_000);
    const right = net.locator('input[data-axis="dx"]');
    await right.focus();
    await right.press('ArrowRight');
    await right.press('ArrowRight');
    await net.locator('input[data-axis="dy"]').press('ArrowLeft');
    await addressHas(page, 'shift-network-1', '2,-1');

    const { page: again, fig: block2 } = await reopened(page, 'rf-shift-block');
    const one = await block2.evaluate(
      (b) => (b as unknown as { one: { y: number; x: number } }).one,
    );
    assert.deepEqual(one, { y: 1, x: 2 });
    const net2 = await showFigure(again, 'rf-shift-network', 'ready', 60_000);
    assert.deepEqual(await net2.evaluate((n) => (n as unknown as { shift: object }).shift), {
      dy: -1,
      dx: 2,
    });
    assert.equal(await net2.locator('input[data-axis="dx"]').inputValue(), '2');
    clean(problems);
  });

  it('holds the 3D network’s unit and camera, and the pooling figure’s traced unit', async () => {
    const { page, problems, context } = await h.open(`${PAD_LESSON}?pad=t1`);
    // The feature maps above draw the digit first and push the 3D view down the page.
    await showFigure(page, 'rf-feature-maps', 'drawn', 60_000);
    await showFigure(page, 'rf-network-3d', 'drawn', 60_000);
    await page.locator('rf-network-3d .toolbar button[data-preset="pool1"]').click();
    await addressHas(page, 'network-3d-1', '~pool1');
    await page.waitForTimeout(800); // the camera glides to the preset
    await hoverUnit(page, 'rf-network-3d', { layer: 'pool1', channel: 0, y: 6, x: 6 });
    await addressHas(page, 'network-3d-1', 'pool1,0,6,6~pool1');

    const again = await context.newPage();
    await again.goto(page.url());
    await showFigure(again, 'rf-feature-maps', 'drawn', 60_000);
    const net = await showFigure(again, 'rf-network-3d', 'drawn', 60_000);
    await again.waitForFunction(
      () => document.querySelector('rf-network-3d')?.getAttribute('data-unit') === 'pool1,0,6,6',
    );
    assert.equal(
      await net.evaluate(
        (n) => (n as unknown as { view: { currentPreset: string } }).view.currentPreset,
      ),
      'pool1',
    );
    assert.equal(
      await net.locator('.toolbar button[data-preset="pool1"]').getAttribute('aria-pressed'),
      'true',
    );
    await again.close();

    const { page: pool, fig } = await figureAt(context, '/lessons/pooling/', 'rf-pooling');
    await fig.locator('[data-layer="pool2"][data-y="2"][data-x="3"]').hover();
    await addressHas(pool, 'pooling-1', 'pool2,3,4');
    const { page: pool2, fig: fig2 } = await reopened(pool, 'rf-pooling');
    await pool2.waitForFunction(() => {
      const t = (
        document.querySelector('rf-pooling') as unknown as { trace: { layer: string } | null }
      ).trace;
      return t?.layer === 'pool2';
    });
    assert.deepEqual(await fig2.evaluate((p) => (p as unknown as { traced: object }).traced), {
      layer: 'pool2',
      y: 2,
      x: 3,
    });
    clean(problems);
  });

  it('holds the 3D layer’s k and d, the photo figure’s settings and the edge figure’s shift', async () => {
    const { page, problems, context } = await h.open('/lessons/convolution-layers/');
    const layer = page.locator('rf-conv-layer-3d');
    await layer.scrollIntoViewIfNeeded();
    await layer.locator('input[name="k"]').fill('4');
    await layer.locator('input[name="d"]').fill('2');
    await addressHas(page, 'conv-layer-3d-1', '4,2');
    const { page: again, fig: layer2 } = await reopened(page, 'rf-conv-layer-3d');
    assert.deepEqual(
      await layer2.evaluate((l) => [
        (l as unknown as { filters: number }).filters,
        (l as unknown as { channels: number }).channels,
      ]),
      [4, 2],
    );
    assert.equal(await layer2.locator('input[name="k"]').inputValue(), '4');
    await again.close();

    const { page: photo, fig } = await figureAt(context, LESSON, 'rf-photo-conv');
    await fig.locator('select#channels').selectOption('rgb');
    await fig.locator('button[data-preset="laplacian"]').click();
    await photo.waitForFunction(() =>
      /^laplacian:[a-z-]+:rgb$/.test(new URL(location.href).searchParams.get('photo-conv-1') ?? ''),
    );
    const { page: photo2, fig: fig2 } = await reopened(photo, 'rf-photo-conv');
    assert.deepEqual(
      await fig2.evaluate((f) => [
        (f as unknown as { kernel: number[] }).kernel,
        (f as unknown as { channels: string }).channels,
      ]),
      [KERNELS.laplacian, 'rgb'],
    );
    await photo2.close();

    const { page: edge, fig: ef } = await figureAt(
      context,
      '/lessons/shift-invariance/',
      'rf-shift-edge',
    );
    await ef.locator('input#dx').focus();
    await ef.locator('input#dx').press('ArrowRight');
    const shift = await ef.getAttribute('shift');
    await addressHas(edge, 'shift-edge-1', shift);
    const { fig: ef2 } = await reopened(edge, 'rf-shift-edge');
    assert.equal(await ef2.getAttribute('shift'), shift);
    clean(problems);
  });

  it('holds the loss figure’s digit and label and the kernel figure’s layer', async () => {
    const { page, problems, context } = await h.open('/lessons/digit-recognition/');
    const loss = page.locator('rf-digit-loss');
    await loss.scrollIntoViewIfNeeded();
    const first = await loss.evaluate((l) => (l as unknown as { digit: number }).digit);
    await loss.getByRole('button', { name: 'Next digit' }).click();
    await addressHas(page, 'digit-loss-1', `t${first + 2}`);
    await loss.getByRole('combobox', { name: 'Label' }).selectOption('3');
    await addressHas(page, 'digit-loss-1', `t${first + 2}:l3`);
    const { page: again, fig: loss2 } = await reopened(page, 'rf-digit-loss');
    await again.waitForFunction(
      () => (document.querySelector('rf-digit-loss') as unknown as { example: unknown }).example,
    );
    assert.deepEqual(
      await loss2.evaluate((l) => [
        (l as unknown as { digit: number }).digit,
        (l as unknown as { label: number }).label,
      ]),
      [first + 1, 3],
    );
    await again.close();

    const { page: vis, fig: kernels } = await figureAt(
      context,
      '/lessons/visualization/',
      'rf-vis-kernels',
    );
    await kernels.getByRole('button', { name: 'conv2' }).click();
    await addressHas(vis, 'vis-kernels-1', 'conv2');
    const { fig: kernels2 } = await reopened(vis, 'rf-vis-kernels');
    assert.equal(
      await kernels2.evaluate((k) => (k as unknown as { layer: string }).layer),
      'conv2',
    );
    clean(problems);
  });
});
