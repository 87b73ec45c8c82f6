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

/** The output grid an `<rf-kernel-lab>` computed (its `output` property). */
export const labOutput = (lab: Locator) =>
  lab.evaluate((el) => (el as unknown as { output: number[][] }).output);
