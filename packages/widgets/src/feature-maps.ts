import { type AnyOwnModel, featureMapLayers, ownRunText, runAnyOwnModel } from './byo-model.js';
import {
  type DigitChange,
  type LayerActivation,
  type ModelRun,
  READER_MODEL,
  type ReaderModel,
} from './digit-run.js';
import { el, pageUrl, shadow } from './dom.js';
import { FEATURE_MAPS_SPEC } from './feature-maps.spec.js';
import { figureElement } from './figure-element.js';
import { formatNumber } from './format.js';
import { OWN_MODEL_CSS, OwnModelSource } from './own-model-source.js';
import { BASE_CSS, colorKey, inkRgb, signedRgb, THEME } from './theme.js';

export { FEATURE_MAPS_SPEC };

/** `event.detail` of `rf-draw`. */
export interface FeatureMapsDrawn {
  model: string;
  /** The layers drawn, with their shapes (channels, height, width). */
  layers: { name: string; dims: number[] }[];
  /** Time spent drawing, ms. */
  ms: number;
}

const STYLES = `${BASE_CSS}
:host { container-type: inline-size; }
.layers { display: flex; flex-direction: column; gap: 0.7rem; }
.layer h4 { margin: 0 0 0.25rem; font-size: 0.9em; font-weight: 600; }
.yours { margin: 0 0 0.5rem; padding: 0.3rem 0.6rem; border-left: 3px solid var(--rf-highlight); font-weight: 600; }
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
${OWN_MODEL_CSS}
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
 * It runs no model itself: it takes the run of its model from the comparison that follows the
 * same pad (whose runs carry every layer's output), so the maps and the probability bars always
 * show the same run. Offscreen, it keeps only the newest run and draws it when it comes near the
 * viewport again.
 */
export class FeatureMaps extends figureElement(FEATURE_MAPS_SPEC) {
  #root: ShadowRoot | null = null;
  #views: LayerView[] = [];
  #status: HTMLElement | null = null;
  #pending: Record<string, LayerActivation> | null = null;
  #reader: ReaderModel | null = null;
  /** The shipped model shown before the reader's took its place. */
  #shipped: FeatureMaps['model'] | null = null;
  /** A model of the author's (`src`) or the reader's own (a file), run here on the pad's digit. */
  #own: AnyOwnModel | null = null;
  #source = new OwnModelSource(this, {
    model: (own) => this.#showOwn(own),
    status: (text) => text && this.#setStatus(text),
    // A model the core cannot read still shows its maps: onnxruntime-web runs it.
    runtime: 'any',
    wasmPaths: () => pageUrl(this.wasmPaths),
  });
  /** Bumped by each run of an own model: a run that finishes after a newer one is dropped. */
  #ownRuns = 0;
  /** The `src` asked for last (it loads once the figure is near). */
  #srcLoaded: string | null = null;
  /** The pad's latest digit, for a model of one's own (null when cleared). */
  #digit: Float32Array | null = null;

  protected override connected(): void {
    if (this.#root) return;
    this.#root = shadow(this, STYLES);
    this.#build();
  }

  protected override changed(property: string): void {
    if (property === 'src') {
      if (this.src) this.#loadSrc();
      else if (this.#own) {
        // The author's model is dropped: back to the comparison's run of `model`.
        this.#setOwn(null);
        this.#srcLoaded = null;
        this.#source.showNote(null);
        delete this.dataset['ownModel'];
        if (this.#root) this.#build();
        this.adoptRun();
      }
      return;
    }
    // New model or layers: rebuild; the base hands the model's run again.
    if ((property === 'model' || property === 'layers') && this.#root) {
      this.#build();
      if (property === 'layers') this.adoptRun();
    }
  }

  protected override nearChanged(near: boolean): void {
    if (near) this.#loadSrc();
    if (near && this.#pending) this.#draw();
  }

  protected override padDigit(change: DigitChange): void {
    this.#digit = change.empty ? null : change.pixels.slice();
    if (this.#own) this.#runOwn();
  }

  protected override modelRun(run: ModelRun | null): void {
    if (!run) {
      this.#clear();
      return;
    }
    // A model of one's own is run here; the comparison's runs are of another model.
    if (this.#own) return;
    this.#pending = run.activations;
    if (this.near) this.#draw();
  }

  protected override modelMissing(message: string): void {
    if (!this.#own) this.#setStatus(message);
  }

  /** Reads `src` once the figure is near (again after it changes). */
  #loadSrc(): void {
    const src = this.src;
    if (!src || !this.near || src === this.#srcLoaded) return;
    this.#srcLoaded = src;
    void this.#source.load(src);
  }

  /** The own model drawn (null: none); onnxruntime-web's session of the one before is freed. */
  #setOwn(own: AnyOwnModel | null): void {
    const was = this.#own;
    if (was && was !== own && was.runtime !== 'core') void was.session.dispose();
    this.#own = own;
  }

  protected override disconnected(): void {
    // A session onnxruntime-web holds for a model of one's own is freed with the figure.
    this.#setOwn(null);
  }

  /** A model read from `src` or a file: drawn from now on, on the pad's digit. */
  #showOwn(own: AnyOwnModel): void {
    this.#setOwn(own);
    this.dataset['ownModel'] = own.name;
    this.#source.showNote(own);
    if (this.#root) this.#build();
    if (this.#digit) this.#runOwn();
    else
      this.#setStatus(`${own.name} is ready: draw a digit, or pick one, to see its feature maps.`);
  }

  /**
   * Runs the own model on the pad's digit (the core, or onnxruntime-web where the core cannot
   * read it) and draws every chosen layer.
   */
  #runOwn(): void {
    const own = this.#own;
    const digit = this.#digit;
    if (!own || !digit) return;
    const n = ++this.#ownRuns;
    runAnyOwnModel(own, digit).then(
      (run) => {
        if (n !== this.#ownRuns || own !== this.#own) return;
        this.#pending = run.activations;
        this.#ownText = ownRunText(own, run);
        if (this.near) this.#draw();
      },
      (err: Error) => {
        if (n !== this.#ownRuns || own !== this.#own) return;
        this.#setStatus(`${own.name} could not run on this digit: ${err.message}`);
      },
    );
  }

  #ownText = '';

  /** The layers drawn: the `layers` attribute's, or every feature-map layer of an own model. */
  #layerNames(): string[] {
    const own = this.#own;
    if (!own) return this.layers;
    const all = featureMapLayers(own);
    const asked = this.hasAttribute('layers') ? this.layers : [];
    return asked.length > 0 && asked.every((n) => all.includes(n)) ? asked : all;
  }

  // The reader's own model (from the page's trainer): the maps switch to it, and back to the
  // shipped model they showed when it is dropped.
  protected override readerModel(m: ReaderModel | null): void {
    this.#reader = m;
    if (m && this.model !== READER_MODEL) {
      this.#shipped = this.model;
      this.model = READER_MODEL;
    } else if (m && this.#root) {
      // A newer copy of the reader's model: its label changes, its run follows.
      this.#build();
    } else if (!m && this.model === READER_MODEL && this.#shipped) {
      this.model = this.#shipped;
    }
  }

  /** "the cnn model", or the reader's model by its title ("your model"). */
  #modelName(): string {
    if (this.#own) return this.#own.name;
    if (this.model !== READER_MODEL) return `the ${this.model} model`;
    const title = this.#reader?.title ?? 'Your model';
    return title.charAt(0).toLowerCase() + title.slice(1);
  }

  /** The shapes drawn last, by layer (null before the first digit). */
  get drawn(): { name: string; dims: number[] }[] | null {
    if (!this.#views.every((v) => v.dims)) return null;
    return this.#views.map((v) => ({ name: v.name, dims: [...v.dims!] }));
  }

  #build(): void {
    const root = this.#root!;
    root.querySelector('.wrap')?.remove();
    this.#status = el(
      'p',
      { class: 'status', role: 'status' },
      'Draw a digit, or pick one from the keyboard, to see what each layer of the network responds to.',
    );
    this.#views = this.#layerNames().map((name) => {
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
    root.append(
      el(
        'div',
        { class: 'wrap' },
        this.#source.element,
        ...(this.#own
          ? [
              el(
                'p',
                { class: 'yours' },
                `${this.#own.name}: a model of your own, run by ${this.#own.runtime === 'core' ? '@receptive/core' : 'onnxruntime-web'} in this page.`,
              ),
            ]
          : this.model === READER_MODEL
            ? [
                el(
                  'p',
                  { class: 'yours' },
                  `${this.#reader?.title ?? 'Your model'}: ${lower(this.#reader?.facts ?? 'trained in this page')}.`,
                ),
              ]
            : []),
        this.#status,
        el('div', { class: 'layers' }, ...this.#views.map((v) => v.box)),
        this.#source.note,
        this.live,
      ),
    );
    this.dataset['state'] = 'idle';
  }

  #setStatus(text: string): void {
    if (this.#status) this.#status.textContent = text;
  }

  #clear(): void {
    this.#pending = null;
    this.announce('');
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
        `${capital(this.#modelName())} has no channels × height × width output named ${missing.map((v) => `“${v.name}”`).join(', ')}; its layers with feature maps are ${names.join(', ')}.`,
      );
      this.dataset['state'] = 'error';
      return;
    }
    for (const v of this.#views) this.#drawLayer(v, acts[v.name]!);
    this.#setStatus(this.#own ? this.#ownText : '');
    this.dataset['state'] = 'drawn';
    const ms = performance.now() - t0;
    // Once the pen rests: which channel of each layer answers most (a moving pen stays quiet).
    this.announce(
      `Feature maps of ${this.#modelName()}. Strongest channel: ${this.#views.map((v) => `${v.name} ${v.best}`).join(', ')}.`,
    );
    this.dispatchEvent(
      new CustomEvent<FeatureMapsDrawn>('rf-draw', {
        detail: { model: this.#own?.name ?? this.model, layers: this.drawn!, ms },
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

const capital = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);
const lower = (t: string) => t.charAt(0).toLowerCase() + t.slice(1);
