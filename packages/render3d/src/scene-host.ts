import { Color, PerspectiveCamera, Scene, WebGLRenderer } from 'three';
import type { WebGPURenderer } from 'three/webgpu';
import { THEME } from './theme.js';
import type { Backend, BackendRequest } from './types.js';
import { visuallyHidden } from './visually-hidden.js';

/** How to build a {@link SceneHost}. */
export interface SceneHostOptions {
  /** `webgl` (default), `webgpu` (falls back to WebGL2 when no adapter), or `auto`. */
  backend?: BackendRequest;
  /** Cap on the device-pixel ratio (default `THEME.maxPixelRatio`). */
  maxPixelRatio?: number;
  /** Short name of the figure for assistive technology, e.g. "Feature maps of a CNN". */
  label: string;
  /** Background colour (default `THEME.background`). */
  background?: number;
  /** Draws the figure on a 2D canvas when the browser has no WebGL2 (and no WebGPU). */
  draw2D?: (ctx: CanvasRenderingContext2D, width: number, height: number) => void;
  /** Called after every size change, with the new CSS size. */
  onResize?: (width: number, height: number) => void;
  /** Called after every 3D frame (not on the 2D fallback): where HTML labels follow the camera. */
  onRender?: () => void;
  /**
   * Called when the host swaps its canvas for a fresh one (a WebGPU device lost or a WebGPU
   * renderer that failed after taking the canvas: WebGL2 then needs a canvas of its own), so
   * listeners can move to it.
   */
  onCanvas?: (canvas: HTMLCanvasElement, old: HTMLCanvasElement) => void;
}

/** What the renderer drew in the last frame and holds on the GPU. */
export interface RenderStats {
  drawCalls: number;
  triangles: number;
  geometries: number;
  textures: number;
}

/** A running animation: gets the frame time, returns false when it is done. */
export type Animator = (now: number) => boolean;

type Renderer = WebGLRenderer | WebGPURenderer;

let nextId = 0;

/**
 * The canvas, renderer, scene and camera of one figure, and the care every figure needs:
 * renders only after {@link invalidate} or while an {@link animate} callback runs; sleeps when
 * scrolled far away (IntersectionObserver) or in a hidden tab; follows its container's size
 * (ResizeObserver) with a capped device-pixel ratio; survives WebGL context loss and renders
 * again on restore; falls back to a 2D canvas when WebGL2 is missing; and gives the canvas a
 * label and a description for assistive technology.
 *
 * @example
 * const host = new SceneHost(element, { label: 'Feature maps of conv1' });
 * host.scene.add(stack);
 * host.invalidate(); // one frame on the next animation frame, if the figure is on screen
 */
export class SceneHost {
  readonly container: HTMLElement;
  readonly scene = new Scene();
  readonly camera = new PerspectiveCamera(THEME.fov, 1, 0.05, 200);
  /** Resolves with the backend once the renderer can draw (at once for WebGL2 and 2D). */
  readonly ready: Promise<Backend>;
  /** What draws now; `2d` means the fallback. */
  backend: Backend = 'webgl';
  /**
   * Why a `webgpu` or `auto` request draws with WebGL2 (or 2D) instead, in one sentence; null
   * when the request was met or WebGL2 was asked for.
   */
  fallbackReason: string | null = null;
  /** The three.js renderer, or null for the 2D fallback and until WebGPU is ready. */
  renderer: Renderer | null = null;
  /** CSS size of the canvas. */
  width = 300;
  height = 150;
  /** Frames rendered so far (for tests and benchmarks). */
  frames = 0;
  /** True while the WebGL context is lost. */
  contextLost = false;
  /** WebGL contexts lost that did not come back, each replaced by a fresh canvas. */
  contextsReplaced = 0;

  private readonly options: SceneHostOptions;
  private readonly description: HTMLElement;
  private readonly animators: Animator[] = [];
  private readonly resizeObserver: ResizeObserver | null = null;
  private readonly intersectionObserver: IntersectionObserver | null = null;
  private ctx2d: CanvasRenderingContext2D | null = null;
  private current: HTMLCanvasElement;
  private readonly id: string;
  private lostTimer = 0;
  private readonly last: RenderStats = { drawCalls: 0, triangles: 0, geometries: 0, textures: 0 };
  private scheduled = 0;
  private dirty = true;
  private onscreen = true;
  private disposed = false;

  constructor(container: HTMLElement, options: SceneHostOptions) {
    this.container = container;
    this.options = options;
    this.scene.background = new Color(options.background ?? THEME.background);
    const rect = container.getBoundingClientRect();
    if (rect.width > 0 && rect.height > 0) {
      this.width = rect.width;
      this.height = rect.height;
    }
    this.camera.aspect = this.width / this.height;
    this.camera.updateProjectionMatrix();

    const id = `rf3d-${++nextId}`;
    this.description = visuallyHidden(document.createElement('p'));
    this.description.id = `${id}-desc`;

    this.id = id;
    const request = options.backend ?? 'webgl';
    const canvas = this.makeCanvas();
    this.current = canvas;
    if (request !== 'webgl' && hasWebGPU()) {
      // Until WebGPU is proven to draw here, nothing draws: `ready` says when one backend does.
      this.backend = 'webgpu';
      this.ready = this.startWebGPU(request);
    } else {
      if (request !== 'webgl') this.fallbackReason = 'This browser does not offer WebGPU.';
      if (!this.startWebGLOn(canvas)) this.start2D();
      this.ready = Promise.resolve(this.backend);
    }
    container.append(this.current, this.description);
    this.applySize();

    if (typeof ResizeObserver !== 'undefined') {
      this.resizeObserver = new ResizeObserver((entries) => {
        const box = entries[entries.length - 1]!.contentRect;
        if (box.width < 1 || box.height < 1) return;
        if (box.width === this.width && box.height === this.height) return;
        this.width = box.width;
        this.height = box.height;
        this.applySize();
        // Resizing clears the drawing buffer: draw now, before the browser paints.
        if (this.active) this.renderNow();
        else this.dirty = true;
      });
      this.resizeObserver.observe(container);
    }
    if (typeof IntersectionObserver !== 'undefined') {
      this.intersectionObserver = new IntersectionObserver(
        (entries) => {
          this.onscreen = entries[entries.length - 1]!.isIntersecting;
          this.wake();
        },
        { rootMargin: '50% 0px' },
      );
      this.intersectionObserver.observe(container);
    }
    document.addEventListener('visibilitychange', this.wake);
    this.invalidate();
  }

  /** The canvas drawn on: WebGL2, WebGPU or 2D (a fresh one after a WebGPU failure). */
  get canvas(): HTMLCanvasElement {
    return this.current;
  }

  /** True when the figure is near the viewport in a visible tab: only then does it render. */
  get active(): boolean {
    return this.onscreen && document.visibilityState !== 'hidden' && !this.disposed;
  }

  /** Asks for one frame; it is drawn on the next animation frame, or on waking if asleep. */
  invalidate(): void {
    this.dirty = true;
    if (this.active && !this.scheduled) this.scheduled = requestAnimationFrame(this.frame);
  }

  /** Runs `animator` every frame until it returns false (it keeps the figure rendering). */
  animate(animator: Animator): void {
    if (!this.animators.includes(animator)) this.animators.push(animator);
    this.invalidate();
  }

  /** Stops an animation started with {@link animate}. */
  stopAnimation(animator: Animator): void {
    const i = this.animators.indexOf(animator);
    if (i >= 0) this.animators.splice(i, 1);
  }

  /** Draws a frame now, synchronously (skipped while the context is lost or WebGPU starts). */
  renderNow(): void {
    this.dirty = false;
    if (this.disposed || this.contextLost) return;
    if (this.ctx2d) {
      const dpr = this.pixelRatio;
      this.ctx2d.setTransform(dpr, 0, 0, dpr, 0, 0);
      this.ctx2d.fillStyle = `#${(this.options.background ?? THEME.background).toString(16).padStart(6, '0')}`;
      this.ctx2d.fillRect(0, 0, this.width, this.height);
      this.options.draw2D?.(this.ctx2d, this.width, this.height);
      this.frames++;
      return;
    }
    if (!this.renderer) return;
    this.renderer.render(this.scene, this.camera);
    // WebGPURenderer resets its counters on its own next animation frame: keep this frame's.
    const info = this.renderer.info as unknown as RendererInfo;
    this.last.drawCalls =
      this.backend === 'webgpu' ? (info.render.drawCalls ?? 0) : (info.render.calls ?? 0);
    this.last.triangles = info.render.triangles;
    this.frames++;
    this.options.onRender?.();
  }

  /** Sets the longer text alternative: what the figure shows now, in words. */
  describe(text: string): void {
    if (this.description.textContent !== text) this.description.textContent = text;
  }

  /** The text alternative set with {@link describe}. */
  get text(): string {
    return this.description.textContent ?? '';
  }

  /** Draw calls and triangles of the last frame, and geometries and textures on the GPU. */
  stats(): RenderStats {
    const r = this.renderer;
    if (!r) return { drawCalls: 0, triangles: 0, geometries: 0, textures: 0 };
    const info = r.info as unknown as RendererInfo;
    return {
      drawCalls: this.last.drawCalls,
      triangles: this.last.triangles,
      geometries: info.memory.geometries,
      textures: info.memory.textures,
    };
  }

  /** The device-pixel ratio in use: the screen's, capped. */
  get pixelRatio(): number {
    return Math.min(
      typeof devicePixelRatio === 'number' ? devicePixelRatio : 1,
      this.options.maxPixelRatio ?? THEME.maxPixelRatio,
    );
  }

  /** Stops rendering and observing, frees the renderer and removes the canvas. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.scheduled) cancelAnimationFrame(this.scheduled);
    this.scheduled = 0;
    this.animators.length = 0;
    this.resizeObserver?.disconnect();
    this.intersectionObserver?.disconnect();
    document.removeEventListener('visibilitychange', this.wake);
    clearTimeout(this.lostTimer);
    this.canvas.removeEventListener('webglcontextlost', this.onLost);
    this.canvas.removeEventListener('webglcontextrestored', this.onRestored);
    this.renderer?.dispose();
    this.renderer = null;
    this.canvas.remove();
    this.description.remove();
  }

  private readonly frame = (now: number): void => {
    this.scheduled = 0;
    if (!this.active) return;
    let running = false;
    for (let i = this.animators.length - 1; i >= 0; i--) {
      if (this.animators[i]!(now)) running = true;
      else this.animators.splice(i, 1);
    }
    this.renderNow();
    if (running) this.scheduled = requestAnimationFrame(this.frame);
  };

  private readonly wake = (): void => {
    if (this.active && (this.dirty || this.animators.length > 0)) this.invalidate();
  };

  // three.js asks the browser to restore a lost context; one that has not come back after
  // CONTEXT_RESTORE_WAIT_MS (a GPU reset the browser gave up on, or a page that lost it for
  // good) is replaced: a fresh canvas, a fresh renderer, the same scene uploaded again.
  private readonly onLost = (): void => {
    this.contextLost = true;
    clearTimeout(this.lostTimer);
    this.lostTimer = window.setTimeout(() => {
      if (!this.contextLost || this.disposed) return;
      this.contextLost = false;
      this.contextsReplaced++;
      void this.fallBack(
        'The WebGL context was lost and did not come back, so the figure draws on a new one.',
      );
    }, CONTEXT_RESTORE_WAIT_MS);
  };

  private readonly onRestored = (): void => {
    clearTimeout(this.lostTimer);
    this.contextLost = false;
    // three re-creates its GL state on restore; every texture and buffer uploads again on draw.
    this.invalidate();
  };

  private makeCanvas(): HTMLCanvasElement {
    const canvas = document.createElement('canvas');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', this.options.label);
    canvas.setAttribute('aria-describedby', `${this.id}-desc`);
    canvas.style.display = 'block';
    canvas.style.width = '100%';
    canvas.style.height = '100%';
    canvas.style.touchAction = 'none';
    return canvas;
  }

  // WebGL2 on `canvas` when the browser gives it; false when it does not.
  private startWebGLOn(canvas: HTMLCanvasElement): boolean {
    const gl = canvas.getContext('webgl2', { antialias: true, alpha: false });
    if (!gl) return false;
    this.backend = 'webgl';
    this.renderer = new WebGLRenderer({ canvas, context: gl, antialias: true });
    canvas.addEventListener('webglcontextlost', this.onLost);
    canvas.addEventListener('webglcontextrestored', this.onRestored);
    return true;
  }

  private start2D(): void {
    // A canvas that failed to give WebGL keeps no context, but one that gave WebGPU does: 2D
    // goes on a fresh canvas either way.
    this.swapCanvas();
    this.backend = '2d';
    this.ctx2d = this.current.getContext('2d');
  }

  private async startWebGPU(request: BackendRequest): Promise<Backend> {
    let reason = await probeWebGPU(request === 'auto');
    if (this.disposed) return this.backend;
    if (reason === null) {
      let renderer: WebGPURenderer | null = null;
      try {
        const { WebGPURenderer } = await import('three/webgpu');
        renderer = new WebGPURenderer({ canvas: this.current, antialias: true });
        // The first render must wait for the device: render() before init() draws nothing.
        await renderer.init();
        renderer.onDeviceLost = (info) => {
          if (this.renderer === renderer && !this.disposed) {
            void this.fallBack(`The WebGPU device was lost (${info.message || info.reason}).`);
          }
        };
        if (this.disposed) {
          renderer.dispose();
          return this.backend;
        }
        this.renderer = renderer;
        this.backend = 'webgpu';
      } catch (err) {
        renderer?.dispose();
        reason = `three's WebGPURenderer failed to start (${(err as Error).message}).`;
        // The canvas may hold a WebGPU context now: WebGL2 needs a fresh one.
        this.swapCanvas();
      }
    }
    if (reason !== null) await this.fallBack(reason);
    this.applySize();
    this.invalidate();
    return this.backend;
  }

  // From a failed or lost WebGPU renderer to WebGL2 (or 2D), with the reason kept. A GPU
  // process that just failed can refuse WebGL for a moment while it restarts: retry a while.
  private async fallBack(reason: string): Promise<void> {
    this.fallbackReason = reason;
    if (this.renderer) {
      const old = this.renderer;
      this.renderer = null;
      old.dispose();
      this.swapCanvas();
    }
    for (let attempt = 0; !this.disposed; attempt++) {
      if (this.startWebGLOn(this.current)) break;
      if (attempt >= WEBGL_RETRIES) {
        this.start2D();
        break;
      }
      await new Promise((r) => setTimeout(r, WEBGL_RETRY_MS));
    }
    this.applySize();
    this.invalidate();
  }

  private swapCanvas(): void {
    const old = this.current;
    this.current = this.makeCanvas();
    old.removeEventListener('webglcontextlost', this.onLost);
    old.removeEventListener('webglcontextrestored', this.onRestored);
    if (old.isConnected) old.replaceWith(this.current);
    this.options.onCanvas?.(this.current, old);
  }

  private applySize(): void {
    this.camera.aspect = this.width / this.height;
    this.camera.updateProjectionMatrix();
    const dpr = this.pixelRatio;
    if (this.renderer) {
      this.renderer.setPixelRatio(dpr);
      this.renderer.setSize(this.width, this.height, false);
    } else if (this.ctx2d) {
      this.canvas.width = Math.round(this.width * dpr);
      this.canvas.height = Math.round(this.height * dpr);
    }
    this.options.onResize?.(this.width, this.height);
  }
}

type RendererInfo = {
  render: { calls?: number; drawCalls?: number; triangles: number };
  memory: { geometries: number; textures: number };
};

const WEBGL_RETRIES = 20;
const WEBGL_RETRY_MS = 250;
/** How long a lost WebGL context may take to come back before its canvas is replaced. */
export const CONTEXT_RESTORE_WAIT_MS = 2000;

// The little of the WebGPU API the probe uses (the DOM lib here has no WebGPU types).
interface GPUProbeDevice {
  createCommandEncoder(): {
    beginRenderPass(d: unknown): { end(): void };
    finish(): unknown;
  };
  queue: { submit(b: unknown[]): void };
  destroy(): void;
}
interface GPUProbeAdapter {
  info?: { isFallbackAdapter?: boolean; architecture?: string };
  isFallbackAdapter?: boolean;
  requestDevice(): Promise<GPUProbeDevice>;
}
interface NavigatorGPU {
  gpu?: {
    requestAdapter(): Promise<GPUProbeAdapter | null>;
    getPreferredCanvasFormat(): string;
  };
}

function hasWebGPU(): boolean {
  return typeof navigator !== 'undefined' && !!(navigator as NavigatorGPU).gpu;
}

/**
 * Whether WebGPU can draw on a canvas of this page: null when it can, else why not. Clears a
 * small detached canvas through WebGPU and reads it back in the same task. A browser can offer
 * an adapter and still fail to show what it draws: headless Chromium on SwiftShader without
 * Vulkan compositing logs "Could not find SharedImageBackingFactory ... WebgpuSwapChainTexture",
 * the canvas stays empty and the device is lost, so a WebGPU renderer there would leave a blank
 * figure. With `skipFallbackAdapter` (the `auto` request), a software adapter is declined: it
 * runs on the CPU like WebGL2's SwiftShader, so it buys nothing.
 */
async function probeWebGPU(skipFallbackAdapter: boolean): Promise<string | null> {
  const gpu = (navigator as NavigatorGPU).gpu!;
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return 'The browser offers WebGPU but no adapter.';
  if (skipFallbackAdapter && (adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter)) {
    return `The only WebGPU adapter is a software one (${adapter.info?.architecture || 'fallback'}): WebGL2 is preferred.`;
  }
  let device: GPUProbeDevice | null = null;
  try {
    device = await adapter.requestDevice();
    const canvas = document.createElement('canvas');
    canvas.width = 4;
    canvas.height = 4;
    const context = canvas.getContext('webgpu') as unknown as {
      configure(c: unknown): void;
      getCurrentTexture(): { createView(): unknown };
    } | null;
    if (!context) return 'The browser gives no WebGPU canvas context.';
    context.configure({ device, format: gpu.getPreferredCanvasFormat(), alphaMode: 'opaque' });
    const encoder = device.createCommandEncoder();
    encoder
      .beginRenderPass({
        colorAttachments: [
          {
            view: context.getCurrentTexture().createView(),
            clearValue: { r: 0, g: 1, b: 0, a: 1 },
            loadOp: 'clear',
            storeOp: 'store',
          },
        ],
      })
      .end();
    device.queue.submit([encoder.finish()]);
    const read = document.createElement('canvas');
    read.width = 1;
    read.height = 1;
    const ctx = read.getContext('2d', { willReadFrequently: true });
    if (!ctx) return null;
    ctx.drawImage(canvas, 0, 0, 1, 1);
    const [r, g, , a] = ctx.getImageData(0, 0, 1, 1).data;
    if (g! < 200 || r! > 50 || a! < 200) {
      return 'WebGPU draws here but its canvas never reaches the screen (the browser could not share the WebGPU swap chain with its compositor).';
    }
    return null;
  } catch (err) {
    return `WebGPU failed to start (${(err as Error).message}).`;
  } finally {
    device?.destroy();
  }
}
