import { ArgumentError } from './errors.js';
import { createRng } from './random.js';

/**
 * Zhang's (2019) shift consistency with whole-pixel shifts: each digit is seen at two independent
 * random shifts (dy, dx) in [-maxShift, maxShift]^2, `draws` times, and the score is how often
 * both views get the same top-1. The pairs come from a seeded generator, drawn in the order the
 * model cards' `shiftReport` draws them (round by round, digit by digit; dy before dx, view a
 * before b), so a page and a Node script with the same count, seed and draws score the same pairs.
 */
export interface ShiftProtocol {
  /** Largest shift in pixels along each axis (the cards use 3). */
  maxShift: number;
  /** Rounds of pairs per digit (the cards use 5). */
  draws: number;
  seed: number;
}

/**
 * The pairs of {@link ShiftProtocol} for `count` digits: pair p (round `p / count`, digit
 * `p % count`) is `[dyA, dxA, dyB, dxB]` at `4p ... 4p + 3`.
 *
 * @example
 * const pairs = shiftPairs(10_000, { maxShift: 3, draws: 5, seed: 7 }); // 50,000 pairs
 */
export function shiftPairs(count: number, p: ShiftProtocol): Int8Array {
  if (!Number.isInteger(count) || count < 1) {
    throw new ArgumentError('shiftPairs', `count must be a whole number >= 1, received ${count}`);
  }
  if (!Number.isInteger(p.maxShift) || p.maxShift < 0 || p.maxShift > 27) {
    throw new ArgumentError('shiftPairs', `maxShift must be 0 to 27, received ${p.maxShift}`);
  }
  if (!Number.isInteger(p.draws) || p.draws < 1) {
    throw new ArgumentError('shiftPairs', `draws must be a whole number >= 1, received ${p.draws}`);
  }
  const rng = createRng(p.seed);
  const span = 2 * p.maxShift + 1;
  const out = new Int8Array(4 * count * p.draws);
  for (let k = 0; k < out.length; k++) out[k] = rng.int(span) - p.maxShift;
  return out;
}

/**
 * The share of pairs whose two views get the same top-1. `top1(digit, dy, dx)` is the model's
 * class for that digit at that shift; pairs of digits at or after `upTo` are left out (a run that
 * stopped early scores the digits it finished).
 * @returns the share, and how many pairs it counts.
 */
export function shiftConsistency(
  pairs: Int8Array,
  count: number,
  top1: (digit: number, dy: number, dx: number) => number,
  upTo = count,
): { consistency: number; pairs: number } {
  let same = 0;
  let n = 0;
  for (let p = 0; p < pairs.length / 4; p++) {
    const digit = p % count;
    if (digit >= upTo) continue;
    n++;
    if (
      top1(digit, pairs[4 * p]!, pairs[4 * p + 1]!) ===
      top1(digit, pairs[4 * p + 2]!, pairs[4 * p + 3]!)
    ) {
      same++;
    }
  }
  return { consistency: n === 0 ? 0 : same / n, pairs: n };
}
