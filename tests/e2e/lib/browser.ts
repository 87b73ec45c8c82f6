import { accessSync, constants } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** The browser every real-browser test drives: `CHROME_PATH`, else Debian's Chromium. */
export const CHROME_PATH = process.env['CHROME_PATH'] || '/usr/bin/chromium';

// Without the background-networking flags Chromium keeps dialling Google's hosts, which this
// closed network refuses; none of them changes what a page sees.
const BASE_ARGS = [
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-quic',
];

// A software WebGPU adapter (SwiftShader): slow but real, so GPU code paths run on any machine.
const WEBGPU_ARGS = ['--enable-unsafe-webgpu', '--enable-unsafe-swiftshader'];

export interface LaunchOptions {
  /** Expose WebGPU through SwiftShader. Leave off to test the fallbacks a reader without it gets. */
  webgpu?: boolean;
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
      ...(fakeCamera ? ['--use-fake-device-for-media-stream'] : []),
    ],
  });
}
