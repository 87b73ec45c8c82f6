import type { BrowserContext, Page } from 'playwright-core';

/** What went wrong while a context was open: every list should stay empty. */
export interface PageProblems {
  consoleErrors: string[];
  pageErrors: string[];
  failedRequests: string[];
  /** Requests to anywhere but the local test server: blocked, and listed here. */
  offsiteRequests: string[];
}

const isLocal = (url: string, origin: string) =>
  url.startsWith(`${origin}/`) || url === origin || /^(data|blob|about):/.test(url);

/**
 * Watches a browser context: blocks and records every request that would leave the local server,
 * and records console errors, uncaught exceptions, failed requests and HTTP errors.
 */
export async function guardContext(context: BrowserContext, origin: string): Promise<PageProblems> {
  const problems: PageProblems = {
    consoleErrors: [],
    pageErrors: [],
    failedRequests: [],
    offsiteRequests: [],
  };
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (isLocal(url, origin)) return route.continue();
    problems.offsiteRequests.push(url);
    return route.abort('blockedbyclient');
  });
  const watch = (page: Page) => {
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.consoleErrors.push(`${page.url()}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.pageErrors.push(`${page.url()}: ${err.message}`));
    page.on('requestfailed', (req) => {
      if (isLocal(req.url(), origin)) {
        problems.failedRequests.push(`${req.url()}: ${req.failure()?.errorText ?? 'failed'}`);
      }
    });
    page.on('response', (res) => {
      if (res.status() >= 400) problems.failedRequests.push(`${res.url()}: HTTP ${res.status()}`);
    });
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  return problems;
}

export const noProblems = (): PageProblems => ({
  consoleErrors: [],
  pageErrors: [],
  failedRequests: [],
  offsiteRequests: [],
});
