import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { readSplit } from '../scripts/lib/data.ts';
import { decodeDigits, MODEL_NAMES } from '../src/index.js';
import { argmax, card, heldOut, modelBytes } from './helpers.ts';

const digits = heldOut();

describe('the held-out split', () => {
  it('is 8,000 + 2,000 distinct digits, stratified by class', () => {
    const split = readSplit() as ReturnType<typeof readSplit> & {
      heldOutPerClass: number[];
      classCount: number[];
    };
    expect(split.train).toHaveLength(8000);
    expect(split.test).toHaveLength(2000);
    expect(new Set([...split.train, ...split.test]).size).toBe(10000);
    for (const [d, k] of split.heldOutPerClass.entries()) {
      expect(Math.abs(k - (split.classCount[d]! * 2000) / 10000)).toBeLessThan(1);
    }
    const counts = new Array(10).fill(0);
    for (const l of digits.labels) counts[l]++;
    expect(counts).toEqual(split.heldOutPerClass);
  });

  it('ships the held-out digits losslessly in data/heldout.bin', () => {
    const shipped = decodeDigits(
      new Uint8Array(readFileSync(new URL('../data/heldout.bin', import.meta.url))),
    );
    expect(shipped.count).toBe(2000);
    expect(Array.from(shipped.labels)).toEqual(digits.labels);
    expect(shipped.pixels).toEqual(digits.x.data);
  });

  it('refuses a digits file that is cut short or is something else', () => {
    const bytes = new Uint8Array(readFileSync(new URL('../data/heldout.bin', import.meta.url)));
    expect(() => decodeDigits(bytes.subarray(0, 5000))).toThrow(
      /2000 digits of 784 pixels need 1570012 bytes, received 5000/,
    );
    expect(() => decodeDigits(new TextEncoder().encode('<!doctype html>'))).toThrow(
      /not a digits file/,
    );
  });
});

describe.each(MODEL_NAMES)('the %s card', (name) => {
  const c = card(name);

  it('matches the shipped file and re-measures to the same held-out accuracy in onnxruntime-node', async () => {
    const bytes = modelBytes(name);
    expect(c.file.bytes).toBe(statSync(new URL(`../models/${name}.onnx`, import.meta.url)).size);
    expect(c.file.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    const session = await ort.InferenceSession.create(bytes);
    const out = (
      await session.run({ input: new ort.Tensor('float32', digits.x.data, digits.x.shape) })
    )[session.outputNames.at(-1)!]!.data as Float32Array;
    const confusion = Array.from({ length: 10 }, () => new Array(10).fill(0));
    for (const [i, label] of digits.labels.entries()) confusion[label]![argmax(out, i * 10, 10)]++;
    expect(confusion).toEqual(c.heldOut.confusion);
    expect(c.heldOut.correct).toBe(confusion.reduce((s, row, d) => s + row[d], 0));
    expect(c.heldOut.accuracy).toBe(c.heldOut.correct / 2000);
    await session.release();
  });

  it('has a Markdown twin that states the same accuracy', () => {
    const md = readFileSync(new URL(`../models/${name}.card.md`, import.meta.url), 'utf8');
    expect(md).toContain(
      `${(100 * c.heldOut.accuracy).toFixed(2)}% (${c.heldOut.correct.toLocaleString('en-US')} of 2,000)`,
    );
  });
});

describe('the targets', () => {
  it('logistic regression >= 91%, MLP >= 97.5%, CNN >= 98.5% on the held-out digits', () => {
    expect(card('logreg').heldOut.accuracy).toBeGreaterThanOrEqual(0.91);
    expect(card('mlp').heldOut.accuracy).toBeGreaterThanOrEqual(0.975);
    expect(card('cnn').heldOut.accuracy).toBeGreaterThanOrEqual(0.985);
  });

  it('the CNN learns far fewer numbers than the MLP', () => {
    expect(card('cnn').parameters * 10).toBeLessThan(card('mlp').parameters);
  });

  it('BlurPool is at least one point more shift-consistent than max pooling', () => {
    expect(
      card('cnn-blurpool').shift.consistency - card('cnn').shift.consistency,
    ).toBeGreaterThanOrEqual(0.01);
  });

  it('the shortcut model collapses without its marks or with swapped marks; the CNN does not', () => {
    const s = card('cnn-shortcut').shortcut;
    const plain = card('cnn').shortcut;
    expect(s.marked).toBeGreaterThan(0.95);
    expect(s.clean).toBeLessThan(s.marked - 0.2);
    expect(s.swapped).toBeLessThan(0.5);
    expect(Math.abs(plain.swapped - plain.clean)).toBeLessThan(0.02);
    expect(Math.abs(plain.marked - plain.clean)).toBeLessThan(0.02);
  });
});
