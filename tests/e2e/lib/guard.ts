import type { BrowserContext, Page } from 'playwright-core';

/** What went wrong while a context was open: every list should stay empty. */
export interface PageProblems {
  consoleErrors: string[];
  pageErrors: string[];
  failedRequests: string[];
  /** Requests to anywhere but the local test server: blocked, and listed here. */
  offsiteRequests: string[];
  /** `securitypolicyviolation` events: what the page's Content Security Policy refused. */
  cspViolations: string[];
}

const isLocal = (url: string, origin: string) =>
  url.startsWith(`${origin}/`) || url === origin || /^(data|blob|about):/.test(url);

/** The binding the pages report Content Security Policy violations through. */
const CSP_BINDING = '__rfCspViolation';

/**
 * Watches a browser context: blocks and records every request that would leave the local server,
 * and records console errors, uncaught exceptions, failed requests, HTTP errors and every
 * `securitypolicyviolation` event (each also a console error, so a test that checks those fails
 * on one too). `onViolation` hears each violation as it comes.
 */
export async function guardContext(
  context: BrowserContext,
  origin: string,
  onViolation?: (violation: string) => void,
): Promise<PageProblems> {
  const problems = noProblems();
  await context.exposeBinding(CSP_BINDING, ({ page }, violation: string) => {
    const line = `${page.url()}: Content Security Policy violation: ${violation}`;
    problems.cspViolations.push(line);
    problems.consoleErrors.push(line);
    onViolation?.(line);
  });
  // In every frame, before the page's own scripts; the event bubbles out of shadow roots.
  await context.addInitScript((binding: string) => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const report = (window as unknown as Record<string, (v: string) => void>)[binding];
      report?.(
        `${e.effectiveDirective} refused ${e.blockedURI || '(inline)'} (${e.sourceFile || 'page'}:${e.lineNumber}) ${e.sample}`.trim(),
      );
    });
  }, CSP_BINDING);
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
  cspViolations: [],
});
