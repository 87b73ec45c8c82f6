import { mkdirSync } from 'node:fs';
import { after, afterEach, before } from 'node:test';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { type LaunchOptions, launchBrowser } from './browser.ts';
import { guardContext, type PageProblems } from './guard.ts';
import { serveMounts } from './mounts.ts';
import { type StaticServer, serveSite } from './server.ts';

export const SCREENSHOT_DIR = new URL('../screenshots/', import.meta.url);

/** A fresh guarded context: its problems list fills as its pages misbehave. */
export interface GuardedContext {
  context: BrowserContext;
  problems: PageProblems;
}

/** A guarded context with one page in it. */
export interface OpenedPage extends GuardedContext {
  page: Page;
}

/** One served site and one browser, shared by the tests of a file. */
export interface Harness {
  server: StaticServer;
  browser: Browser;
  /** A fresh guarded context; its problems list fills as pages misbehave. */
  context(options?: BrowserContextOptions): Promise<GuardedContext>;
  /**
   * A fresh guarded context with one blank page in it, for a test that sets the page up (an init
   * script, a route) before it goes anywhere.
   */
  newPage(options?: BrowserContextOptions): Promise<OpenedPage>;
  /**
   * The Content Security Policy violations of every context since the last call, emptied. Each
   * test of a {@link useHarness} file fails on one (its `afterEach` hook asks).
   */
  takeCspViolations(): string[];
  /**
   * A fresh guarded context with one page, gone to `path` (relative to the served site). Where a
   * test must set something up before the first navigation, use {@link Harness.context} instead.
   */
  open(path: string, options?: BrowserContextOptions): Promise<OpenedPage>;
  close(): Promise<void>;
}

export interface HarnessOptions extends LaunchOptions {
  /** A built directory to serve instead of the site (it must hold an `index.html`). */
  dir?: string;
  /** Directories to serve under URL prefixes instead of the site, as {@link serveMounts} does. */
  mounts?: Record<string, string>;
}

export async function startHarness({
  dir,
  mounts,
  ...launch
}: HarnessOptions = {}): Promise<Harness> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const server = mounts ? await serveMounts(mounts) : await serveSite(dir);
  const browser = await launchBrowser(launch);
  const contexts: BrowserContext[] = [];
  let violations: string[] = [];
  const context = async (options: BrowserContextOptions = {}) => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      baseURL: server.origin,
      ...options,
    });
    contexts.push(context);
    const problems = await guardContext(context, server.origin, (v) => violations.push(v));
    return { context, problems };
  };
  const newPage = async (options?: BrowserContextOptions) => {
    const opened = await context(options);
    return { ...opened, page: await opened.context.newPage() };
  };
  return {
    server,
    browser,
    context,
    newPage,
    takeCspViolations() {
      const taken = violations;
      violations = [];
      return taken;
    },
    async open(path, options) {
      const opened = await newPage(options);
      await opened.page.goto(path);
      return opened;
    },
    async close() {
      await Promise.all(contexts.map((c) => c.close().catch(() => {})));
      await browser.close();
      await server.close();
    },
  };
}

/**
 * The harness of the enclosing file or `describe` block: started in its `before` hook and closed
 * in its `after` hook, so call this at the top level of either. What it returns is usable from
 * the tests (and from `before` hooks registered after this call) on.
 */
export function useHarness(options: HarnessOptions = {}): Harness {
  let started: Harness | undefined;
  before(async () => {
    started = await startHarness(options);
  });
  // A page that breaks its Content Security Policy fails the test that opened it, whether or not
  // the test looks at its problems.
  afterEach(() => {
    const violations = started?.takeCspViolations() ?? [];
    if (violations.length) {
      throw new Error(`Content Security Policy violations:\n${violations.join('\n')}`);
    }
  });
  after(async () => {
    await started?.close();
  });
  const h = () => {
    if (!started) throw new Error('The harness starts in a before hook: use it from a test.');
    return started;
  };
  return {
    get server() {
      return h().server;
    },
    get browser() {
      return h().browser;
    },
    context: (contextOptions) => h().context(contextOptions),
    newPage: (contextOptions) => h().newPage(contextOptions),
    takeCspViolations: () => h().takeCspViolations(),
    open: (path, contextOptions) => h().open(path, contextOptions),
    close: () => h().close(),
  };
}

/**
 * Opens a test fixture's page (`path`, the fixture's root by default) in a fresh guarded context
 * and waits until the fixture says it is ready: `<body data-ready="true">`.
 */
export async function openFixture(h: Harness, path = '/'): Promise<OpenedPage> {
  const opened = await h.open(path);
  await opened.page.waitForSelector('body[data-ready="true"]');
  return opened;
}
