/**
 * Losing TensorFlow.js's GPU for real, as a GPU reset would. The page is made to keep every
 * WebGL context it creates and every WebGPU device it is given (the real APIs, only observed);
 * a test then calls `WEBGL_lose_context` on the contexts tfjs draws with (a canvas outside the
 * document, or an OffscreenCanvas, leaving the 3D figures' canvases alone), or destroys the
 * devices.
 */
import assert from 'node:assert/strict';
import type { Page, Worker } from 'playwright-core';

type GlWindow = { rfGlContexts: WebGLRenderingContext[]; rfLostEvents: string[] };

/** Before the page loads: keep every WebGL context it makes in `window.rfGlContexts`. */
export const keepGlContexts = (page: Page) =>
  page.addInitScript(() => {
    const made: WebGLRenderingContext[] = [];
    (window as unknown as GlWindow).rfGlContexts = made;
    (window as unknown as GlWindow).rfLostEvents = [];
    for (const proto of [HTMLCanvasElement.prototype, OffscreenCanvas.prototype]) {
      const getContext = proto.getContext as (...a: unknown[]) => unknown;
      proto.getContext = function (this: unknown, ...args: unknown[]) {
        const ctx = getContext.apply(this, args);
        if (ctx && /^(webgl|webgl2|experimental-webgl)$/.test(String(args[0])))
          made.push(ctx as WebGLRenderingContext);
        return ctx;
      } as never;
    }
  });

/** A property to set on an element just before the loss (a new kernel, so a run in flight meets it). */
export interface SetFirst {
  selector: string;
  property: string;
  value: unknown;
}

/**
 * Loses the context of every WebGL canvas outside the document (tfjs's), after setting `first`
 * if given. Resolves to how many it lost; `window.rfLostEvents` fills as their
 * `webglcontextlost` events arrive.
 */
export const loseTfjsContexts = (page: Page, first: SetFirst | null = null) =>
  page.evaluate((set) => {
    const w = window as unknown as GlWindow;
    const tfjs = w.rfGlContexts.filter(
      (c) => !(c.canvas instanceof HTMLCanvasElement && c.canvas.isConnected),
    );
    for (const c of tfjs) {
      c.canvas.addEventListener('webglcontextlost', (e) => w.rfLostEvents.push(e.type));
    }
    if (set) {
      (document.querySelector(set.selector) as unknown as Record<string, unknown>)[set.property] =
        set.value;
    }
    for (const c of tfjs) c.getExtension('WEBGL_lose_context')!.loseContext();
    return tfjs.length;
  }, first);

/** Resolves once a lost context's `webglcontextlost` event has arrived. */
export const contextLostEventSeen = (page: Page) =>
  page.waitForFunction(
    () => (window as unknown as { rfLostEvents: string[] }).rfLostEvents.length > 0,
  );

type GpuWindow = { rfGpuDevices: GPUDevice[]; rfLostReasons: string[] };

/**
 * Keeps every WebGPU device this global (a page or a worker) is given in `rfGpuDevices`, and
 * starts `rfLostReasons`: the real API, only observed. Self-contained, as Playwright runs it
 * from its source text in the page or the worker.
 */
function keepDevicesHere(): void {
  const scope = globalThis as unknown as GpuWindow;
  const made: GPUDevice[] = [];
  scope.rfGpuDevices = made;
  scope.rfLostReasons = [];
  if (typeof GPUAdapter === 'undefined') return;
  const requestDevice = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = async function (
    this: GPUAdapter,
    ...args: Parameters<GPUAdapter['requestDevice']>
  ) {
    const device = await requestDevice.apply(this, args);
    made.push(device);
    return device;
  };
}

/** Before the page loads: keep every WebGPU device the page is given in `window.rfGpuDevices`. */
export const keepGpuDevices = (page: Page) => page.addInitScript(keepDevicesHere);

/**
 * Destroys every device the page was given, after setting `first` if given: what a page may do,
 * and the browser then reports the device lost as after a GPU reset. Resolves to how many;
 * `window.rfLostReasons` fills as their `lost` promises settle.
 */
export const destroyGpuDevices = (page: Page, first: SetFirst | null = null) =>
  page.evaluate((set) => {
    const w = window as unknown as GpuWindow;
    for (const d of w.rfGpuDevices) void d.lost.then((info) => w.rfLostReasons.push(info.reason));
    if (set) {
      (document.querySelector(set.selector) as unknown as Record<string, unknown>)[set.property] =
        set.value;
    }
    for (const d of w.rfGpuDevices) d.destroy();
    return w.rfGpuDevices.length;
  }, first);

/** Resolves once a destroyed device has said it was lost. */
export const deviceLostSeen = (page: Page) =>
  page.waitForFunction(
    () => (window as unknown as { rfLostReasons: string[] }).rfLostReasons.length > 0,
  );

/** What a page computes on the GPU with: a WebGL context, or a WebGPU device. */
export type GpuKind = 'webgl' | 'webgpu';

/**
 * Before the page loads: keep what losing `gpu` later needs ({@link keepGlContexts} or
 * {@link keepGpuDevices}).
 */
export const keepGpu = (page: Page, gpu: GpuKind) =>
  gpu === 'webgl' ? keepGlContexts(page) : keepGpuDevices(page);

/**
 * Loses `gpu` for real after setting `first` if given ({@link loseTfjsContexts} or
 * {@link destroyGpuDevices}), asserts that there was one to lose (`user`, e.g. "tfjs", is what
 * ran on it), and resolves once the page has been told of the loss.
 */
export async function loseGpu(
  page: Page,
  gpu: GpuKind,
  user: string,
  first: SetFirst | null = null,
): Promise<void> {
  if (gpu === 'webgl') {
    assert.ok(
      (await loseTfjsContexts(page, first)) >= 1,
      `found the WebGL context ${user} draws with`,
    );
    await contextLostEventSeen(page);
  } else {
    assert.ok(
      (await destroyGpuDevices(page, first)) >= 1,
      `found the WebGPU device ${user} runs on`,
    );
    await deviceLostSeen(page);
  }
}

/**
 * Before the page starts workers: every worker it starts keeps the WebGPU devices it is given in
 * `self.rfGpuDevices` (the worker first waits for the page's message, then loads onnxruntime-web,
 * so this runs before it asks for a device). Returns the workers, as they start.
 */
export function keepWorkerGpuDevices(page: Page): Worker[] {
  const workers: Worker[] = [];
  page.on('worker', (w) => {
    workers.push(w);
    void w.evaluate(keepDevicesHere).catch(() => {});
  });
  return workers;
}

/** Destroys every device the workers were given; resolves to how many. */
export async function destroyWorkerGpuDevices(workers: readonly Worker[]): Promise<number> {
  let lost = 0;
  for (const w of workers) {
    lost += await w
      .evaluate(() => {
        const devices = (self as unknown as { rfGpuDevices?: GPUDevice[] }).rfGpuDevices ?? [];
        for (const d of devices) d.destroy();
        return devices.length;
      })
      .catch(() => 0);
  }
  return lost;
}
