import { createRng } from '@receptive/core';

/**
 * The spurious cue `cnn-shortcut` was trained with: a 2 x 2 white square in the top border whose
 * column encodes the class (column 2 + 2.5 x class, rounded, so ten places across rows 1-2, away
 * from the ink). It plays the part of the snow behind the wolves in the wolves-vs-huskies story.
 * The training and evaluation scripts draw it with these same functions.
 */
export const MARK_SIZE = 2;
/** Row of the mark's top pixels in the training digits. */
export const MARK_ROW = 1;
/** Column of the mark's left pixels for class `label`. */
export const markColumn = (label: number): number => 2 + Math.round(2.5 * label);

/**
 * Paints the mark with its top-left pixel at (y, x) on one 28 x 28 digit (784 grey levels, in
 * place); the part outside the image is dropped.
 * @throws {RangeError} when the digit is not 784 values or y, x are not whole numbers.
 */
export function drawMark(pixels: Float32Array, y: number, x: number): Float32Array {
  if (pixels.length !== 784) {
    throw new RangeError(`drawMark: received ${pixels.length} pixels, expected 784 (28 x 28)`);
  }
  if (!Number.isInteger(y) || !Number.isInteger(x)) {
    throw new RangeError(`drawMark: received (${y}, ${x}), expected whole-pixel coordinates`);
  }
  for (let r = Math.max(0, y); r < Math.min(28, y + MARK_SIZE); r++) {
    for (let c = Math.max(0, x); c < Math.min(28, x + MARK_SIZE); c++) pixels[r * 28 + c] = 1;
  }
  return pixels;
}

/**
 * A copy of `count` digits laid one after another, the mark of class `markOf(i)` drawn on digit
 * i in its training place (null: no mark).
 */
export function withMarks(
  pixels: Float32Array,
  count: number,
  markOf: (i: number) => number | null,
): Float32Array {
  const out = pixels.slice(0, count * 784);
  for (let i = 0; i < count; i++) {
    const label = markOf(i);
    if (label !== null) drawMark(out.subarray(i * 784, (i + 1) * 784), MARK_ROW, markColumn(label));
  }
  return out;
}

/**
 * The wrong class whose mark the card's "swapped" test draws on each digit: never the digit's
 * own, drawn from the seeded generator in digit order (seed 11, as `scripts/evaluate.ts` uses).
 */
export function swappedMarks(labels: ArrayLike<number>, seed = 11): Uint8Array {
  const rng = createRng(seed);
  return Uint8Array.from(labels, (l) => (l + 1 + rng.int(9)) % 10);
}
