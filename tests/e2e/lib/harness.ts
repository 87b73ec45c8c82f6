import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, BrowserContextOptions } from 'playwright-core';
import { type LaunchOptions, launchBrowser } from './browser.ts';
import { guardContext, type PageProblems } from './guard.ts';
import { type StaticServer, serveSite } from './server.ts';

export const SCREENSHOT_DIR = new URL('../screenshots/', import.meta.url);

/** One served site and one browser, shared by the tests of a file. */
export interface Harness {
  server: StaticServer;
  browser: Browser;
  /** A fresh guarded context; its problems list fills as pages misbehave. */
  context(
    options?: BrowserContextOptions,
  ): Promise<{ context: BrowserContext; problems: PageProblems }>;
  close(): Promise<void>;
}

export interface HarnessOptions extends LaunchOptions {
  /** A built directory to serve instead of the site (it must hold an `index.html`). */
  dir?: string;
}

export async function startHarness({ dir, ...launch }: HarnessOptions = {}): Promise<Harness> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const server = await serveSite(dir);
  const browser = await launchBrowser(launch);
  const contexts: BrowserContext[] = [];
  return {
    server,
    browser,
    async context(options = {}) {
      const context = await browser.newContext({
        viewport: { width: 1280, height: 800 },
        baseURL: server.origin,
        ...options,
      });
      contexts.push(context);
      const problems = await guardContext(context, server.origin);
      return { context, problems };
    },
    async close() {
      await Promise.all(contexts.map((c) => c.close().catch(() => {})));
      await browser.close();
      await server.close();
    },
  };
}
