import {
  type ChannelMaxima,
  type RankedUnit,
  type Region,
  rankChannel,
  receptiveField,
  type SequentialModel,
} from '@receptive/core';
import { coreModel, DIGIT_SETS, modelBytes } from '@receptive/models';
import { el, shadow } from './dom.js';
import { figureElement } from './figure-element.js';
import { testDigit } from './held-out.js';
import { nextTask } from './next-task.js';
import { WidgetValueError } from './props.js';
import { BASE_CSS, colorKey, THEME } from './theme.js';
import type { AscentMessage, AscentPattern, AscentRequest } from './vis-ascent-worker.js';
import { crop, paintGrey } from './vis-draw.js';
import { engineText, postVisJob } from './vis-job.js';
import { channelsOf, VIS_LAYERS, VIS_TOP_SPEC, type VisLayer } from './vis-top.spec.js';
import type { VisEngine, VisMessage } from './vis-worker.js';

const MODEL = 'cnn';

export { VIS_LAYERS, type VisLayer };

/** How many digits each list shows. */
export const TOP_COUNT = 16;
export const BOTTOM_COUNT = 8;
/** Steps of gradient ascent per pattern, and about how long one slice of them runs in the worker. */
export const ASCENT_STEPS = 120;
const ASCENT_SLICE_MS = 12;

/** A ranked test digit with the receptive field of its strongest unit, traced by the core. */
export interface TopDigit extends RankedUnit {
  label: number;
  region: Region;
}

export { VIS_TOP_SPEC };

const TAG = VIS_TOP_SPEC.tag;

const CSS = `${BASE_CSS}
.tools { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; margin-bottom: 0.5rem; }
.body { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
.lists { flex: 1 1 20rem; min-width: 0; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(5.8rem, 1fr)); gap: 0.4rem; list-style: none; padding: 0; margin: 0.2rem 0 0.8rem; }
.grid li { display: flex; flex-direction: column; align-items: center; font-size: 0.75rem; font-variant-numeric: tabular-nums; }
.pair { display: flex; gap: 2px; }
.cell { position: relative; width: 42px; height: 42px; }
.cell canvas, .crop { width: 42px; height: 42px; image-rendering: pixelated; display: block; border: 1px solid var(--rf-line); }
.rf { position: absolute; border: 2px solid var(--rf-highlight); pointer-events: none; }
.pattern { margin: 0; max-width: 16rem; }
.pattern .pair { gap: 6px; }
.pattern .cell { width: 112px; height: 112px; }
.pattern .cell canvas, .pattern .crop { width: 112px; height: 112px; }
h3 { font-size: 0.9rem; margin: 0.2rem 0; }
.status { font-size: 0.85em; color: var(--rf-muted); min-height: 1.3em; margin: 0.2rem 0; }
progress { width: min(100%, 20rem); }
progress[hidden] { display: none; }
`;

/**
 * `<rf-vis-top layer="conv1" channel="0">`: see {@link VIS_TOP_SPEC}. The worker keeps nothing
 * but posts every channel's maxima; choosing another channel ranks those on the page.
 */
export class VisTop extends figureElement(VIS_TOP_SPEC) {
  // Only once on screen, not two screens ahead: the batch job downloads onnxruntime-web's wasm
  // (3.6 MB) and its worker, which a reader who never scrolls here should not pay for.
  protected override wakeMargin = '0px';
  #root: ShadowRoot | null = null;
  #started = false;
  #model: SequentialModel | null = null;
  /** The digits drawn so far, by index (the lists fetch only the chunks they show). */
  #digits = new Map<number, Float32Array>();
  #labels: Uint8Array | null = null;
  #drawing = 0;
  #maxima: Partial<Record<VisLayer, ChannelMaxima>> = {};
  #done = 0;
  #worker: Worker | null = null;
  #engine: VisEngine | null = null;
  #top: TopDigit[] = [];
  #bottom: TopDigit[] = [];
  /** The gradient ascent's worker, the climb asked for last, and its latest pattern. */
  #ascentWorker: Worker | null = null;
  #ascentId = 0;
  #ascentT0 = 0;
  #ascent: AscentPattern | null = null;
  #announce = 0;
  #ui: {
    layer: HTMLSelectElement;
    channel: HTMLSelectElement;
    top: HTMLElement;
    bottom: HTMLElement;
    pattern: HTMLCanvasElement;
    patternCrop: HTMLCanvasElement;
    patternBox: HTMLElement;
    patternText: HTMLElement;
    status: HTMLElement;
    pickNote: HTMLElement;
    bar: HTMLProgressElement;
    live: HTMLElement;
  } | null = null;
  #choosing = false;
  #unfollowNetwork: (() => void) | null = null;
  /** Milliseconds the worker took to score all the digits (null until done). */
  scoreMs: number | null = null;
  /** Milliseconds each ranking of a channel took on the page, newest last. */
  readonly rankTimes: number[] = [];
  /** Milliseconds from choosing a channel to its first drawn pattern, and the longest slice. */
  ascentFirstMs: number | null = null;
  ascentLongestSliceMs = 0;

  /** The lists shown now. */
  get top(): readonly TopDigit[] {
    return this.#top;
  }
  get bottom(): readonly TopDigit[] {
    return this.#bottom;
  }
  /** Test digits scored so far, of 10,000. */
  get scored(): number {
    return this.#done;
  }
  /** The gradient-ascent pattern so far. */
  get pattern(): { steps: number; objective: number; image: Float32Array } | null {
    const a = this.#ascent;
    return a ? { steps: a.steps, objective: a.objective, image: a.image } : null;
  }
  /** The backend the worker ran on. */
  get engine(): VisEngine | null {
    return this.#engine;
  }

  protected override connected(): void {
    if (!this.#root) this.#build();
    this.#followNetwork();
  }

  protected override disconnected(): void {
    this.#unfollowNetwork?.();
    this.#unfollowNetwork = null;
    this.#worker?.terminate();
    this.#worker = null;
    this.#ascentWorker?.terminate();
    this.#ascentWorker = null;
    clearTimeout(this.#announce);
  }

  protected override changed(property: string): void {
    if (property === 'network') this.#followNetwork();
    if (this.#choosing) return;
    if (property === 'layer' || property === 'channel') {
      const max = channelsOf(this.layer) - 1;
      if (this.channel > max) {
        // A channel past the layer's last (conv1 has fewer than conv2) moves to its last.
        if (property === 'channel') {
          console.error(
            new WidgetValueError(
              TAG,
              'channel',
              String(this.channel),
              `0 to ${max} for ${this.layer}`,
            ).message,
          );
        }
        this.channel = max;
        return;
      }
      this.#chosen();
    }
  }

  protected override nearChanged(near: boolean): void {
    if (near && !this.#started) void this.#start();
  }

  #build(): void {
    const root = shadow(this, CSS);
    this.#root = root;
    const layer = el('select', { id: 'layer' });
    for (const l of VIS_LAYERS) layer.append(el('option', { value: l }, l));
    const channel = el('select', { id: 'channel' });
    layer.addEventListener('change', () => {
      this.layer = layer.value as VisLayer;
    });
    channel.addEventListener('change', () => {
      this.channel = Number(channel.value);
    });
    const top = el('ol', { class: 'grid', 'aria-label': 'The 16 test digits it fires most on' });
    const bottom = el('ol', { class: 'grid', 'aria-label': 'The 8 test digits it fires least on' });
    const pattern = el('canvas', { role: 'img', 'aria-label': 'The pattern it fires most on' });
    const patternCrop = el('canvas', { class: 'crop', 'aria-hidden': 'true' });
    const patternBox = el('span', { class: 'rf', 'aria-hidden': 'true' });
    const patternText = el('p', { class: 'status' });
    const status = el(
      'p',
      { class: 'status' },
      'The scoring starts when this figure comes into view.',
    );
    const bar = el('progress', { max: 1, hidden: true, 'aria-label': 'Test digits scored' });
    const live = el('p', { class: 'sr-only', 'aria-live': 'polite' });
    const pickNote = el('p', { class: 'status pick' });
    this.#ui = {
      pickNote,
      layer,
      channel,
      top,
      bottom,
      pattern,
      patternCrop,
      patternBox,
      patternText,
      status,
      bar,
      live,
    };
    root.append(
      el(
        'div',
        { class: 'tools' },
        el('label', { for: 'layer' }, 'Layer '),
        layer,
        el('label', { for: 'channel' }, 'Channel '),
        channel,
      ),
      pickNote,
      bar,
      status,
      el(
        'div',
        { class: 'body' },
        el(
          'div',
          { class: 'lists' },
          el('h3', {}, 'Fires most on'),
          top,
          el('h3', {}, 'Fires least on'),
          bottom,
        ),
        el(
          'figure',
          { class: 'pattern' },
          el(
            'figcaption',
            {},
            'Pattern its centre unit fires most on (gradient ascent), and the part that unit sees',
          ),
          el(
            'span',
            { class: 'pair' },
            el('span', { class: 'cell' }, pattern, patternBox),
            patternCrop,
          ),
          patternText,
        ),
      ),
      colorKey('ink', 'Digits and pattern: grey level', '0', '1'),
      live,
    );
    this.#syncControls();
  }

  #syncControls(): void {
    const ui = this.#ui;
    if (!ui) return;
    ui.layer.value = this.layer;
    const n = channelsOf(this.layer);
    if (ui.channel.options.length !== n) {
      ui.channel.replaceChildren(
        ...Array.from({ length: n }, (_, c) => el('option', { value: c }, String(c))),
      );
    }
    ui.channel.value = String(this.channel);
  }

  /**
   * Follows the picks of the 3D network named by `network` (it may come later in the page, so
   * the listener waits at the document for its `rf-pick`): a unit of a layer that keeps the
   * channels of conv1 or conv2 chooses that layer and channel.
   */
  #followNetwork(): void {
    this.#unfollowNetwork?.();
    this.#unfollowNetwork = null;
    const id = this.network;
    if (!id || !this.isConnected) return;
    const onPick = (e: Event) => {
      if ((e.target as Element | null)?.id !== id) return;
      const unit = (e as CustomEvent<{ layer: string; channel: number } | null>).detail;
      if (unit) void this.#pickFromNetwork(unit);
    };
    document.addEventListener('rf-pick', onPick);
    this.#unfollowNetwork = () => document.removeEventListener('rf-pick', onPick);
  }

  async #pickFromNetwork(unit: { layer: string; channel: number }): Promise<void> {
    let model: SequentialModel;
    try {
      model = await coreModel(MODEL);
    } catch {
      return; // The figure's own start says why the CNN is missing.
    }
    const layer = channelLayer(model, unit.layer);
    const ui = this.#ui;
    if (!layer) {
      if (ui) {
        ui.pickNote.textContent = `A unit of ${unit.layer} has no channel of conv1 or conv2: pick one in conv1 or conv2, or in the ReLU or pooling layer after either.`;
      }
      return;
    }
    if (ui) {
      ui.pickNote.textContent = `Channel ${unit.channel} of ${layer}, picked in the 3D network (a unit of ${unit.layer}).`;
    }
    this.#choose(layer, unit.channel);
  }

  /** Sets the layer and channel together, ranking once. */
  #choose(layer: VisLayer, channel: number): void {
    this.#choosing = true;
    try {
      this.layer = layer;
      this.channel = channel;
    } finally {
      this.#choosing = false;
    }
    this.#chosen();
  }

  #chosen(): void {
    this.#syncControls();
    this.dataset['layer'] = this.layer;
    this.dataset['channel'] = String(this.channel);
    if (!this.#model) return;
    this.#rank();
    this.#startAscent();
  }

  async #start(): Promise<void> {
    this.#started = true;
    const ui = this.#ui!;
    this.dataset['state'] = 'loading';
    ui.bar.hidden = false;
    ui.bar.removeAttribute('value');
    ui.status.textContent = 'Downloading the CNN…';
    const count = DIGIT_SETS.test.count;
    let bytes: Uint8Array;
    try {
      const [b, model] = await Promise.all([modelBytes(MODEL), coreModel(MODEL)]);
      bytes = b.slice();
      this.#model = model;
      this.#labels = new Uint8Array(count);
    } catch (err) {
      this.dataset['state'] = 'error';
      ui.bar.hidden = true;
      ui.status.textContent = `The figure could not start: ${(err as Error).message}.`;
      return;
    }
    for (const l of VIS_LAYERS) {
      const [c, h, w] = this.#model.layer(l).outputShape as [number, number, number];
      this.#maxima[l] = {
        count,
        channels: c,
        height: h,
        width: w,
        value: new Float32Array(count * c),
        at: new Int32Array(count * c),
      };
    }
    this.#ascentWorker = this.#startAscentWorker(bytes);
    this.#startAscent();
    this.#score(bytes, count);
  }

  #score(bytes: Uint8Array, count: number): void {
    const ui = this.#ui!;
    const worker = new Worker(new URL('./vis-worker.js', import.meta.url), {
      type: 'module',
      name: 'rf-vis-top',
    });
    this.#worker = worker;
    worker.addEventListener('message', (e: MessageEvent<VisMessage>) => {
      const m = e.data;
      if (m.type === 'loading') ui.status.textContent = `Starting the CNN: ${m.message}`;
      else if (m.type === 'ready') {
        this.#engine = m.engine;
        this.dataset['state'] = 'running';
        ui.status.textContent = `Scoring the test digits in the background on ${m.engine.backend}…`;
      } else if (m.type === 'scores') {
        for (const l of VIS_LAYERS) {
          const part = m.layers[l]!;
          const whole = this.#maxima[l]!;
          whole.value.set(part.value, m.start * whole.channels);
          whole.at.set(part.at, m.start * whole.channels);
        }
        this.#labels!.set(m.labels, m.start);
        this.#done = m.done;
        ui.bar.max = count;
        ui.bar.value = m.done;
        ui.status.textContent = `Scored ${m.done.toLocaleString('en-US')} of ${count.toLocaleString('en-US')} test digits…`;
        // The lists follow the run every 2,000 digits, not every batch: the page stays idle.
        if (m.done % 2000 === 0 && m.done < count) this.#rank();
      } else if (m.type === 'done') {
        this.scoreMs = m.elapsedMs;
        this.#engine = m.engine;
        this.dataset['state'] = 'ready';
        ui.bar.hidden = true;
        ui.status.textContent = `All ${count.toLocaleString('en-US')} test digits scored for every channel of conv1 and conv2 in your browser, in ${(m.elapsedMs / 1000).toFixed(1)} s (${engineText(m.engine)}). Another channel needs no new run.`;
        worker.terminate();
        this.#worker = null;
        this.#rank(true);
      } else if (m.type === 'error') {
        this.dataset['state'] = 'error';
        ui.bar.hidden = true;
        ui.status.textContent = `The scoring stopped: ${m.message}.`;
        worker.terminate();
      }
    });
    worker.addEventListener('error', (e) => {
      this.dataset['state'] = 'error';
      ui.status.textContent = `The scoring worker failed: ${e.message || 'it could not start'}.`;
    });
    const job = { type: 'score' as const, layers: [...VIS_LAYERS] };
    postVisJob(worker, job, MODEL, bytes, count, this.backend, this.wasmPaths);
  }

  /** Ranks the chosen channel over the digits scored so far and draws both lists. */
  #rank(announce = false): void {
    const m = this.#maxima[this.layer];
    if (!m || this.#done === 0 || !this.#model) return;
    const t0 = performance.now();
    const trace = (r: RankedUnit): TopDigit => ({
      ...r,
      label: this.#labels![r.index]!,
      region: receptiveField(this.#model!, this.layer, { y: r.y, x: r.x }).region,
    });
    this.#top = rankChannel(m, this.channel, TOP_COUNT, 'top', this.#done).map(trace);
    this.#bottom = rankChannel(m, this.channel, BOTTOM_COUNT, 'bottom', this.#done).map(trace);
    void this.#drawLists(t0);
    this.dispatchEvent(
      new CustomEvent('rf-top', {
        detail: {
          layer: this.layer,
          channel: this.channel,
          top: this.#top,
          bottom: this.#bottom,
          digits: this.#done,
        },
        bubbles: true,
      }),
    );
    if (announce || this.#done === DIGIT_SETS.test.count) {
      clearTimeout(this.#announce);
      this.#announce = window.setTimeout(() => {
        this.#ui!.live.textContent =
          `Channel ${this.channel} of ${this.layer} fires most on test digits labelled ${this.#top.map((t) => t.label).join(', ')}; least on ${this.#bottom.map((t) => t.label).join(', ')}.`;
      }, THEME.announceDelayMs);
    }
  }

  /** Draws both lists once their digits are in (a chunk of 1,000 is fetched once, when first shown). */
  async #drawLists(t0: number): Promise<void> {
    const drawing = ++this.#drawing;
    const [top, bottom] = [this.#top, this.#bottom];
    const missing = [...top, ...bottom].filter((t) => !this.#digits.has(t.index));
    try {
      for (const d of await Promise.all(missing.map((t) => testDigit(t.index)))) {
        this.#digits.set(d.index, d.pixels);
      }
    } catch (err) {
      this.#ui!.status.textContent =
        `The test digits could not be loaded: ${(err as Error).message}.`;
      return;
    }
    // Digits just decoded: draw in a task of its own, so decoding and drawing never add up to one.
    if (missing.length) await nextTask();
    if (drawing !== this.#drawing) return;
    this.#drawList(this.#ui!.top, top);
    // The first time, the bottom list's canvases are made in a task (and a frame) of their own.
    if (this.#ui!.bottom.children.length < bottom.length) {
      await nextTask();
      if (drawing !== this.#drawing) return;
    }
    this.#drawList(this.#ui!.bottom, bottom);
    this.rankTimes.push(performance.now() - t0);
    if (this.rankTimes.length > 200) this.rankTimes.shift();
    this.dataset['drawn'] = `${this.layer}:${this.channel}:${this.#done}`;
  }

  /**
   * Paints `items` into `list`. The rows are made once and repainted in place: a canvas keeps its
   * context, so a redraw costs the pixels alone, not 48 new canvases.
   */
  #drawList(list: HTMLElement, items: TopDigit[]): void {
    while (list.children.length < items.length) list.append(listRow());
    while (list.children.length > items.length) list.lastElementChild!.remove();
    items.forEach((t, k) => {
      const li = list.children[k] as HTMLLIElement;
      const pair = li.firstElementChild as HTMLElement;
      const [cell, cut] = pair.children as unknown as [HTMLElement, HTMLCanvasElement];
      const [canvas, box] = cell.children as unknown as [HTMLCanvasElement, HTMLElement];
      const digit = this.#digits.get(t.index)!;
      const r = t.region;
      li.dataset['index'] = String(t.index);
      pair.setAttribute(
        'aria-label',
        `${k + 1}: test digit ${t.index + 1}, a ${t.label}; strongest at row ${t.y + 1}, column ${t.x + 1} of ${this.layer}, value ${t.value.toFixed(2)}`,
      );
      paintGrey(canvas, digit);
      outline(box, r);
      paintGrey(cut, crop(digit, r), r.x1 - r.x0 + 1, r.y1 - r.y0 + 1);
      li.lastElementChild!.textContent = `a ${t.label}`;
    });
  }

  /**
   * The worker that climbs the patterns: it gets its own copy of the model's bytes (the scoring
   * worker takes the others), and posts a pattern after each slice of steps.
   */
  #startAscentWorker(bytes: Uint8Array): Worker {
    const worker = new Worker(new URL('./vis-ascent-worker.js', import.meta.url), {
      type: 'module',
      name: 'rf-vis-ascent',
    });
    worker.addEventListener('message', (e: MessageEvent<AscentMessage>) => {
      const m = e.data;
      if (m.id !== this.#ascentId) return;
      if (m.type === 'error') {
        this.dataset['ascent'] = 'error';
        this.#ui!.patternText.textContent = `The pattern could not be computed: ${m.message}.`;
      } else this.#drawPattern(m);
    });
    worker.addEventListener('error', (e) => {
      this.dataset['ascent'] = 'error';
      this.#ui!.patternText.textContent =
        `The pattern’s worker failed: ${e.message || 'it could not start'}.`;
    });
    const req: AscentRequest = { type: 'model', bytes: bytes.slice() };
    worker.postMessage(req, [req.bytes.buffer]);
    return worker;
  }

  /** Gradient ascent for the chosen channel, in the worker; each slice's pattern is drawn. */
  #startAscent(): void {
    if (!this.#ascentWorker) return;
    this.#ascentId += 1;
    this.#ascent = null;
    this.ascentFirstMs = null;
    this.ascentLongestSliceMs = 0;
    this.#ascentT0 = performance.now();
    this.dataset['ascent'] = 'running';
    const req: AscentRequest = {
      type: 'ascent',
      id: this.#ascentId,
      layer: this.layer,
      channel: this.channel,
      steps: ASCENT_STEPS,
      sliceMs: ASCENT_SLICE_MS,
    };
    this.#ascentWorker.postMessage(req);
  }

  #drawPattern(p: AscentPattern): void {
    const ui = this.#ui!;
    this.#ascent = p;
    const f = p.field;
    paintGrey(ui.pattern, p.image);
    paintGrey(ui.patternCrop, crop(p.image, f), f.x1 - f.x0 + 1, f.y1 - f.y0 + 1);
    outline(ui.patternBox, f);
    this.ascentLongestSliceMs = Math.max(this.ascentLongestSliceMs, p.sliceMs);
    this.ascentFirstMs ??= performance.now() - this.#ascentT0;
    const u = p.unit as { y: number; x: number };
    ui.patternText.textContent = `Step ${p.steps} of ${ASCENT_STEPS}: the unit at row ${u.y + 1}, column ${u.x + 1} of ${this.layer} reaches ${p.objective.toFixed(2)}.`;
    ui.pattern.setAttribute(
      'aria-label',
      `The pattern channel ${this.channel} of ${this.layer} fires most on, after ${p.steps} steps of gradient ascent`,
    );
    this.dataset['ascent'] = p.steps >= ASCENT_STEPS ? 'done' : 'running';
  }
}

/** Places an outline over the pixels of region `r` of a 28 x 28 image. */
/** One row of a list, to be painted by `#drawList`: the digit with its field outlined, the crop, the label. */
function listRow(): HTMLLIElement {
  return el(
    'li',
    {},
    el(
      'span',
      { class: 'pair', role: 'img' },
      el(
        'span',
        { class: 'cell' },
        el('canvas', {}),
        el('span', { class: 'rf', 'aria-hidden': 'true' }),
      ),
      el('canvas', { class: 'crop' }),
    ),
    el('span', { 'aria-hidden': 'true' }),
  );
}

function outline(box: HTMLElement, r: Region): HTMLElement {
  box.style.left = `${(100 * r.x0) / 28}%`;
  box.style.top = `${(100 * r.y0) / 28}%`;
  box.style.width = `${(100 * (r.x1 - r.x0 + 1)) / 28}%`;
  box.style.height = `${(100 * (r.y1 - r.y0 + 1)) / 28}%`;
  return box;
}

/**
 * The conv layer of `VIS_LAYERS` whose channels the layer `name` of `model` shows: the layer
 * itself, or the nearest convolution before it when only channel-keeping layers (ReLU, pooling)
 * lie between; null for any other layer (the input, flatten, dense, softmax).
 * @example channelLayer(cnn, 'pool1') // 'conv1'
 */
export function channelLayer(model: SequentialModel, name: string): VisLayer | null {
  const at = model.layers.findIndex((l) => l.name === name);
  for (let i = at; i >= 0; i--) {
    const l = model.layers[i]!;
    if (l.kind === 'conv2d')
      return (VIS_LAYERS as readonly string[]).includes(l.name) ? (l.name as VisLayer) : null;
    if (l.kind !== 'relu' && l.kind !== 'maxPool2d' && l.kind !== 'avgPool2d') return null;
  }
  return null;
}
