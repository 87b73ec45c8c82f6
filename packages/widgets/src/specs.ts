/**
 * `@receptive/widgets/specs`: every element's spec, what the build checks props with, and the
 * computations build-time fallbacks share with the live figures, with no DOM and no element
 * code, so Node (an Astro build, a docs generator, a test) can import it as is. Each spec lives
 * in its element's `<name>.spec.ts`, each computation in a DOM-free module; add a new element's
 * here.
 */

export { BLUR_POOL_SPEC, BLUR_STAGES, type BlurStage } from './blur-pool.spec.js';
export { aliasingExample, blurPoolStages } from './blur-pool-model.js';
export {
  type AnyOwnModel,
  adaptDigit,
  featureMapLayers,
  fetchOwnModel,
  fileNameOf,
  inputNote,
  lastKindOf,
  MODEL_SRC_PARSER,
  type OrtOwnModel,
  type OwnModel,
  OwnModelError,
  type OwnRun,
  openOwnModel,
  ownNote,
  readOwnModel,
  resample,
  runAnyOwnModel,
  runOwnModel,
} from './byo-model.js';
export { CONV_LAYER_3D_SPEC, CONV3D_BACKENDS } from './conv-layer-3d.spec.js';
export {
  CONV3D_LIMITS,
  type ConvLayer3dData,
  checkUnit,
  convLayer3d,
  convLayer3dSentence,
  filterWeights,
  inputChannel,
  LECTURE_BIASES,
  LECTURE_FILTERS,
  parseUnit,
} from './conv-layer-3d-model.js';
export { DIGIT_LOSS_SPEC } from './digit-loss.spec.js';
export { type LossExample, lossExample, type MovedWeight } from './digit-loss-model.js';
export { DIGIT_PAD_SPEC } from './digit-pad.spec.js';
export type { DigitChange, DigitRun, LayerActivation, ModelRun } from './digit-run.js';
export { DIGIT_TRAINER_SPEC, MAX_THREADS, TRAINER_BACKENDS } from './digit-trainer.spec.js';
export { renderKernelLabFallback } from './fallback.js';
export { DEFAULT_LAYERS, FEATURE_MAPS_SPEC, parseLayers } from './feature-maps.spec.js';
export { KERNEL_LAB_SPEC } from './kernel-lab.spec.js';
export {
  KERNEL_PARSER,
  KERNEL_PRESET_NAMES,
  KERNEL_PRESETS,
  type KernelPreset,
  LECTURE_IMAGE,
  LECTURE_ROWS,
  LECTURE_SIZE,
  PRESET_LABELS,
  parseKernel,
} from './lecture.js';
export { COMPARE_BACKENDS, MODEL_COMPARE_SPEC } from './model-compare.spec.js';
export {
  NETWORK_3D_SPEC,
  NETWORK_BACKENDS,
  type NetworkGroup,
  parseGroups,
} from './network-3d.spec.js';
export { PHOTO_CONV_SPEC, type PhotoBackend, type PhotoChannels } from './photo-conv.spec.js';
export {
  cpuConvolve,
  type FloatImage,
  fitSize,
  PHOTO_MAX_SIDE,
  PHOTO_NAMES,
  PHOTOS,
  type Photo,
  type PhotoName,
  paint,
  paintMode,
  toFloatImage,
} from './photo-library.js';
export {
  checkTrace,
  POOLED,
  POOLING_SPEC,
  parseTrace,
  poolingMapSizes,
} from './pooling.spec.js';
export {
  custom,
  defaultValue,
  defineSpec,
  type EventSpec,
  listOf,
  oneOf,
  type Parser,
  type PropSpec,
  type PropsOf,
  parseEnum,
  parseInteger,
  parseList,
  presence,
  text,
  type WidgetSpec,
  WidgetValueError,
  wholeNumber,
} from './props.js';
export { SCROLLY_SPEC } from './scrolly.spec.js';
export { SCROLLY_CSS } from './scrolly-css.js';
export { parseOne, SHIFT_BLOCK_SIZE, SHIFT_BLOCK_SPEC } from './shift-block.spec.js';
export { blockExample } from './shift-block-model.js';
export { EDGE_MAX_SHIFT, parseShift, SHIFT_EDGE_SPEC } from './shift-edge.spec.js';
export { SHIFT_MEASURE_SPEC, TEST_DIGITS } from './shift-measure.spec.js';
export { gridShifts, type ShiftSummary, shiftIndex, summarize } from './shift-measure-model.js';
export { SHIFT_NETWORK_SPEC } from './shift-network.spec.js';
export { inkColor, inkRgb, type Rgb, signedColor, signedRgb, THEME } from './theme.js';
export { KERNEL_LAYERS, type KernelLayer, VIS_KERNELS_SPEC } from './vis-kernels.spec.js';
export {
  crop,
  greyImage,
  mapOverImage,
  maxAbs,
  type RgbImage,
  signedImage,
} from './vis-pixels.js';
export { OCCLUSION, VIS_SALIENCY_SPEC } from './vis-saliency.spec.js';
export { fine, hottest, worstPatch } from './vis-saliency-model.js';
export { VIS_SHORTCUT_SPEC } from './vis-shortcut.spec.js';
export { channelsOf, VIS_LAYERS, VIS_TOP_SPEC, type VisLayer } from './vis-top.spec.js';
