export {
  type Digits,
  decodeDigits,
  encodeDigits,
  heldOutUrl,
  levelOf,
  loadHeldOut,
} from './digits.js';
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
  ModelLoadError,
  type RunResult,
  type Workload,
} from './load-model.js';
export { cardUrl, MODEL_NAMES, type ModelName, modelUrl } from './names.js';
export {
  type GreyImage,
  inkFromRgba,
  type MnistInput,
  type RgbaImage,
  rasterizeStrokes,
  type Strokes,
  toMnistInput,
} from './to-mnist-input.js';
