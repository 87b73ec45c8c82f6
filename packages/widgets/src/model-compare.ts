import { type SequentialModel, tensor } from '@receptive/core';
import {
  type BackendChoice,
  cardUrl,
  type LoadedModel,
  type LoadProgress,
  loadModel,
  MODEL_NAMES,
  type ModelName,
  modelUrl,
} from '@receptive/models';
import type { DigitChange } from './digit-pad.js';
import { ElementBase, el, shadow, watchViewport } from './dom.js';
import { percent } from './format.js';
import { applyAttribute, parseEnum, parseList, type WidgetSpec } from './props.js';
import { BASE_CSS, THEME } from './theme.js';

/** One layer's output for the digit: `dims` is [1, channels, height, width] for a feature map. */
export interface LayerActivation {
  dims: readonly number[];
  data: Float32Array;
}

/** `event.detail` of `rf-predict`. */
export interface Predictions {
  results: {
    model: string;
    /** Ten probabilities. */
    probs: number[];
    prediction: number;
    /** Who answered: onnxruntime-web (with its backend), or the core on the CPU while it loads. */
    engine: string;
    /** Every layer's output of the same run, by layer name (read it during the event). */
    activations: Record<string, LayerActivation>;
  }[];
}

/** What the element reads from a model card. */
interface Card {
  title: string;
  parameters: number;
  heldOut: { accuracy: number; total: number };
}

const BACKENDS = ['auto', 'wasm', 'webgpu', 'webgl'] as const;
const DEFAULT_MODELS: ModelName[] = ['logreg', 'mlp', 'cnn'];

export const MODEL_COMPARE_SPEC: WidgetSpec = {
  tag: 'rf-model-compare',
  summary:
    "Runs the digit models side by side on a digit pad's image: probability bars, parameter counts and held-out accuracy from the model cards, and a spoken prediction.",
  props: [
    {
      attribute: 'for',
      property: 'htmlFor',
      type: 'string',
      default: null,
      example: 'for="pad"',
      description: 'The id of the <rf-digit-pad> to listen to.',
    },
    {
      attribute: 'models',
      property: 'models',
      type: 'string[]',
      default: DEFAULT_MODELS.join(' '),
      values: MODEL_NAMES,
      example: 'models="mlp cnn"',
      description: 'Which shipped models to compare, in order (space- or comma-separated).',
    },
    {
      attribute: 'backend',
      property: 'backend',
      type: "'auto' | 'wasm' | 'webgpu' | 'webgl'",
      default: 'auto',
      values: BACKENDS,
      example: 'backend="wasm"',
      description: 'The onnxruntime-web execution provider (auto: wasm for one digit at a time).',
    },
    {
      attribute: 'wasm-paths',
      property: 'wasmPaths',
      type: 'string',
      default: null,
      example: 'wasm-paths="/ort/"',
      description:
        "The folder where the page serves onnxruntime-web's ort-wasm-simd-threaded.wasm and .mjs (resolved against the page). Default: next to onnxruntime-web's own code.",
    },
  ],
  events: [
    {
      name: 'rf-predict',
      detail:
        'Predictions { results: { model: string; probs: number[]; prediction: number; engine: string; activations: Record<string, { dims: number[]; data: Float32Array }> }[] }',
      description: 'After every run on a new digit.',
    },
  ],
  fallback:
    "Put a table of the models' parameter counts and accuracies in the element; it shows until the script runs.",
  keyboard:
    'Nothing to operate: it follows its digit pad and announces each prediction in a polite live region.',
};

const TAG = MODEL_COMPARE_SPEC.tag;

const CSS = `${BASE_CSS}
.models { display: flex; flex-wrap: wrap; gap: 1rem; }
.model { border: 1px solid var(--rf-line); border-radius: 6px; padding: 0.6rem 0.8rem; min-width: 13rem; flex: 1; }
.title { font-weight: 600; margin: 0; }
.facts, .engine { margin: 0.2rem 0; font-size: 0.85em; color: var(--rf-muted); }
ol { list-style: none; padding: 0; margin: 0.4rem 0; }
li { display: grid; grid-template-columns: 1.2em 1fr 3em; gap: 0.4em; align-items: center; font-variant-numeric: tabular-nums; font-size: 0.9em; }
.bar { height: 0.7em; background: var(--rf-panel); border-radius: 2px; overflow: hidden; }
.fill { display: block; height: 100%; width: 0; background: var(--rf-muted); transition: width ${THEME.barTransitionMs}ms linear; }
li.top .fill { background: var(--rf-highlight); }
li.top { font-weight: 600; }
.pct { text-align: right; }
.prediction { margin: 0.3rem 0 0; font-weight: 600; min-height: 1.4em; }
.progress { display: flex; gap: 0.6rem; align-items: center; font-size: 0.85em; color: var(--rf-muted); margin-bottom: 0.5rem; }
.progress[hidden] { display: none; }
`;

interface Entry {
  name: ModelName;
  card: Card | null;
  cpu: SequentialModel | null;
  ort: LoadedModel | null;
  box: HTMLElement;
  facts: HTMLElement;
  engine: HTMLElement;
  bars: HTMLElement[];
  prediction: HTMLElement;
  last: {
    probs: number[];
    prediction: number;
    engine: string;
    activations: Record<string, LayerActivation>;
  } | null;
}

/**
 * `<rf-model-compare for="pad" wasm-paths="/ort/">`: see {@link MODEL_COMPARE_SPEC}.
 *
 * Loading: nothing is fetched until the element comes within two screens of the viewport. Then
 * the cards and ONNX files are fetched; each model answers at once from @receptive/core on the
 * CPU (the same ONNX read with @receptive/onnx), and moves to onnxruntime-web when its runtime is
 * ready. Offscreen, new digits wait until the element is near again.
 */
export class ModelCompare extends ElementBase {
  static readonly spec = MODEL_COMPARE_SPEC;
  static readonly observedAttributes = ['for', 'models', 'backend', 'wasm-paths'];

  #models: ModelName[] = [...DEFAULT_MODELS];
  #backend: BackendChoice = 'auto';
  #wasmPaths: string | null = null;
  #root: ShadowRoot | null = null;
  #entries: Entry[] = [];
  #progress: HTMLElement | null = null;
  #progressBar: HTMLProgressElement | null = null;
  #progressText: HTMLElement | null = null;
  #live: HTMLElement | null = null;
  #near = false;
  #started = false;
  #pending: Float32Array | null = null;
  #last: Float32Array | null = null;
  #running = false;
  /** Bumped by every new digit or clear: a run that finishes for an older one is dropped. */
  #generation = 0;
  #announceTimer = 0;
  #unwatch: (() => void) | null = null;
  #onDigit = (e: Event) => {
    const target = e.composedPath()[0] as Element | undefined;
    if (!this.htmlFor || target?.id !== this.htmlFor) return;
    const d = (e as CustomEvent<DigitChange>).detail;
    this.#submit(d.empty ? null : d.pixels);
  };

  get htmlFor(): string | null {
    return this.getAttribute('for');
  }
  set htmlFor(v: string | null) {
    if (v === null) this.removeAttribute('for');
    else this.setAttribute('for', v);
  }
  get models(): ModelName[] {
    return [...this.#models];
  }
  set models(v: readonly string[] | string) {
    this.#models = parseList(
      TAG,
      'models',
      Array.isArray(v) ? v.join(' ') : String(v),
      MODEL_NAMES,
    );
    if (this.#root && !this.#started) this.#build();
  }
  get backend(): BackendChoice {
    return this.#backend;
  }
  set backend(v: BackendChoice) {
    this.#backend = parseEnum(TAG, 'backend', v, BACKENDS);
  }
  get wasmPaths(): string | null {
    return this.#wasmPaths;
  }
  set wasmPaths(v: string | null) {
    this.#wasmPaths = v;
  }

  attributeChangedCallback(name: string, _old: string | null, value: string | null): void {
    if (name === 'models') {
      applyAttribute(
        () => parseList(TAG, 'models', value ?? DEFAULT_MODELS.join(' '), MODEL_NAMES),
        (m) => {
          this.models = m;
        },
      );
    } else if (name === 'backend') {
      applyAttribute(
        () => parseEnum(TAG, 'backend', value ?? 'auto', BACKENDS),
        (b) => {
          this.backend = b;
        },
      );
    } else if (name === 'wasm-paths') {
      this.wasmPaths = value;
    }
  }

  connectedCallback(): void {
    document.addEventListener('rf-digit', this.#onDigit);
    if (!this.#root) {
      this.#root = shadow(this, CSS);
      this.#build();
    }
    this.#unwatch = watchViewport(this, THEME.wakeMargin, (near) => {
      this.#near = near;
      if (near && !this.#started) void this.#start();
      if (near && this.#pending) void this.#drain();
    });
  }

  disconnectedCallback(): void {
    document.removeEventListener('rf-digit', this.#onDigit);
    this.#unwatch?.();
    clearTimeout(this.#announceTimer);
  }

  /** The latest result of each model. */
  get results(): Predictions['results'] {
    return this.#entries.flatMap((e) => (e.last ? [{ model: e.name, ...e.last }] : []));
  }

  #build(): void {
    const root = this.#root!;
    root.querySelector('.wrap')?.remove();
    this.#progressBar = el('progress', { max: 1, 'aria-label': 'Loading the models' });
    this.#progressText = el('span', {}, 'The models load when this figure comes into view.');
    this.#progress = el('div', { class: 'progress' }, this.#progressBar, this.#progressText);
    this.#progressBar.removeAttribute('value');
    this.#live = el('p', { class: 'sr-only', 'aria-live': 'polite', 'data-live': '' });
    this.#entries = this.#models.map((name) => {
      const bars: HTMLElement[] = [];
      const list = el('ol', { 'aria-label': `${name}: probability of each digit` });
      for (let d = 0; d < 10; d++) {
        const li = el(
          'li',
          {},
          el('span', {}, String(d)),
          el('span', { class: 'bar', 'aria-hidden': 'true' }, el('span', { class: 'fill' })),
          el('span', { class: 'pct' }, '–'),
        );
        bars.push(li);
        list.append(li);
      }
      const facts = el('p', { class: 'facts' }, ' ');
      const engine = el('p', { class: 'engine' }, 'Not loaded yet.');
      const prediction = el('p', { class: 'prediction' });
      const title = el('p', { class: 'title' }, name);
      const box = el(
        'section',
        { class: 'model', 'data-model': name },
        title,
        facts,
        engine,
        list,
        prediction,
      );
      return {
        name,
        card: null,
        cpu: null,
        ort: null,
        box,
        facts,
        engine,
        bars,
        prediction,
        last: null,
      };
    });
    root.append(
      el(
        'div',
        { class: 'wrap' },
        this.#progress,
        el('div', { class: 'models' }, ...this.#entries.map((e) => e.box)),
        this.#live,
      ),
    );
    this.dataset['state'] = 'idle';
  }

  #setProgress(done: number, total: number, text: string): void {
    if (done >= total) {
      this.#progress!.hidden = true;
      return;
    }
    this.#progress!.hidden = false;
    this.#progressBar!.max = total;
    this.#progressBar!.value = done;
    this.#progressText!.textContent = text;
  }

  async #start(): Promise<void> {
    this.#started = true;
    this.dataset['state'] = 'loading';
    const entries = this.#entries;
    const steps = entries.length * 2;
    let done = 0;
    const tick = (text: string) => this.#setProgress(++done, steps, text);
    this.#setProgress(0, steps, 'Downloading the models…');
    // A digit drawn before this figure woke up.
    const pad = this.htmlFor ? document.getElementById(this.htmlFor) : null;
    const drawn = (pad as { pixels?: Float32Array } | null)?.pixels;
    if (!this.#last && drawn?.some((v) => v > 0)) this.#last = drawn;
    const wasmPaths = this.#wasmPaths ? new URL(this.#wasmPaths, document.baseURI).href : undefined;
    try {
      const { fromOnnx } = await import('@receptive/onnx');
      // Cards and files first: every model answers from the core as soon as its file is in.
      const bytes = await Promise.all(
        entries.map(async (e) => {
          const [card, file] = await Promise.all([
            fetch(cardUrl(e.name)).then((r) => r.json() as Promise<Card>),
            fetch(modelUrl(e.name)).then((r) => {
              if (!r.ok) throw new Error(`${modelUrl(e.name)}: HTTP ${r.status}`);
              return r.arrayBuffer();
            }),
          ]);
          e.card = card;
          e.box.querySelector('.title')!.textContent = card.title;
          e.facts.textContent = `${card.parameters.toLocaleString('en-US')} parameters · ${(card.heldOut.accuracy * 100).toFixed(1)}% held-out accuracy`;
          e.cpu = fromOnnx(new Uint8Array(file));
          e.engine.textContent =
            'Answering from @receptive/core on the CPU while onnxruntime-web loads.';
          tick(`Loading onnxruntime-web (${this.#backend})…`);
          return new Uint8Array(file);
        }),
      );
      this.dataset['state'] = 'cpu';
      if (this.#pending || this.#last) void this.#drain(true);
      for (const [i, e] of entries.entries()) {
        const onProgress = (p: LoadProgress) => {
          this.#progressText!.textContent = `${e.card?.title ?? e.name}: ${p.message}`;
        };
        e.ort = await loadModel(e.name, {
          source: bytes[i]!,
          backend: this.#backend,
          onProgress,
          ...(wasmPaths ? { wasmPaths } : {}),
        });
        e.engine.textContent = `onnxruntime-web on ${e.ort.backend}${e.ort.fallbackReason ? ` (${e.ort.fallbackReason})` : ''}.`;
        tick('Loading onnxruntime-web…');
      }
      this.dataset['state'] = 'ready';
      if (this.#last) void this.#drain(true);
    } catch (err) {
      this.dataset['state'] = 'error';
      this.#progress!.hidden = false;
      this.#progressText!.textContent = `The models could not be loaded: ${(err as Error).message}`;
    }
  }

  #submit(pixels: Float32Array | null): void {
    this.#generation++;
    if (!pixels) {
      this.#pending = null;
      this.#last = null;
      this.#showEmpty();
      return;
    }
    this.#pending = pixels;
    this.#last = pixels;
    if (this.#near) void this.#drain();
  }

  // Runs the newest digit; digits that arrive during a run replace each other, so a fast pen
  // never queues stale work.
  async #drain(again = false): Promise<void> {
    if (again && !this.#pending) this.#pending = this.#last;
    if (this.#running || !this.#pending) return;
    this.#running = true;
    try {
      while (this.#pending && this.#near) {
        const pixels = this.#pending;
        this.#pending = null;
        await this.#run(pixels);
      }
    } finally {
      this.#running = false;
    }
  }

  async #run(pixels: Float32Array): Promise<void> {
    const generation = this.#generation;
    const results: Predictions['results'] = [];
    for (const e of this.#entries) {
      let probs: Float32Array | null = null;
      let engine = '';
      let activations: Record<string, LayerActivation> = {};
      if (e.ort) {
        const r = await e.ort.run(pixels);
        probs = r.probs;
        activations = r.activations;
        engine = `onnxruntime-web/${r.backend}`;
      } else if (e.cpu) {
        const r = e.cpu.forwardAll(tensor(pixels, [1, ...e.cpu.inputShape]));
        probs = r.output.data;
        for (const [name, t] of Object.entries(r.activations)) {
          if (name !== 'input') activations[name] = { dims: t.shape, data: t.data };
        }
        engine = 'core/cpu';
      }
      // The pad was cleared or changed while this model ran: its answer is for a digit that is
      // gone (the newer digit, if any, is already queued).
      if (generation !== this.#generation) return;
      if (!probs) continue;
      const p = Array.from(probs.subarray(0, 10));
      let top = 0;
      for (let d = 1; d < 10; d++) if (p[d]! > p[top]!) top = d;
      e.last = { probs: p, prediction: top, engine, activations };
      e.box.dataset['prediction'] = String(top);
      e.box.dataset['engine'] = engine;
      e.bars.forEach((li, d) => {
        (li.querySelector('.fill') as HTMLElement).style.width = `${(p[d]! * 100).toFixed(1)}%`;
        li.querySelector('.pct')!.textContent = percent(p[d]!);
        li.classList.toggle('top', d === top);
      });
      e.prediction.textContent = `Prediction ${top}, ${percent(p[top]!)}`;
      results.push({ model: e.name, ...e.last });
    }
    if (results.length === 0) return;
    this.dispatchEvent(
      new CustomEvent<Predictions>('rf-predict', { detail: { results }, bubbles: true }),
    );
    clearTimeout(this.#announceTimer);
    this.#announceTimer = window.setTimeout(() => {
      this.#live!.textContent = this.#entries
        .filter((e) => e.last)
        .map(
          (e) =>
            `${e.card?.title ?? e.name}: prediction ${e.last!.prediction}, ${percent(e.last!.probs[e.last!.prediction]!)}.`,
        )
        .join(' ');
    }, THEME.announceDelayMs);
  }

  #showEmpty(): void {
    clearTimeout(this.#announceTimer);
    for (const e of this.#entries) {
      e.last = null;
      delete e.box.dataset['prediction'];
      e.prediction.textContent = '';
      for (const li of e.bars) {
        (li.querySelector('.fill') as HTMLElement).style.width = '0';
        li.querySelector('.pct')!.textContent = '–';
        li.classList.remove('top');
      }
    }
    this.#live!.textContent = '';
  }
}
