import { MODEL_NAMES, type ModelName } from '@receptive/models';
import { ElementBase, el, shadow, watchViewport } from './dom.js';
import { CompareFollower } from './follow-compare.js';
import { formatNumber } from './format.js';
import type { LayerActivation } from './model-compare.js';
import { applyAttribute, parseEnum, type WidgetSpec, WidgetValueError } from './props.js';
import { BASE_CSS, colorKey, inkRgb, signedRgb, THEME } from './theme.js';

/** `event.detail` of `rf-draw`. */
export interface FeatureMapsDrawn {
  model: string;
  /** The layers drawn, with their shapes (channels, height, width). */
  layers: { name: string; dims: number[] }[];
  /** Time spent drawing, ms. */
  ms: number;
}

const DEFAULT_LAYERS = ['relu1', 'pool1', 'relu2', 'pool2'];

export const FEATURE_MAPS_SPEC: WidgetSpec = {
  tag: 'rf-feature-maps',
  summary:
    "Draws a model's feature maps, one small image per channel of each chosen layer, for the digit a digit pad holds. It reuses the run of the model comparison that follows the same pad, so one run feeds both figures.",
  props: [
    {
      attribute: 'for',
      property: 'htmlFor',
      type: 'string',
      default: null,
      example: 'for="pad"',
      description:
        'The id of the <rf-digit-pad>. The maps come from the <rf-model-compare> that follows that pad and runs `model`.',
    },
    {
      attribute: 'model',
      property: 'model',
      type: 'string',
      default: 'cnn',
      values: MODEL_NAMES,
      example: 'model="cnn-blurpool"',
      description:
        'Which model’s feature maps to draw (it must be one of the comparison’s models).',
    },
    {
      attribute: 'layers',
      property: 'layers',
      type: 'string[]',
      default: DEFAULT_LAYERS.join(' '),
      example: 'layers="conv1 relu1 pool1"',
      description:
        'The layers to draw, in order (space- or comma-separated). Each must give a channels × height × width output; signed layers use a diverging scale, the others ink on paper.',
    },
  ],
  events: [
    {
      name: 'rf-draw',
      detail:
        'FeatureMapsDrawn { model: string; layers: { name: string; dims: number[] }[]; ms: number }',
      description: 'After the maps of a new digit are drawn.',
    },
  ],
  fallback:
    'Put the layer shapes (or a static picture) in the element; they show until the script runs.',
  keyboard:
    'Nothing to operate: it follows the digit pad. Each channel is an image whose text alternative gives its strongest response and where it is; each layer says which channel responds most, and a polite live region names those channels once the digit has been still for half a second.',
};

const TAG = FEATURE_MAPS_SPEC.tag;

const STYLES = `${BASE_CSS}
:host { container-type: inline-size; }
.layers { display: flex; flex-direction: column; gap: 0.7rem; }
.layer h4 { margin: 0 0 0.25rem; font-size: 0.9em; font-weight: 600; }
.layer .shape { font-weight: 400; color: var(--rf-muted); font-variant-numeric: tabular-nums; }
/* A layer's channels (--n of them) in one row, each thumbnail up to twice ${THEME.featureMapCss}px; on
   narrower figures in two equal rows (.many, more than 8 channels, first), never a lone straggler. */
.maps {
  display: grid; gap: 4px; list-style: none; margin: 0; padding: 3px;
  --cols: var(--n, 8);
  grid-template-columns: repeat(var(--cols), minmax(0, ${2 * THEME.featureMapCss}px));
}
@container (max-width: 999px) { .maps.many { --cols: calc(var(--n) / 2); } }
@container (max-width: 499px) { .maps { --cols: calc(var(--n, 8) / 2); } }
.maps li { display: flex; flex-direction: column; align-items: center; font-size: 0.7em; color: var(--rf-muted); }
canvas {
  width: 100%; height: auto; aspect-ratio: 1;
  image-rendering: pixelated; border: 1px solid var(--rf-line); background: #fff;
}
li.top canvas { outline: 2px solid var(--rf-highlight); outline-offset: 1px; }
.status { margin: 0 0 0.4rem; font-size: 0.85em; color: var(--rf-muted); min-height: 1.3em; }
.strongest { margin: 0.2rem 0 0; font-size: 0.8em; color: var(--rf-muted); }
.below { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: start; gap: 0.2rem 1rem; }

`;

interface LayerView {
  name: string;
  box: HTMLElement;
  shape: HTMLElement;
  list: HTMLElement;
  strongest: HTMLElement;
  /** The colour key of the layer's scale, redrawn when its range changes. */
  key: HTMLElement;
  keyText: string;
  canvases: HTMLCanvasElement[];
  dims: number[] | null;
  /** The channel (from 1) with the strongest response in the last drawing. */
  best: number;
}

/** The largest absolute value and whether any value is negative. */
function range(data: Float32Array): { max: number; signed: boolean } {
  let max = 0;
  let signed = false;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < 0) signed = true;
    const a = v < 0 ? -v : v;
    if (a > max) max = a;
  }
  return { max, signed };
}

/**
 * Paints one channel (`h * w` values from `offset`) into `image`: ink on paper for a layer
 * without negative values, the theme's diverging scale otherwise; both scaled by the layer's
 * largest magnitude so channels of one layer compare.
 */
function paint(
  image: ImageData,
  data: Float32Array,
  offset: number,
  max: number,
  signed: boolean,
): void {
  const px = image.data;
  const n = image.width * image.height;
  for (let i = 0; i < n; i++) {
    const v = data[offset + i]!;
    const [r, g, b] = signed ? signedRgb(v, max) : inkRgb(max > 0 ? v / max : 0);
    px.set([r, g, b, 255], i * 4);
  }
}

/**
 * `<rf-feature-maps for="pad" model="cnn">`: see {@link FEATURE_MAPS_SPEC}.
 *
 * It runs no model itself: it listens to `rf-predict` from the `<rf-model-compare>` that follows
 * the same pad (whose results carry every layer's output), so the maps and the probability bars
 * always show the same run. Offscreen, it keeps only the newest result and draws it when it
 * comes near the viewport again.
 */
export class FeatureMaps extends ElementBase {
  static readonly spec = FEATURE_MAPS_SPEC;
  static readonly observedAttributes = ['for', 'model', 'layers'];

  #model: ModelName = 'cnn';
  #layers: string[] = [...DEFAULT_LAYERS];
  #root: ShadowRoot | null = null;
  #views: LayerView[] = [];
  #status: HTMLElement | null = null;
  #live: HTMLElement | null = null;
  #announceTimer = 0;
  #near = false;
  #pending: Record<string, LayerActivation> | null = null;
  #unwatch: (() => void) | null = null;
  #follow = new CompareFollower(this, {
    model: () => this.#model,
    onResult: (mine) => {
      this.#pending = mine.activations;
      if (this.#near) this.#draw();
    },
    onMissing: (message) => this.#setStatus(message),
    onEmpty: () => this.#clear(),
  });

  get htmlFor(): string | null {
    return this.getAttribute('for');
  }
  set htmlFor(v: string | null) {
    if (v === null) this.removeAttribute('for');
    else this.setAttribute('for', v);
  }
  get model(): ModelName {
    return this.#model;
  }
  set model(v: ModelName) {
    this.#model = parseEnum(TAG, 'model', v, MODEL_NAMES);
    this.#rebuild();
  }
  get layers(): string[] {
    return [...this.#layers];
  }
  set layers(v: readonly string[] | string) {
    this.#layers = parseLayers(Array.isArray(v) ? v.join(' ') : String(v));
    this.#rebuild();
  }

  attributeChangedCallback(name: string, _old: string | null, value: string | null): void {
    if (name === 'model') {
      applyAttribute(
        () => parseEnum(TAG, 'model', value ?? 'cnn', MODEL_NAMES),
        (m) => {
          this.model = m;
        },
      );
    } else if (name === 'layers') {
      applyAttribute(
        () => parseLayers(value ?? DEFAULT_LAYERS.join(' ')),
        (l) => {
          this.layers = l;
        },
      );
    }
  }

  connectedCallback(): void {
    this.#follow.connect();
    if (!this.#root) {
      this.#root = shadow(this, STYLES);
      this.#build();
      this.#follow.adopt();
    }
    this.#unwatch = watchViewport(this, THEME.wakeMargin, (near) => {
      this.#near = near;
      if (near && this.#pending) this.#draw();
    });
  }

  disconnectedCallback(): void {
    this.#follow.disconnect();
    this.#unwatch?.();
    clearTimeout(this.#announceTimer);
  }

  /** The shapes drawn last, by layer (null before the first digit). */
  get drawn(): { name: string; dims: number[] }[] | null {
    if (!this.#views.every((v) => v.dims)) return null;
    return this.#views.map((v) => ({ name: v.name, dims: [...v.dims!] }));
  }

  // New model or layers: redraw the digit the comparison holds now.
  #rebuild(): void {
    if (!this.#root) return;
    this.#build();
    this.#follow.adopt();
    if (this.#near) this.#draw();
  }

  #build(): void {
    const root = this.#root!;
    root.querySelector('.wrap')?.remove();
    this.#status = el(
      'p',
      { class: 'status', role: 'status' },
      'Draw a digit, or pick one from the keyboard, to see what each layer of the network responds to.',
    );
    this.#views = this.#layers.map((name) => {
      const shape = el('span', { class: 'shape' });
      const list = el('ul', { class: 'maps', 'aria-label': `${name}: one image per channel` });
      const strongest = el('p', { class: 'strongest' });
      const key = el('div', { class: 'key' });
      const box = el(
        'section',
        { class: 'layer', 'data-layer': name },
        el('h4', {}, `${name} `, shape),
        list,
        el('div', { class: 'below' }, strongest, key),
      );
      return {
        name,
        box,
        shape,
        list,
        strongest,
        key,
        keyText: '',
        canvases: [],
        dims: null,
        best: 0,
      };
    });
    this.#live = el('p', { class: 'sr-only', 'aria-live': 'polite', 'data-live': '' });
    root.append(
      el(
        'div',
        { class: 'wrap' },
        this.#status,
        el('div', { class: 'layers' }, ...this.#views.map((v) => v.box)),
        this.#live,
      ),
    );
    this.dataset['state'] = 'idle';
  }

  #setStatus(text: string): void {
    if (this.#status) this.#status.textContent = text;
  }

  #clear(): void {
    this.#pending = null;
    clearTimeout(this.#announceTimer);
    if (this.#live) this.#live.textContent = '';
    for (const v of this.#views) {
      for (const c of v.canvases) c.getContext('2d')?.clearRect(0, 0, c.width, c.height);
      v.strongest.textContent = '';
      for (const li of v.list.children) li.classList.remove('top');
    }
    this.dataset['state'] = 'idle';
  }

  #draw(): void {
    const acts = this.#pending;
    if (!acts) return;
    this.#pending = null;
    const t0 = performance.now();
    const missing = this.#views.filter((v) => {
      const a = acts[v.name];
      return a?.dims.length !== 4;
    });
    if (missing.length > 0) {
      const names = Object.entries(acts)
        .filter(([, a]) => a.dims.length === 4)
        .map(([n]) => n)
        .filter((n) => n !== 'input');
      this.#setStatus(
        `The ${this.#model} model has no channels × height × width output named ${missing.map((v) => `“${v.name}”`).join(', ')}; its layers with feature maps are ${names.join(', ')}.`,
      );
      this.dataset['state'] = 'error';
      return;
    }
    for (const v of this.#views) this.#drawLayer(v, acts[v.name]!);
    this.#setStatus('');
    this.dataset['state'] = 'drawn';
    const ms = performance.now() - t0;
    // Once the pen rests: which channel of each layer answers most (a moving pen stays quiet).
    clearTimeout(this.#announceTimer);
    this.#announceTimer = window.setTimeout(() => {
      if (!this.#live) return;
      this.#live.textContent = `Feature maps of the ${this.#model} model. Strongest channel: ${this.#views.map((v) => `${v.name} ${v.best}`).join(', ')}.`;
    }, THEME.announceDelayMs);
    this.dispatchEvent(
      new CustomEvent<FeatureMapsDrawn>('rf-draw', {
        detail: { model: this.#model, layers: this.drawn!, ms },
        bubbles: true,
      }),
    );
  }

  #drawLayer(v: LayerView, a: LayerActivation): void {
    const [, c = 0, h = 0, w = 0] = a.dims;
    if (!v.dims || v.dims.join() !== [c, h, w].join()) {
      v.dims = [c, h, w];
      v.shape.textContent = `${c} × ${h} × ${w}`;
      v.canvases = [];
      v.list.replaceChildren();
      v.list.style.setProperty('--n', String(c));
      v.list.classList.toggle('many', c > 8);
      for (let ch = 0; ch < c; ch++) {
        const canvas = el('canvas', { width: w, height: h, role: 'img' });
        v.canvases.push(canvas);
        v.list.append(el('li', { 'data-channel': ch }, canvas, el('span', {}, String(ch + 1))));
      }
    }
    const { max, signed } = range(a.data);
    let best = 0;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (let ch = 0; ch < c; ch++) {
      const canvas = v.canvases[ch]!;
      const ctx = canvas.getContext('2d');
      const offset = ch * h * w;
      let peak = Number.NEGATIVE_INFINITY;
      let at = 0;
      for (let i = 0; i < h * w; i++) {
        const x = a.data[offset + i]!;
        if (x > peak) {
          peak = x;
          at = i;
        }
      }
      if (peak > bestValue) {
        bestValue = peak;
        best = ch;
      }
      canvas.setAttribute(
        'aria-label',
        `Channel ${ch + 1}: strongest response ${formatNumber(peak)} at row ${Math.floor(at / w) + 1}, column ${(at % w) + 1}`,
      );
      if (!ctx) continue;
      const image = ctx.createImageData(w, h);
      paint(image, a.data, offset, max, signed);
      ctx.putImageData(image, 0, 0);
    }
    [...v.list.children].forEach((li, ch) => {
      li.classList.toggle('top', ch === best);
    });
    v.best = best + 1;
    v.strongest.textContent = `Strongest: channel ${best + 1} (${formatNumber(bestValue)}).`;
    const top = formatNumber(max);
    const keyText = `${signed}:${top}`;
    if (keyText !== v.keyText) {
      v.keyText = keyText;
      v.key.replaceChildren(
        signed
          ? colorKey('diverging', 'Value', `−${top}`, top)
          : colorKey('ink', 'Value', '0', top),
      );
    }
  }
}

function parseLayers(value: string): string[] {
  const items = value.split(/[\s,]+/).filter(Boolean);
  if (items.length === 0 || new Set(items).size !== items.length) {
    throw new WidgetValueError(TAG, 'layers', value, 'a list of distinct layer names');
  }
  return items;
}
