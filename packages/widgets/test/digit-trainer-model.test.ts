// The trainer's stream of examples: it waits for a chunk rather than skip it, its batches cross
// chunk boundaries without a short batch, and the same seed gives the same run.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { chunkFile, decodeDigits } from '@receptive/models';
import { describe, expect, it } from 'vitest';
import { chunkOrder, digitOrder, TrainerRun } from '../src/digit-trainer-model.ts';

const models = dirname(createRequire(import.meta.url).resolve('@receptive/models/package.json'));
const chunk = (i: number) => {
  const d = decodeDigits(
    new Uint8Array(gunzipSync(readFileSync(`${models}/data/${chunkFile('train', i)}`))),
  );
  return { index: i, pixels: d.pixels, labels: d.labels };
};

describe('TrainerRun', () => {
  it('waits for a chunk that is not in, and moves nothing meanwhile', () => {
    const run = new TrainerRun({ seed: 3, batchSize: 600 });
    expect(run.step()).toBeNull();
    run.addChunk(chunk(0));
    expect(run.step()).not.toBeNull();
    // The second batch needs 200 digits of chunk 1.
    expect(run.step()).toBeNull();
    expect(run.steps).toBe(1);
    expect(run.seen).toBe(600);
    expect(run.nextChunk).toBe(0);
    run.addChunk(chunk(1));
    const r = run.step();
    expect(r?.batchSize).toBe(600);
    expect(run.steps).toBe(2);
  });

  it('reads epoch 1 in shipped order, each chunk in its seeded order', () => {
    expect(Array.from(chunkOrder(1, 1))).toEqual(Array.from({ length: 60 }, (_, i) => i));
    const later = Array.from(chunkOrder(1, 2));
    expect([...later].sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(later).not.toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(Array.from(digitOrder(1, 1, 0, 1000))).toEqual(Array.from(digitOrder(1, 1, 0, 1000)));
    expect(Array.from(digitOrder(1, 1, 0, 1000))).not.toEqual(
      Array.from(digitOrder(2, 1, 0, 1000)),
    );
  });

  it('gives the same weights for the same seed and different ones for another', () => {
    const c0 = chunk(0);
    const runOf = (seed: number) => {
      const run = new TrainerRun({ seed, batchSize: 50 });
      run.addChunk(c0);
      for (let i = 0; i < 5; i++) run.step();
      return run.model.parameters()[0]!.value.data;
    };
    expect(Array.from(runOf(1))).toEqual(Array.from(runOf(1)));
    expect(Array.from(runOf(1))).not.toEqual(Array.from(runOf(2)));
  });

  it('lowers the learning rate by the decay over one pass', () => {
    const run = new TrainerRun({ seed: 1, lr: 0.01, decay: 0.5 });
    expect(run.lr).toBe(0.01);
    run.seen = 60_000;
    expect(run.lr).toBeCloseTo(0.005, 12);
  });
});
