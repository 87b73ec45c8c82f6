import { type SequentialModel, tensor } from '@receptive/core';
import {
  coreModel,
  fetchBytes,
  type LoadedModel,
  loadModel,
  type ModelCard,
  type ModelName,
  modelBytes,
  modelCard,
} from '@receptive/models';
import {
  type AnyOwnModel,
  asProbabilities,
  fetchOwnModel,
  fileNameOf,
  lastKindOf,
  OwnModelError,
  openOwnModel,
  runAnyOwnModel,
} from './byo-model.js';
import {
  type DigitChange,
  type DigitRun,
  type LayerActivation,
  type ModelRun,
  publishRun,
  READER_MODEL,
  type ReaderModel,
} from './digit-run.js';
import { el, hideKeepingFocus, pageUrl, shadow } from './dom.js';
import { figureElement } from './figure-element.js';
import { percent } from './format.js';
import { barList, showBars } from './model-answer.js';
import { MODEL_COMPARE_SPEC } from './model-compare.spec.js';
import { BASE_CSS, THEME } from './theme.js';

export { MODEL_COMPARE_SPEC };

/** `event.detail` of `rf-predict`: the run, under its old name. */
export type Predictions = DigitRun;
export type { LayerActivation };

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
.model.own { border: 2px solid var(--rf-highlight); }
.failure { display: flex; flex-wrap: wrap; gap: 0.4rem 0.8rem; align-items: center; margin-bottom: 0.5rem; }
.failure[hidden] { display: none; }
.models:focus-visible { outline: 3px solid var(--rf-focus); outline-offset: 2px; }
.failure p { margin: 0; }
`;

interface Entry {
  name: string;
  /** The reader's own model (from the page's trainer), not a shipped file. */
  own: boolean;
  /** The author's model of their own (`src`), read and run here; null for the others. */
  linked: { src: string; model: AnyOwnModel | null } | null;
  card: ModelCard | null;
  cpu: SequentialModel | null;
  ort: LoadedModel | null;
  /** Bytes of the model file received so far, and its size when known. */
  loaded: number;
  total: number | null;
  box: HTMLElement;
  facts: HTMLElement;
  engine: HTMLElement;
  bars: HTMLElement[];
  prediction: HTMLElement;
  last: ModelRun | null;
}

/** An error's message without the URL a download failure names (the figure says which file). */
const short = (err: unknown) =>
  String((err as Error)?.message ?? err)
    .replace(/could not download \S+: /gi, '')
    .replace(/\.$/, '');

/** The file name of onnxruntime-web's wasm build, as its loader asks for it. */
const ORT_WASM = 'ort-wasm-simd-threaded.wasm';

/** "32 KB", "1.6 MB": decimal units, as download sizes are usually written. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} bytes`;
  if (n < 1e6) return `${Math.round(n / 1000)} KB`;
  return `${(n / 1e6).toFixed(1)} MB`;
}

/** "312 KB of 1.6 MB (19%)", or "312 KB" when the size is not known. */
export function formatDownload(loaded: number, total: number | null): string {
  if (!total) return formatBytes(loaded);
  const pct = Math.min(100, Math.floor((100 * loaded) / total));
  return `${formatBytes(loaded)} of ${formatBytes(total)} (${pct}%)`;
}

const ENGINE_TEXT: Record<string, string> = {
  'core/cpu': 'Answers in this page, on your processor.',
  'onnxruntime-web/wasm': 'Answers in this page, on your processor (WebAssembly runtime).',
  'onnxruntime-web/webgpu': 'Answers in this page, on your graphics card (WebGPU).',
};

/**
 * `<rf-model-compare for="pad" wasm-paths="/ort/">`: see {@link MODEL_COMPARE_SPEC}.
 *
 * Loading: nothing is fetched until the element comes within two screens of the viewport. Then
 * each model's card and ONNX file are fetched side by side, and each model answers from
 * @receptive/core on the CPU as soon as its own file is in: the 32 KB logistic regression never
 * waits for the 1.6 MB perceptron. A batch-1 digit needs nothing more (the core runs one in well
 * under a millisecond), so onnxruntime-web's 14 MB wasm runtime is fetched only when an author
 * names a backend or the core cannot read a model. Offscreen, new digits wait until the element
 * is near again.
 */
export class ModelCompare extends figureElement(MODEL_COMPARE_SPEC) {
  #root: ShadowRoot | null = null;
  #entries: Entry[] = [];
  #progress: HTMLElement | null = null;
  #progressBar: HTMLProgressElement | null = null;
  #progressText: HTMLElement | null = null;
  /** What the runtime download has done, while one runs. */
  #runtime: { loaded: number; total: number | null; text: string } | null = null;
  #errors: string[] = [];
  /** The message of what failed, in an alert, and the button that tries it again. */
  #failure: HTMLElement | null = null;
  #models: HTMLElement | null = null;
  #failureText: HTMLElement | null = null;
  /** Each entry's downloaded file, once in. */
  #files = new Map<Entry, Uint8Array>();
  #started = false;
  #loading = false;
  #pending: Float32Array | null = null;
  #last: Float32Array | null = null;
  #running = false;
  /** Bumped by every new digit or clear: a run that finishes for an older one is dropped. */
  #generation = 0;
  /** The reader's own model, when the page's trainer handed one over. */
  #reader: ReaderModel | null = null;

  protected override connected(): void {
    if (this.#root) return;
    this.#root = shadow(this, CSS);
    this.#build();
  }

  protected override changed(property: string): void {
    if ((property === 'models' || property === 'src') && this.#root && !this.#started) {
      this.#build();
    } else if (property === 'src' && this.#root) this.#replaceSrc();
  }

  /** A new `src` once the figure has started: its card is replaced and the file read. */
  #replaceSrc(): void {
    this.#swapEntry(
      (e) => e.linked !== null,
      this.src ? this.#srcEntry(this.src) : null,
      (e) => e.own,
    );
    void this.#load();
  }

  /**
   * Puts `next` in the place of the entry `is` picks, or removes that entry for null; a new one
   * goes before the first entry `before` picks, else last.
   */
  #swapEntry(is: (e: Entry) => boolean, next: Entry | null, before: (e: Entry) => boolean): void {
    const at = this.#entries.findIndex(is);
    if (at >= 0) {
      if (next) this.#entries[at]!.box.replaceWith(next.box);
      else this.#entries[at]!.box.remove();
      this.#entries.splice(at, 1, ...(next ? [next] : []));
      return;
    }
    if (!next) return;
    const i = this.#entries.findIndex(before);
    if (i >= 0) this.#entries[i]!.box.before(next.box);
    else this.#models!.append(next.box);
    this.#entries.splice(i >= 0 ? i : this.#entries.length, 0, next);
  }

  /** The card of the author's model (`src`): named after its file, answering from the core. */
  #srcEntry(src: string): Entry {
    const name = fileNameOf(src);
    const e = this.#entry(name, false);
    e.linked = { src, model: null };
    e.box.classList.add('own');
    e.box.dataset['src'] = src;
    e.facts.textContent = 'A model of this page’s own.';
    return e;
  }

  /** Downloads and reads the author's model; the sentence of what went wrong, else null. */
  async #loadSrc(e: Entry): Promise<string | null> {
    const linked = e.linked!;
    e.engine.textContent = 'Downloading…';
    let own: AnyOwnModel | null = null;
    try {
      const wasmPaths = pageUrl(this.wasmPaths);
      // A model the core cannot read answers from onnxruntime-web instead.
      own = await openOwnModel(await fetchOwnModel(linked.src, document.baseURI), e.name, {
        runtime: 'any',
        ...(wasmPaths ? { wasmPaths } : {}),
      });
      const classes =
        own.runtime === 'core'
          ? (own.model.layers.at(-1)?.outputShape.reduce((a, b) => a * b, 1) ?? 0)
          : (await runAnyOwnModel(own, new Float32Array(28 * 28))).output.length;
      if (classes !== 10) {
        throw new OwnModelError(
          `${e.name} gives ${classes} outputs; the comparison shows the ten digits' probabilities, so it needs 10.`,
        );
      }
      linked.model = own;
      const [c, h, w] = own.input;
      const fitted = own.note ? ` (reads ${c} × ${h} × ${w}; the digit is fitted to it)` : '';
      if (own.runtime === 'core') {
        e.cpu = own.model;
        e.facts.textContent = `${own.model.parameterCount().toLocaleString('en-US')} parameters · a model of this page’s own${fitted}`;
        e.engine.textContent = ENGINE_TEXT['core/cpu']!;
      } else {
        e.facts.textContent = `A model of this page’s own${fitted}; @receptive/core cannot read it (${own.refusal.replace(/\.$/, '')}), so onnxruntime-web runs it.`;
        e.engine.textContent = ENGINE_TEXT['onnxruntime-web/wasm']!;
      }
      return null;
    } catch (err) {
      if (own && own.runtime !== 'core') void own.session.dispose();
      e.engine.textContent = 'Could not be loaded.';
      return (err as Error).message;
    }
  }

  protected override nearChanged(near: boolean): void {
    if (near && !this.#started) void this.#load();
    if (near && this.#pending) void this.#drain();
  }

  // Each digit of the pad it follows (the latest one too, when it connects).
  protected override padDigit(d: DigitChange): void {
    this.#submit(d.empty ? null : d.pixels);
  }

  /** The latest result of each model. */
  get results(): ModelRun[] {
    return this.#entries.flatMap((e) => (e.last ? [e.last] : []));
  }

  #build(): void {
    const root = this.#root!;
    root.querySelector('.wrap')?.remove();
    this.#progressBar = el('progress', { max: 1, 'aria-label': 'Downloading the models' });
    this.#progressText = el('span', {}, 'The models load when this figure comes into view.');
    this.#progress = el('div', { class: 'progress' }, this.#progressBar, this.#progressText);
    this.#progressBar.removeAttribute('value');
    this.#failureText = el('p', { role: 'alert' });
    const retry = el('button', { type: 'button' }, 'Retry');
    retry.addEventListener('click', () => void this.#load());
    this.#failure = el('div', { class: 'failure', hidden: true }, this.#failureText, retry);
    this.#files.clear();
    this.#entries = this.models.map((name) => this.#entry(name, false));
    if (this.src) this.#entries.push(this.#srcEntry(this.src));
    if (this.#reader) this.#entries.push(this.#ownEntry(this.#reader));
    this.#models = el(
      'div',
      { class: 'models', 'aria-label': 'The models’ answers' },
      ...this.#entries.map((e) => e.box),
    );
    root.append(
      el('div', { class: 'wrap' }, this.#progress, this.#failure, this.#models, this.live),
    );
    this.dataset['state'] = 'idle';
  }

  #entry(name: string, own: boolean): Entry {
    const { list, bars } = barList(`${name}: probability of each digit`);
    const facts = el('p', { class: 'facts' }, ' ');
    const engine = el('p', { class: 'engine' }, 'Not loaded yet.');
    const prediction = el('p', { class: 'prediction' });
    const title = el('p', { class: 'title' }, name);
    const box = el(
      'section',
      { class: own ? 'model own' : 'model', 'data-model': name },
      title,
      facts,
      engine,
      list,
      prediction,
    );
    return {
      name,
      own,
      linked: null,
      card: null,
      cpu: null,
      ort: null,
      loaded: 0,
      total: null,
      box,
      facts,
      engine,
      bars,
      prediction,
      last: null,
    };
  }

  /** The card of the reader's model: labelled as theirs, answering from the core. */
  #ownEntry(m: ReaderModel): Entry {
    const e = this.#entry(READER_MODEL, true);
    e.cpu = m.model;
    e.box.querySelector('.title')!.textContent = m.title;
    e.box.querySelector('ol')!.setAttribute('aria-label', `${m.title}: probability of each digit`);
    e.facts.textContent = m.facts;
    e.engine.textContent = ENGINE_TEXT['core/cpu']!;
    return e;
  }

  // The reader's model (from the page's trainer) answers beside the shipped ones; a newer copy
  // replaces it, and the latest digit is answered again.
  protected override readerModel(m: ReaderModel | null): void {
    this.#reader = m;
    if (!this.#root) return;
    this.#swapEntry(
      (e) => e.own,
      m ? this.#ownEntry(m) : null,
      () => false,
    );
    if (this.#last) void this.#drain(true);
  }

  #title(e: Entry): string {
    return e.own ? (this.#reader?.title ?? e.name) : (e.card?.title ?? e.name);
  }

  /** The bar and sentence above the cards: what is downloading, in bytes, or why it failed. */
  #showProgress(): void {
    const bar = this.#progressBar!;
    const text = this.#progressText!;
    const failed = this.#errors.length > 0;
    // Once everything is in, the Retry goes; a keyboard reader on it lands on the answers.
    if (failed) this.#failure!.hidden = false;
    else hideKeepingFocus(this.#failure!, this.#models!);
    this.#failureText!.textContent = failed ? this.#errors.join(' ') : '';
    if (failed) {
      this.#progress!.hidden = true;
      return;
    }
    if (this.#runtime) {
      const { loaded, total, text: what } = this.#runtime;
      this.#progress!.hidden = false;
      bar.setAttribute('aria-label', 'Downloading the model runtime');
      if (total) {
        bar.max = total;
        bar.value = Math.min(loaded, total);
      } else bar.removeAttribute('value');
      text.textContent = loaded > 0 ? `${what}: ${formatDownload(loaded, total)}.` : `${what}…`;
      return;
    }
    // The reader's and the author's own models are not shipped files: the bar counts those.
    const shipped = this.#entries.filter((e) => !e.own && !e.linked);
    const waiting = shipped.filter((e) => !e.cpu && !e.ort);
    if (waiting.length === 0) {
      this.#progress!.hidden = true;
      return;
    }
    this.#progress!.hidden = false;
    bar.setAttribute('aria-label', 'Downloading the models');
    const loaded = shipped.reduce((a, e) => a + e.loaded, 0);
    const total = shipped.every((e) => e.total) ? shipped.reduce((a, e) => a + e.total!, 0) : null;
    if (total) {
      bar.max = total;
      bar.value = Math.min(loaded, total);
    } else bar.removeAttribute('value');
    const answering = shipped.length - waiting.length;
    const note =
      answering === 0
        ? ''
        : ` ${answering} of ${shipped.length} already ${answering === 1 ? 'answers' : 'answer'}; still coming: ${waiting.map((e) => this.#title(e)).join(', ')}.`;
    text.textContent = `Downloading the models: ${formatDownload(loaded, total)}.${note}`;
  }

  /**
   * Loads what is not in yet: the files of the models that have none, then the runtime for the
   * models that need it. The first call starts the figure; Retry calls it again after a failure,
   * and what already loaded is kept.
   */
  async #load(): Promise<void> {
    if (this.#loading) return;
    this.#loading = true;
    this.#started = true;
    this.#errors = [];
    this.dataset['state'] = 'loading';
    this.#showProgress();
    try {
      // The ONNX reader is fetched while the model files download, not before.
      const onnx = import('@receptive/onnx');
      onnx.catch(() => {});
      // The author's own model (`src`) is read here; the reader's has no file to fetch.
      const linked = this.#entries.filter((e) => e.linked && !e.linked.model);
      const read = Promise.all(linked.map((e) => this.#loadSrc(e)));
      const todo = this.#entries.filter((e) => !e.own && !e.linked && !this.#files.has(e));
      const loads = await Promise.allSettled(todo.map((e) => this.#loadFile(e, onnx)));
      loads.forEach((r, i) => {
        const e = todo[i]!;
        if (r.status === 'fulfilled') {
          this.#files.set(e, r.value);
          return;
        }
        e.engine.textContent = 'Could not be loaded.';
        this.#errors.push(`${this.#title(e)} could not be loaded: ${short(r.reason)}.`);
      });
      for (const message of await read) if (message) this.#errors.push(message);
      // The wasm runtime only for the work that needs it: a backend the author named, or a model
      // the core cannot read.
      const needRuntime = this.#entries.filter(
        (e) => !e.linked && this.#files.has(e) && !e.ort && (this.backend !== 'auto' || !e.cpu),
      );
      if (needRuntime.length) {
        if (this.#entries.some((e) => e.cpu)) this.dataset['state'] = 'cpu';
        try {
          await this.#loadRuntime(needRuntime, (e) => this.#files.get(e)!);
        } catch (err) {
          this.#errors.push(`The model runtime could not be loaded: ${short(err)}.`);
        }
        this.#runtime = null;
      }
    } finally {
      this.#loading = false;
    }
    this.dataset['state'] = this.#errors.length ? 'error' : 'ready';
    this.#showProgress();
    if (this.#last) void this.#drain(true);
  }

  /**
   * Fetches one model's card and file (the page's one download of each, shared with every other
   * figure: @receptive/models' assets); the model answers from the core as soon as both are in.
   */
  async #loadFile(e: Entry, onnx: Promise<typeof import('@receptive/onnx')>): Promise<Uint8Array> {
    e.engine.textContent = 'Downloading…';
    const card = modelCard(e.name as ModelName).then((c) => {
      e.card = c;
      e.box.querySelector('.title')!.textContent = c.title;
      e.facts.textContent = `${c.parameters.toLocaleString('en-US')} parameters · ${(c.heldOut.accuracy * 100).toFixed(1)}% accuracy on the test digits`;
      return c;
    });
    card.catch(() => {});
    const bytes = await modelBytes(e.name as ModelName, ({ loaded, total }) => {
      e.loaded = loaded;
      e.total = total ?? e.card?.file.bytes ?? null;
      if (!e.cpu) e.engine.textContent = `Downloading: ${formatDownload(loaded, e.total)}.`;
      this.#showProgress();
    });
    e.total = bytes.length;
    e.loaded = bytes.length;
    await card;
    const { UnsupportedOnnxError } = await onnx;
    try {
      e.cpu = await coreModel(e.name as ModelName);
      e.engine.textContent = ENGINE_TEXT['core/cpu']!;
    } catch (err) {
      // A model with an operator the core lacks runs on the wasm runtime instead.
      if (!(err instanceof UnsupportedOnnxError)) throw err;
      e.engine.textContent = 'Needs the WebAssembly runtime, which downloads next.';
    }
    this.#showProgress();
    if (e.cpu && (this.#pending || this.#last)) void this.#drain(true);
    return bytes;
  }

  /**
   * Loads onnxruntime-web for `entries`. The wasm file is fetched here first, with progress in
   * bytes, so the status can say how far the 14 MB download is; onnxruntime-web then reads it
   * from the browser's cache.
   */
  async #loadRuntime(entries: Entry[], bytesOf: (e: Entry) => Uint8Array): Promise<void> {
    const wasmPaths = pageUrl(this.wasmPaths);
    const what =
      this.backend === 'webgpu'
        ? 'Downloading the graphics-card runtime'
        : 'Downloading the WebAssembly runtime';
    this.#runtime = { loaded: 0, total: null, text: what };
    this.#showProgress();
    if (wasmPaths && this.backend !== 'webgpu') {
      await fetchBytes(new URL(ORT_WASM, wasmPaths), ({ loaded, total }) => {
        this.#runtime = { loaded, total: total ?? null, text: what };
        this.#showProgress();
      });
    }
    for (const e of entries) {
      this.#runtime = { loaded: 0, total: null, text: `Preparing ${this.#title(e)}` };
      this.#showProgress();
      e.ort = await loadModel(e.name as ModelName, {
        source: bytesOf(e),
        backend: this.backend,
        ...(wasmPaths ? { wasmPaths } : {}),
      });
      const engine = `onnxruntime-web/${e.ort.backend}`;
      if (e.ort.fallbackReason) e.box.dataset['fallback'] = e.ort.fallbackReason;
      e.engine.textContent =
        ENGINE_TEXT[engine]! +
        (e.ort.fallbackReason ? ' The graphics card could not run it here.' : '');
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
    if (this.near) void this.#drain();
  }

  // Runs the newest digit; digits that arrive during a run replace each other, so a fast pen
  // never queues stale work.
  async #drain(again = false): Promise<void> {
    if (again && !this.#pending) this.#pending = this.#last;
    if (this.#running || !this.#pending) return;
    this.#running = true;
    try {
      while (this.#pending && this.near) {
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
    const started = performance.now();
    const results: ModelRun[] = [];
    for (const e of this.#entries) {
      const t0 = performance.now();
      let probs: Float32Array | null = null;
      let engine = '';
      let activations: Record<string, LayerActivation> = {};
      const own = e.linked?.model;
      if (own) {
        // The author's model may read another size or colour: the digit is fitted to it.
        const r = await runAnyOwnModel(own, pixels);
        probs = asProbabilities(Float32Array.from(r.output), lastKindOf(own));
        activations = Object.fromEntries(
          Object.entries(r.activations).filter(([name]) => name !== 'input'),
        );
        engine = own.runtime === 'core' ? 'core/cpu' : `onnxruntime-web/${own.session.backend}`;
      } else if (e.ort) {
        const shown = e.box.dataset['engine'];
        const r = await e.ort.run(pixels);
        probs = r.probs;
        activations = r.activations;
        engine = `onnxruntime-web/${r.backend}`;
        // The graphics card went mid-session (a GPU reset, a lost device): onnxruntime-web
        // answers on WebAssembly from now on, and the card says so.
        if (shown && shown !== engine && e.ort.fallbackReason) {
          e.box.dataset['fallback'] = e.ort.fallbackReason;
          e.engine.textContent = `${ENGINE_TEXT[engine] ?? engine} The graphics card stopped (${e.ort.fallbackReason}), so it moved there.`;
        }
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
      e.last = {
        model: e.name,
        probs: p,
        prediction: top,
        engine,
        activations,
        geometry: e.cpu,
        ms: performance.now() - t0,
      };
      e.box.dataset['prediction'] = String(top);
      e.box.dataset['engine'] = engine;
      showBars(e.bars, p, top);
      e.prediction.textContent = `Prediction ${top}, ${percent(p[top]!)}`;
      results.push(e.last);
    }
    if (results.length === 0) return;
    // One run, published once: the event for the page, the pad's channel for the figures.
    const run: DigitRun = {
      pad: this.htmlFor ?? '',
      pixels,
      models: this.#entries.map((e) => e.name),
      results,
      ms: performance.now() - started,
    };
    this.dispatchEvent(new CustomEvent<DigitRun>('rf-predict', { detail: run, bubbles: true }));
    if (run.pad) publishRun(run);
    this.announce(
      this.#entries
        .filter((e) => e.last)
        .map(
          (e) =>
            `${this.#title(e)}: prediction ${e.last!.prediction}, ${percent(e.last!.probs[e.last!.prediction]!)}.`,
        )
        .join(' '),
    );
  }

  #showEmpty(): void {
    this.announce('');
    for (const e of this.#entries) {
      e.last = null;
      delete e.box.dataset['prediction'];
      e.prediction.textContent = '';
      showBars(e.bars, null, -1);
    }
  }
}
