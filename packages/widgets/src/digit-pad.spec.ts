import { defineSpec } from './props.js';
import { digitsSrcProp } from './shared-props.js';

export const DIGIT_PAD_SPEC = defineSpec({
  tag: 'rf-digit-pad',
  summary:
    'A drawing pad for a digit (mouse, touch or pen), with a keyboard path through the held-out digits; shows the 28x28 image the models see.',
  props: [
    digitsSrcProp(', fetched 1,000 at a time'),
    {
      attribute: null,
      property: 'pixels',
      type: 'Float32Array (read-only)',
      default: null,
      example: 'pad.pixels',
      description: 'The current 28x28 image, row by row.',
    },
  ],
  events: [
    {
      name: 'rf-digit',
      detail:
        "DigitChange { pixels: Float32Array; empty: boolean; source: 'drawing' | 'held-out'; index?: number; label?: number; offset: { x: number; y: number }; drawing: boolean }",
      description:
        'Whenever the image changes: while drawing (once per frame), after a stroke, on Clear, on picking or nudging a held-out digit.',
    },
  ],
  fallback:
    'Put a sentence in the element (drawing needs JavaScript); it shows until the script runs.',
  keyboard:
    'Previous and Next pick a held-out digit; the Move buttons, or the arrow keys with the pad focused, move the digit one pixel; Clear (or Escape on the pad) empties it.',
});
