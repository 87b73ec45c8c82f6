import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decodeDigits } from '@receptive/models';

const MODELS_DIR = dirname(
  createRequire(import.meta.url).resolve('@receptive/models/package.json'),
);

/** The first `count` (at most 1,000) official MNIST test digits, as @receptive/models ships them. */
export function realDigits(count: number): { images: Float32Array[]; labels: number[] } {
  const d = decodeDigits(gunzipSync(readFileSync(`${MODELS_DIR}/data/mnist-test-00.rfd.gz`)));
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
  const parts = Array.from({ length: 60 }, (_, i) =>
    decodeDigits(
      gunzipSync(
        readFileSync(`${MODELS_DIR}/data/mnist-train-${String(i).padStart(2, '0')}.rfd.gz`),
      ),
    ),
  );
  const count = parts.reduce((s, p) => s + p.count, 0);
  const pixels = new Float32Array(count * 784);
  const labels = new Uint8Array(count);
  let at = 0;
  for (const p of parts) {
    pixels.set(p.pixels, at * 784);
    labels.set(p.labels, at);
    at += p.count;
  }
  return { pixels, labels, count };
}
