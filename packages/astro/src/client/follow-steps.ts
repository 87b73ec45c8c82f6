/**
 * A figure inside a `<Scrolly>` follows its steps: `data-rf-steps` on the element maps step
 * states to attributes, e.g. `{"three":{"filters":"3","unit":null}}`. A string sets the
 * attribute (an empty one turns a boolean attribute such as `padding` on), null removes it, a
 * state not listed leaves the figure as the reader left it.
 */
export type StepAttributes = Record<string, Record<string, string | null>>;

function apply(el: HTMLElement, steps: StepAttributes, state: string | undefined): void {
  const s = state ? steps[state] : undefined;
  if (!s) return;
  for (const [name, value] of Object.entries(s)) {
    if (value === null) el.removeAttribute(name);
    else el.setAttribute(name, value);
  }
}

/** Wires every `tag[data-rf-steps]` inside a scrolly (safe to call twice). */
export function followStepAttributes(tag: string, doc: Document = document): void {
  for (const el of doc.querySelectorAll<HTMLElement>(`${tag}[data-rf-steps]`)) {
    if (el.dataset['rfFollowing']) continue;
    el.dataset['rfFollowing'] = 'true';
    const steps = JSON.parse(el.dataset['rfSteps'] ?? '{}') as StepAttributes;
    const scrolly = el.closest<HTMLElement>('[data-scrolly]');
    if (!scrolly) continue;
    // The scrolly may have activated its first step before this script ran.
    apply(el, steps, scrolly.dataset['state']);
    scrolly.addEventListener('rf:step', (e) => {
      apply(el, steps, (e as CustomEvent<{ state: string }>).detail.state);
    });
  }
}
