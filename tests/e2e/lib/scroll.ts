import type { Locator, Page } from 'playwright-core';

const atEnd = (page: Page) =>
  page.evaluate(
    () => window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 2,
  );

/** Calls `advance` (a wheel turn, a key press, ...) until the page is scrolled to its end. */
export async function scrollToEnd(page: Page, advance: () => Promise<unknown>, max = 120) {
  for (let i = 0; i < max && !(await atEnd(page)); i++) {
    await advance();
    await page.waitForTimeout(60);
  }
  await page.waitForTimeout(200);
}

/** Scrolls down with the mouse wheel to the end, calling `each` after every turn. */
export const scrollThrough = (page: Page, each: () => Promise<void> = async () => {}, step = 200) =>
  scrollToEnd(page, async () => {
    await page.mouse.wheel(0, step);
    await page.waitForTimeout(50);
    await each();
  });

/**
 * Scrolls down with the mouse wheel to the end (as {@link scrollThrough} does) and calls `each`
 * once for every new `data-state` that `scrolly` enters, in order. Returns those states.
 */
export async function scrollThroughSteps(
  page: Page,
  scrolly: Locator,
  each: (state: string) => Promise<void>,
): Promise<string[]> {
  const seen: string[] = [];
  await scrollThrough(page, async () => {
    const state = await scrolly.getAttribute('data-state');
    if (!state || seen.at(-1) === state) return;
    seen.push(state);
    await each(state);
  });
  return seen;
}

/**
 * Scrolls through the whole page in big wheel turns, so that every lazy figure wakes, then back
 * to the top: the page as a reader leaves it with everything live.
 */
export async function wakeEveryFigure(page: Page): Promise<void> {
  await scrollThrough(page, async () => {}, 700);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(100);
}

/** The output grid an `<rf-kernel-lab>` computed (its `output` property). */
export const labOutput = (lab: Locator) =>
  lab.evaluate((el) => (el as unknown as { output: number[][] }).output);
