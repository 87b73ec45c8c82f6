import { custom, defineSpec, WidgetValueError } from './props.js';

/** Side of the input grid: two 2 x 2 pooling blocks across and down. */
export const SHIFT_BLOCK_SIZE = 4;

const N = SHIFT_BLOCK_SIZE;

/** The `one` attribute: "row,column" counted from 1. */
export function parseOne(value: string | null): { y: number; x: number } {
  const nums = (value ?? '')
    .trim()
    .split(/[\s,]+/)
    .map(Number);
  if (nums.length !== 2 || !nums.every((n) => Number.isInteger(n) && n >= 1 && n <= N)) {
    throw new WidgetValueError(
      'rf-shift-block',
      'one',
      value ?? '',
      `"row,column" with each from 1 to ${N} (counted from 1)`,
    );
  }
  return { y: nums[0]! - 1, x: nums[1]! - 1 };
}

export const SHIFT_BLOCK_SPEC = defineSpec({
  tag: 'rf-shift-block',
  summary:
    "The lecture's shift example, live: a 4 × 4 input holding a single 1, cut into 2 × 2 blocks and max-pooled by @receptive/core. Move the 1 and see when the pooled grid changes.",
  props: [
    {
      attribute: 'one',
      property: 'one',
      type: '{ y: number; x: number }; the attribute is "row,column", counted from 1',
      default: '1,1',
      parser: custom(parseOne, (o) => `${o.y + 1},${o.x + 1}`),
      example: 'one="1,3"',
      description: 'Where the single 1 sits in the 4 × 4 input (a scroll step can set it).',
    },
  ],
  events: [
    {
      name: 'rf-shift-block',
      detail: 'BlockShift { y: number; x: number; pooled: number[] }',
      description: 'Each time the 1 moves, with the pooled grid.',
    },
  ],
  fallback:
    'Put a table of the example in the element (the Astro component computes one at build time); it shows until the script runs.',
  keyboard:
    'Tab into the input grid; the arrow keys, Home and End move the 1, and the pooled grid is announced.',
});
