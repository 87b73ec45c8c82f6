/** What the shift-block figure computes, with no DOM (the Astro component's table uses it too). */
import { maxPool2d, tensor } from '@receptive/core';
import { SHIFT_BLOCK_SIZE } from './shift-block.spec.js';

const N = SHIFT_BLOCK_SIZE;

/**
 * The example computed by the core: a 4 x 4 input of zeros with a 1 at (y, x), max-pooled in
 * 2 x 2 blocks. The Astro component builds its no-JavaScript table from the same function.
 * @example blockExample(0, 2).pooled // [0, 1, 0, 0]
 */
export function blockExample(y: number, x: number): { input: number[]; pooled: number[] } {
  const input = new Float32Array(N * N);
  input[y * N + x] = 1;
  const pooled = maxPool2d(tensor(input, [1, 1, N, N]), { kernel: 2 });
  return { input: Array.from(input), pooled: Array.from(pooled.data) };
}
