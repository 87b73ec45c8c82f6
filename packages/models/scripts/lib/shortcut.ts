import type { Tensor } from '@receptive/core';
import { withMarks as marked } from '../../src/shortcut.ts';

export { MARK_SIZE, markColumn, swappedMarks } from '../../src/shortcut.ts';

/** A copy of the batch with the mark of `markOf(i)` drawn on example i (null: no mark). */
export function withMarks(x: Tensor, markOf: (i: number) => number | null): Tensor {
  const n = x.shape[0]!;
  return { shape: [...x.shape], data: marked(x.data, n, markOf) };
}
