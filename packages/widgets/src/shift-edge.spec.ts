import { custom, defineSpec, WidgetValueError } from './props.js';
import { digitProp, kernelProp } from './shared-props.js';

/** The largest shift each way the figure offers, in pixels. */
export const EDGE_MAX_SHIFT = 4;

/** The `shift` attribute: "down,right" in whole pixels. */
export function parseShift(value: string | null): { dy: number; dx: number } {
  const nums = (value ?? '')
    .trim()
    .split(/[\s,]+/)
    .map(Number);
  if (
    nums.length !== 2 ||
    !nums.every((n) => Number.isInteger(n) && Math.abs(n) <= EDGE_MAX_SHIFT)
  ) {
    throw new WidgetValueError(
      'rf-shift-edge',
      'shift',
      value ?? '',
      `"down,right" with whole pixels from -${EDGE_MAX_SHIFT} to ${EDGE_MAX_SHIFT}`,
    );
  }
  return { dy: nums[0]!, dx: nums[1]! };
}

export const SHIFT_EDGE_SPEC = defineSpec({
  tag: 'rf-shift-edge',
  summary:
    'A test digit through one edge kernel and 2 × 2 max pooling, before and after the reader shifts it by whole pixels: the pooled units that changed are outlined and counted by @receptive/core.',
  props: [
    digitProp(3, 'Which MNIST test digit to show (0 to 9999).'),
    kernelProp(
      'horizontal-edge',
      'kernel="horizontal-edge"',
      'The edge kernel that makes the feature map.',
    ),
    {
      attribute: 'shift',
      property: 'shift',
      type: '{ dy: number; dx: number }; the attribute is "down,right" in pixels, -4 to 4',
      default: '0,1',
      parser: custom(parseShift, (s) => `${s.dy},${s.dx}`),
      example: 'shift="0,2"',
      description: 'How far the digit is moved (a scroll step can set it).',
    },
  ],
  events: [
    {
      name: 'rf-shift-edge',
      detail:
        'EdgeShiftCounts { dy; dx; changed; total; movedChanged: number | null; movedTotal: number | null }',
      description: 'After every shift, with the counts shown.',
    },
  ],
  fallback: 'Put a short description or a table in the element; it shows until the script runs.',
  keyboard: 'Two labelled sliders set the shift (arrow keys, Home, End); the counts are announced.',
});
