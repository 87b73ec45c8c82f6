import type { Browser, BrowserContext, BrowserContextOptions } from 'playwright-core';
import { chromium } from 'playwright-core';
import { CHROME_PATH, launchBrowser } from '../browser.ts';
import { guardContext, type PageProblems } from '../guard.ts';
import { type StaticServer, serveSite } from '../server.ts';

/**
 * Flags that let headless Chromium show a WebGPU canvas on SwiftShader. With only
 * `--enable-unsafe-webgpu --enable-unsafe-swiftshader` (what `launchBrowser({ webgpu: true })`
 * passes) compute works but a canvas never presents: the GPU process logs "Could not find
 * SharedImageBackingFactory ... WebgpuSwapChainTexture", the device is lost and WebGL is gone
 * for a moment while the GPU process restarts. Compositing through Vulkan on SwiftShader gives
 * the swap chain a backing both sides can use.
 */
export const WEBGPU_CANVAS_ARGS = [
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-quic',
  '--enable-unsafe-webgpu',
  '--enable-unsafe-swiftshader',
  '--use-angle=swiftshader',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
];

/** One served directory and one browser, as `startHarness` gives, with a chosen launch. */
export interface GpuHarness {
  server: StaticServer;
  browser: Browser;
  context(
    options?: BrowserContextOptions,
  ): Promise<{ context: BrowserContext; problems: PageProblems }>;
  close(): Promise<void>;
}

/**
 * Serves `dir` and launches Chromium with WebGPU: `canvas` adds the flags that make a WebGPU
 * canvas show (see {@link WEBGPU_CANVAS_ARGS}); `adapter-only` is the shared harness's WebGPU
 * launch, where an adapter exists but a canvas cannot present.
 */
export async function startGpuHarness(
  dir: string,
  launch: 'canvas' | 'adapter-only',
): Promise<GpuHarness> {
  const server = await serveSite(dir);
  const browser =
    launch === 'canvas'
      ? await chromium.launch({
          executablePath: CHROME_PATH,
          headless: true,
          args: WEBGPU_CANVAS_ARGS,
        })
      : await launchBrowser({ webgpu: true });
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
      return { context, problems: await guardContext(context, server.origin) };
    },
    async close() {
      await Promise.all(contexts.map((c) => c.close().catch(() => {})));
      await browser.close();
      await server.close();
    },
  };
}
