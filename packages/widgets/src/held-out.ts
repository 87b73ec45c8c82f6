import {
  type ByteProgress,
  DIGIT_SETS,
  type Digits,
  loadDigitChunk,
  loadDigits,
} from '@receptive/models';

/** One of the official MNIST test digits (or of a page's own digits file), with its place. */
export interface TestDigit {
  /** Index in the whole set. */
  index: number;
  /** How many digits the set holds. */
  count: number;
  /** 784 grey levels in [0, 1]. */
  pixels: Float32Array;
  label: number;
}

const files = new Map<string, Promise<Digits>>();

/** Fetches a digits file (or a shipped chunk) once per page and shares it with every element. */
function cached(key: string, load: () => Promise<Digits>): Promise<Digits> {
  let p = files.get(key);
  if (!p) {
    p = load();
    files.set(key, p);
    p.catch(() => files.delete(key));
  }
  return p;
}

/**
 * Test digit `index` (wrapped into range). The shipped test set comes in chunks of 1,000, so a
 * figure showing the first digits downloads only the first chunk (about 155 KB). `url` points at
 * a page's own digits file instead, loaded whole.
 */
export async function testDigit(
  index: number,
  url?: string,
  onProgress?: (p: ByteProgress) => void,
): Promise<TestDigit> {
  const o = onProgress ? { onProgress } : {};
  let digits: Digits;
  let first = 0;
  let count: number;
  let i: number;
  if (url) {
    digits = await cached(url, () => loadDigits(new URL(url, document.baseURI), o));
    count = digits.count;
    i = ((index % count) + count) % count;
  } else {
    count = DIGIT_SETS.test.count;
    i = ((index % count) + count) % count;
    const chunk = Math.floor(i / DIGIT_SETS.test.chunkSize);
    first = chunk * DIGIT_SETS.test.chunkSize;
    digits = await cached(`test:${chunk}`, () => loadDigitChunk('test', chunk, o));
  }
  const k = i - first;
  return {
    index: i,
    count,
    pixels: digits.pixels.slice(k * 784, (k + 1) * 784),
    label: digits.labels[k]!,
  };
}

/**
 * Chunk `index` of the shipped test digits (1,000 of them), fetched once per page and shared with
 * every figure that shows test digits.
 * @throws {DigitsLoadError} naming the URL and the cause when the download fails.
 */
export function testChunk(index: number, onProgress?: (p: ByteProgress) => void): Promise<Digits> {
  const o = onProgress ? { onProgress } : {};
  return cached(`test:${index}`, () => loadDigitChunk('test', index, o));
}
