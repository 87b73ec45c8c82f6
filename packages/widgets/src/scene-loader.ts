/**
 * The lifecycle a widget's lazily loaded 3D view needs, in one place: load the three.js code
 * only once the figure is on screen, give up on a load the element no longer wants, and free the
 * view (its WebGL context included) when the element is removed, but not when it is only moved.
 */
import { watchViewport } from './dom.js';

/** What a loaded view must offer: a way to free it. */
export interface Disposable {
  dispose(): void;
}

/** How to build a {@link SceneLoader}. */
export interface SceneLoaderOptions<S extends Disposable> {
  /**
   * Imports the 3D code and builds the view. `current()` turns false once the loader was
   * released meanwhile: a build that sees it should stop (the loader disposes what it returns).
   */
  load: (current: () => boolean) => Promise<S | null>;
  /**
   * Waits until the built view can draw (a WebGPU device, say). The view is `scene` meanwhile;
   * `onReady` waits for it, and a release meanwhile disposes the view.
   */
  ready?: (scene: S) => Promise<unknown>;
  /** Called when the view is built, and ready where `ready` is given (and still wanted). */
  onReady?: (scene: S) => void;
  /** Called when the load failed, with the error. */
  onError?: (err: Error) => void;
  /** Called after the view was freed (the element was removed). */
  onRelease?: () => void;
  /**
   * The viewport margin at which loading starts (default: once a tenth of the figure is on
   * screen, so a page whose figure sits just below the fold loads none of it).
   */
  margin?: string;
  /** Called each time the element comes on screen or leaves it. */
  onVisible?: (visible: boolean) => void;
}

/**
 * Loads a 3D view for `element` when it comes on screen, once.
 *
 * @example
 * const loader = new SceneLoader(this, { load: async () => new (await import('./scene.js')).Scene(stage) });
 * connectedCallback() { loader.connect(); }
 * disconnectedCallback() { loader.disconnect(); } // a removal frees the view, a move keeps it
 */
export class SceneLoader<S extends Disposable> {
  #scene: S | null = null;
  #loading: Promise<void> | null = null;
  #stop: (() => void) | null = null;
  #generation = 0;
  #visible = false;

  constructor(
    readonly element: Element,
    private readonly options: SceneLoaderOptions<S>,
  ) {}

  /** The view, once built; null before and after a release. */
  get scene(): S | null {
    return this.#scene;
  }

  /** Whether part of the element is on screen now. */
  get visible(): boolean {
    return this.#visible;
  }

  /** Starts watching the viewport (call from connectedCallback). */
  connect(): void {
    if (this.#stop) return;
    this.#stop = watchViewport(this.element, this.options.margin ?? '0px 0px -10% 0px', (v) => {
      this.#visible = v;
      this.options.onVisible?.(v);
      if (v) void this.load();
    });
  }

  /**
   * Stops watching (call from disconnectedCallback). A move (removed and appended in one task)
   * keeps the view; a removal frees it in a microtask.
   */
  disconnect(): void {
    this.#stop?.();
    this.#stop = null;
    this.#visible = false;
    queueMicrotask(() => {
      if (!this.element.isConnected) this.release();
    });
  }

  /** Loads and builds the view (once); resolves when it is ready or has failed. */
  load(): Promise<void> {
    if (!this.#loading) {
      const generation = this.#generation;
      const current = () => generation === this.#generation;
      this.#loading = (async () => {
        try {
          const scene = await this.options.load(current);
          if (!scene) return;
          if (!current()) {
            scene.dispose();
            return;
          }
          this.#scene = scene;
          if (this.options.ready) {
            await this.options.ready(scene);
            if (!current()) return;
          }
          this.options.onReady?.(scene);
        } catch (err) {
          if (current()) this.options.onError?.(err as Error);
        }
      })();
    }
    return this.#loading;
  }

  /**
   * Drops what a failed load left and loads again, at once (what a figure's Retry does): a chunk
   * or a model file that failed to download is asked for again.
   */
  retry(): Promise<void> {
    this.release();
    return this.load();
  }

  /** Frees the view now; the next visit builds it again. */
  release(): void {
    this.#generation++;
    this.#scene?.dispose();
    this.#scene = null;
    this.#loading = null;
    this.options.onRelease?.();
  }
}
