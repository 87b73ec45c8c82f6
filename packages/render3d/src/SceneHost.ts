import { Color, PerspectiveCamera, Scene, WebGLRenderer } from 'three';
import type { WebGPURenderer } from 'three/webgpu';
import { THEME } from './theme.js';
import type { Backend, BackendRequest } from './types.js';

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
  /** The canvas drawn on: WebGL2, WebGPU or 2D. */
  readonly canvas: HTMLCanvasElement;
  /** Resolves with the backend once the renderer can draw (at once for WebGL2 and 2D). */
  readonly ready: Promise<Backend>;
  /** What draws now; `2d` means the fallback. */
  backend: Backend = 'webgl';
  /** The three.js renderer, or null for the 2D fallback and until WebGPU is ready. */
  renderer: Renderer | null = null;
  /** CSS size of the canvas. */
  width = 300;
  height = 150;
  /** Frames rendered so far (for tests and benchmarks). */
  frames = 0;
  /** True while the WebGL context is lost. */
  contextLost = false;

  private readonly options: SceneHostOptions;
  private readonly description: HTMLElement;
  private readonly animators: Animator[] = [];
  private readonly resizeObserver: ResizeObserver | null = null;
  private readonly intersectionObserver: IntersectionObserver | null = null;
  private ctx2d: CanvasRenderingContext2D | null = null;
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
    this.description = document.createElement('p');
    this.description.id = `${id}-desc`;
    Object.assign(this.description.style, {
      position: 'absolute',
      width: '1px',
      height: '1px',
      margin: '-1px',
      overflow: 'hidden',
      clip: 'rect(0 0 0 0)',
      whiteSpace: 'nowrap',
    });

    const request = options.backend ?? 'webgl';
    let canvas = this.makeCanvas(id);
    if (request !== 'webgl' && hasWebGPU()) {
      this.canvas = canvas;
      this.backend = 'webgpu';
      this.ready = this.startWebGPU(canvas);
    } else {
      const gl = canvas.getContext('webgl2', { antialias: true, alpha: false });
      if (gl) {
        this.canvas = canvas;
        this.startWebGL(canvas, gl);
      } else {
        // No WebGL2 here: a fresh canvas (one that failed to give WebGL keeps no context) in 2D.
        canvas = this.makeCanvas(id);
        this.canvas = canvas;
        this.backend = '2d';
        this.ctx2d = canvas.getContext('2d');
      }
      this.ready = Promise.resolve(this.backend);
    }
    container.append(canvas, this.description);
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
    this.frames++;
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
    const info = r.info as unknown as {
      render: { calls?: number; drawCalls?: number; triangles: number };
      memory: { geometries: number; textures: number };
    };
    return {
      drawCalls:
        this.backend === 'webgpu' ? (info.render.drawCalls ?? 0) : (info.render.calls ?? 0),
      triangles: info.render.triangles,
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

  private readonly onLost = (): void => {
    this.contextLost = true;
  };

  private readonly onRestored = (): void => {
    this.contextLost = false;
    // three re-creates its GL state on restore; every texture and buffer uploads again on draw.
    this.invalidate();
  };

  private makeCanvas(id: string): HTMLCanvasElement {
    const canvas = document.createElement('canvas');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', this.options.label);
    canvas.setAttribute('aria-describedby', `${id}-desc`);
    canvas.style.display = 'block';
    canvas.style.width = '100%';
    canvas.style.height = '100%';
    canvas.style.touchAction = 'none';
    return canvas;
  }

  private startWebGL(canvas: HTMLCanvasElement, gl: WebGL2RenderingContext): void {
    this.backend = 'webgl';
    this.renderer = new WebGLRenderer({ canvas, context: gl, antialias: true });
    canvas.addEventListener('webglcontextlost', this.onLost);
    canvas.addEventListener('webglcontextrestored', this.onRestored);
  }

  private async startWebGPU(canvas: HTMLCanvasElement): Promise<Backend> {
    const adapter = await (navigator as NavigatorGPU).gpu!.requestAdapter().catch(() => null);
    if (this.disposed) return this.backend;
    if (!adapter) {
      // No adapter after all: WebGL2 on a fresh canvas, as `auto` and `webgpu` promise.
      const gl = canvas.getContext('webgl2', { antialias: true, alpha: false });
      if (gl) this.startWebGL(canvas, gl);
      else {
        this.backend = '2d';
        this.ctx2d = canvas.getContext('2d');
      }
    } else {
      const { WebGPURenderer } = await import('three/webgpu');
      const renderer = new WebGPURenderer({ canvas, antialias: true });
      await renderer.init();
      if (this.disposed) {
        renderer.dispose();
        return this.backend;
      }
      this.renderer = renderer;
    }
    this.applySize();
    this.invalidate();
    return this.backend;
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

interface NavigatorGPU {
  gpu?: { requestAdapter(): Promise<unknown | null> };
}

function hasWebGPU(): boolean {
  return typeof navigator !== 'undefined' && !!(navigator as NavigatorGPU).gpu;
}
