import { defineSpec } from './props.js';
import { STEP_EVENT } from './scrolly-steps.js';

export const SCROLLY_SPEC = defineSpec({
  tag: 'rf-scrolly',
  summary:
    "A scrollytelling sequence in the light DOM: a pinned figure beside (on phones: above) a column of text steps. The step crossing the middle of the viewport (on phones: the middle of the space below the figure), or holding keyboard focus, is active: its state becomes the data-state of the element and an rf:step event bubbles from it. A step may name the part of the figure it talks about in data-focus (a CSS selector, also looked for inside the open shadow roots of the figure's elements): while it is active that part is kept on screen, on phones by scrolling the compact figure panel to it.",
  props: [
    {
      attribute: 'label',
      property: 'label',
      type: 'string',
      default: null,
      example: 'label="Three kernels"',
      description:
        'Accessible name of the whole sequence (the element is a region landmark), read before the figure.',
    },
    {
      attribute: 'initial',
      property: 'initial',
      type: 'string',
      default: 'the first step’s state',
      example: 'initial="identity"',
      description:
        'State shown before the script runs: copied to data-state if the page did not set it. The state of the first step.',
    },
    {
      attribute: 'data-state',
      property: 'state',
      type: 'string (read-only property)',
      default: null,
      example: 'rf-scrolly[data-state="blur"] .note { display: block }',
      description: 'The active step’s data-state, for styles and scripts to read.',
    },
    {
      attribute: 'data-active-step',
      property: 'index',
      type: 'number (read-only property)',
      default: '0',
      example: 'scrolly.index === 2',
      description: 'Zero-based index of the active step (-1 before the element connects).',
    },
  ],
  events: [
    {
      name: STEP_EVENT,
      detail: "StepChange { index: number; state: string; direction: 'up' | 'down' | 'none' }",
      description:
        "When the active step changes (bubbles): by scrolling (direction up or down), or by keyboard focus and on first paint ('none').",
    },
  ],
  fallback:
    'Everything is the page’s own light DOM: without JavaScript the text of every step shows, and the figure shows what the page rendered for the initial state.',
  keyboard:
    'Scrolling by keyboard (Page Down, Space, arrows) moves through the steps; tabbing to a link or control inside a step makes it the active one. The active step is announced by its data-label in a polite live region.',
});
