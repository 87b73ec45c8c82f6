import type { ConvLayerScene, CursorEvent, OutputUnit, UnitCursor } from '@receptive/render3d';
import { CONV_LAYER_3D_SPEC } from './conv-layer-3d.spec.js';
import {
  CONV3D_LIMITS,
  type ConvLayer3dData,
  checkCount,
  checkUnit,
  convLayer3d,
  convLayer3dSentence,
  parseUnit,
} from './conv-layer-3d-model.js';
import { el, shadow } from './dom.js';
import { figureElement } from './figure-element.js';
import { formatNumber } from './format.js';
import { importChunk } from './import-chunk.js';
import { parseInteger, WidgetValueError } from './props.js';
import { SceneLoader } from './scene-loader.js';
import { BASE_CSS, colorKey } from './theme.js';

export type { OutputUnit } from '@receptive/render3d';
export { checkUnit, parseUnit } from './conv-layer-3d-model.js';

/** What the 3D view draws now, read from its stacks (for tests and tools). */
export interface ConvLayer3dDrawn {
  backend: '2d' | 'webgl' | 'webgpu';
  /** Channel planes of the input stack (d). */
  inputChannels: number;
  /** Filter stacks drawn (k), and the planes of each (d). */
  filters: number;
  filterChannels: number;
  /** Slices of the output stack (k), and their size. */
  outputSlices: number;
  outputRows: number;
  outputColumns: number;
  /** Frames rendered so far. */
  frames: number;
}

export { CONV_LAYER_3D_SPEC };

const [K_MIN, K_MAX] = CONV3D_LIMITS.filters;
const [D_MIN, D_MAX] = CONV3D_LIMITS.channels;
const TAG = CONV_LAYER_3D_SPEC.tag;

const CSS = `${BASE_CSS}
.controls { display: flex; flex-wrap: wrap; gap: 0.4rem 1.2rem; align-items: end; margin-bottom: 0.5rem; }
label { display: grid; gap: 0.1rem; font-size: 0.9em; }
input { width: 5.5rem; padding: 0.15rem 0.3rem; }
input[aria-invalid="true"] { outline: 2px solid var(--rf-error); }
.error { color: var(--rf-error); font-size: 0.85em; margin: 0; }
.error:empty { display: none; }
.stage { position: relative; height: clamp(180px, 32vh, 300px); border: 1px solid var(--rf-line); border-radius: 6px; overflow: hidden; background: var(--rf-panel); }
.stage canvas:focus-visible { outline: 3px solid var(--rf-focus); outline-offset: -3px; }
.loading { position: absolute; inset: 0; display: grid; place-items: center; margin: 0; color: var(--rf-muted); font-size: 0.9em; }
.loading[hidden] { display: none; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 0.85em; margin-top: 0.4rem; }
th, td { text-align: left; padding: 0.05rem 0.9rem 0.05rem 0; border-bottom: 1px solid var(--rf-line); }
th { font-weight: normal; color: var(--rf-muted); }
.sentence { margin: 0.4rem 0 0; font-size: 0.9em; }
.keys { display: flex; flex-wrap: wrap; gap: 0.3rem 1.5rem; margin: 0.35rem 0; }
.readout { margin: 0.25rem 0 0; font-size: 0.85em; color: var(--rf-muted); }
@media (max-width: 600px) { .stage { height: 210px; } table { font-size: 0.8em; } }
`;

const fmt = (n: number) => n.toLocaleString('en-US');
const LOADING_TEXT = 'Loading the 3D view…';

/**
 * `<rf-conv-layer-3d filters="3" channels="1">`: see {@link CONV_LAYER_3D_SPEC}. Computes the
 * layer with @receptive/core at once (the table and sentence need no WebGL), and loads three.js
 * and @receptive/render3d only when it comes near the viewport.
 */
// Its own accessors for filters, channels and unit (each redraws); the base reads the
// attributes through them, except unit's, which waits for the layer (below).
export class ConvLayer3D extends figureElement(CONV_LAYER_3D_SPEC) {
  #k = 3;
  #d = 1;
  #unit: OutputUnit | null = null;
  /** The reader changed k, d or the unit (the page's steps also set them, through attributes). */
  #touched = false;
  #data: ConvLayer3dData | null = null;
  #root: ShadowRoot | null = null;
  #parts: Record<string, HTMLElement> = {};
  /** Picks output units by pointer and keys (render3d's one key map), once the 3D code is in. */
  #cursor: UnitCursor | null = null;
  // The 3D code (three.js, about 150 KB gzipped) loads once part of the figure is on screen, not
  // merely close: a page whose figure sits just below the fold ships none of it until the reader
  // scrolls. Removing the element frees its WebGL context; reconnecting builds anew.
  #loader = new SceneLoader<ConvLayerScene>(this, {
    load: async (current) => {
      const { ConvLayerScene, UnitCursor } = await importChunk(
        'scenes-3d',
        () => import('./scenes-3d.js'),
      );
      if (!current()) return null;
      const scene = new ConvLayerScene(this.#parts['stage']!, {
        label: 'A convolution layer in 3D',
        backend: this.backend,
        maxChannels: D_MAX,
        // A canvas the host swapped in is picked on the same way.
        onCanvas: (canvas) => this.#cursor?.connect(canvas),
      });
      this.#cursor = this.#makeCursor(UnitCursor, scene);
      return scene;
    },
    ready: (scene) => scene.host.ready,
    onReady: (scene) => {
      this.#cursor?.connect(scene.host.canvas);
      if (this.#data) scene.set(this.#data);
      scene.showUnit(this.#unit);
      this.#describe();
      this.#parts['loading']!.hidden = true;
      this.dataset['backend'] = scene.host.backend;
      this.dataset['state'] = 'ready';
    },
    onError: (err) => {
      this.#parts['loading']!.textContent =
        `The 3D view could not be loaded (${err.message}); the table below still follows k and d.`;
      this.dataset['state'] = 'error';
    },
    onRelease: () => {
      this.#cursor?.dispose();
      this.#cursor = null;
      const loading = this.#parts['loading'];
      if (loading) {
        loading.textContent = LOADING_TEXT;
        loading.hidden = false;
      }
      delete this.dataset['state'];
      delete this.dataset['backend'];
    },
  });

  // The scene, once built (null before and after a release).
  get #scene(): ConvLayerScene | null {
    return this.#loader.scene;
  }

  get filters(): number {
    return this.#k;
  }
  set filters(v: number) {
    this.#k = checkCount(TAG, 'filters', v);
    this.#update();
  }
  get channels(): number {
    return this.#d;
  }
  set channels(v: number) {
    this.#d = checkCount(TAG, 'channels', v);
    this.#update();
  }
  get unit(): OutputUnit | null {
    return this.#unit ? { ...this.#unit } : null;
  }
  set unit(v: OutputUnit | null) {
    if (v) checkUnit(v, (this.#data ?? convLayer3d(this.#k, this.#d, TAG)).outputShape);
    this.#setUnit(v ? { filter: v.filter, y: v.y, x: v.x } : null);
  }
  // In a link: "k,d" as the reader set them, then `:` and the traced unit as the `unit`
  // attribute writes it ("filter,row,column", counted from 1), e.g. `3,2:2,3,3`.
  protected override saveState(): string | null {
    if (!this.#touched) return null;
    const u = this.#unit;
    return `${this.#k},${this.#d}${u ? `:${u.filter + 1},${u.y + 1},${u.x + 1}` : ''}`;
  }

  protected override restoreState(state: string | null): boolean {
    if (state === null) {
      this.#touched = false;
      return true;
    }
    const m = /^(\d{1,2}),(\d{1,2})(?::(\d{1,2},\d{1,2},\d{1,2}))?$/.exec(state);
    if (!m) return false;
    try {
      const k = checkCount(TAG, 'filters', Number(m[1]));
      const d = checkCount(TAG, 'channels', Number(m[2]));
      const unit = m[3] ? parseUnit(m[3]) : null;
      if (unit) checkUnit(unit, convLayer3d(k, d, TAG).outputShape);
      this.filters = k;
      this.channels = d;
      this.unit = unit;
    } catch {
      return false;
    }
    this.#touched = true;
    return true;
  }

  /** The layer shown now, computed by @receptive/core. */
  get data(): ConvLayer3dData | null {
    return this.#data;
  }

  /** The sentence the figure shows and announces. */
  get sentence(): string {
    return this.#data ? convLayer3dSentence(this.#data) : '';
  }

  /** What the 3D view draws now, or null before it has loaded. */
  get drawn(): ConvLayer3dDrawn | null {
    const s = this.#scene;
    if (!s?.input || !s.output) return null;
    return {
      backend: s.host.backend,
      inputChannels: s.input.channels,
      filters: s.filters.length,
      filterChannels: s.filters[0]?.channels ?? 0,
      outputSlices: s.output.channels,
      outputRows: s.output.rows,
      outputColumns: s.output.columns,
      frames: s.host.frames,
    };
  }

  /** The 3D scene (three.js stacks, camera and host), once it has loaded; null before. */
  get view(): ConvLayerScene | null {
    return this.#scene;
  }

  /** Where an output unit is drawn on the page (client coordinates), once the view has loaded. */
  unitPosition(unit: OutputUnit): { x: number; y: number } | null {
    return this.#scene?.output ? this.#scene.clientPosition(unit) : null;
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    if (name !== 'unit') {
      super.attributeChangedCallback(name, old, value);
      return;
    }
    try {
      this.#pendingUnit = parseUnit(value);
      queueMicrotask(() => this.#applyPendingUnit());
    } catch (err) {
      if (err instanceof WidgetValueError) console.error(err.message);
      else throw err;
    }
  }

  // A unit attribute may name a filter that only exists once the filters attribute is applied
  // too (a scroll step sets both, in either order): it is checked against the layer in a
  // microtask, after every attribute set in the same task, or on connection.
  #pendingUnit: OutputUnit | null | undefined = undefined;

  #applyPendingUnit(): void {
    if (this.#pendingUnit === undefined || !this.#data) return;
    const u = this.#pendingUnit;
    this.#pendingUnit = undefined;
    try {
      this.unit = u;
    } catch (err) {
      if (err instanceof WidgetValueError) console.error(err.message);
      else throw err;
    }
  }

  protected override connected(): void {
    if (this.#root) {
      this.#loader.connect();
      this.#applyPendingUnit();
      return;
    }
    this.#root = shadow(this, CSS);
    const input = (name: 'k' | 'd', label: string, value: number, min: number, max: number) =>
      el('input', {
        type: 'number',
        name,
        min,
        max,
        step: 1,
        value,
        inputmode: 'numeric',
        'aria-describedby': 'error',
        'data-label': label,
      });
    const k = input('k', 'k', this.#k, K_MIN, K_MAX);
    const d = input('d', 'd', this.#d, D_MIN, D_MAX);
    const error = el('p', { class: 'error', id: 'error', role: 'alert' });
    const loading = el('p', { class: 'loading', role: 'status' }, LOADING_TEXT);
    const stage = el('div', { class: 'stage' }, loading);
    const cell = (key: string) => el('td', { 'data-shape': key });
    const row = (label: string, key: string) =>
      el('tr', {}, el('th', { scope: 'row' }, label), cell(key));
    const table = el(
      'table',
      {},
      el(
        'tbody',
        {},
        row('input (d × h × w)', 'input'),
        row('filters (k × d × 3 × 3)', 'filters'),
        row('output (k × (h−2) × (w−2))', 'output'),
        row('parameters (weights + biases)', 'parameters'),
      ),
    );
    const sentence = el('p', { class: 'sentence', 'aria-live': 'polite' });
    // The readout follows the pointer; screen readers hear it from a quieter live region.
    const readout = el('p', { class: 'readout' });
    const live = this.live;
    this.#root.append(
      el(
        'form',
        { class: 'controls', 'aria-label': 'Choose the layer' },
        el('label', {}, el('span', {}, 'k, filters'), k),
        el('label', {}, el('span', {}, 'd, input channels'), d),
      ),
      error,
      stage,
      table,
      // Under the table, so a phone's compact panel keeps the figure and its counts together.
      el(
        'div',
        { class: 'keys' },
        colorKey('ink', 'Input and output', '0', 'largest'),
        colorKey('diverging', 'Filter weights', '−largest', '+largest'),
      ),
      sentence,
      readout,
      this.shareControl,
      live,
    );
    this.#parts = { k, d, error, loading, stage, sentence, readout, live, table };
    this.#root.querySelector('form')!.addEventListener('submit', (e) => e.preventDefault());
    this.#root.querySelector('form')!.addEventListener('input', (e) => this.#onInput(e));
    this.#update();
    this.#applyPendingUnit();
    this.#loader.connect();
  }

  protected override disconnected(): void {
    // A move (removed and appended in one task) keeps the scene; a removal frees it.
    this.#loader.disconnect();
  }

  #onInput(e: Event): void {
    const t = e.target as HTMLInputElement;
    if (t.name !== 'k' && t.name !== 'd') return;
    const prop = t.name === 'k' ? 'filters' : 'channels';
    const [min, max] = CONV3D_LIMITS[prop];
    const error = this.#parts['error']!;
    try {
      const n = parseInteger(TAG, prop, t.value, min, max);
      t.setAttribute('aria-invalid', 'false');
      error.textContent = '';
      if (prop === 'filters') this.filters = n;
      else this.channels = n;
      this.#touched = true;
      this.stateChanged();
    } catch (err) {
      if (!(err instanceof WidgetValueError)) throw err;
      t.setAttribute('aria-invalid', 'true');
      error.textContent = `${t.name} must be a whole number from ${min} to ${max}.`;
    }
  }

  #update(): void {
    if (!this.#root) return;
    const data = convLayer3d(this.#k, this.#d, TAG);
    this.#data = data;
    const set = (key: string, text: string) => {
      const c = this.#root!.querySelector(`[data-shape="${key}"]`);
      if (c) c.textContent = text;
    };
    set('input', data.inputShape.join(' × '));
    set('filters', `${data.filters} × ${data.channels} × 3 × 3`);
    set('output', data.outputShape.join(' × '));
    set(
      'parameters',
      `${fmt(data.weightCount)} + ${fmt(data.biasCount)} = ${fmt(data.parameters)}`,
    );
    this.#parts['sentence']!.textContent = convLayer3dSentence(data);
    for (const [name, v] of [
      ['k', this.#k],
      ['d', this.#d],
    ] as const) {
      const input = this.#parts[name] as HTMLInputElement;
      if (this.#root.activeElement !== input && input.value !== String(v)) input.value = String(v);
    }
    this.#scene?.set(data);
    // Fewer filters may drop the traced unit: that is a change of unit (rf-unit with null).
    this.#setUnit(this.#unit && this.#unit.filter < this.#k ? this.#unit : null, false);
    this.dispatchEvent(
      new CustomEvent<ConvLayer3dData>('rf-layer', { detail: data, bubbles: true }),
    );
  }

  /** Traces `unit`; `announce` false for a refresh the reader did not ask for (a new k or d). */
  #setUnit(unit: OutputUnit | null, announce = true): void {
    const changed =
      (unit === null) !== (this.#unit === null) ||
      (unit &&
        this.#unit &&
        (unit.filter !== this.#unit.filter || unit.y !== this.#unit.y || unit.x !== this.#unit.x));
    this.#unit = unit;
    if (this.#cursor) {
      this.#cursor.unit = unit
        ? { layer: 'output', channel: unit.filter, y: unit.y, x: unit.x }
        : null;
    }
    this.#scene?.showUnit(unit);
    const text = this.#unitText();
    if (this.#parts['readout']) this.#parts['readout'].textContent = text;
    this.#describe();
    if (unit) this.dataset['unit'] = `${unit.filter + 1},${unit.y + 1},${unit.x + 1}`;
    else delete this.dataset['unit'];
    if (changed && unit && announce) this.announce(() => (this.#unit ? text : null));
    if (changed) this.dispatchEvent(new CustomEvent('rf-unit', { detail: unit, bubbles: true }));
  }

  #unitText(): string {
    const u = this.#unit;
    const data = this.#data;
    if (!u || !data) {
      return 'Hover over or focus the figure to pick an output unit and see the window it reads.';
    }
    const [, oh, ow] = data.outputShape;
    const i = (u.filter * oh + u.y) * ow + u.x;
    const z = data.preactivation[i]!;
    const out = data.output[i]!;
    return (
      `Filter ${u.filter + 1}, row ${u.y + 1}, column ${u.x + 1}: it reads the ${data.channels} × 3 × 3 window of rows ${u.y + 1}–${u.y + 3} ` +
      `and columns ${u.x + 1}–${u.x + 3}; weighted sum plus bias ${formatNumber(z, 2)}, after ReLU ${formatNumber(out, 2)}.`
    );
  }

  #describe(): void {
    const s = this.#scene;
    if (!s || !this.#data) return;
    s.host.describe(
      `${this.sentence} Input on the left, the ${this.#data.filters} filters in the middle (each at the depth of the output slice it makes), output on the right. ${this.#unit ? this.#unitText() : ''}`.trim(),
    );
  }

  /**
   * The cursor over the output (its channels are the filters): focus starts at the first unit;
   * hover, click and keys trace; the pointer leaving keeps the traced unit. No orbit here.
   */
  #makeCursor(Cursor: typeof UnitCursor, scene: ConvLayerScene): UnitCursor {
    const cursor = new Cursor(scene, {
      roleDescription: 'convolution layer figure',
      touchAction: 'pan-y',
    });
    const move = (e: Event) => {
      const { unit, via } = (e as CursorEvent).detail;
      if (!unit && via === 'pointer') return;
      this.#setUnit(unit ? { filter: unit.channel, y: unit.y, x: unit.x } : null);
      this.#touched = true;
      this.stateChanged();
    };
    cursor.addEventListener('hover', move);
    cursor.addEventListener('pick', move);
    return cursor;
  }
}
