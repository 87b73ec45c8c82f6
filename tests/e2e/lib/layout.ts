import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';

/** Asserts that the page is no wider than its viewport: nothing to scroll sideways. */
export async function assertFitsWidth(page: Page, what = 'the page'): Promise<void> {
  const [scrollWidth, width] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    window.innerWidth,
  ]);
  assert.ok(scrollWidth <= width, `${what} is ${scrollWidth}px wide in a ${width}px viewport`);
}
