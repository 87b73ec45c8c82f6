import type { Tensor } from '@receptive/core';

/**
 * The spurious cue of the shortcut model: a 2x2 white square in the top border whose column
 * encodes the class (column 2 + 2.5 * class, so ten places across rows 1-2, away from the ink).
 * It plays the part of the snow behind the wolves in the wolves-vs-huskies story.
 */
export const MARK_SIZE = 2;
export const markColumn = (label: number): number => 2 + Math.round(2.5 * label);

/** A copy of the batch with the mark of `markOf(i)` drawn on example i (null: no mark). */
export function withMarks(x: Tensor, markOf: (i: number) => number | null): Tensor {
  const data = x.data.slice();
  const n = x.shape[0]!;
  for (let i = 0; i < n; i++) {
    const label = markOf(i);
    if (label === null) continue;
    const c0 = markColumn(label);
    for (let y = 1; y < 1 + MARK_SIZE; y++) {
      for (let c = c0; c < c0 + MARK_SIZE; c++) data[i * 784 + y * 28 + c] = 1;
    }
  }
  return { shape: [...x.shape], data };
}
