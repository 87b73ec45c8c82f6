export {
  coreModel,
  type ModelAssets,
  modelAssets,
  modelBytes,
  modelCard,
} from './assets.js';
export type { ModelCard } from './card.js';
export {
  chunkCount,
  chunkFile,
  chunkUrl,
  DIGIT_SETS,
  type DigitChunk,
  type DigitSet,
  type Digits,
  DigitsLoadError,
  decodeDigits,
  encodeDigits,
  joinChunks,
  type LoadDigitsOptions,
  levelOf,
  loadDigitChunk,
  loadDigits,
  streamDigits,
} from './digits.js';
export { ModelLoadError } from './errors.js';
export { type ByteProgress, fetchBytes, gunzip, isGzip, STALL_MS } from './fetch-bytes.js';
export {
  type Activation,
  type Backend,
  type BackendChoice,
  backendAvailable,
  chooseBackend,
  hardwareWebGpu,
  type LoadedModel,
  type LoadModelOptions,
  type LoadProgress,
  loadModel,
  type RunOptions,
  type RunResult,
  type Workload,
} from './load-model.js';
export {
  cardUrl,
  LESSON_CNN_SHAPE,
  MODEL_NAMES,
  type ModelName,
  modelUrl,
  SHIFT_PAIR,
  SHIFT_POOLING,
} from './names.js';
export {
  drawMark,
  MARK_ROW,
  MARK_SIZE,
  markColumn,
  swappedMarks,
  withMarks,
} from './shortcut.js';
export {
  type GreyImage,
  inkFromRgba,
  type MnistInput,
  type RgbaImage,
  rasterizeStrokes,
  type Strokes,
  toMnistInput,
} from './to-mnist-input.js';
