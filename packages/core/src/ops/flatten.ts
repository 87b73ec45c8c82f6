import { EmptyBatchError, ShapeError } from '../errors.js';
import type { Tensor } from '../tensor.js';

/**
 * Flattens every example into one row, keeping the batch axis: [N, C, H, W] -> [N, C*H*W],
 * in NCHW reading order (channel by channel, then row by row), as ONNX Flatten with axis 1.
 * Shares the data (no copy).
 *
 * @example
 * flatten(zeros([2, 16, 5, 5])).shape; // [2, 400]
 */
export function flatten(x: Tensor): Tensor {
  if (x.shape.length < 2) throw new ShapeError('flatten', '[N, ...] with rank >= 2', x.shape);
  const n = x.shape[0]!;
  if (n === 0) throw new EmptyBatchError('flatten', x.shape);
  return { shape: [n, x.data.length / n], data: x.data };
}

/** Backward of {@link flatten}: the gradient takes back the input's shape. */
export function flattenBackward(x: Tensor, dy: Tensor): Tensor {
  return { shape: [...x.shape], data: dy.data };
}
