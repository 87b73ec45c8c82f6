/**
 * The ConvLayer figure: four inputs (k, d, h, w) and a table of shapes and parameter counts,
 * recomputed with @receptive/core on every change.
 */

import { convLayerSentence } from '../sentences.ts';
import { convLayerShapes } from '../shapes.ts';

const LIMITS = { k: [1, 512], d: [1, 512], h: [3, 1024], w: [3, 1024] } as const;
type Field = keyof typeof LIMITS;
const fmt = new Intl.NumberFormat('en-US');

function update(root: HTMLElement): void {
  const values = {} as Record<Field, number>;
  for (const f of Object.keys(LIMITS) as Field[]) {
    const input = root.querySelector<HTMLInputElement>(`input[name="${f}"]`)!;
    const v = Number(input.value);
    const [min, max] = LIMITS[f];
    const ok = input.value.trim() !== '' && Number.isInteger(v) && v >= min && v <= max;
    input.setAttribute('aria-invalid', String(!ok));
    if (!ok) return;
    values[f] = v;
  }
  const s = convLayerShapes(values.k, values.d, values.h, values.w);
  const set = (key: string, text: string) => {
    const cell = root.querySelector(`[data-value="${key}"]`);
    if (cell) cell.textContent = text;
  };
  set('input', s.input.join(' × '));
  set('filter', `${s.output[0]} × (${s.filter.join(' × ')})`);
  set('output', s.output.join(' × '));
  set('weights', fmt.format(s.weights));
  set('biases', fmt.format(s.biases));
  set('parameters', fmt.format(s.parameters));
  set('sentence', convLayerSentence(s));
}

export function mountConvLayers(doc: Document = document): void {
  for (const root of doc.querySelectorAll<HTMLElement>('[data-rf-conv-layer]')) {
    if (root.dataset['ready']) continue;
    root.dataset['ready'] = 'true';
    const fieldset = root.querySelector('fieldset');
    fieldset?.removeAttribute('disabled');
    // Enter in a field would submit the form and reload the page: the figure updates as typed.
    root.querySelector('form')?.addEventListener('submit', (e) => e.preventDefault());
    root.addEventListener('input', () => update(root));
    update(root);
  }
}
