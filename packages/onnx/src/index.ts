export { OnnxFormatError, UnsupportedOnnxError } from './errors.js';
export { LAYERS_METADATA_KEY, type ToOnnxOptions, toOnnx } from './export.js';
export { fromOnnx, SUPPORTED_OPS } from './import.js';
export { readOnnxMetadata } from './metadata.js';
