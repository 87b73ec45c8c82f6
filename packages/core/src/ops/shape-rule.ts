import { ArgumentError, ShapeError } from '../errors.js';

/**
 * Output length of a sliding window along one axis:
 *
 *   out = floor((in + 2*pad - k) / stride) + 1
 *
 * The floor drops the last `(in + 2*pad - k) % stride` rows or columns: a window that would
 * stick out past the padded border is not computed (a 5-wide input pooled 2x2 with stride 2
 * gives 2 outputs, and its last column is never seen).
 *
 * @throws {ShapeError} when the window is larger than the padded input.
 */
export function slidingOutputSize(
  op: string,
  axis: 'height' | 'width',
  input: number,
  k: number,
  stride: number,
  pad: number,
  shape: readonly number[],
  expected: string,
): number {
  const padded = input + 2 * pad;
  if (k > padded) {
    throw new ShapeError(
      op,
      expected,
      shape,
      `kernel ${axis} ${k} is larger than the padded input ${axis} ${padded} (${input} + 2*${pad})`,
    );
  }
  return Math.floor((padded - k) / stride) + 1;
}

/** Pooling windows must be larger than their padding (as ONNX requires): a window of pure padding has no input to pool. */
export function checkPoolPadding(op: string, pad: [number, number], k: [number, number]): void {
  if (pad[0] >= k[0] || pad[1] >= k[1]) {
    throw new ArgumentError(
      op,
      `padding [${pad.join(', ')}] must be smaller than the window [${k.join(', ')}]`,
    );
  }
}
