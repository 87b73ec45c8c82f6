/**
 * @receptive/render3d: three.js renderers for convolutional networks. Feature-map stacks, a
 * whole-network view with camera presets, one convolution layer, receptive-field beams and a
 * sliding-kernel scene, each with a 2D fallback and a text alternative, and one control
 * (`UnitCursor`) that picks their units by pointer and keyboard. Depends on three only.
 */

export { boundsPoints, type CameraFit, type FitLens, fitCamera } from './camera-fit.js';
export { CameraTween, prefersReducedMotion } from './camera-tween.js';
export {
  COLOR_TABLES,
  type ColorMapName,
  type ColorScale,
  colorize,
  colorOf,
  cssGradient,
  formatValue,
  INK,
  inkRgb,
  niceCeil,
  PAPER,
  type Rgb,
  resolveScale,
  signedRgb,
} from './colormap.js';
export {
  type ConvLayerData,
  ConvLayerScene,
  type ConvLayerSceneOptions,
  type OutputUnit,
} from './conv-layer-scene.js';
export { ConvolutionScene, type ConvolutionSceneOptions, type Plane } from './convolution-scene.js';
export { FeatureMapStack, type FeatureMapStackOptions, type Texel } from './feature-map-stack.js';
export { LabelLayer } from './label-layer.js';
export { drawLegend } from './legend.js';
export { NetworkScene, type NetworkSceneOptions } from './network-scene.js';
export {
  type CameraPreset,
  type LayerGroup,
  NetworkView,
  type NetworkViewOptions,
} from './network-view.js';
export { ReceptiveFieldBeam, type ReceptiveFieldBeamOptions } from './receptive-field-beam.js';
export {
  type Animator,
  type RenderStats,
  SceneHost,
  type SceneHostOptions,
} from './scene-host.js';
export { SoftmaxBars, type SoftmaxBarsOptions } from './softmax-bars.js';
export { THEME } from './theme.js';
export type {
  Backend,
  BackendRequest,
  LayerActivation,
  LayerKind,
  PickDetail,
  TracedRegion,
} from './types.js';
export {
  type CursorAction,
  type CursorChange,
  type CursorEvent,
  type CursorLayer,
  type CursorUnit,
  type CursorVia,
  cursorKey,
  UNIT_CURSOR_HELP,
  UNIT_CURSOR_KEYS,
  UnitCursor,
  type UnitCursorOptions,
  type UnitCursorTarget,
} from './unit-cursor.js';
