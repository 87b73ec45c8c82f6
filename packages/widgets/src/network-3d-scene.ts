/**
 * The three.js half of `<rf-network-3d>`, loaded on demand (it pulls in three and
 * @receptive/render3d): a render3d `NetworkView` of the whole model, rebuilt when the layers or
 * their shapes change and refreshed in place for each new digit.
 */
import {
  type BackendRequest,
  NetworkView,
  type LayerActivation as ViewLayer,
} from '@receptive/render3d';
import { WebGLRenderer } from 'three';

export type { LayerActivation as ViewLayer, PickDetail, TracedRegion } from '@receptive/render3d';

/** How to build a {@link NetworkScene}. */
export interface NetworkSceneOptions {
  label: string;
  backend?: BackendRequest;
  /** Called after each new view is built (a new model, or the first digit). */
  onView?: (view: NetworkView) => void;
}

/** Holds at most one `NetworkView` in `container`; `show()` builds or refreshes it. */
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
  show(layers: readonly ViewLayer[]): NetworkView {
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
      // The element picks units itself (pointer, keys and its own debounced live region), the
      // same way on the 2D fallback as in 3D.
      picking: false,
    });
    if (view.controls) {
      // Turning the network, yes; zooming with the wheel or panning would take the page's
      // scroll away from a reader who only passes over the figure.
      view.controls.enableZoom = false;
      view.controls.enablePan = false;
    }
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
