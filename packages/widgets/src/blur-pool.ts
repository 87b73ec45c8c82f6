import {
  binomialFilter,
  blurPool2d,
  conv2d,
  maxPool2d,
  relu,
  type Tensor,
  tensor,
} from '@receptive/core';
import { cardUrl, type ModelCard, type ModelName } from '@receptive/models';
import { ElementBase, el, shadow, watchViewport } from './dom.js';
import { formatNumber } from './format.js';
import { testDigit } from './held-out.js';
import { KERNEL_PRESETS } from './lecture.js';
import { applyAttribute, parseEnum, parseInteger, type WidgetSpec } from './props.js';
import { BASE_CSS, inkColor, THEME } from './theme.js';

const STAGES = ['max', 'blur', 'keep'] as const;
export type BlurStage = (typeof STAGES)[number];

export const BLUR_POOL_SPEC: WidgetSpec = {
  tag: 'rf-blur-pool',
  summary:
    "BlurPool (Zhang 2019) step by step on a test digit's edge map: max with stride 1, the [1 2 1] × [1 2 1] / 16 blur, keeping every second pixel, beside plain 2 × 2 max pooling; a one-dimensional signal sampled at two phases with and without the blur; and both CNNs' costs from their model cards.",
  props: [
    {
      attribute: 'digit',
      property: 'digit',
      type: 'number',
      default: '0',
      example: 'digit="3"',
      description: 'Which MNIST test digit makes the feature map (0 to 9999).',
    },
    {
      attribute: 'stage',
      property: 'stage',
      type: "'max' | 'blur' | 'keep'",
      default: 'keep',
      values: STAGES,
      example: 'stage="blur"',
      description: 'The step of BlurPool to point at (a scroll step can set it).',
    },
  ],
  events: [],
  fallback:
    "Put the cards' numbers in the element (the Astro component reads them at build time); they show until the script runs.",
  keyboard: 'Nothing to operate: the scroll steps choose the stage; every map has a text label.',
};

const TAG = BLUR_POOL_SPEC.tag;
const MODELS: ModelName[] = ['cnn', 'cnn-blurpool'];

/**
 * BlurPool's three steps on one map [1, 1, h, w], each a tensor: max 2 x 2 with stride 1, the
 * binomial blur with stride 1 (zero padding 1), and every second pixel of it, which is
 * `blurPool2d(x)`; and plain 2 x 2 max pooling for comparison.
 */
export function blurPoolStages(x: Tensor): {
  max: Tensor;
  blur: Tensor;
  keep: Tensor;
  plain: Tensor;
  core: Tensor;
} {
  const max = maxPool2d(x, { kernel: 2, stride: 1 });
  const k = binomialFilter(3);
  const blur = conv2d(max, tensor(k.data, [1, 1, 3, 3]), null, { padding: 1 });
  const [, , h, w] = blur.shape as [number, number, number, number];
  const oh = Math.ceil(h / 2);
  const ow = Math.ceil(w / 2);
  const keep = new Float32Array(oh * ow);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) keep[y * ow + x] = blur.data[2 * y * w + 2 * x]!;
  }
  return {
    max,
    blur,
    keep: tensor(keep, [1, 1, oh, ow]),
    plain: maxPool2d(x, { kernel: 2 }),
    core: blurPool2d(x),
  };
}

/**
 * The one-dimensional point: fine stripes 0 1 0 1 ..., kept at even or at odd positions, straight
 * or after the [1 2 1] / 4 blur (zero padding at the ends).
 */
export function aliasingExample(n = 10): {
  signal: number[];
  blurred: number[];
  even: number[];
  odd: number[];
  blurredEven: number[];
  blurredOdd: number[];
} {
  const signal = Array.from({ length: n }, (_, i) => i % 2);
  // The middle row of the 2D blur, normalised to sum 1: [1, 2, 1] / 4.
  const mid = binomialFilter(3).data.slice(3, 6);
  const sum = mid.reduce((a, b) => a + b, 0);
  const row = mid.map((v) => v / sum);
  const blurred = Array.from(
    conv2d(tensor(Float32Array.from(signal), [1, 1, 1, n]), tensor(row, [1, 1, 1, 3]), null, {
      padding: [0, 1],
    }).data,
  );
  const at = (a: number[], phase: number) => a.filter((_, i) => i % 2 === phase);
  return {
    signal,
    blurred,
    even: at(signal, 0),
    odd: at(signal, 1),
    blurredEven: at(blurred, 0),
    blurredOdd: at(blurred, 1),
  };
}

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
export class BlurPool extends ElementBase {
  static readonly spec = BLUR_POOL_SPEC;
  static readonly observedAttributes = ['digit', 'stage'];

  #digit = 0;
  #stage: BlurStage = 'keep';
  #root: ShadowRoot | null = null;
  #stages: ReturnType<typeof blurPoolStages> | null = null;
  #cards: ModelCard[] | null = null;
  #unwatch: (() => void) | null = null;
  #token = 0;

  get digit(): number {
    return this.#digit;
  }
  set digit(v: number) {
    this.#digit = parseInteger(TAG, 'digit', String(v), 0, 9999);
    void this.#load();
  }
  get stage(): BlurStage {
    return this.#stage;
  }
  set stage(v: BlurStage) {
    this.#stage = parseEnum(TAG, 'stage', v, STAGES);
    this.#mark();
  }
  /** The maps shown now (null until the digit is in). */
  get stages(): ReturnType<typeof blurPoolStages> | null {
    return this.#stages;
  }

  attributeChangedCallback(name: string, _old: string | null, value: string | null): void {
    if (name === 'digit') {
      applyAttribute(
        () => parseInteger(TAG, 'digit', value ?? '0', 0, 9999),
        (d) => {
          this.digit = d;
        },
      );
    } else {
      applyAttribute(
        () => parseEnum(TAG, 'stage', value ?? 'keep', STAGES),
        (s) => {
          this.stage = s;
        },
      );
    }
  }

  connectedCallback(): void {
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
    this.#unwatch = watchViewport(this, THEME.wakeMargin, (near) => {
      if (near && !this.#cards) void this.#loadCards();
    });
  }

  disconnectedCallback(): void {
    this.#unwatch?.();
  }

  async #load(): Promise<void> {
    if (!this.#root) return;
    const token = ++this.#token;
    let pixels: Float32Array;
    try {
      pixels = (await testDigit(this.#digit)).pixels;
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
      f.classList.toggle('now', f.dataset['stage'] === this.#stage);
    }
    root.querySelector('.note')!.textContent = SAY[this.#stage];
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
        MODELS.map(async (m) => {
          const r = await fetch(cardUrl(m));
          if (!r.ok) throw new Error(`${cardUrl(m)}: HTTP ${r.status}`);
          return (await r.json()) as ModelCard;
        }),
      );
    } catch (err) {
      this.#root!.querySelector('.cost')!.textContent =
        `The model cards could not be loaded: ${(err as Error).message}`;
      return;
    }
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
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', { scope: 'col' }, 'model'),
          el('th', { scope: 'col' }, 'parameters'),
          el('th', { scope: 'col' }, 'operations per digit'),
          el('th', { scope: 'col' }, 'accuracy'),
          el('th', { scope: 'col' }, 'accuracy, 4 px right'),
          el('th', { scope: 'col' }, 'shift consistency'),
        ),
      ),
      el(
        'tbody',
        {},
        ...this.#cards.map((c) =>
          el(
            'tr',
            { 'data-model': c.name },
            el('th', { scope: 'row' }, c.name),
            el('td', {}, c.parameters.toLocaleString('en-US')),
            el('td', {}, c.flops.toLocaleString('en-US')),
            el('td', {}, pct(c.heldOut.accuracy)),
            el('td', {}, pct(at(c, 4))),
            el('td', {}, pct(c.shift.consistency)),
          ),
        ),
      ),
    );
    this.#root!.querySelector('.cost')!.replaceChildren(table);
  }
}
