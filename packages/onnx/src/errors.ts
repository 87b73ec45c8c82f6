import { ReceptiveError } from '@receptive/core';

/** The bytes are not a readable ONNX model: corrupt, truncated or some other format. */
export class OnnxFormatError extends ReceptiveError {
  constructor(message: string) {
    super('fromOnnx', message);
    this.name = 'OnnxFormatError';
  }
}

/**
 * The model uses operators (or operator settings) that a core sequential model cannot express.
 * `ops` lists every unsupported operator type found, so one error tells the whole story.
 */
export class UnsupportedOnnxError extends ReceptiveError {
  readonly ops: readonly string[];
  constructor(ops: readonly string[], detail: string) {
    super('fromOnnx', detail);
    this.name = 'UnsupportedOnnxError';
    this.ops = ops;
  }
}
