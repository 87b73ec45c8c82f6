import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** The browser every real-browser test drives: `CHROME_PATH`, else Debian's Chromium. */
export const CHROME_PATH = process.env['CHROME_PATH'] || '/usr/bin/chromium';

/**
 * The flags of every launch. Without the background-networking ones Chromium keeps dialling
 * Google's hosts, which this closed network refuses; none of them changes what a page sees.
 */
export const BASE_ARGS = [
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-quic',
];

/** A software WebGPU adapter (SwiftShader): slow but real, so GPU code paths run on any machine. */
export const WEBGPU_ARGS = ['--enable-unsafe-webgpu', '--enable-unsafe-swiftshader'];

/**
 * What headless Chromium needs besides {@link WEBGPU_ARGS} to show a WebGPU canvas on
 * SwiftShader. With only those two flags compute works but a canvas never presents: the GPU
 * process logs "Could not find SharedImageBackingFactory ... WebgpuSwapChainTexture", the device
 * is lost and WebGL is gone for a moment while the GPU process restarts. Compositing through
 * Vulkan on SwiftShader gives the swap chain a backing both sides can use.
 */
export const WEBGPU_CANVAS_EXTRA_ARGS = [
  '--use-angle=swiftshader',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
];

export interface LaunchOptions {
  /**
   * Expose WebGPU through SwiftShader. Leave off to test the fallbacks a reader without it gets.
   * `true` gives an adapter (compute runs) but no WebGPU canvas that presents; `'canvas'` adds
   * {@link WEBGPU_CANVAS_EXTRA_ARGS}, so a WebGPU canvas shows too.
   */
  webgpu?: boolean | 'canvas';
  /**
   * Give getUserMedia Chromium's fake camera (a moving test pattern). Whether a page may use it
   * is still up to the context: grant `camera` in its permissions, or it is denied.
   */
  fakeCamera?: boolean;
}

/**
 * Launches the local Chrome/Chromium headless. Never downloads a browser: when none is found it
 * throws one sentence saying how to get one.
 */
export async function launchBrowser({
  webgpu = false,
  fakeCamera = false,
}: LaunchOptions = {}): Promise<Browser> {
  try {
    accessSync(CHROME_PATH, constants.X_OK);
  } catch {
    throw new Error(
      `No Chrome or Chromium at ${CHROME_PATH}: install one (Debian: apt-get install chromium) or set CHROME_PATH to its executable.`,
    );
  }
  return chromium.launch({
    executablePath: CHROME_PATH,
    headless: true,
    args: [
      ...BASE_ARGS,
      ...(webgpu ? WEBGPU_ARGS : []),
      ...(webgpu === 'canvas' ? WEBGPU_CANVAS_EXTRA_ARGS : []),
      ...(fakeCamera ? ['--use-fake-device-for-media-stream'] : []),
    ],
  });
}

/** A browser on a profile of its own on disk: its one context and page, and `close()`. */
export interface DiskProfile {
  context: BrowserContext;
  page: Page;
  /** Ends the browser and removes its profile. */
  close(): Promise<void>;
}

/**
 * Launches Chromium on a fresh profile on disk, as a reader's browser runs: its HTTP cache is on
 * disk. (A context of `browser.newContext()` keeps its cache in memory, too small to keep
 * onnxruntime-web's 14 MB of WebAssembly, and a guarded one's routing turns the cache off.)
 */
export async function launchDiskProfile({
  webgpu = false,
  viewport = { width: 1280, height: 800 },
  baseURL,
}: {
  webgpu?: boolean;
  viewport?: { width: number; height: number };
  baseURL: string;
}): Promise<DiskProfile> {
  const profile = mkdtempSync(join(tmpdir(), 'rf-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROME_PATH,
    headless: true,
    args: [...BASE_ARGS, ...(webgpu ? WEBGPU_ARGS : [])],
    viewport,
    baseURL,
  });
  return {
    context,
    page: context.pages()[0] ?? (await context.newPage()),
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
