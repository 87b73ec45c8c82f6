import { conv2d, relu, type Tensor, tensor } from '@receptive/core';
import { type ModelCard, modelCard, SHIFT_PAIR, SHIFT_POOLING } from '@receptive/models';
import { BLUR_POOL_SPEC, type BlurStage } from './blur-pool.spec.js';
import { aliasingExample, blurPoolStages } from './blur-pool-model.js';
import { el, shadow } from './dom.js';
import { figureElement } from './figure-element.js';
import { formatNumber } from './format.js';
import { testDigit } from './held-out.js';
import { KERNEL_PRESETS } from './lecture.js';
import { BASE_CSS, inkColor } from './theme.js';

export { aliasingExample, BLUR_POOL_SPEC, type BlurStage, blurPoolStages };

const CSS = `${BASE_CSS}
:host { container-type: inline-size; }
.maps { --c: clamp(3px, calc((100cqw - 8rem) / 128), 7px); display: flex; flex-wrap: wrap; gap: 0.6rem 0.9rem; align-items: flex-end; }
.maps figure { width: min-content; padding: 0.25rem; border: 2px solid transparent; border-radius: 4px; }
.maps figure.now { border-color: var(--rf-highlight); }
.map { display: grid; outline: 1px solid var(--rf-line); width: max-content; }
.map span { display: block; width: var(--c); height: var(--c); }
.map.half span { width: calc(2 * var(--c)); height: calc(2 * var(--c)); }
.note { margin: 0.5rem 0; min-height: 2.6em; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 0.85rem; margin: 0.5rem 0; }
th, td { border-bottom: 1px solid var(--rf-line); padding: 0.15rem 0.3rem; text-align: right; }
th[scope="row"] { white-space: nowrap; }
thead th { vertical-align: bottom; }
th[scope="row"], thead th:first-child { text-align: left; font-weight: 600; }
caption { text-align: left; font-size: 0.8rem; color: var(--rf-muted); caption-side: top; padding-bottom: 0.2rem; }
.wide { overflow-x: auto; max-width: 100%; }
@container (max-width: 30rem) {
  table { font-size: 0.72rem; }
  th, td { padding: 0.12rem 0.18rem; }
}
`;

const SAY: Record<BlurStage, string> = {
  max: 'Step 1: the 2 × 2 max is taken at every position (stride 1), so no position is skipped yet.',
  blur: 'Step 2: the [1 2 1] × [1 2 1] / 16 blur spreads each value over its neighbours.',
  keep: 'Step 3: every second pixel of the blurred map is kept: 13 × 13, as plain max pooling gives.',
};

/** `<rf-blur-pool digit="0" stage="keep">`: see {@link BLUR_POOL_SPEC}. */
export class BlurPool extends figureElement(BLUR_POOL_SPEC) {
  #root: ShadowRoot | null = null;
  #stages: ReturnType<typeof blurPoolStages> | null = null;
  #cards: ModelCard[] | null = null;
  #token = 0;

  /** The maps shown now (null until the digit is in). */
  get stages(): ReturnType<typeof blurPoolStages> | null {
    return this.#stages;
  }

  protected override changed(property: string): void {
    if (property === 'digit') void this.#load();
    else this.#mark();
  }

  protected override connected(): void {
    if (!this.#root) {
      this.#root = shadow(this, CSS);
      this.#root.append(
        el('div', { class: 'maps' }),
        el('p', { class: 'note', 'aria-live': 'polite' }, 'Loading a test digit…'),
        el('div', {
          class: 'wide alias',
          tabindex: 0,
          role: 'region',
          'aria-label': 'Aliasing in one dimension',
        }),
        el('div', {
          class: 'wide cost',
          tabindex: 0,
          role: 'region',
          'aria-label': 'What BlurPool costs',
        }),
      );
      this.#renderAlias();
      void this.#load();
    }
  }

  protected override nearChanged(near: boolean): void {
    if (near && !this.#cards) void this.#loadCards();
  }

  async #load(): Promise<void> {
    if (!this.#root) return;
    const token = ++this.#token;
    let pixels: Float32Array;
    try {
      pixels = (await testDigit(this.digit)).pixels;
    } catch (err) {
      this.#root.querySelector('.note')!.textContent =
        `The test digits could not be loaded: ${(err as Error).message}`;
      return;
    }
    if (token !== this.#token) return;
    const feature = relu(
      conv2d(
        tensor(pixels, [1, 1, 28, 28]),
        tensor(Float32Array.from(KERNEL_PRESETS['horizontal-edge']), [1, 1, 3, 3]),
      ),
    );
    const s = blurPoolStages(feature);
    this.#stages = s;
    let top = 0;
    for (const v of feature.data) top = Math.max(top, v);
    const map = (t: Tensor, name: string, label: string, half = false) => {
      const [, , h, w] = t.shape as [number, number, number, number];
      const grid = el('div', {
        class: `map${half ? ' half' : ''}`,
        role: 'img',
        'aria-label': `${label}, ${h} × ${w}`,
      });
      grid.style.gridTemplateColumns = `repeat(${w}, auto)`;
      for (const v of t.data) {
        const c = el('span');
        c.style.background = inkColor(v / top).bg;
        grid.append(c);
      }
      return el(
        'figure',
        { 'data-stage': name },
        el('figcaption', {}, `${label} ${h} × ${w}`),
        grid,
      );
    };
    this.#root
      .querySelector('.maps')!
      .replaceChildren(
        map(feature, 'feature', 'Edge map, ReLU'),
        map(s.max, 'max', '1. Max, stride 1'),
        map(s.blur, 'blur', '2. Blur'),
        map(s.keep, 'keep', '3. Every 2nd pixel', true),
        map(s.plain, 'plain', 'Max pooling', true),
      );
    let same = true;
    s.keep.data.forEach((v, i) => {
      if (Math.abs(v - s.core.data[i]!) > 1e-5) same = false;
    });
    this.dataset['matchesCore'] = String(same);
    this.#mark();
  }

  #mark(): void {
    const root = this.#root;
    if (!root || !this.#stages) return;
    for (const f of root.querySelectorAll<HTMLElement>('.maps figure')) {
      f.classList.toggle('now', f.dataset['stage'] === this.stage);
    }
    root.querySelector('.note')!.textContent = SAY[this.stage];
  }

  #renderAlias(): void {
    const a = aliasingExample();
    const fmt = (v: number) => formatNumber(v, 2);
    const row = (name: string, values: number[], kept?: number) =>
      el(
        'tr',
        {},
        el('th', { scope: 'row' }, name),
        ...values.map((v, i) =>
          el('td', kept === undefined || i % 2 === kept ? {} : { class: 'skip' }, fmt(v)),
        ),
      );
    const table = el(
      'table',
      { 'data-table': 'alias' },
      el(
        'caption',
        {},
        'Fine stripes, then every second value kept, at even or at odd positions (one pixel apart), without and with the [1 2 1] / 4 blur',
      ),
      el(
        'tbody',
        {},
        row('stripes', a.signal),
        row('kept: even', a.even),
        row('kept: odd', a.odd),
        row('blurred', a.blurred),
        row('blurred, even', a.blurredEven),
        row('blurred, odd', a.blurredOdd),
      ),
    );
    this.#root!.querySelector('.alias')!.replaceChildren(table);
  }

  async #loadCards(): Promise<void> {
    try {
      this.#cards = await Promise.all(
        // The page's one copy of each card (@receptive/models' assets).
        SHIFT_PAIR.map((m) => modelCard(m)),
      );
    } catch (err) {
      this.#root!.querySelector('.cost')!.textContent =
        `The model cards could not be loaded: ${(err as Error).message}`;
      return;
    }
    const cards = this.#cards;
    const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
    const at = (c: ModelCard, s: number) =>
      c.shift.accuracyByDx.find((r) => r.shift === s)?.accuracy ?? Number.NaN;
    const table = el(
      'table',
      { 'data-table': 'cost' },
      el(
        'caption',
        {},
        'What BlurPool costs and buys, from the model cards (official test digits)',
      ),
      // One column per model and one row per quantity, so the table fits a phone.
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('td', {}),
          ...SHIFT_PAIR.map((name) => el('th', { scope: 'col', title: name }, SHIFT_POOLING[name])),
        ),
      ),
      el(
        'tbody',
        {},
        ...(
          [
            ['parameters', (c) => c.parameters.toLocaleString('en-US')],
            ['operations per digit', (c) => c.flops.toLocaleString('en-US')],
            ['accuracy', (c) => pct(c.heldOut.accuracy)],
            ['accuracy, 4 px right', (c) => pct(at(c, 4))],
            ['shift consistency', (c) => pct(c.shift.consistency)],
          ] as const satisfies readonly (readonly [string, (c: ModelCard) => string])[]
        ).map(([what, value]) =>
          el(
            'tr',
            {},
            el('th', { scope: 'row' }, what),
            ...cards.map((c) => el('td', { 'data-model': c.name }, value(c))),
          ),
        ),
      ),
    );
    this.#root!.querySelector('.cost')!.replaceChildren(table);
  }
}
