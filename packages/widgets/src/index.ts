/**
 * @receptive/widgets: framework-free custom elements. Importing this module defines nothing;
 * import `@receptive/widgets/elements` (or call `defineWidgets()`) to register the tags.
 */
// Everything that needs no DOM (specs, models, formats, theme) comes from ./specs.js; the rest
// below is the elements and what only they define.

export { BlurPool } from './blur-pool.js';
export { ConvLayer3D, type ConvLayer3dDrawn, type OutputUnit } from './conv-layer-3d.js';
export { DigitLoss } from './digit-loss.js';
export { DigitPad } from './digit-pad.js';
export { followPad, latest, type PadListener, publishDigit, publishRun } from './digit-run.js';
export { DigitTrainer, type TrainEval, type TrainState } from './digit-trainer.js';
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
export { FeatureMaps, type FeatureMapsDrawn } from './feature-maps.js';
export { FigureBase, type FigureClass, figureElement } from './figure-element.js';
export {
  commonDenominator,
  formatConvSum,
  formatNumber,
  formatScaled,
  fractionDenominator,
} from './format.js';
export { type KernelChange, KernelLab } from './kernel-lab.js';
export { ModelCompare, type Predictions } from './model-compare.js';
export {
  Network3D,
  type NetworkDrawn,
  type NetworkLayer,
  type NetworkUnit,
  type PickedUnit,
} from './network-3d.js';
export { PhotoConv, type PhotoConvolved } from './photo-conv.js';
export { Pooling, type PoolTrace } from './pooling.js';
export {
  adoptScrollyStyles,
  defineScrolly,
  followStepAttributes,
  followSteps,
  followStepsAttribute,
  SCROLLY_CSS,
  Scrolly,
  STEP_EVENT,
  type StepAttributes,
  type StepChange,
} from './scrolly.js';
export { type BlockShift, ShiftBlock } from './shift-block.js';
export { type EdgeShiftCounts, edgeMaps, edgeShiftDiff, ShiftEdge } from './shift-edge.js';
export { ShiftMeasure, type ShiftMeasured } from './shift-measure.js';
export { MAX_SHIFT, type ShiftAnswer, ShiftNetwork, shiftedBatch } from './shift-network.js';
export * from './specs.js';
export { colorKey, registerThemeProperties, THEME_PROPERTIES } from './theme.js';
export { VisKernels } from './vis-kernels.js';
export { type SaliencyResult, VisSaliency } from './vis-saliency.js';
export { type MarkPlace, type ShortcutMeasured, VisShortcut } from './vis-shortcut.js';
export { ASCENT_STEPS, BOTTOM_COUNT, TOP_COUNT, type TopDigit, VisTop } from './vis-top.js';
export { defineWidgets, WIDGETS } from './widgets.js';
