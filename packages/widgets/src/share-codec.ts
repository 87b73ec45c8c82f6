/**
 * The short strings that figure states take in a page's address (see `share.ts`): numbers
 * joined by commas, and 8-bit images as base64url run lengths. No DOM, so the formats are tested
 * in Node. Every decoder returns null for a string it cannot read, never throws: a link can be
 * typed, cut short or tampered with.
 */

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

/** Bytes as base64url without padding (the alphabet a query value keeps as it is). */
export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let c = 0; c < chars; c++) out += B64[(n >> (18 - 6 * c)) & 63];
  }
  return out;
}

/** The bytes of a base64url string, or null when it holds another character or a bad length. */
export function fromBase64Url(text: string): Uint8Array | null {
  if (text.length % 4 === 1) return null;
  const bytes = new Uint8Array(Math.floor((text.length * 6) / 8));
  let bits = 0;
  let acc = 0;
  let at = 0;
  for (const c of text) {
    const v = B64_INDEX.get(c);
    if (v === undefined) return null;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[at++] = (acc >> bits) & 255;
    }
  }
  return bytes;
}

/**
 * A [0, 1] image whose values are whole 255ths (as MNIST's are, and as the digit pad keeps its
 * drawings), compactly: runs of zeros and of ink, as bytes, in base64url. An MNIST test digit takes
 * 260 characters on average (459 at most, over the first 1,000).
 * @throws {RangeError} for a value that is not a whole number of 255ths in [0, 1].
 * @example encodeInk(pixels) // 'YAIK…'
 */
export function encodeInk(pixels: ArrayLike<number>): string {
  const bytes: number[] = [];
  let i = 0;
  while (i < pixels.length) {
    let zeros = 0;
    while (i < pixels.length && zeros < 255 && pixels[i] === 0) {
      zeros++;
      i++;
    }
    const start = i;
    while (i < pixels.length && i - start < 255 && pixels[i] !== 0) i++;
    bytes.push(zeros, i - start);
    for (let j = start; j < i; j++) {
      const v = Math.round(pixels[j]! * 255);
      if (v < 1 || v > 255 || Math.abs(v / 255 - pixels[j]!) > 1e-6) {
        throw new RangeError(
          `encodeInk: pixel ${j} is ${pixels[j]}, expected a whole number of 255ths in [0, 1]`,
        );
      }
      bytes.push(v);
    }
  }
  return toBase64Url(Uint8Array.from(bytes));
}

/** The image {@link encodeInk} wrote, if it has exactly `length` pixels; else null. */
export function decodeInk(text: string, length: number): Float32Array | null {
  const bytes = fromBase64Url(text);
  if (!bytes) return null;
  const out = new Float32Array(length);
  let at = 0;
  let i = 0;
  while (i < bytes.length) {
    const zeros = bytes[i++]!;
    const ink = bytes[i++];
    if (ink === undefined || at + zeros + ink > length || i + ink > bytes.length) return null;
    at += zeros;
    for (let j = 0; j < ink; j++) {
      const v = bytes[i++]!;
      if (v === 0) return null;
      out[at++] = v / 255;
    }
  }
  return at === length ? out : null;
}

/** Whole numbers joined by commas, e.g. `3,-1`. */
export const encodeInts = (values: readonly number[]): string => values.join(',');

/**
 * `count` whole numbers from a comma-joined string, each in [min, max]; null otherwise.
 * @example decodeInts('3,-1', 2, -4, 4) // [3, -1]
 */
export function decodeInts(text: string, count: number, min: number, max: number): number[] | null {
  const parts = text.split(',');
  if (parts.length !== count) return null;
  const values = parts.map((p) => (/^-?\d{1,6}$/.test(p) ? Number(p) : Number.NaN));
  return values.every((v) => Number.isInteger(v) && v >= min && v <= max) ? values : null;
}

/**
 * Finite numbers joined by commas, as short as they read exactly (`0.1111111119389534` stays;
 * `1` is `1`), e.g. a 3x3 kernel.
 */
export const encodeNumbers = (values: readonly number[]): string =>
  values.map((v) => String(Object.is(v, -0) ? 0 : v)).join(',');

/** `count` finite numbers from a comma-joined string, each at most `limit` in size; else null. */
export function decodeNumbers(text: string, count: number, limit = 1e6): number[] | null {
  const parts = text.split(',');
  if (parts.length !== count) return null;
  const values = parts.map((p) =>
    /^-?(\d+\.?\d*|\.\d+)(e-?\d+)?$/i.test(p) ? Number(p) : Number.NaN,
  );
  return values.every((v) => Number.isFinite(v) && Math.abs(v) <= limit) ? values : null;
}
