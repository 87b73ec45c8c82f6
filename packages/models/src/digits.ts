import { type ByteProgress, fetchBytes, gunzip } from './fetch-bytes.js';

/**
 * Real MNIST digits for pages: the 10,000 official test digits (the ones every card's accuracy is
 * measured on) and the 60,000 training digits, shipped losslessly as gzip'd chunks of 1,000 so a
 * first view downloads one small part and a training run can start on the first chunk.
 *
 * Layout of one chunk before gzip: "RFD2", uint32 count, uint32 pixels per digit (784), `count`
 * label bytes, then one byte per pixel. A byte b is the MNIST grey level b / 255 exactly.
 */
export interface Digits {
  count: number;
  /** count x 784 grey levels in [0, 1], digit after digit. */
  pixels: Float32Array;
  labels: Uint8Array;
}

/** A chunk of a digit set, and where its first digit sits in the whole set. */
export interface DigitChunk extends Digits {
  set: DigitSet;
  index: number;
  /** Index in the whole set of this chunk's first digit. */
  first: number;
}

/** The two sets, in MNIST's official order, and how they are chunked. */
export const DIGIT_SETS = {
  test: { count: 10_000, chunkSize: 1_000 },
  train: { count: 60_000, chunkSize: 1_000 },
} as const;
export type DigitSet = keyof typeof DIGIT_SETS;

/** Number of chunks of a set. */
export const chunkCount = (set: DigitSet): number =>
  Math.ceil(DIGIT_SETS[set].count / DIGIT_SETS[set].chunkSize);

const MAGIC = [0x52, 0x46, 0x44, 0x32]; // "RFD2"
const HEADER = 12;

/** Grey level of a stored byte; see {@link Digits}. */
export const levelOf = (byte: number): number => byte / 255;

/** Every byte's grey level, so decoding a chunk is one table read per pixel. */
const LEVELS = Float32Array.from({ length: 256 }, (_, b) => levelOf(b));

/**
 * Stores digits in the chunk layout (not yet gzip'd).
 * @throws {RangeError} when a grey level is not b / 255 for a byte b (the layout is lossless only
 * for such levels).
 */
export function encodeDigits(d: Digits): Uint8Array {
  const per = d.pixels.length / d.count;
  const out = new Uint8Array(HEADER + d.count + d.pixels.length);
  out.set(MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint32(4, d.count, true);
  view.setUint32(8, per, true);
  out.set(d.labels, HEADER);
  for (let i = 0; i < d.pixels.length; i++) {
    const b = Math.round(d.pixels[i]! * 255);
    if (Math.fround(b / 255) !== Math.fround(d.pixels[i]!)) {
      throw new RangeError(
        `encodeDigits: pixel ${i} is ${d.pixels[i]}, expected b / 255 for a byte b`,
      );
    }
    out[HEADER + d.count + i] = b;
  }
  return out;
}

/**
 * Reads the chunk layout (not gzip'd).
 * @throws {RangeError} when the bytes are not a digits file or are cut short.
 */
export function decodeDigits(bytes: Uint8Array): Digits {
  if (bytes.length < HEADER || MAGIC.some((m, i) => bytes[i] !== m)) {
    throw new RangeError('decodeDigits: not a digits file (it should start with "RFD2")');
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
  const pixels = new Float32Array(count * per);
  const body = bytes.subarray(HEADER + count);
  for (let i = 0; i < pixels.length; i++) pixels[i] = LEVELS[body[i]!]!;
  return { count, pixels, labels: bytes.slice(HEADER, HEADER + count) };
}

/** File name of chunk `index` of `set`, as the package ships it in `data/`. */
export function chunkFile(set: DigitSet, index: number): string {
  if (!(set in DIGIT_SETS)) {
    throw new RangeError(`Unknown digit set "${set}": expected one of test, train`);
  }
  const n = chunkCount(set);
  if (!Number.isInteger(index) || index < 0 || index >= n) {
    throw new RangeError(
      `Chunk ${index} of the ${set} digits does not exist: expected 0 to ${n - 1}`,
    );
  }
  return `mnist-${set}-${String(index).padStart(2, '0')}.rfd.gz`;
}

/** URL of a shipped chunk, resolved next to this package (bundlers copy the files as assets). */
export function chunkUrl(set: DigitSet, index: number): URL {
  chunkFile(set, index);
  const two = String(index).padStart(2, '0');
  return set === 'test'
    ? new URL(`../data/mnist-test-${two}.rfd.gz`, import.meta.url)
    : new URL(`../data/mnist-train-${two}.rfd.gz`, import.meta.url);
}

/** Why digits could not be had: the URL and the cause, in a sentence for the reader. */
export class DigitsLoadError extends Error {
  override name = 'DigitsLoadError';
}

export interface LoadDigitsOptions {
  /** Compressed bytes received so far (and expected, when the server says). */
  onProgress?: (p: ByteProgress) => void;
  signal?: AbortSignal;
}

/**
 * Fetches and decodes one digits file, gzip'd or not.
 * @throws {DigitsLoadError} when the download fails or the bytes are not a digits file.
 * @example
 * const { pixels, labels } = await loadDigits('/data/my-digits.rfd.gz');
 */
export async function loadDigits(url: string | URL, o: LoadDigitsOptions = {}): Promise<Digits> {
  let raw: Uint8Array;
  try {
    raw = await fetchBytes(url, o.onProgress, o.signal);
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new DigitsLoadError(`Could not download the digits: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    return decodeDigits(await gunzip(raw));
  } catch (err) {
    throw new DigitsLoadError(`The digits at ${url} are unreadable: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/**
 * One shipped chunk: 1,000 digits of `set`, about 155 KB to download.
 * @example
 * const first = await loadDigitChunk('test', 0); // test digits 0..999
 * model.run(first.pixels.subarray(0, 784));
 */
export async function loadDigitChunk(
  set: DigitSet,
  index: number,
  o: LoadDigitsOptions & { url?: string | URL } = {},
): Promise<DigitChunk> {
  const d = await loadDigits(o.url ?? chunkUrl(set, index), o);
  return { ...d, set, index, first: index * DIGIT_SETS[set].chunkSize };
}

/**
 * The chunks of a set in order, each as soon as it arrives (a training loop can start on the
 * first while the rest download). `onProgress` counts compressed bytes over all chunks asked for.
 * @example
 * for await (const chunk of streamDigits('train')) trainer.add(chunk);
 */
export async function* streamDigits(
  set: DigitSet,
  o: LoadDigitsOptions & { chunks?: number[] } = {},
): AsyncGenerator<DigitChunk> {
  const chunks = o.chunks ?? Array.from({ length: chunkCount(set) }, (_, i) => i);
  let before = 0;
  for (const index of chunks) {
    let last = 0;
    const chunk = await loadDigitChunk(set, index, {
      ...(o.signal ? { signal: o.signal } : {}),
      onProgress: ({ loaded }) => {
        last = loaded;
        o.onProgress?.({ loaded: before + loaded });
      },
    });
    before += last;
    yield chunk;
  }
}

/** Puts chunks (any order, any subset) together as one block of digits, in set order. */
export function joinChunks(chunks: readonly DigitChunk[]): Digits & { first: number } {
  const sorted = [...chunks].sort((a, b) => a.first - b.first);
  const count = sorted.reduce((s, c) => s + c.count, 0);
  const pixels = new Float32Array(count * 784);
  const labels = new Uint8Array(count);
  let at = 0;
  for (const c of sorted) {
    pixels.set(c.pixels, at * 784);
    labels.set(c.labels, at);
    at += c.count;
  }
  return { count, pixels, labels, first: sorted[0]?.first ?? 0 };
}
