/**
 * The colour scales of every Receptive Field figure, 2D and 3D alike, in one place:
 *
 * - **ink** for intensities and non-negative activations: ink on paper, as the digit pad draws,
 *   so 0 is blank paper and the strongest value the darkest ink;
 * - **diverging** for signed values: blue below zero, white at zero, red above (ColorBrewer RdBu),
 *   centred on zero.
 *
 * Each is a 256-entry RGB lookup table, so mapping a value is one multiply and one read. This
 * module imports nothing: the 2D widgets take it as `@receptive/render3d/colormap` without three.
 */

/** Which colour map a stack uses; `auto` picks diverging when any value is negative, else ink. */
export type ColorMapName = 'auto' | 'ink' | 'diverging';

/** Blank paper (value 0 of the ink scale) and full-strength ink (its top), as 0xRRGGBB. */
export const PAPER = 0xffffff;
export const INK = 0x141418;
// Negative (blue) to positive (red), white at zero, evenly spaced from t = 0 to t = 1; the
// table interpolates between them.
const RDBU = [
  0x2166ac, 0x4393c3, 0x92c5de, 0xd1e5f0, 0xffffff, 0xfddbc7, 0xf4a582, 0xd6604d, 0xb2182b,
];

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

// Two halves of 128 entries, the lower from the first anchor to the middle one, the upper from
// the middle one to the last: zero, which lands between entries 127 and 128, is white on both.
function diverging(anchors: readonly number[]): Uint8Array {
  const mid = (anchors.length - 1) / 2;
  const lower = table(anchors.slice(0, mid + 1));
  const upper = table(anchors.slice(mid));
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 128; i++) {
    const j = Math.round((i / 127) * 255) * 3;
    lut.set(lower.subarray(j, j + 3), i * 3);
    lut.set(upper.subarray(j, j + 3), (128 + i) * 3);
  }
  return lut;
}

/** The lookup tables, 256 RGB triples each. */
export const COLOR_TABLES: Readonly<Record<Exclude<ColorMapName, 'auto'>, Uint8Array>> = {
  ink: table([PAPER, INK]),
  diverging: diverging(RDBU),
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
 * Resolves the colour map and range for `data`: ink over [0, max] for non-negative values,
 * diverging over [-m, m] (m = largest magnitude) when any value is negative, unless `map` or
 * `range` fix them. Allocates nothing when `out` is given.
 *
 * @example
 * resolveScale(new Float32Array([0, 2, 1]), 'auto'); // { map: 'ink', min: 0, max: 2 }
 * resolveScale(new Float32Array([-1, 3]), 'auto');  // { map: 'diverging', min: -3, max: 3 }
 */
export function resolveScale(
  data: ArrayLike<number>,
  map: ColorMapName,
  range?: readonly [number, number],
  out: ColorScale = { map: 'ink', min: 0, max: 1 },
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
  out.map = map === 'auto' ? (signed ? 'diverging' : 'ink') : map;
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

/** An `[r, g, b]` colour, 0..255 each. */
export type Rgb = readonly [number, number, number];

const _ink: ColorScale = { map: 'ink', min: 0, max: 1 };
const _signed: ColorScale = { map: 'diverging', min: -1, max: 1 };

/**
 * The ink scale for a level in [0, 1] (0 = paper, 1 = full ink), clamped: what a 2D cell or
 * canvas pixel of that level shows, the same colour a 3D texel shows.
 *
 * @example
 * inkRgb(0); // [255, 255, 255]
 */
export function inkRgb(level: number): Rgb {
  return colorOf(level, _ink);
}

/**
 * The diverging scale for a signed `value` on a scale of -`max`..`max` (white at zero), clamped;
 * white for every value when `max` is not positive.
 *
 * @example
 * signedRgb(-2, 2); // [33, 102, 172], the blue end
 */
export function signedRgb(value: number, max: number): Rgb {
  if (!(max > 0)) return colorOf(0, _signed);
  _signed.min = -max;
  _signed.max = max;
  return colorOf(value, _signed);
}

/**
 * The CSS `linear-gradient` of a scale, left (its lowest value) to right: what an HTML legend
 * paints so it reads the same as the figures.
 */
export function cssGradient(map: Exclude<ColorMapName, 'auto'>, stops = 9): string {
  const lut = COLOR_TABLES[map];
  const parts: string[] = [];
  for (let i = 0; i < stops; i++) {
    const j = Math.round((i / (stops - 1)) * 255) * 3;
    parts.push(
      `rgb(${lut[j]} ${lut[j + 1]} ${lut[j + 2]}) ${((i / (stops - 1)) * 100).toFixed(1)}%`,
    );
  }
  return `linear-gradient(to right, ${parts.join(', ')})`;
}
