/**
 * The numbers of `<rf-shift-measure>`, from the top-1 classes its worker measured: accuracy at
 * every whole-pixel shift and Zhang's consistency, by the protocol of the model cards
 * (`@receptive/core`'s `shiftPairs`). Pure and DOM-free, so a Node script reproduces the page's
 * figures from its own top-1 classes with this same code.
 */
import { type ShiftProtocol, shiftConsistency, shiftPairs } from '@receptive/core';

/** Shifts from -range to +range px along each axis: (2 range + 1)^2 of them, dy-major. */
export interface ShiftGrid {
  range: number;
}

/** Index of shift (dy, dx) in a grid of `range`: row dy, column dx, both from -range. */
export const shiftIndex = (range: number, dy: number, dx: number): number =>
  (dy + range) * (2 * range + 1) + (dx + range);

/** Every shift of the grid in order, as [dy, dx]. */
export function gridShifts(range: number): [number, number][] {
  const out: [number, number][] = [];
  for (let dy = -range; dy <= range; dy++)
    for (let dx = -range; dx <= range; dx++) out.push([dy, dx]);
  return out;
}

/** One model's measured numbers over the first `digits` digits. */
export interface ShiftSummary {
  digits: number;
  /** Accuracy at every shift, dy-major ({@link shiftIndex}). */
  grid: Float64Array;
  /** Accuracy with the digit moved along x only (dy = 0), from -range to +range. */
  byDx: { shift: number; accuracy: number }[];
  /** ... along y only (dx = 0). */
  byDy: { shift: number; accuracy: number }[];
  consistency: number;
  pairs: number;
}

/**
 * Summarises one model's top-1 classes. `top1[shiftIndex * count + digit]` holds the class of
 * `digit` at that shift; only digits before `done` are counted (a run still going, or stopped).
 */
export function summarize(
  top1: Uint8Array,
  labels: Uint8Array,
  count: number,
  range: number,
  protocol: ShiftProtocol,
  done = count,
  pairs: Int8Array = shiftPairs(count, protocol),
): ShiftSummary {
  const shifts = gridShifts(range);
  const grid = new Float64Array(shifts.length);
  for (let s = 0; s < shifts.length; s++) {
    let ok = 0;
    const row = s * count;
    for (let i = 0; i < done; i++) if (top1[row + i] === labels[i]) ok++;
    grid[s] = done === 0 ? 0 : ok / done;
  }
  const line = (axis: 'dx' | 'dy') =>
    Array.from({ length: 2 * range + 1 }, (_, k) => {
      const shift = k - range;
      const s = axis === 'dx' ? shiftIndex(range, 0, shift) : shiftIndex(range, shift, 0);
      return { shift, accuracy: grid[s]! };
    });
  if (protocol.maxShift > range) {
    throw new RangeError(
      `summarize: the consistency pairs shift up to ${protocol.maxShift} px, the grid only ${range}`,
    );
  }
  const c = shiftConsistency(
    pairs,
    count,
    (digit, dy, dx) => top1[shiftIndex(range, dy, dx) * count + digit]!,
    done,
  );
  return { digits: done, grid, byDx: line('dx'), byDy: line('dy'), ...c };
}
