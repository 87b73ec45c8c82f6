/**
 * Figures that follow the steps of an `<rf-scrolly>`: a map from step states to the attributes
 * each state sets on the figure. No DOM work at import time and no dependencies, so any figure
 * wrapper can import it.
 */

/** `event.detail` of the `rf:step` event an `<rf-scrolly>` dispatches when its active step changes. */
export interface StepChange {
  /** Zero-based index of the step that became active. */
  index: number;
  /** The step's `data-state`, which figures read to decide what to show. */
  state: string;
  /** Scroll direction that caused the change; `'none'` for keyboard focus or first paint. */
  direction: 'up' | 'down' | 'none';
}

export const STEP_EVENT = 'rf:step';

/**
 * What each step state sets on a figure, e.g. `{ three: { filters: '3', unit: null } }`. A
 * string sets the attribute (an empty one turns a boolean attribute such as `padding` on), null
 * removes it; a state not listed leaves the figure as the reader left it.
 */
export type StepAttributes = Record<string, Record<string, string | null>>;

function apply(figure: Element, steps: StepAttributes, state: string | null | undefined): void {
  const s = state ? steps[state] : undefined;
  if (!s) return;
  for (const [name, value] of Object.entries(s)) {
    if (value === null) figure.removeAttribute(name);
    else figure.setAttribute(name, value);
  }
}

/**
 * Sets attributes on `figure` for each step of `scrolly` (by default the `<rf-scrolly>` around
 * it), starting with its current state. Returns a function that stops following.
 * @example
 * followSteps(document.querySelector('rf-kernel-lab')!, {
 *   identity: { kernel: 'identity' },
 *   blur: { kernel: 'box-blur', padding: null },
 * });
 */
export function followSteps(
  figure: Element,
  steps: StepAttributes,
  scrolly: Element | null = figure.closest('rf-scrolly'),
): () => void {
  if (!scrolly) return () => {};
  // The scrolly may have activated a step before the figure was wired; before it upgrades, its
  // state is the one the page was rendered with.
  apply(figure, steps, scrolly.getAttribute('data-state') ?? scrolly.getAttribute('initial'));
  // The reader's hand wins: while focus is inside the figure (a kernel cell being edited, a unit
  // being walked with the arrow keys), a step change, often caused by the focus scrolling the
  // page, waits until focus leaves the figure.
  let deferred: string | null = null;
  const onStep = (e: Event) => {
    if (e.target !== scrolly) return;
    const { state } = (e as CustomEvent<StepChange>).detail;
    if (figure.matches(':focus-within')) deferred = state;
    else apply(figure, steps, state);
  };
  const onFocusOut = (e: Event) => {
    const next = (e as FocusEvent).relatedTarget as Node | null;
    if (deferred === null || (next && figure.contains(next))) return;
    const state = deferred;
    deferred = null;
    apply(figure, steps, state);
  };
  scrolly.addEventListener(STEP_EVENT, onStep);
  figure.addEventListener('focusout', onFocusOut);
  return () => {
    scrolly.removeEventListener(STEP_EVENT, onStep);
    figure.removeEventListener('focusout', onFocusOut);
  };
}

/**
 * Wires one element whose `data-rf-steps` attribute holds its {@link StepAttributes} as JSON
 * (safe to call twice: `data-rf-following` marks it). A value that is not such an object is
 * reported on the console and the figure is left alone.
 */
export function followStepsAttribute(figure: HTMLElement): void {
  if (figure.dataset['rfFollowing'] || !figure.closest('rf-scrolly')) return;
  let steps: StepAttributes;
  try {
    steps = JSON.parse(figure.dataset['rfSteps'] ?? '{}') as StepAttributes;
    if (typeof steps !== 'object' || steps === null || Array.isArray(steps)) throw new TypeError();
  } catch {
    console.error(
      `<${figure.localName}> data-rf-steps: received ${JSON.stringify(figure.dataset['rfSteps'])}, expected a JSON object of step states to attributes`,
    );
    return;
  }
  figure.dataset['rfFollowing'] = 'true';
  followSteps(figure, steps);
}

/** Wires every `tag[data-rf-steps]` in the document that sits inside an `<rf-scrolly>`. */
export function followStepAttributes(tag: string, doc: Document = document): void {
  for (const el of doc.querySelectorAll<HTMLElement>(`${tag}[data-rf-steps]`)) {
    followStepsAttribute(el);
  }
}
