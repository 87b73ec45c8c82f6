/**
 * The strings figure states take in a page's address: base64url, 8-bit images as run lengths
 * (round trips on the first 1,000 official MNIST test digits, and their length), whole numbers
 * and kernels; every decoder answers null, never throws, for what a tampered link may hold.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { chunkFile, decodeDigits } from '@receptive/models';
import { describe, expect, it } from 'vitest';
import {
  decodeInk,
  decodeInts,
  decodeNumbers,
  encodeInk,
  encodeInts,
  encodeNumbers,
  fromBase64Url,
  toBase64Url,
} from '../src/share-codec.ts';

const MODELS = dirname(createRequire(import.meta.url).resolve('@receptive/models/package.json'));
const digits = decodeDigits(
  gunzipSync(readFileSync(`${MODELS}/data/${chunkFile('test', 0)}`)),
).pixels;

describe('base64url', () => {
  it('round-trips every length and byte, in the URL-safe alphabet without padding', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 97 + n * 31) % 256);
      const text = toBase64Url(bytes);
      expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
      expect(text.length).toBe(Math.ceil((n * 8) / 6));
      expect(fromBase64Url(text)).toEqual(bytes);
    }
    expect(toBase64Url(Uint8Array.from([251, 255, 191]))).toBe('-_-_');
  });

  it('answers null for another character or an impossible length', () => {
    expect(fromBase64Url('ab+c')).toBeNull();
    expect(fromBase64Url('ab=c')).toBeNull();
    expect(fromBase64Url('abcde')).toBeNull();
  });
});

describe('encodeInk and decodeInk', () => {
  it('round-trips the first 1,000 test digits exactly, in 260 characters on average', () => {
    let longest = 0;
    let total = 0;
    for (let d = 0; d < 1000; d++) {
      const pixels = digits.subarray(d * 784, d * 784 + 784);
      const text = encodeInk(pixels);
      longest = Math.max(longest, text.length);
      total += text.length;
      expect(decodeInk(text, 784)).toEqual(pixels);
    }
    // Measured: 260 on average, 459 at most.
    expect(total / 1000).toBeLessThan(300);
    expect(longest).toBeLessThan(500);
  });

  it('writes a blank image and a full one', () => {
    expect(decodeInk(encodeInk(new Float32Array(784)), 784)).toEqual(new Float32Array(784));
    const full = new Float32Array(784).fill(1);
    expect(decodeInk(encodeInk(full), 784)).toEqual(full);
  });

  it('refuses values that are not whole 255ths in [0, 1]', () => {
    expect(() => encodeInk([0.5])).toThrow(/pixel 0 is 0.5, expected a whole number of 255ths/);
    expect(() => encodeInk([2])).toThrow(RangeError);
  });

  it('answers null for a cut, padded, foreign or wrong-sized string', () => {
    const text = encodeInk(digits.subarray(0, 784));
    expect(decodeInk(text.slice(0, -8), 784)).toBeNull();
    expect(decodeInk(`${text}AAAA`, 784)).toBeNull();
    expect(decodeInk(text, 783)).toBeNull();
    expect(decodeInk('not*base64', 784)).toBeNull();
    expect(decodeInk('', 784)).toBeNull();
    // A run of ink written as a zero byte.
    expect(decodeInk(toBase64Url(Uint8Array.from([0, 1, 0])), 1)).toBeNull();
  });
});

describe('whole numbers and kernels', () => {
  it('reads back what it writes, within the bounds asked', () => {
    expect(decodeInts(encodeInts([3, -1]), 2, -4, 4)).toEqual([3, -1]);
    expect(decodeInts('5,0', 2, -4, 4)).toBeNull();
    expect(decodeInts('1,2,3', 2, -4, 4)).toBeNull();
    expect(decodeInts('1.5,2', 2, -4, 4)).toBeNull();
    expect(decodeInts('1,', 2, -4, 4)).toBeNull();
    const kernel = Array.from({ length: 9 }, () => 1 / 9);
    expect(decodeNumbers(encodeNumbers(kernel), 9)).toEqual(kernel);
    expect(decodeNumbers(encodeNumbers([-0, 2.5e-7, -3]), 3)).toEqual([0, 2.5e-7, -3]);
    expect(decodeNumbers('1e400,0', 2)).toBeNull();
    expect(decodeNumbers('1,2', 2, 1)).toBeNull();
    expect(decodeNumbers('0x10,1', 2)).toBeNull();
  });
});
