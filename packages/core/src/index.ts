/**
 * @receptive/core: tensors, CNN ops with their gradients, sequential models, training,
 * receptive-field tracing and step-by-step explain data. No runtime dependencies, no DOM.
 */
export { type AugmentOptions, augmentBatch, type ElasticOptions, shift2d } from './augment.js';
export { Tape, Var } from './autograd.js';
export {
  ArgumentError,
  EmptyBatchError,
  NonFiniteError,
  ReceptiveError,
  ShapeError,
} from './errors.js';
export {
  type ConvExplanation,
  explainAvgPool2d,
  explainConv2d,
  explainMaxPool2d,
  type PoolExplanation,
  type UnitIndex,
} from './explain.js';
export { explainUnit } from './explain-unit.js';
export { FilterAscent, type FilterAscentOptions } from './filter-ascent.js';
export {
  type BuildContext,
  type DisplayKind,
  kindOf,
  LAYER_KINDS,
  type LayerKind,
  type LayerOf,
  layerKind,
  type ReceptiveFieldRule,
  type SpecOf,
} from './layer-kinds.js';
export type {
  AvgPool2dLayer,
  BlurPool2dLayer,
  Conv2dLayer,
  FlattenLayer,
  Layer,
  LayerSpec,
  LinearLayer,
  LogSoftmaxLayer,
  MaxPool2dLayer,
  ReluLayer,
  SoftmaxLayer,
} from './layers.js';
export { layers } from './layers.js';
export { accuracy, argmaxRows, confusionMatrix } from './metrics.js';
export {
  applyLayer,
  type ForwardResult,
  type LayerCost,
  type ModelJSON,
  modelFromJSON,
  type Parameter,
  SequentialModel,
  type SequentialOptions,
  sequential,
} from './model.js';
export { avgPool2d, avgPool2dBackward } from './ops/avg-pool2d.js';
export {
  type BlurPool2dOptions,
  binomialFilter,
  blurPool2d,
  blurPool2dBackward,
} from './ops/blur-pool2d.js';
export {
  CONV2D_ALGORITHMS,
  type Conv2dAlgorithm,
  type Conv2dGrads,
  type Conv2dOptions,
  conv2d,
  conv2dBackward,
} from './ops/conv2d.js';
export { crossEntropy, crossEntropyBackward } from './ops/cross-entropy.js';
export { flatten, flattenBackward } from './ops/flatten.js';
export { type LinearGrads, linear, linearBackward } from './ops/linear.js';
export { maxPool2d, maxPool2dBackward } from './ops/max-pool2d.js';
export type { Pool2dOptions } from './ops/pool-geometry.js';
export { relu, reluBackward } from './ops/relu.js';
export { slidingOutputSize } from './ops/shape-rule.js';
export { logSoftmax, logSoftmaxBackward, softmax, softmaxBackward } from './ops/softmax.js';
export { type AdamConfig, adam, type Optimizer, type SgdConfig, sgd } from './optim.js';
export {
  DataParallelTrainer,
  type GradientPort,
  GradientWorkerError,
  serveGradients,
} from './parallel.js';
export { createRng, type Rng } from './random.js';
export {
  type Contributions,
  contributions,
  type ReceptiveField,
  type Region,
  receptiveField,
  type UnitPosition,
} from './receptive-field.js';
export {
  argmax,
  type Occlusion,
  type OcclusionOptions,
  occlusion,
  type Saliency,
  saliency,
} from './saliency.js';
export { type ShiftProtocol, shiftConsistency, shiftPairs } from './shift-consistency.js';
export {
  KERNEL_SETS,
  type KernelSet,
  type KernelsInfo,
  kernels,
  setKernels,
  simdSupported,
} from './simd/kernels.js';
export {
  clone,
  full,
  type NestedArray,
  reshape,
  sizeOf,
  type Tensor,
  tensor,
  toNested,
  zeros,
} from './tensor.js';
export {
  type ChannelMaxima,
  channelMaxima,
  type RankedUnit,
  rankChannel,
} from './top-activating.js';
export {
  type Dataset,
  type EpochResult,
  type LossAndGradients,
  lossAndGradients,
  predict,
  type TrainOptions,
  type TrainProgress,
  takeExamples,
  train,
  trainStep,
} from './train.js';
