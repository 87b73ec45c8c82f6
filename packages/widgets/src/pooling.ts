import {
  explainMaxPool2d,
  receptiveField,
  type SequentialModel,
  type Tensor,
  tensor,
} from '@receptive/core';
import { el, rovingGrid, shadow } from './dom.js';
import { figureElement } from './figure-element.js';
import { formatNumber } from './format.js';
import { testDigit } from './held-out.js';
import {
  checkTrace,
  POOLING_SPEC,
  parseTrace,
  poolingMapSizes,
  poolingNetwork,
} from './pooling.spec.js';
import { BASE_CSS, colorKey, inkColor, signedColor, THEME } from './theme.js';

/** `event.detail` of `rf-trace`. */
export interface PoolTrace {
  /** The pooled layer (`pool1` or `pool2`) and unit. */
  layer: string;
  y: number;
  x: number;
  /** How many values of each earlier map the unit depends on, e.g. { pool1: 4, conv1: 16, input: 100 }. */
  counts: Record<string, number>;
}

export { checkTrace, POOLING_SPEC, parseTrace, poolingMapSizes };

const SIZE = 28;
/**
 * The maps, left to right. `scale` is a cell's edge in digit pixels: a pooled unit is drawn over
 * the block it pools (2 x 2 feature-map cells, then 2 x 2 pooled cells), so one pooled cell can
 * be followed back to the digit by eye. `offset` shifts a map down and right by that many digit
 * pixels: a feature-map value sits over the centre of its 3 x 3 window.
 */
const LEVELS: {
  name: string;
  label: string;
  short: string;
  scale: number;
  offset: number;
  focusable: boolean;
}[] = [
  { name: 'input', label: 'Test digit', short: 'Digit', scale: 1, offset: 0, focusable: false },
  {
    name: 'conv1',
    label: 'Feature map',
    short: 'Feature map',
    scale: 1,
    offset: 1,
    focusable: false,
  },
  {
    name: 'pool1',
    label: 'Max pooling 2 × 2',
    short: 'Pooled',
    scale: 2,
    offset: 1,
    focusable: true,
  },
  {
    name: 'pool2',
    label: 'Max pooling again',
    short: 'Pooled again',
    scale: 4,
    offset: 1,
    focusable: true,
  },
];
const NOUNS: Record<string, string> = {
  input: 'digit pixels',
  conv1: 'feature-map values',
  pool1: 'first-pooling values',
};

// One digit pixel is --s CSS pixels: as large as fits the four maps, the kernel and the gaps
// across the figure's width (108 digit pixels of maps and offsets), at most THEME.mapCell.
// The floor (1.4px) still fits a 320px phone.
const CSS = `${BASE_CSS}
:host { container-type: inline-size; }
.row {
  --s: clamp(1.4px, calc((100cqw - 7.5rem) / 108), ${THEME.mapCell}px);
  position: relative;
  display: grid;
  grid-template-columns: repeat(5, max-content);
  grid-template-rows: auto auto;
  column-gap: 0.55rem;
  row-gap: 0.25rem;
  justify-content: start;
}
figure { display: contents; margin: 0; }
/* A caption wraps to its map's width rather than widening the column: on a phone the four maps
   and the kernel fill the width exactly, and a wider caption would push the last map out. */
figcaption {
  grid-row: 1;
  align-self: end;
  contain: inline-size;
  font-size: 0.75rem;
  line-height: 1.2;
  color: var(--rf-muted);
}
.map {
  grid-row: 2;
  align-self: start;
  justify-self: start;
  position: relative;
  display: grid;
  outline: 1px solid var(--rf-line);
  background: #fff;
}
.map > [role="row"] { display: contents; }
.map [data-y] { display: block; width: var(--c); height: var(--c); }
.map[role="grid"] [data-y] { cursor: crosshair; }
.map[role="grid"] [data-y]:focus-visible { outline: 2px solid var(--rf-focus); outline-offset: 0; z-index: 1; }
.frame {
  position: absolute;
  inset: 0;
  pointer-events: none;
  outline: 2px solid var(--rf-highlight);
  outline-offset: 0;
}
.frame.max { outline: 2px solid #000; box-shadow: inset 0 0 0 1px #fff, 0 0 0 3px #fff; z-index: 1; }
.frame.current { outline-width: 3px; z-index: 2; }
.frame[hidden] { display: none; }
.kernel { grid-column: 2; grid-row: 1 / 3; align-self: end; margin-bottom: calc(8 * var(--s)); border-collapse: collapse; font-size: 0.6rem; font-variant-numeric: tabular-nums; }
.kernel td { border: 1px solid var(--rf-line); padding: 0 0.1rem; text-align: right; min-width: 1rem; height: 1rem; }
.kernel caption { caption-side: top; font-size: 0.7rem; color: var(--rf-muted); text-align: center; }
svg.links { position: absolute; inset: 0; width: 100%; height: 100%; pointer-events: none; overflow: visible; }
svg.links line { stroke: var(--rf-highlight); stroke-width: 1.25; opacity: 0.8; }
.keys { display: flex; flex-wrap: wrap; gap: 0.3rem 1.5rem; margin: 0.6rem 0 0; }
.count { min-height: 3em; margin: 0.75rem 0 0; }
.count strong { font-size: 1.2em; }
`;

/**
 * `<rf-pooling digit="0" kernel="horizontal-edge">`: see {@link POOLING_SPEC}.
 */
export class Pooling extends figureElement(POOLING_SPEC) {
  #root: ShadowRoot | null = null;
  #net: SequentialModel | null = null;
  #acts: Record<string, Tensor> = {};
  #maps = new Map<string, HTMLElement>();
  #links: SVGSVGElement | null = null;
  #resize: ResizeObserver | null = null;
  #count: HTMLElement | null = null;
  /** The colour keys: ink for the digit, the diverging scale (with the maps' own ends) for the rest. */
  #keys: HTMLElement | null = null;
  #status: HTMLElement | null = null;
  #traced: { layer: string; y: number; x: number } | null = null;
  /** The reader pointed at a unit (the page's steps also trace, through the attribute). */
  #pointed = false;
  #loadToken = 0;

  protected override changed(property: string): void {
    if (property !== 'traced') this.#load();
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

  protected override connected(): void {
    if (this.#root) {
      this.#resize?.observe(this.#root.querySelector('.row')!);
      return;
    }
    this.#root = shadow(this, CSS);
    this.#status = el('p', { class: 'caption' }, 'Loading a held-out digit…');
    this.#count = el('p', { class: 'count', 'aria-live': 'polite' });
    this.#keys = el('div', { class: 'keys' });
    this.#root.append(
      el('div', { class: 'row' }),
      this.#keys,
      this.#count,
      this.#status,
      this.shareControl,
    );
    // The connecting lines are drawn in pixels: redraw them when the maps change size.
    if (typeof ResizeObserver !== 'undefined') {
      this.#resize = new ResizeObserver(() => this.#drawLinks());
      this.#resize.observe(this.#root.querySelector('.row')!);
    }
    this.#load();
  }

  protected override disconnected(): void {
    this.#resize?.disconnect();
  }

  // In a link: the unit the reader pointed at, as the `trace` attribute writes it
  // ("pool2,3,4", counted from 1).
  protected override saveState(): string | null {
    const t = this.#traced;
    return this.#pointed && t ? `${t.layer},${t.y + 1},${t.x + 1}` : null;
  }

  protected override restoreState(state: string | null): boolean {
    let t: { layer: string; y: number; x: number } | null;
    try {
      t = state === null ? (this.authored('traced') as typeof t) : parseTrace(state);
      if (t) checkTrace(t);
    } catch {
      return false;
    }
    if (state !== null && !t) return false;
    this.traced = t;
    this.#pointed = state !== null;
    return true;
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
      const digit = await testDigit(this.digit, this.digitsSrc ?? undefined);
      if (token !== this.#loadToken) return;
      const i = digit.index;
      pixels = digit.pixels;
      label = digit.label;
      this.#status!.textContent =
        `Test digit ${i + 1} of ${digit.count.toLocaleString('en-US')} (a ${label}); the feature map is its convolution with the kernel shown, no bias, blue below zero, white at zero and red above, as are the pooled maps. Each map is drawn to the digit's scale: a pooled cell covers the block it pooled.`;
    } catch (err) {
      this.#status!.textContent = `The test digits could not be loaded: ${(err as Error).message}`;
      return;
    }
    this.#net = poolingNetwork(this.kernel);
    this.#acts = this.#net.forwardAll(tensor(pixels, [1, 1, SIZE, SIZE])).activations;
    this.#render();
  }

  #render(): void {
    const row = this.#root!.querySelector<HTMLElement>('.row')!;
    row.replaceChildren();
    this.#maps.clear();
    // Every map after the digit shares one scale, the feature map's largest magnitude: pooling
    // keeps values, so a pooled cell is coloured as the value it kept.
    let max = 0;
    for (const v of this.#acts['conv1']!.data) max = Math.max(max, Math.abs(v));
    const top = formatNumber(max, 2);
    this.#keys!.replaceChildren(
      colorKey('ink', 'Digit', '0', '1'),
      colorKey('diverging', 'Feature map and pooled maps', `−${top}`, top),
    );
    for (const [i, level] of LEVELS.entries()) {
      const t = this.#acts[level.name]!;
      // Column 2 holds the kernel, between the digit and the map it makes.
      const column = String(i === 0 ? 1 : i + 2);
      const [, , h, w] = t.shape as [number, number, number, number];
      const caption = `${level.label} (${h} × ${w})`;
      const color = (v: number) => (level.name === 'input' ? inkColor(v) : signedColor(v, max));
      const map = el('div', {
        class: 'map',
        role: level.focusable ? 'grid' : 'img',
        'aria-label': caption,
        'data-map': level.name,
      });
      map.style.setProperty('--c', `calc(${level.scale} * var(--s))`);
      map.style.gridTemplateColumns = `repeat(${w}, var(--c))`;
      map.style.marginTop = map.style.marginLeft = `calc(${level.offset} * var(--s))`;
      for (let y = 0; y < h; y++) {
        const line = level.focusable ? el('div', { role: 'row' }) : map;
        for (let x = 0; x < w; x++) {
          const v = t.data[y * w + x]!;
          const cell = el(
            level.focusable ? 'div' : 'span',
            level.focusable
              ? {
                  role: 'gridcell',
                  tabindex: -1,
                  'data-layer': level.name,
                  'data-y': y,
                  'data-x': x,
                  'aria-label': `Row ${y + 1}, column ${x + 1}: ${formatNumber(v, 2)}`,
                }
              : { 'data-layer': level.name, 'data-y': y, 'data-x': x },
          );
          cell.style.background = color(v).bg;
          line.append(cell);
        }
        if (line !== map) map.append(line);
      }
      // The traced region of this map, and (one level below a traced unit) the value that won
      // its max: frames placed on the map's own grid lines.
      map.append(el('span', { class: 'frame region', hidden: true, 'aria-hidden': 'true' }));
      map.append(el('span', { class: 'frame max', hidden: true, 'aria-hidden': 'true' }));
      if (level.focusable) {
        rovingGrid(map, h, w);
        const trace = (e: Event) => {
          const cell = (e.target as HTMLElement).closest<HTMLElement>('[data-y]');
          if (!cell) return;
          this.#trace(level.name, Number(cell.dataset['y']), Number(cell.dataset['x']));
          this.#pointed = true;
          this.stateChanged();
        };
        map.addEventListener('mouseover', trace);
        map.addEventListener('focusin', trace);
      }
      this.#maps.set(level.name, map);
      map.style.gridColumn = column;
      // The size keeps together ("26 × 26") where the caption wraps to its map's width.
      const short = el(
        'figcaption',
        { 'aria-hidden': 'true' },
        `${level.short} ${h}\u00a0×\u00a0${w}`,
      );
      short.style.gridColumn = column;
      row.append(el('figure', {}, short, map));
      if (level.name === 'input') row.append(this.#kernelTable());
    }
    this.#links = document.createElementNS(SVG_NS, 'svg');
    this.#links.setAttribute('class', 'links');
    this.#links.setAttribute('aria-hidden', 'true');
    row.append(this.#links);
    const t = this.#traced;
    const [, , th, tw] = (t ? this.#acts[t.layer]?.shape : undefined) ?? [0, 0, 0, 0];
    if (t && t.y < th! && t.x < tw!) this.#trace(t.layer, t.y, t.x);
    else
      this.#count!.textContent =
        'Hover over or focus a pooled unit to light up every value it saw.';
  }

  /** The kernel as the 3 x 3 grid it is, between the digit and the map it makes. */
  #kernelTable(): HTMLElement {
    const table = el('table', { class: 'kernel' }, el('caption', {}, '∗ kernel'));
    const kernel = this.kernel;
    for (let r = 0; r < 3; r++) {
      const tr = el('tr');
      for (let c = 0; c < 3; c++) tr.append(el('td', {}, formatNumber(kernel[r * 3 + c]!)));
      table.append(tr);
    }
    return table;
  }

  /** Places `frame` over rows y0..y1 and columns x0..x1 of its map (or hides it). */
  #place(frame: Element | null, r: { y0: number; y1: number; x0: number; x1: number } | null) {
    if (!(frame instanceof HTMLElement)) return;
    frame.hidden = r === null;
    if (r) frame.style.gridArea = `${r.y0 + 1} / ${r.x0 + 1} / ${r.y1 + 2} / ${r.x1 + 2}`;
  }

  /**
   * Lines from each traced region to the region it came from in the map before, top and bottom
   * corners, so the traced unit can be followed back to the digit.
   */
  #drawLinks(): void {
    const svg = this.#links;
    if (!svg) return;
    svg.replaceChildren();
    if (!this.#traced) return;
    const origin = svg.getBoundingClientRect();
    const boxes = LEVELS.map((l) => this.#maps.get(l.name)?.querySelector<HTMLElement>('.region'))
      .filter((f): f is HTMLElement => !!f && !f.hidden)
      .map((f) => f.getBoundingClientRect());
    for (let i = 1; i < boxes.length; i++) {
      const a = boxes[i - 1]!;
      const b = boxes[i]!;
      for (const [y1, y2] of [
        [a.top, b.top],
        [a.bottom, b.bottom],
      ] as const) {
        const line = document.createElementNS(SVG_NS, 'line');
        line.setAttribute('x1', String(a.right - origin.left));
        line.setAttribute('y1', String(y1 - origin.top));
        line.setAttribute('x2', String(b.left - origin.left));
        line.setAttribute('y2', String(y2 - origin.top));
        svg.append(line);
      }
    }
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
    for (const c of this.#root!.querySelectorAll('.lit, .current'))
      c.classList.remove('lit', 'current');
    for (const map of this.#maps.values()) {
      this.#place(map.querySelector('.region'), null);
      this.#place(map.querySelector('.max'), null);
    }
    this.#drawLinks();
    this.#count!.textContent = 'Hover over or focus a pooled unit to light up every value it saw.';
  }

  #trace(layer: string, y: number, x: number): void {
    this.#traced = { layer, y, x };
    for (const c of this.#root!.querySelectorAll('.lit, .current'))
      c.classList.remove('lit', 'current');
    for (const map of this.#maps.values()) {
      this.#place(map.querySelector('.region'), null);
      this.#place(map.querySelector('.max'), null);
    }
    const field = receptiveField(this.#net!, layer, { y, x });
    for (const { activation, region } of field.path.slice(1)) {
      const map = this.#maps.get(activation);
      if (!map) continue;
      for (let yy = region.y0; yy <= region.y1; yy++) {
        for (let xx = region.x0; xx <= region.x1; xx++) {
          map.querySelector(`[data-y="${yy}"][data-x="${xx}"]`)?.classList.add('lit');
        }
      }
      this.#place(map.querySelector('.region'), region);
    }
    const own = this.#maps.get(layer);
    own?.querySelector(`[data-y="${y}"][data-x="${x}"]`)?.classList.add('current');
    this.#place(own?.querySelector('.region') ?? null, { y0: y, y1: y, x0: x, x1: x });
    own?.querySelector('.region')?.classList.add('current');
    // The input that won this unit's max, one level down.
    const below = layer === 'pool2' ? 'pool1' : 'conv1';
    const win = explainMaxPool2d(this.#acts[below]!, { kernel: 2 }, { channel: 0, y, x }).argmax;
    if (win) {
      this.#place(this.#maps.get(below)?.querySelector('.max') ?? null, {
        y0: win.y,
        y1: win.y,
        x0: win.x,
        x1: win.x,
      });
    }
    this.#drawLinks();
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

const SVG_NS = 'http://www.w3.org/2000/svg';
