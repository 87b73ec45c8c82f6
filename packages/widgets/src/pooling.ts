import {
  explainMaxPool2d,
  layers,
  receptiveField,
  type SequentialModel,
  sequential,
  type Tensor,
  tensor,
} from '@receptive/core';
import { ElementBase, el, rovingGrid, shadow } from './dom.js';
import { formatNumber } from './format.js';
import { heldOutDigits } from './held-out.js';
import { KERNEL_PRESET_NAMES, parseKernel } from './lecture.js';
import {
  applyAttribute,
  parseEnum,
  parseInteger,
  type WidgetSpec,
  WidgetValueError,
} from './props.js';
import { BASE_CSS, inkColor, signedColor, THEME } from './theme.js';

/** `event.detail` of `rf-trace`. */
export interface PoolTrace {
  /** The pooled layer (`pool1` or `pool2`) and unit. */
  layer: string;
  y: number;
  x: number;
  /** How many values of each earlier map the unit depends on, e.g. { pool1: 4, conv1: 16, input: 100 }. */
  counts: Record<string, number>;
}

export const POOLING_SPEC: WidgetSpec = {
  tag: 'rf-pooling',
  summary:
    'A held-out digit, its feature map under one 3x3 kernel, and 2x2 max pooling applied twice; hover or focus a pooled unit to light every value it saw.',
  props: [
    {
      attribute: 'digit',
      property: 'digit',
      type: 'number',
      default: '0',
      example: 'digit="3"',
      description: 'Which held-out digit to show (0 to 1999).',
    },
    {
      attribute: 'kernel',
      property: 'kernel',
      type: 'number[] (9 values); the attribute also takes a preset name',
      default: 'horizontal-edge',
      values: KERNEL_PRESET_NAMES,
      example: 'kernel="laplacian"',
      description: 'The convolution kernel that makes the feature map.',
    },
    {
      attribute: 'digits-src',
      property: 'digitsSrc',
      type: 'string',
      default: null,
      example: 'digits-src="/data/heldout.bin"',
      description:
        'Where the held-out digits file is served; default: the file shipped in @receptive/models, next to its code.',
    },
    {
      attribute: 'trace',
      property: 'traced',
      type: '{ layer: "pool1" | "pool2"; y: number; x: number } | null; the attribute is "layer,row,column", rows and columns counted from 1',
      default: null,
      example: 'trace="pool1,6,7"',
      description:
        'A pooled unit to trace without a pointer (a scroll step sets it): every value it saw lights up. Hovering or focusing another unit traces that one instead.',
    },
  ],
  events: [
    {
      name: 'rf-trace',
      detail: 'PoolTrace { layer: string; y: number; x: number; counts: Record<string, number> }',
      description: 'When a pooled unit is hovered or focused, with the traced counts.',
    },
  ],
  fallback: 'Put an image or a short description in the element; it shows until the script runs.',
  keyboard:
    'Tab into either pooled grid; arrow keys, Home and End move between units, and the focused unit is traced and announced.',
};

const TAG = POOLING_SPEC.tag;
const SIZE = 28;
const LEVELS: { name: string; label: string; cell: number; focusable: boolean }[] = [
  { name: 'input', label: 'Held-out digit', cell: THEME.mapCell, focusable: false },
  { name: 'conv1', label: 'Feature map', cell: THEME.mapCell, focusable: false },
  { name: 'pool1', label: 'Max pooling 2 × 2', cell: THEME.poolCell, focusable: true },
  { name: 'pool2', label: 'Max pooling again', cell: THEME.poolCell * 1.5, focusable: true },
];
const NOUNS: Record<string, string> = {
  input: 'digit pixels',
  conv1: 'feature-map values',
  pool1: 'first-pooling values',
};

const CSS = `${BASE_CSS}
.figure { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-end; }
.map { display: grid; border: 1px solid var(--rf-line); width: max-content; }
.map > * { display: block; }
table.map { border-collapse: collapse; }
table.map td { padding: 0; border: 1px solid #fff; cursor: crosshair; }
.lit { outline: 2px solid var(--rf-highlight); outline-offset: -2px; }
td.lit, td.current { outline: 3px solid var(--rf-highlight); outline-offset: -3px; }
.max { box-shadow: inset 0 0 0 2px #000, inset 0 0 0 4px #fff; }
.count { min-height: 3em; margin: 0.75rem 0 0; }
.count strong { font-size: 1.2em; }
`;

/**
 * `<rf-pooling digit="0" kernel="horizontal-edge">`: see {@link POOLING_SPEC}.
 */
export class Pooling extends ElementBase {
  static readonly spec = POOLING_SPEC;
  static readonly observedAttributes = ['digit', 'kernel', 'digits-src', 'trace'];

  #digit = 0;
  #kernel: number[] = parseKernel(TAG, 'kernel', 'horizontal-edge');
  #digitsSrc: string | null = null;
  #root: ShadowRoot | null = null;
  #net: SequentialModel | null = null;
  #acts: Record<string, Tensor> = {};
  #maps = new Map<string, HTMLElement>();
  #count: HTMLElement | null = null;
  #status: HTMLElement | null = null;
  #traced: { layer: string; y: number; x: number } | null = null;
  #loadToken = 0;

  get digit(): number {
    return this.#digit;
  }
  set digit(v: number) {
    this.#digit = parseInteger(TAG, 'digit', String(v), 0);
    this.#load();
  }
  get kernel(): number[] {
    return [...this.#kernel];
  }
  set kernel(v: readonly number[] | string) {
    this.#kernel =
      typeof v === 'string'
        ? parseKernel(TAG, 'kernel', v)
        : parseKernel(TAG, 'kernel', v.join(','));
    this.#load();
  }
  get digitsSrc(): string | null {
    return this.#digitsSrc;
  }
  set digitsSrc(v: string | null) {
    this.#digitsSrc = v;
    this.#load();
  }

  attributeChangedCallback(name: string, _old: string | null, value: string | null): void {
    if (name === 'digit') {
      applyAttribute(
        () => parseInteger(TAG, 'digit', value ?? '0', 0),
        (d) => {
          this.digit = d;
        },
      );
    } else if (name === 'kernel') {
      applyAttribute(
        () => parseKernel(TAG, 'kernel', value ?? 'horizontal-edge'),
        (k) => {
          this.kernel = k;
        },
      );
    } else if (name === 'trace') {
      applyAttribute(
        () => parseTrace(value),
        (t) => {
          this.traced = t;
        },
      );
    } else {
      this.digitsSrc = value;
    }
  }

  /** The pooled unit traced now (0-based row and column), or null. */
  get traced(): { layer: string; y: number; x: number } | null {
    return this.#traced ? { ...this.#traced } : null;
  }
  set traced(t: { layer: string; y: number; x: number } | null) {
    if (t) checkTrace(t);
    this.#traced = t ? { layer: t.layer, y: t.y, x: t.x } : null;
    if (!this.#net || !this.#root) return;
    if (t) this.#trace(t.layer, t.y, t.x);
    else this.#clearTrace();
  }

  connectedCallback(): void {
    if (this.#root) return;
    this.#root = shadow(this, CSS);
    this.#status = el('p', { class: 'caption' }, 'Loading a held-out digit…');
    this.#count = el('p', { class: 'count', 'aria-live': 'polite' });
    this.#root.append(el('div', { class: 'figure' }), this.#count, this.#status);
    this.#load();
  }

  /** The counts of the unit traced now (null when none is). */
  get trace(): PoolTrace | null {
    return this.#traced ? this.#traceOf(this.#traced.layer, this.#traced.y, this.#traced.x) : null;
  }

  async #load(): Promise<void> {
    if (!this.#root) return;
    const token = ++this.#loadToken;
    let pixels: Float32Array;
    let label: number;
    try {
      const digits = await heldOutDigits(this.#digitsSrc ?? undefined);
      if (token !== this.#loadToken) return;
      const i = Math.min(this.#digit, digits.count - 1);
      pixels = digits.pixels.slice(i * SIZE * SIZE, (i + 1) * SIZE * SIZE);
      label = digits.labels[i]!;
      this.#status!.textContent =
        `Held-out digit ${i + 1} of ${digits.count.toLocaleString('en-US')} (a ${label}); the feature map is its convolution with the kernel [${this.#kernel.map((v) => formatNumber(v)).join(', ')}], no bias.`;
    } catch (err) {
      this.#status!.textContent =
        `The held-out digits could not be loaded: ${(err as Error).message}`;
      return;
    }
    this.#net = poolingNetwork(this.#kernel);
    this.#acts = this.#net.forwardAll(tensor(pixels, [1, 1, SIZE, SIZE])).activations;
    this.#render();
  }

  #render(): void {
    const figure = this.#root!.querySelector('.figure')!;
    figure.replaceChildren();
    this.#maps.clear();
    let max = 0;
    for (const v of this.#acts['conv1']!.data) max = Math.max(max, Math.abs(v));
    for (const level of LEVELS) {
      const t = this.#acts[level.name]!;
      const [, , h, w] = t.shape as [number, number, number, number];
      const caption = `${level.label} (${h} × ${w})`;
      const color = (v: number) => (level.name === 'input' ? inkColor(v) : signedColor(v, max));
      let map: HTMLElement;
      if (level.focusable) {
        map = el('table', { class: 'map', role: 'grid', 'aria-label': caption });
        for (let y = 0; y < h; y++) {
          const tr = el('tr', { role: 'row' });
          for (let x = 0; x < w; x++) {
            const v = t.data[y * w + x]!;
            const td = el('td', {
              role: 'gridcell',
              tabindex: -1,
              'data-layer': level.name,
              'data-y': y,
              'data-x': x,
              'aria-label': `Row ${y + 1}, column ${x + 1}: ${formatNumber(v, 2)}`,
            });
            td.style.width = td.style.height = `${level.cell}px`;
            td.style.background = color(v).bg;
            tr.append(td);
          }
          map.append(tr);
        }
        rovingGrid(map, h, w);
        const trace = (e: Event) => {
          const td = (e.target as HTMLElement).closest<HTMLElement>('td[data-y]');
          if (td) this.#trace(level.name, Number(td.dataset['y']), Number(td.dataset['x']));
        };
        map.addEventListener('mouseover', trace);
        map.addEventListener('focusin', trace);
      } else {
        map = el('div', { class: 'map', role: 'img', 'aria-label': caption });
        map.style.gridTemplateColumns = `repeat(${w}, ${level.cell}px)`;
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            const s = el('span', { 'data-layer': level.name, 'data-y': y, 'data-x': x });
            s.style.height = `${level.cell}px`;
            s.style.background = color(t.data[y * w + x]!).bg;
            map.append(s);
          }
        }
      }
      this.#maps.set(level.name, map);
      figure.append(el('figure', {}, el('figcaption', {}, caption), map));
    }
    const t = this.#traced;
    const [, , th, tw] = (t ? this.#acts[t.layer]?.shape : undefined) ?? [0, 0, 0, 0];
    if (t && t.y < th! && t.x < tw!) this.#trace(t.layer, t.y, t.x);
    else
      this.#count!.textContent =
        'Hover over or focus a pooled unit to light up every value it saw.';
  }

  #traceOf(layer: string, y: number, x: number): PoolTrace {
    const field = receptiveField(this.#net!, layer, { y, x });
    const counts: Record<string, number> = {};
    for (const { activation, region } of field.path.slice(1)) {
      counts[activation] = (region.y1 - region.y0 + 1) * (region.x1 - region.x0 + 1);
    }
    return { layer, y, x, counts };
  }

  #clearTrace(): void {
    for (const c of this.#root!.querySelectorAll('.lit, .current, .max'))
      c.classList.remove('lit', 'current', 'max');
    this.#count!.textContent = 'Hover over or focus a pooled unit to light up every value it saw.';
  }

  #trace(layer: string, y: number, x: number): void {
    this.#traced = { layer, y, x };
    for (const c of this.#root!.querySelectorAll('.lit, .current, .max'))
      c.classList.remove('lit', 'current', 'max');
    const field = receptiveField(this.#net!, layer, { y, x });
    for (const { activation, region } of field.path.slice(1)) {
      const map = this.#maps.get(activation);
      if (!map) continue;
      for (let yy = region.y0; yy <= region.y1; yy++) {
        for (let xx = region.x0; xx <= region.x1; xx++) {
          map.querySelector(`[data-y="${yy}"][data-x="${xx}"]`)?.classList.add('lit');
        }
      }
    }
    this.#maps
      .get(layer)
      ?.querySelector(`[data-y="${y}"][data-x="${x}"]`)
      ?.classList.add('current');
    // The input that won this unit's max, one level down.
    const below = layer === 'pool2' ? 'pool1' : 'conv1';
    const win = explainMaxPool2d(this.#acts[below]!, { kernel: 2 }, { channel: 0, y, x }).argmax;
    if (win)
      this.#maps
        .get(below)
        ?.querySelector(`[data-y="${win.y}"][data-x="${win.x}"]`)
        ?.classList.add('max');
    const t = this.#traceOf(layer, y, x);
    const parts = Object.entries(t.counts).map(
      ([name, n]) => `<strong>${n}</strong> ${NOUNS[name] ?? name}`,
    );
    const level = layer === 'pool2' ? 'second' : 'first';
    this.#count!.innerHTML =
      `This unit of the ${level} pooling (row ${y + 1}, column ${x + 1}) saw ${parts.join(', ')}.`;
    this.dispatchEvent(new CustomEvent<PoolTrace>('rf-trace', { detail: t, bubbles: true }));
  }
}

const POOLED = ['pool1', 'pool2'] as const;

/** The figure's network: one conv (the kernel, no bias), then 2x2 max pooling twice. */
function poolingNetwork(kernel: readonly number[]): SequentialModel {
  return sequential(
    [
      layers.conv2d({
        filters: 1,
        kernel: 3,
        bias: false,
        weight: tensor(Float32Array.from(kernel), [1, 1, 3, 3]),
      }),
      layers.maxPool2d({ kernel: 2 }),
      layers.maxPool2d({ kernel: 2 }),
    ],
    { inputShape: [1, SIZE, SIZE], seed: 1 },
  );
}

let mapSizes: Record<string, [number, number]> | null = null;

/**
 * Rows and columns of the figure's pooled maps for its 28 x 28 digit, from the core's shape rule
 * (they do not depend on the kernel or the digit).
 * @example poolingMapSizes() // { pool1: [13, 13], pool2: [6, 6] }
 */
export function poolingMapSizes(): Record<string, [number, number]> {
  if (!mapSizes) {
    const net = poolingNetwork(new Array(9).fill(0));
    mapSizes = {};
    for (const layer of net.layers) {
      if (!(POOLED as readonly string[]).includes(layer.name)) continue;
      const [, h, w] = layer.outputShape as [number, number, number];
      mapSizes[layer.name] = [h, w];
    }
  }
  return { ...mapSizes };
}

/**
 * Throws a {@link WidgetValueError} unless `t` names a unit of one of the figure's pooled maps
 * (0-based row and column; the message counts from 1, as the attribute does).
 */
export function checkTrace(t: { layer: string; y: number; x: number }): void {
  parseEnum(TAG, 'trace', t.layer, POOLED);
  const [h, w] = poolingMapSizes()[t.layer]!;
  const within = (v: number, n: number) => Number.isInteger(v) && v >= 0 && v < n;
  if (!within(t.y, h) || !within(t.x, w)) {
    throw new WidgetValueError(
      TAG,
      'trace',
      `${t.layer},${t.y + 1},${t.x + 1}`,
      `a row from 1 to ${h} and a column from 1 to ${w} for ${t.layer} (counted from 1)`,
    );
  }
}

/** The `trace` attribute: "pool1,row,column" or "pool2,row,column" (counted from 1), or none. */
export function parseTrace(value: string | null): { layer: string; y: number; x: number } | null {
  const v = (value ?? '').trim();
  if (v === '' || v === 'none') return null;
  const [layer, ...rest] = v.split(/[\s,]+/);
  const nums = rest.map(Number);
  if (
    !(POOLED as readonly string[]).includes(layer ?? '') ||
    nums.length !== 2 ||
    !nums.every((n) => Number.isInteger(n) && n >= 1)
  ) {
    throw new WidgetValueError(
      TAG,
      'trace',
      value ?? '',
      '"pool1,row,column" or "pool2,row,column" (counted from 1), or none',
    );
  }
  return { layer: layer!, y: nums[0]! - 1, x: nums[1]! - 1 };
}
