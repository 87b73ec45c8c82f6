/**
 * Ranks test digits for the shift-invariance lesson's whole-network figure, which opens on one
 * "on which the two networks disagree often" and where "the max-pooling network loses the digit,
 * the anti-aliased one often keeps it". For each of the first COUNT official test digits that
 * both shipped CNNs read right where it was drawn, over the 81 shifts of -4..4 pixels in y and x:
 * on how many the max-pooling network loses the true class and BlurPool keeps it (`maxLoses`),
 * the reverse (`blurLoses`), on how many their answers differ (`differ`), and on how many both
 * read it right (`bothRight`). Prints the best
 * few, most `maxLoses - blurLoses` first. The lesson's `digit` and the e2e test's NETWORK_DIGIT
 * come from here; the test checks the claims on the chosen digit, not the ranking.
 *
 * Run after a build: `node scripts/shift-network-digit.ts [COUNT]` (default 1000).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { shift2d, tensor } from '@receptive/core';
import { chunkFile, DIGIT_SETS, decodeDigits } from '@receptive/models';
import { fromOnnx } from '@receptive/onnx';
import { MODELS_DIR, top } from '../lib/digits.ts';

const COUNT = Number(process.argv[2] ?? 1000);
const load = (name: string) =>
  fromOnnx(new Uint8Array(readFileSync(`${MODELS_DIR}/models/${name}.onnx`)));
const [max, blur] = [load('cnn'), load('cnn-blurpool')];

export interface ShiftRow {
  index: number;
  label: number;
  maxLoses: number;
  blurLoses: number;
  differ: number;
  bothRight: number;
}

/** The counts of one digit's 81 shifts (see the file's comment); null if either misreads it. */
export function shiftRow(pixels: Float32Array, label: number, index: number): ShiftRow | null {
  const x = tensor(pixels, [1, 1, 28, 28]);
  const batch = new Float32Array(81 * 784);
  let k = 0;
  for (let dy = -4; dy <= 4; dy++) {
    for (let dx = -4; dx <= 4; dx++) batch.set(shift2d(x, dy, dx).data, 784 * k++);
  }
  const input = tensor(batch, [81, 1, 28, 28]);
  const [pa, pb] = [max.forward(input).data, blur.forward(input).data];
  const answer = (p: ArrayLike<number>, s: number) =>
    top(Array.from({ length: 10 }, (_, j) => p[s * 10 + j]!));
  if (answer(pa, 40) !== label || answer(pb, 40) !== label) return null;
  const row = { index, label, maxLoses: 0, blurLoses: 0, differ: 0, bothRight: 0 };
  for (let s = 0; s < 81; s++) {
    const [a, b] = [answer(pa, s), answer(pb, s)];
    if (a !== b) row.differ++;
    if (a !== label && b === label) row.maxLoses++;
    if (b !== label && a === label) row.blurLoses++;
    if (a === label && b === label) row.bothRight++;
  }
  return row;
}

if (import.meta.main) {
  const size = DIGIT_SETS.test.chunkSize;
  const rows: ShiftRow[] = [];
  for (let c = 0; c * size < COUNT; c++) {
    const d = decodeDigits(gunzipSync(readFileSync(`${MODELS_DIR}/data/${chunkFile('test', c)}`)));
    for (let i = 0; i < size && c * size + i < COUNT; i++) {
      const r = shiftRow(d.pixels.slice(i * 784, (i + 1) * 784), d.labels[i]!, c * size + i);
      if (r) rows.push(r);
    }
  }
  rows.sort((a, b) => b.maxLoses - b.blurLoses - (a.maxLoses - a.blurLoses) || b.differ - a.differ);
  console.table(rows.slice(0, 12));
  const right = rows.map((r) => r.bothRight).sort((a, b) => a - b);
  console.log(
    `${rows.length} of ${COUNT} digits read right by both; both right on a median ${right[right.length >> 1]} of 81 shifts`,
  );
}
