/**
 * The pieces of the figures that show digit models' answers: a section per model, and the ten
 * probability bars of an answer, an item per class with its digit, a bar (`.bar` holding
 * `.fill`) and a percentage (`.pct`). Each figure styles them in its own sheet.
 */
import { el } from './dom.js';
import { percent } from './format.js';

/** The ten items, class 0 first, empty; each with its class as `data-class` when `classed`. */
export function barItems(classed = false): HTMLLIElement[] {
  return Array.from({ length: 10 }, (_, d) =>
    el(
      'li',
      classed ? { 'data-class': d } : {},
      el('span', {}, String(d)),
      el('span', { class: 'bar', 'aria-hidden': 'true' }, el('span', { class: 'fill' })),
      el('span', { class: 'pct' }, '–'),
    ),
  );
}

/** The ten items in a list labelled `label`. */
export function barList(
  label: string,
  classed = false,
): { list: HTMLOListElement; bars: HTMLLIElement[] } {
  const bars = barItems(classed);
  return { list: el('ol', { 'aria-label': label }, ...bars), bars };
}

/** Shows the probabilities `p` on the items (null: empty bars), class `top` marked (-1: none). */
export function showBars(bars: Iterable<Element>, p: readonly number[] | null, top: number): void {
  [...bars].forEach((li, d) => {
    (li.querySelector('.fill') as HTMLElement).style.width = p
      ? `${(p[d]! * 100).toFixed(1)}%`
      : '0';
    li.querySelector('.pct')!.textContent = p ? percent(p[d]!) : '–';
    li.classList.toggle('top', d === top);
  });
}

/** A model's section: its title with its name, `title (name)`, then `body` and `answer`. */
export function modelSection(
  name: string,
  title: string,
  body: HTMLElement,
  answer: HTMLElement,
): HTMLElement {
  return el(
    'section',
    { class: 'model', 'data-model': name },
    el('p', { class: 'title' }, `${title} (${name})`),
    body,
    answer,
  );
}
