/**
 * `<rf-photo-conv>`'s convolver (photo-conv-model.ts) on its CPU path, the one every page
 * starts on and falls back to: runs happen one at a time, requests that pile up collapse into
 * the newest, and each result is @receptive/core's convolution of the image. The GPU engine is
 * checked in Chromium (tests/e2e/specs/photo-conv.test.ts and webgpu.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { PhotoConvolver, type PhotoRun } from '../src/photo-conv-model.ts';
import { cpuConvolve, type FloatImage, toFloatImage } from '../src/photo-library.ts';

/** A w x h RGBA gradient, made grey or kept in colour. */
function image(w: number, h: number, channels: 'grey' | 'rgb'): FloatImage {
  const rgba = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < w * h; i++)
    rgba.set([(i * 7) % 256, (i * 3) % 256, (i * 11) % 256, 255], i * 4);
  return toFloatImage(rgba, w, h, channels);
}

const BOX = Array(9).fill(1 / 9);
const EDGE = [0, -1, 0, -1, 4, -1, 0, -1, 0];

describe('PhotoConvolver', () => {
  it('convolves on the CPU until a GPU engine starts, with the core', async () => {
    const runs: PhotoRun[] = [];
    const convolver = new PhotoConvolver({ onRun: (r) => runs.push(r) });
    expect(convolver.engine).toBe('cpu');
    const input = image(12, 9, 'rgb');
    convolver.request(input, EDGE);
    await convolver.idle;
    expect(runs).toHaveLength(1);
    const [run] = runs;
    expect(run!.engine).toBe('cpu');
    expect(run!.kernel).toEqual(EDGE);
    expect(run!.input).toBe(input);
    expect(run!.output).toEqual(cpuConvolve(input, EDGE));
    expect(run!.ms).toBeGreaterThanOrEqual(0);
    expect(convolver.busy).toBe(false);
  });

  it('runs one at a time and collapses the requests that pile up into the newest', async () => {
    const runs: PhotoRun[] = [];
    const convolver = new PhotoConvolver({ onRun: (r) => runs.push(r) });
    const a = image(8, 8, 'grey');
    const b = image(10, 6, 'grey');
    const c = image(6, 10, 'grey');
    convolver.request(a, BOX);
    expect(convolver.busy).toBe(true);
    convolver.request(b, BOX);
    convolver.request(c, EDGE);
    await convolver.idle;
    expect(runs.map((r) => [r.input.w, r.input.h, r.kernel[4]])).toEqual([
      [8, 8, 1 / 9],
      [6, 10, 4],
    ]);
    expect(runs[1]!.output).toEqual(cpuConvolve(c, EDGE));
  });

  it('keeps the kernel it was asked with, whatever the caller does to its array later', async () => {
    const runs: PhotoRun[] = [];
    const convolver = new PhotoConvolver({ onRun: (r) => runs.push(r) });
    const kernel = [...BOX];
    convolver.request(image(4, 4, 'grey'), kernel);
    kernel[4] = 100;
    await convolver.idle;
    expect(runs[0]!.kernel).toEqual(BOX);
  });
});
