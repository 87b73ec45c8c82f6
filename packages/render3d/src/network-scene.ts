/**
 * A {@link NetworkView} for a stream of runs whose model may change (the scene of
 * `<rf-network-3d>`): refreshed in place while the layers keep their names and shapes, rebuilt
 * (freeing the old view's WebGL context) when they change.
 */
import { WebGLRenderer } from 'three';
import { NetworkView } from './network-view.js';
import type { BackendRequest, LayerActivation } from './types.js';

/** How to build a {@link NetworkScene}. */
export interface NetworkSceneOptions {
  label: string;
  backend?: BackendRequest;
  /** Called when a view's host swaps its canvas (see `NetworkViewOptions.onCanvas`). */
  onCanvas?: (canvas: HTMLCanvasElement) => void;
  /** Called after each new view is built (a new model, or the first digit). */
  onView?: (view: NetworkView) => void;
}

/**
 * Holds at most one `NetworkView` in `container`; `show()` builds or refreshes it.
 *
 * @example
 * const scene = new NetworkScene(element, { label: 'The whole network in 3D', onView: (v) => wire(v) });
 * scene.show(layers); // a new digit: textures refresh; a new model: a new view
 */
export class NetworkScene {
  #view: NetworkView | null = null;
  #key = '';

  constructor(
    readonly container: HTMLElement,
    private readonly options: NetworkSceneOptions,
  ) {}

  /** The view drawn now, or null before the first digit. */
  get view(): NetworkView | null {
    return this.#view;
  }

  /**
   * Draws `layers`: refreshes the view in place when the names and shapes are the ones it
   * draws, else builds a new one (freeing the old view and its WebGL context).
   */
  show(layers: readonly LayerActivation[]): NetworkView {
    const key = layers.map((l) => `${l.name}:${l.kind}:${l.shape.join('x')}`).join('|');
    if (this.#view && key === this.#key) {
      this.#view.update(layers);
      return this.#view;
    }
    this.#free();
    const view = new NetworkView(this.container, {
      layers,
      label: this.options.label,
      backend: this.options.backend ?? 'webgl',
      ...(this.options.onCanvas ? { onCanvas: this.options.onCanvas } : {}),
    });
    this.#view = view;
    this.#key = key;
    this.options.onView?.(view);
    return view;
  }

  /** Frees the view, its WebGL context and its canvas. */
  dispose(): void {
    this.#free();
  }

  #free(): void {
    const view = this.#view;
    if (!view) return;
    this.#view = null;
    this.#key = '';
    // Browsers keep only a few WebGL contexts alive and free one only when its canvas is
    // collected: give it back now.
    const renderer = view.host.renderer;
    if (renderer instanceof WebGLRenderer) renderer.forceContextLoss();
    view.dispose();
  }
}
