/** The kinds of layer a network view knows how to draw. */
export type LayerKind = 'input' | 'conv' | 'pool' | 'dense' | 'softmax';

/**
 * One layer's activation for one example, as a model runtime returns it: a plain record a
 * renderer can draw without knowing the model.
 *
 * - `input`, `conv`, `pool`: `shape` is `[C, H, W]` (or `[H, W]` for one channel), `data` is
 *   C*H*W values, channel-major then row-major (NCHW without the batch).
 * - `dense`, `softmax`: `shape` is `[N]`; `data` holds N values (softmax: probabilities).
 *
 * @example
 * const layers: LayerActivation[] = [
 *   { name: 'input', kind: 'input', shape: [1, 28, 28], data: pixels },
 *   { name: 'conv1', kind: 'conv', shape: [8, 26, 26], data: conv1 },
 *   { name: 'softmax', kind: 'softmax', shape: [10], data: probabilities },
 * ];
 */
export interface LayerActivation {
  name: string;
  kind: LayerKind;
  shape: readonly number[];
  data: Float32Array;
  /** Names of the units of a softmax layer (default: their index, `0`..`N-1`). */
  labels?: readonly string[];
}

/**
 * A unit the reader pointed at. Spatial layers give its channel, row and column; a dense or
 * softmax layer is drawn as a column, so its unit `i` is `{ channel: 0, y: i, x: 0 }`.
 */
export interface PickDetail {
  layer: string;
  channel: number;
  y: number;
  x: number;
  value: number;
}

/**
 * The rows `y0..y1` and columns `x0..x1` (inclusive) of `layer` that a unit sees: one entry of a
 * receptive-field trace, in the shape `@receptive/core`'s `receptiveField(...).path` gives
 * (`{ layer: p.activation, ...p.region }`).
 */
export interface TracedRegion {
  layer: string;
  y0: number;
  y1: number;
  x0: number;
  x1: number;
  /**
   * The one channel plane to mark (default: through every channel, or the first of a
   * fanned-out stack).
   */
  channel?: number;
}

/** Where a view draws: WebGL2 (default), WebGPU through three's `three/webgpu`, or a 2D canvas. */
export type Backend = 'webgl' | 'webgpu' | '2d';

/** A backend request: `auto` uses WebGPU when the browser offers an adapter, else WebGL2. */
export type BackendRequest = 'webgl' | 'webgpu' | 'auto';
