import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { assertNoSeriousViolations } from '../lib/axe.ts';
import { noProblems } from '../lib/guard.ts';
import { type OpenedPage, SCREENSHOT_DIR, useHarness } from '../lib/harness.ts';
import { assertFitsWidth } from '../lib/layout.ts';
import { scrollToEnd } from '../lib/scroll.ts';

const LESSON = '/lessons/curve-fitting/';
const STEP_STATES = ['logreg', 'logreg', 'mlp', 'cnn', 'compare'];

const h = useHarness();

/** Records every `rf:step` event from the first script on, in order. */
async function recordSteps(page: Page) {
  await page.addInitScript(() => {
    const w = window as unknown as { rfSteps: number[] };
    w.rfSteps = [];
    document.addEventListener('rf:step', (e) => {
      w.rfSteps.push((e as CustomEvent<{ index: number }>).detail.index);
    });
  });
}

/** The lesson in a fresh guarded context, recording its `rf:step` events (see {@link recordSteps}). */
async function openLesson(options?: BrowserContextOptions): Promise<OpenedPage> {
  const opened = await h.newPage(options);
  await recordSteps(opened.page);
  await opened.page.goto(LESSON);
  return opened;
}

const stepsSeen = (page: Page) =>
  page.evaluate(() => (window as unknown as { rfSteps: number[] }).rfSteps.slice());

const wheel = (page: Page, dy: number) => () => page.mouse.wheel(0, dy);

describe('the first lesson', () => {
  it('is listed on the home page and renders from content/ with its math', async () => {
    const { page, problems } = await h.open('/');
    // The home page's figure code is still downloading for a moment after load; a click that
    // leaves before it arrives cancels it (net::ERR_ABORTED), which the guard would count.
    await page.waitForLoadState('networkidle');
    await page.getByRole('link', { name: 'Learning is curve fitting' }).click();
    await page.waitForURL(`**${LESSON}`);
    assert.equal(await page.locator('h1').textContent(), 'Learning is curve fitting');
    assert.ok((await page.locator('.katex').count()) >= 4, 'KaTeX rendered the formulas');
    // The parameter counts are computed by the page from the layer shapes; check them against
    // the same arithmetic done here by hand.
    const totals = await page.locator('.program .total span:first-child').allTextContents();
    assert.deepEqual(totals, [
      `${(784 * 10 + 10).toLocaleString('en-US')} parameters`,
      `${(784 * 512 + 512 + 512 * 10 + 10).toLocaleString('en-US')} parameters`,
      `${(12 * 9 + 12 + 20 * 12 * 9 + 20 + 20 * 5 * 5 * 10 + 10).toLocaleString('en-US')} parameters`,
    ]);
    // The bars are to one linear scale, each as long as its count (the smallest at least 2 px),
    // and the ratios are written out.
    const counts = [
      784 * 10 + 10,
      784 * 512 + 512 + 512 * 10 + 10,
      12 * 9 + 12 + 20 * 12 * 9 + 20 + 20 * 5 * 5 * 10 + 10,
    ];
    const widths = await page
      .locator('.program .total .bar')
      .evaluateAll((bars) => bars.map((b) => b.getBoundingClientRect().width));
    counts.forEach((c, i) => {
      const want = Math.max(2, (widths[1]! * c) / counts[1]!);
      assert.ok(Math.abs(widths[i]! - want) <= 1, `bar ${i}: ${widths[i]} px, want ${want}`);
    });
    assert.deepEqual(await page.locator('.program .ratio').allTextContents(), [
      "1/52 of the multilayer perceptron's, 1.07× the convolutional network's",
      "52× the logistic regression's, 56× the convolutional network's",
      "0.93× the logistic regression's, 1/56 of the multilayer perceptron's",
    ]);
    await page.locator('[data-step]').nth(2).scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    const shot = fileURLToPath(new URL('lesson.png', SCREENSHOT_DIR));
    await page.screenshot({ path: shot });
    if (process.env['UPDATE_SCREENSHOTS']) {
      copyFileSync(shot, fileURLToPath(new URL('../../../docs/screenshot.png', import.meta.url)));
    }
    assert.deepEqual(problems, noProblems());
  });

  it('activates its steps in order as the reader scrolls, and the figure follows', async () => {
    const { page, problems } = await openLesson();
    const states: string[] = [];
    await scrollToEnd(page, async () => {
      await page.mouse.wheel(0, 120);
      const state = await page.locator('rf-scrolly').getAttribute('data-state');
      if (state && states.at(-1) !== state) states.push(state);
    });
    assert.deepEqual(await stepsSeen(page), [0, 1, 2, 3, 4]);
    assert.deepEqual(states, ['logreg', 'mlp', 'cnn', 'compare']);
    assert.equal(await page.locator('[data-step][aria-current="step"]').count(), 1);
    assert.equal(
      await page.locator('[data-scrolly-live]').textContent(),
      'Parameter counts compared',
    );
    // Scrolling back up walks the steps backwards.
    await scrollToTop(page);
    const back = await stepsSeen(page);
    assert.deepEqual(back.slice(5), [3, 2, 1, 0]);
    assert.deepEqual(problems, noProblems());
  });

  it('follows keyboard scrolling (Page Down, Space, arrows)', async () => {
    const { page, problems } = await openLesson();
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    const keys = ['PageDown', 'Space', 'ArrowDown'];
    let n = 0;
    await scrollToEnd(page, () => page.keyboard.press(keys[n++ % keys.length]!));
    assert.deepEqual(await stepsSeen(page), [0, 1, 2, 3, 4]);
    assert.deepEqual(problems, noProblems());
  });

  it('works on a phone-width touch screen with the figure pinned above the text', async () => {
    const { page, problems } = await openLesson({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 2,
    });
    await assertFitsWidth(page);
    await page.locator('[data-step]').nth(1).scrollIntoViewIfNeeded();
    const figureTop = await page
      .locator('rf-scrolly > [slot="figure"]')
      .evaluate((el) => el.getBoundingClientRect().top);
    assert.ok(Math.abs(figureTop) <= 1, `figure sticks to the top (top=${figureTop})`);
    await scrollToEnd(page, wheel(page, 150));
    assert.deepEqual(await stepsSeen(page), [0, 1, 2, 3, 4]);
    await assertFitsWidth(page);
    assert.deepEqual(problems, noProblems());
  });

  it('keeps working when the window is resized mid-story', async () => {
    const { page, problems } = await openLesson();
    for (let i = 0; i < 12 && (await stepsSeen(page)).length < 3; i++) {
      await page.mouse.wheel(0, 150);
      await page.waitForTimeout(60);
    }
    const before = await stepsSeen(page);
    await page.setViewportSize({ width: 390, height: 700 });
    await page.waitForTimeout(200);
    await assertFitsWidth(page);
    assert.deepEqual(await stepsSeen(page), before, 'narrowing the window keeps the active step');
    await scrollToEnd(page, wheel(page, 150));
    await page.setViewportSize({ width: 1600, height: 900 });
    await page.waitForTimeout(200);
    // The reader's place survives both resizes: no step is skipped or replayed.
    assert.deepEqual(await stepsSeen(page), [0, 1, 2, 3, 4]);
    assert.deepEqual(problems, noProblems());
  });

  it('honours prefers-reduced-motion', async () => {
    const { page, problems } = await openLesson({ reducedMotion: 'reduce' });
    const duration = await page
      .locator('[data-step]')
      .first()
      .evaluate((el) => Number.parseFloat(getComputedStyle(el).transitionDuration));
    assert.ok(duration <= 0.001, `step transition is ${duration}s under reduced motion`);
    await scrollToEnd(page, wheel(page, 200));
    assert.deepEqual(await stepsSeen(page), [0, 1, 2, 3, 4]);
    assert.deepEqual(problems, noProblems());
  });

  it('reads without JavaScript: text, formulas and every parameter table', async () => {
    const { page, problems } = await h.open(LESSON, { javaScriptEnabled: false });
    assert.equal(await page.locator('[data-step]').count(), STEP_STATES.length);
    assert.deepEqual(
      await page
        .locator('[data-step]')
        .evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset['state'])),
      STEP_STATES,
    );
    assert.equal(await page.locator('rf-scrolly').getAttribute('data-state'), 'logreg');
    assert.equal(await page.locator('.program table:visible').count(), 3);
    assert.ok((await page.locator('.katex').count()) >= 4);
    assert.deepEqual(problems, noProblems());
  });

  it('has no serious or critical accessibility violations (axe-core)', async () => {
    for (const path of ['/', LESSON]) {
      const { page } = await h.open(path);
      await assertNoSeriousViolations(page, path);
    }
  });
});

async function scrollToTop(page: Page) {
  for (let i = 0; i < 80; i++) {
    if ((await page.evaluate(() => window.scrollY)) <= 0) break;
    await page.mouse.wheel(0, -120);
    await page.waitForTimeout(60);
  }
  await page.waitForTimeout(200);
}
