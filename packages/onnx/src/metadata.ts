import { OnnxFormatError } from './errors.js';
import { decodeModel } from './proto.js';

/**
 * The `metadata_props` of an ONNX file as a plain object (model cards, provenance, the layer
 * list written by {@link toOnnx}), without building the model.
 *
 * @example
 * readOnnxMetadata(bytes)['receptive.layers'];
 */
export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  let props: { key?: string; value?: string }[];
  try {
    props = decodeModel(bytes).metadataProps ?? [];
  } catch (err) {
    throw new OnnxFormatError(`not a readable ONNX file (${(err as Error).message})`);
  }
  return Object.fromEntries(props.map((p) => [p.key ?? '', p.value ?? '']));
}
