/**
 * The saliency figure's words, with no DOM: a probability written finely enough to tell it from
 * 0 and 1, and where an occlusion map says the patch hurt the answer most. The live figure and
 * the Astro component's build-time output say the same sentences.
 */
import type { Occlusion } from '@receptive/core';

/** A probability with as many decimals as it takes to tell it from 0 and 1 (at most two). */
export function fine(p: number): string {
  const pct = 100 * p;
  for (const d of [0, 1]) {
    const t = pct.toFixed(d);
    if (!/^100(\.0+)?$/.test(t) && Number(t) > 0) return `${t}%`;
  }
  return `${pct.toFixed(2)}%`;
}

/** The patch position whose grey lowered P(target) most: its top-left pixel and the drop. */
export function worstPatch(o: Occlusion): { y: number; x: number; drop: number } {
  let best = 0;
  for (let i = 1; i < o.drops.data.length; i++) {
    if (o.drops.data[i]! > o.drops.data[best]!) best = i;
  }
  return {
    y: Math.floor(best / o.cols) * o.stride,
    x: (best % o.cols) * o.stride,
    drop: o.drops.data[best]!,
  };
}

/**
 * Where the patch hurt the answer most, in words.
 * @example hottest(occlusion(cnn, digit), 7) // 'hiding rows 9–12, columns 13–16 lowers P(7) most, to 41%'
 */
export function hottest(o: Occlusion, prediction: number): string {
  const { y, x, drop } = worstPatch(o);
  return drop <= 0
    ? 'no patch lowers its confidence'
    : `hiding rows ${y + 1}–${y + o.patch}, columns ${x + 1}–${x + o.patch} lowers P(${prediction}) most, to ${fine(o.base - drop)}`;
}
