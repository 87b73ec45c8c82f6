/**
 * Colour maps for activations: a sequential map (viridis) for non-negative values, a diverging
 * map (blue-white-red, ColorBrewer RdBu) for signed values centred on zero, and grey for input
 * pixels. Each is a 256-entry RGB lookup table, so mapping a value is one multiply and one read.
 */

/** Which colour map a stack uses; `auto` picks diverging when any value is negative. */
export type ColorMapName = 'auto' | 'sequential' | 'diverging' | 'gray';

// Anchor colours, evenly spaced from t = 0 to t = 1; the tables interpolate between them.
const VIRIDIS = [
  0x440154, 0x482878, 0x3e4989, 0x31688e, 0x26828e, 0x1f9e89, 0x35b779, 0x6ece58, 0xb5de2b,
  0xfde725,
];
// Negative (blue) to positive (red), white at zero.
const RDBU = [
  0x2166ac, 0x4393c3, 0x92c5de, 0xd1e5f0, 0xf7f7f7, 0xfddbc7, 0xf4a582, 0xd6604d, 0xb2182b,
];
const GRAY = [0x000000, 0xffffff];

function table(anchors: readonly number[]): Uint8Array {
  const lut = new Uint8Array(256 * 3);
  const last = anchors.length - 1;
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * last;
    const k = Math.min(last - 1, Math.floor(t));
    const f = t - k;
    const a = anchors[k]!;
    const b = anchors[k + 1]!;
    for (let ch = 0; ch < 3; ch++) {
      const shift = 16 - 8 * ch;
      const va = (a >> shift) & 255;
      const vb = (b >> shift) & 255;
      lut[i * 3 + ch] = Math.round(va + (vb - va) * f);
    }
  }
  return lut;
}

/** The lookup tables, 256 RGB triples each. */
export const COLOR_TABLES: Readonly<Record<Exclude<ColorMapName, 'auto'>, Uint8Array>> = {
  sequential: table(VIRIDIS),
  diverging: table(RDBU),
  gray: table(GRAY),
};

/** The value range a colour map spans, as resolved for one set of values. */
export interface ColorScale {
  map: Exclude<ColorMapName, 'auto'>;
  /** Value drawn with the first colour. */
  min: number;
  /** Value drawn with the last colour. */
  max: number;
}

/**
 * Resolves the colour map and range for `data`: sequential over [0, max] for non-negative values,
 * diverging over [-m, m] (m = largest magnitude) when any value is negative, unless `map` or
 * `range` fix them. Allocates nothing when `out` is given.
 *
 * @example
 * resolveScale(new Float32Array([0, 2, 1]), 'auto'); // { map: 'sequential', min: 0, max: 2 }
 * resolveScale(new Float32Array([-1, 3]), 'auto');  // { map: 'diverging', min: -3, max: 3 }
 */
export function resolveScale(
  data: ArrayLike<number>,
  map: ColorMapName,
  range?: readonly [number, number],
  out: ColorScale = { map: 'sequential', min: 0, max: 1 },
): ColorScale {
  let lo = 0;
  let hi = 0;
  if (range) {
    lo = range[0];
    hi = range[1];
  } else {
    lo = Number.POSITIVE_INFINITY;
    hi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (!Number.isFinite(lo)) {
      lo = 0;
      hi = 0;
    }
  }
  const signed = lo < 0;
  out.map = map === 'auto' ? (signed ? 'diverging' : 'sequential') : map;
  // A fitted range is rounded out to a nice number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^k) so
  // the legend stays put while values wobble, instead of redrawing on every frame.
  const nice = range ? (v: number) => v : niceCeil;
  if (out.map === 'diverging') {
    const m = nice(Math.max(Math.abs(lo), Math.abs(hi))) || 1;
    out.min = -m;
    out.max = m;
  } else {
    out.min = range ? lo : 0 - nice(-Math.min(0, lo));
    const top = range ? hi : nice(hi);
    out.max = top > out.min ? top : out.min + 1;
  }
  return out;
}

const NICE = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];

/**
 * The smallest nice number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten) at or
 * above `v`; 0 for 0 and negative values.
 *
 * @example
 * niceCeil(2.37); // 2.5
 */
export function niceCeil(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 0;
  const p = 10 ** Math.floor(Math.log10(v));
  const f = v / p;
  for (const n of NICE) if (n >= f * (1 - 1e-9)) return n * p;
  return 10 * p;
}

/**
 * Writes the RGBA colour of values `start..start+count-1` into `rgba`, from byte `dst` on (by
 * default value i goes to bytes 4i..4i+3). Values outside the scale clamp to its ends; NaN draws
 * as the first colour.
 */
export function colorize(
  data: ArrayLike<number>,
  scale: ColorScale,
  rgba: Uint8Array,
  start = 0,
  count = data.length - start,
  dst = start * 4,
): void {
  const lut = COLOR_TABLES[scale.map];
  const k = 255 / (scale.max - scale.min);
  const min = scale.min;
  let o = dst;
  for (let i = start; i < start + count; i++) {
    let t = (data[i]! - min) * k;
    // NaN fails `t > 0` and draws as the first colour.
    t = t > 0 ? Math.min(t, 255) : 0;
    const j = ((t + 0.5) | 0) * 3;
    rgba[o] = lut[j]!;
    rgba[o + 1] = lut[j + 1]!;
    rgba[o + 2] = lut[j + 2]!;
    rgba[o + 3] = 255;
    o += 4;
  }
}

/** The colour of one value as `[r, g, b]` bytes: what a texel of that value shows. */
export function colorOf(value: number, scale: ColorScale): [number, number, number] {
  const lut = COLOR_TABLES[scale.map];
  let t = ((value - scale.min) * 255) / (scale.max - scale.min);
  t = t > 0 ? Math.min(t, 255) : 0;
  const j = ((t + 0.5) | 0) * 3;
  return [lut[j]!, lut[j + 1]!, lut[j + 2]!];
}

/** A value as a legend shows it: three significant digits, no `-0`, no trailing zeros. */
export function formatValue(v: number): string {
  if (v === 0 || Object.is(v, -0)) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(3)));
}
