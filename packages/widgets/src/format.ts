/**
 * How numbers are written in the figures. Only formatting lives here: every value comes from
 * @receptive/core.
 */
import type { ConvExplanation } from '@receptive/core';

const MINUS = '\u2212';

/** Up to `digits` decimals, trailing zeros dropped, a true minus sign, no "-0". */
export function formatNumber(v: number, digits = 3): string {
  const s = Number(v.toFixed(digits)).toString();
  if (s === '0' || s === '-0') return '0';
  return s.startsWith('-') ? `${MINUS}${s.slice(1)}` : s;
}

/**
 * The smallest d <= `max` that makes every value a whole multiple of 1/d (1 for integer kernels,
 * 9 for the box blur), or null when there is none. It lets the figure write 3/9 rather than
 * 0.333, as the lecture does.
 */
export function commonDenominator(values: readonly number[], max = 16): number | null {
  for (let d = 1; d <= max; d++) {
    if (values.every((v) => Math.abs(v * d - Math.round(v * d)) < 1e-6)) return d;
  }
  return null;
}

/**
 * The denominator the figure writes fractions over, or null to write decimals: fractions only
 * for a kernel of fractions whose decimals would be long or rounded (the box blur's 1/9, a 1/16
 * Gaussian), never for one such as [0 -1 0; -1 4.5 -1; 0 -1 0], and no longer once a whole
 * number joins them (the blur with a 5 typed into its centre is not "ninths": writing it as
 * 45/9 would hide the 5 the reader typed).
 */
export function fractionDenominator(values: readonly number[]): number | null {
  const d = commonDenominator(values);
  if (d === null || d === 1) return d;
  if (values.some((v) => v !== 0 && Number.isInteger(v))) return null;
  return values.every((v) => Math.abs(v * 100 - Math.round(v * 100)) < 1e-6) ? null : d;
}

/** An output value as the figure writes it: the numerator over `d` when d > 1. */
export function formatScaled(v: number, d: number | null): string {
  if (d === null) return formatNumber(v, 3);
  return formatNumber(Math.round(v * d), 0);
}

const term = (v: number): string => {
  const s = formatNumber(v);
  return v < 0 ? `(${s})` : s;
};

/**
 * The sum behind one conv output with the real numbers, e.g.
 * `(0×1 + 0×1 + 0×1 + 0×1 + 0×1 + 1×1 + 0×1 + 1×1 + 1×1)/9 = 3/9`.
 * `d` is the kernel's common denominator (see {@link commonDenominator}).
 */
export function formatConvSum(e: ConvExplanation, d: number | null): string {
  const terms: string[] = [];
  const scale = d ?? 1;
  e.window.forEach((plane, c) => {
    plane.forEach((row, i) => {
      row.forEach((x, j) => {
        terms.push(`${term(x)}×${term(e.kernel[c]![i]![j]! * scale)}`);
      });
    });
  });
  const body = terms.join(' + ');
  if (d !== null && d > 1) return `(${body})/${d} = ${formatScaled(e.result, d)}/${d}`;
  return `${body} = ${formatNumber(e.result)}`;
}

/** "98%" for 0.98. */
export const percent = (p: number): string => `${Math.round(p * 100)}%`;
