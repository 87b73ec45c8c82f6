import scrollama from 'scrollama';

/** Detail of the `rf:step` event a scrolly container dispatches when its active step changes. */
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
 * Wires one `[data-scrolly]` container: scrollama watches its `[data-step]` children and the
 * active one drives the container's `data-state`, the step's `aria-current`, the live caption
 * and an `rf:step` event that figures inside listen to.
 */
export function mountScrolly(root: HTMLElement): () => void {
  const steps = Array.from(root.querySelectorAll<HTMLElement>('[data-step]'));
  const live = root.querySelector<HTMLElement>('[data-scrolly-live]');
  let active = -1;

  const activate = (index: number, direction: StepChange['direction']) => {
    if (index === active || index < 0 || index >= steps.length) return;
    active = index;
    const step = steps[index]!;
    const state = step.dataset['state'] ?? String(index);
    steps.forEach((s, i) => {
      s.classList.toggle('is-active', i === index);
      if (i === index) s.setAttribute('aria-current', 'step');
      else s.removeAttribute('aria-current');
    });
    root.dataset['state'] = state;
    root.dataset['activeStep'] = String(index);
    if (live) live.textContent = step.dataset['label'] ?? '';
    root.dispatchEvent(
      new CustomEvent<StepChange>(STEP_EVENT, {
        detail: { index, state, direction },
        bubbles: true,
      }),
    );
  };

  const scroller = scrollama();
  scroller
    .setup({ step: steps, offset: 0.5 })
    .onStepEnter(({ index, direction }) => activate(index, direction));

  // Tabbing to a link or control inside a step makes that step the active one, so keyboard
  // readers who never scroll still drive the figure.
  const onFocus = (event: FocusEvent) => {
    const step = (event.target as Element | null)?.closest<HTMLElement>('[data-step]');
    if (step) activate(steps.indexOf(step), 'none');
  };
  root.addEventListener('focusin', onFocus);

  // A resize reflows the text (on phones the figure moves above it), which would slide a
  // different step under the trigger line and jump the story. Keep the reader's step in place
  // instead; this runs before the next intersection check, so no step change fires.
  const onResize = () => {
    const step = steps[active];
    if (!step) return;
    const { top, bottom } = step.getBoundingClientRect();
    const trigger = window.innerHeight / 2;
    if (top > trigger || bottom < trigger) step.scrollIntoView({ block: 'center' });
  };
  window.addEventListener('resize', onResize);
  root.dataset['ready'] = 'true';
  if (active === -1) activate(0, 'none');

  return () => {
    root.removeEventListener('focusin', onFocus);
    window.removeEventListener('resize', onResize);
    scroller.destroy();
  };
}

export function mountAllScrollies(doc: Document = document): void {
  for (const root of doc.querySelectorAll<HTMLElement>('[data-scrolly]')) {
    if (root.dataset['ready'] !== 'true') mountScrolly(root);
  }
}
