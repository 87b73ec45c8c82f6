/**
 * @receptive/widgets: framework-free custom elements. Importing this module defines nothing;
 * import `@receptive/widgets/elements` (or call `defineWidgets()`) to register the tags.
 */
export {
  aliasingExample,
  BLUR_POOL_SPEC,
  BlurPool,
  type BlurStage,
  blurPoolStages,
} from './blur-pool.js';
export {
  CONV_LAYER_3D_SPEC,
  ConvLayer3D,
  type ConvLayer3dDrawn,
  checkUnit,
  type OutputUnit,
  parseUnit,
} from './conv-layer-3d.js';
export {
  CONV3D_LIMITS,
  type ConvLayer3dData,
  convLayer3d,
  convLayer3dSentence,
  filterWeights,
  inputChannel,
  LECTURE_BIASES,
  LECTURE_FILTERS,
} from './conv-layer-3d-model.js';
export { DIGIT_LOSS_SPEC, DigitLoss } from './digit-loss.js';
export { type LossExample, lossExample, type MovedWeight } from './digit-loss-model.js';
export { DIGIT_PAD_SPEC, type DigitChange, DigitPad } from './digit-pad.js';
export {
  type DigitRun,
  followPad,
  latest,
  type ModelRun,
  type PadListener,
  publishDigit,
  publishRun,
} from './digit-run.js';
export {
  DIGIT_TRAINER_SPEC,
  DigitTrainer,
  type TrainEval,
  type TrainState,
} from './digit-trainer.js';
export {
  BATCH_CHOICES,
  chunkOrder,
  conv1Kernels,
  digitOrder,
  LR_CHOICES,
  type StepResult,
  TRAIN_CHUNKS,
  TRAIN_COUNT,
  TRAINER_DEFAULTS,
  type TrainChunk,
  type TrainerOptions,
  TrainerRun,
  trainerNetwork,
} from './digit-trainer-model.js';
export { renderKernelLabFallback } from './fallback.js';
export { FEATURE_MAPS_SPEC, FeatureMaps, type FeatureMapsDrawn } from './feature-maps.js';
export { FigureBase, type FigureClass, figureElement } from './figure-element.js';
export {
  commonDenominator,
  formatConvSum,
  formatNumber,
  formatScaled,
  fractionDenominator,
} from './format.js';
export { KERNEL_LAB_SPEC, type KernelChange, KernelLab } from './kernel-lab.js';
export {
  KERNEL_PRESET_NAMES,
  KERNEL_PRESETS,
  type KernelPreset,
  LECTURE_IMAGE,
  LECTURE_ROWS,
  LECTURE_SIZE,
  PRESET_LABELS,
  parseKernel,
} from './lecture.js';
export {
  type LayerActivation,
  MODEL_COMPARE_SPEC,
  ModelCompare,
  type Predictions,
} from './model-compare.js';
export {
  NETWORK_3D_SPEC,
  Network3D,
  type NetworkDrawn,
  type NetworkLayer,
  type NetworkUnit,
  type PickedUnit,
} from './network-3d.js';
export {
  cpuConvolve,
  PHOTO_CONV_SPEC,
  type PhotoBackend,
  type PhotoChannels,
  PhotoConv,
  type PhotoConvolved,
} from './photo-conv.js';
export {
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
  POOLING_SPEC,
  Pooling,
  type PoolTrace,
  parseTrace,
  poolingMapSizes,
} from './pooling.js';
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
  presence,
  text,
  type WidgetSpec,
  WidgetValueError,
  wholeNumber,
} from './props.js';
export {
  adoptScrollyStyles,
  defineScrolly,
  followStepAttributes,
  followSteps,
  followStepsAttribute,
  SCROLLY_CSS,
  SCROLLY_SPEC,
  Scrolly,
  STEP_EVENT,
  type StepAttributes,
  type StepChange,
} from './scrolly.js';
export {
  type BlockShift,
  blockExample,
  parseOne,
  SHIFT_BLOCK_SIZE,
  SHIFT_BLOCK_SPEC,
  ShiftBlock,
} from './shift-block.js';
export {
  EDGE_MAX_SHIFT,
  type EdgeShiftCounts,
  edgeMaps,
  edgeShiftDiff,
  parseShift,
  SHIFT_EDGE_SPEC,
  ShiftEdge,
} from './shift-edge.js';
export {
  SHIFT_MEASURE_SPEC,
  ShiftMeasure,
  type ShiftMeasured,
} from './shift-measure.js';
export {
  gridShifts,
  type ShiftSummary,
  shiftIndex,
  summarize,
} from './shift-measure-model.js';
export {
  MAX_SHIFT,
  SHIFT_NETWORK_SPEC,
  type ShiftAnswer,
  ShiftNetwork,
  shiftedBatch,
} from './shift-network.js';
export {
  colorKey,
  inkColor,
  inkRgb,
  type Rgb,
  registerThemeProperties,
  signedColor,
  signedRgb,
  THEME,
  THEME_PROPERTIES,
} from './theme.js';
export { KERNEL_LAYERS, type KernelLayer, VIS_KERNELS_SPEC, VisKernels } from './vis-kernels.js';
export { type SaliencyResult, VisSaliency } from './vis-saliency.js';
export { OCCLUSION, VIS_SALIENCY_SPEC } from './vis-saliency.spec.js';
export {
  type MarkPlace,
  type ShortcutMeasured,
  VIS_SHORTCUT_SPEC,
  VisShortcut,
} from './vis-shortcut.js';
export {
  ASCENT_STEPS,
  BOTTOM_COUNT,
  TOP_COUNT,
  type TopDigit,
  VIS_LAYERS,
  VIS_TOP_SPEC,
  type VisLayer,
  VisTop,
} from './vis-top.js';
export { defineWidgets, WIDGETS } from './widgets.js';
