/** The prop table of `<rf-digit-loss>` (no DOM: the Astro docs and checks read it in Node). */
import type { WidgetSpec } from './props.js';

export const DIGIT_LOSS_SPEC: WidgetSpec = {
  tag: 'rf-digit-loss',
  summary:
    'A test digit through the shipped multilayer perceptron (784 → 512 ReLU → 10 softmax): the ten softmax outputs, the label as a one-hot row and the cross-entropy loss −log p_label computed live by @receptive/core; the reader changes the label or the digit, and one gradient step (core autograd) shows the loss falling and the weights it moved most.',
  props: [
    {
      attribute: 'digit',
      property: 'digit',
      type: 'number',
      default: '11',
      example: 'digit="11"',
      description: 'Which official test digit (0 to 9999) to start with; test digit 11 is a 6.',
    },
    {
      attribute: 'label',
      property: 'label',
      type: 'number',
      default: null,
      example: 'label="6"',
      description: "The label the loss is taken against (0 to 9); by default the digit's own.",
    },
  ],
  events: [
    {
      name: 'rf-loss',
      detail: '{ digit: number; label: number; example: LossExample }',
      description: 'Each time the loss is computed (a new digit, label or step).',
    },
  ],
  fallback: 'Put the loss example computed at build time in the element.',
  keyboard:
    'Buttons for the previous and next test digit and for the gradient step; a select for the label.',
};
