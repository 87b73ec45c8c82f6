// The built site on loopback in Debian's Chromium, as the lesson suites measure it: one server
// and browser per suite, a fresh 1280x800 context per run, and the main thread's long tasks.
import { launchBrowser } from '@receptive/e2e/lib/browser';
import { SITE_DIST, serveSite } from '@receptive/e2e/lib/server';
import type { BrowserContext, Page } from 'playwright-core';

/** A fresh browser context on the served site (1280x800, paths relative to it) and its page. */
export type OpenPage = () => Promise<{ context: BrowserContext; page: Page }>;

/**
 * Serves the built site (apps/site/dist) and launches Chromium for `body`, which opens pages on
 * it with `open`; the browser and the server are closed however `body` ends.
 */
export async function withSite<T>(body: (open: OpenPage) => Promise<T>): Promise<T> {
  const server = await serveSite(SITE_DIST);
  const browser = await launchBrowser();
  try {
    return await body(async () => {
      const context = await browser.newContext({
        viewport: { width: 1280, height: 800 },
        baseURL: server.origin,
      });
      return { context, page: await context.newPage() };
    });
  } finally {
    await browser.close();
    await server.close();
  }
}

/**
 * Waits until the first `tag` element's `data-<key>` attribute reads `value` (`opts` as
 * Playwright's waitForFunction takes them).
 */
export async function waitForData(
  page: Page,
  tag: string,
  key: string,
  value: string,
  opts?: { timeout?: number; polling?: number | 'raf' },
): Promise<void> {
  await page.waitForFunction(
    ([t, k, v]) => (document.querySelector(t!) as HTMLElement | null)?.dataset[k!] === v,
    [tag, key, value],
    opts,
  );
}

/**
 * The main thread's long tasks in one page: the duration of every task over 50 ms
 * (PerformanceObserver 'longtask'), kept from the page's first script on.
 */
export class LongTasks {
  readonly page: Page;

  private constructor(page: Page) {
    this.page = page;
  }

  /** Starts keeping the long tasks of `page`; call before the page loads. */
  static async watch(page: Page): Promise<LongTasks> {
    await page.addInitScript(() => {
      const w = window as unknown as { __longTasks: number[] };
      w.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__longTasks.push(e.duration);
      }).observe({ type: 'longtask', buffered: true });
    });
    return new LongTasks(page);
  }

  /** The longest of `tasks`, 0 when there is none. */
  static longest(tasks: number[]): number {
    return tasks.length ? Math.max(...tasks) : 0;
  }

  /** Forgets the tasks kept so far, so that only what follows counts. */
  async clear(): Promise<void> {
    await this.page.evaluate(() => {
      (window as unknown as { __longTasks: number[] }).__longTasks.length = 0;
    });
  }

  /** The durations (ms) of the tasks kept since the page loaded or was last cleared. */
  read(): Promise<number[]> {
    return this.page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
  }
}
