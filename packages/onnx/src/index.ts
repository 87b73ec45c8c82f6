export { OnnxFormatError, UnsupportedOnnxError } from './errors.js';
export { LAYERS_METADATA_KEY, type ToOnnxOptions, toOnnx } from './export.js';
export {
  fromOnnx,
  type ImportedOnnx,
  importOnnx,
  type OnnxLayerSource,
  type OnnxLayout,
  SUPPORTED_OPS,
} from './import.js';
export { readOnnxMetadata } from './metadata.js';
export { type OnnxValue, type ProbedOnnx, withEveryValue } from './probe.js';
