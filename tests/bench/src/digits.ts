import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  chunkCount,
  chunkFile,
  DIGIT_SETS,
  type DigitChunk,
  type DigitSet,
  decodeDigits,
  joinChunks,
} from '@receptive/models';

const MODELS_DIR = dirname(
  createRequire(import.meta.url).resolve('@receptive/models/package.json'),
);

/** Chunk `index` of a digit set, read from the files @receptive/models ships. */
function chunk(set: DigitSet, index: number): DigitChunk {
  const bytes = gunzipSync(readFileSync(`${MODELS_DIR}/data/${chunkFile(set, index)}`));
  return { ...decodeDigits(bytes), set, index, first: index * DIGIT_SETS[set].chunkSize };
}

/** The first `count` (at most 1,000) official MNIST test digits, as @receptive/models ships them. */
export function realDigits(count: number): { images: Float32Array[]; labels: number[] } {
  const d = chunk('test', 0);
  if (count > d.count) throw new RangeError(`realDigits: at most ${d.count}, received ${count}`);
  const images: Float32Array[] = [];
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    images.push(d.pixels.slice(i * 784, (i + 1) * 784));
    labels.push(d.labels[i]!);
  }
  return { images, labels };
}

/** All 60,000 MNIST training digits, from the 60 chunks @receptive/models ships. */
export function trainingDigits(): { pixels: Float32Array; labels: Uint8Array; count: number } {
  const chunks = Array.from({ length: chunkCount('train') }, (_, i) => chunk('train', i));
  const { pixels, labels, count } = joinChunks(chunks);
  return { pixels, labels, count };
}
