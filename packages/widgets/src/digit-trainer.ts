import { type ModelJSON, modelFromJSON, type SequentialModel, tensor } from '@receptive/core';
import { chunkUrl } from '@receptive/models';
import type uPlot from 'uplot';
import { publishModel } from './digit-run.js';
import {
  AUTO_THREADS,
  DIGIT_TRAINER_SPEC,
  MAX_THREADS,
  TRAINER_BACKENDS,
  type TrainerBackend,
} from './digit-trainer.spec.js';
import {
  BATCH_CHOICES,
  CONV1_KERNELS,
  LR_CHOICES,
  TRAIN_CHUNKS,
  TRAIN_COUNT,
  TRAINER_DEFAULTS,
  type TrainerOptions,
} from './digit-trainer-model.js';
import type { TrainerMessage, TrainerRequest } from './digit-trainer-worker.js';
import { el, shadow, watchViewport } from './dom.js';
import { barItems, showBars } from './model-answer.js';
import { applyAttribute, parseEnum, parseInteger } from './props.js';
import { BASE_CSS, inkColor, signedColor, THEME } from './theme.js';
import { UPLOT_CSS } from './uplot-css.js';

export { DIGIT_TRAINER_SPEC, type TrainerBackend };

const TAG = DIGIT_TRAINER_SPEC.tag;

// uPlot's cursor and selection, hidden: the plots turn the cursor off.
const CSS = `${BASE_CSS}${UPLOT_CSS}
.u-select { display: none; }
.u-cursor-x, .u-cursor-y, .u-cursor-pt { display: none; }
.controls { display: flex; flex-wrap: wrap; gap: 0.5rem 0.8rem; align-items: center; margin: 0.4rem 0; }
.controls label { display: inline-flex; gap: 0.35rem; align-items: center; font-size: 0.9em; }
select { font: inherit; color: inherit; background: var(--rf-paper); border: 1px solid var(--rf-line); border-radius: 4px; min-height: 2em; }
.engine, .note { margin: 0.2rem 0; font-size: 0.85em; color: var(--rf-muted); }
.error { color: var(--rf-error); font-weight: 600; }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(8.5rem, 1fr)); gap: 0.3rem 0.8rem; margin: 0.5rem 0; font-variant-numeric: tabular-nums; }
.stat { display: flex; flex-direction: column; }
.stat span:first-child { font-size: 0.75em; color: var(--rf-muted); }
.stat span:last-child { font-weight: 600; }
.data { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; font-size: 0.85em; color: var(--rf-muted); }
.data progress { flex: 1 1 8rem; max-width: 14rem; min-width: 8rem; height: 0.8rem; }
.plots { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: 0.8rem; margin: 0.6rem 0; }
.plot { min-width: 0; overflow: hidden; }
.plot h3, .kernels h3, .mine h3 { font-size: 0.9em; margin: 0 0 0.2rem; font-weight: 600; }
.kernels .grid { display: flex; flex-wrap: wrap; gap: 0.5rem; }
.kernels canvas { width: 42px; height: 42px; image-rendering: pixelated; border: 1px solid var(--rf-line); }
.changes { font-size: 0.85em; color: var(--rf-muted); margin: 0.2rem 0; padding-left: 1.2rem; }
.mine { border: 2px solid var(--rf-highlight); border-radius: 6px; padding: 0.6rem 0.8rem; margin-top: 0.6rem; }
.mine[hidden] { display: none; }
.answers { display: flex; flex-wrap: wrap; gap: 1rem; }
.answer { flex: 1; min-width: 12rem; }
.answer ol { list-style: none; padding: 0; margin: 0.3rem 0; }
.answer li { display: grid; grid-template-columns: 1.2em 1fr 3em; gap: 0.4em; align-items: center; font-variant-numeric: tabular-nums; font-size: 0.85em; }
.bar { height: 0.7em; background: var(--rf-panel); border-radius: 2px; overflow: hidden; }
.fill { display: block; height: 100%; width: 0; background: var(--rf-muted); }
.answer li.top .fill { background: var(--rf-highlight); }
.answer li.top { font-weight: 600; }
.maps { display: flex; flex-wrap: wrap; gap: 0.3rem; margin-top: 0.3rem; }
.maps canvas { width: 52px; height: 52px; image-rendering: pixelated; border: 1px solid var(--rf-line); }
.actions { display: flex; flex-wrap: wrap; gap: 0.5rem; margin: 0.5rem 0; }
`;

const fmt = (n: number) => n.toLocaleString('en-US');
const clock = (ms: number) => {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};
const lrText = (v: number) => (v >= 0.01 ? v.toFixed(2) : v.toExponential(0).replace('e-', 'e-'));

/** `event.detail` of `rf-train`. */
export interface TrainState {
  state: 'running' | 'paused' | 'reset';
  steps: number;
  seen: number;
  elapsedMs: number;
  accuracy: number | null;
}

/** One accuracy measurement of the run. */
export interface TrainEval {
  steps: number;
  seen: number;
  elapsedMs: number;
  accuracy: number;
}

/** A Web Worker, or the page's own training host behind the same face (the GPU path). */
interface Channel {
  postMessage(m: TrainerRequest): void;
  terminate(): void;
  addEventListener(type: 'message', cb: (e: MessageEvent<TrainerMessage>) => void): void;
  addEventListener(type: 'error', cb: (e: ErrorEvent) => void): void;
}

/** The tfjs GPU path runs in the page (a worker may see no adapter); every read-back is async. */
async function pageHost(): Promise<Channel> {
  const { createTrainerHost } = await import('./digit-trainer-worker.js');
  const listeners: ((e: MessageEvent<TrainerMessage>) => void)[] = [];
  let live = true;
  const host = createTrainerHost((m) => {
    // Delivered as a task, as a worker's messages are.
    setTimeout(() => {
      if (live) for (const cb of listeners) cb({ data: m } as MessageEvent<TrainerMessage>);
    });
  });
  return {
    postMessage: (m) => host.handle(m),
    terminate() {
      live = false;
      host.stop();
    },
    addEventListener(type: string, cb: (e: never) => void) {
      if (type === 'message') listeners.push(cb as (e: MessageEvent<TrainerMessage>) => void);
    },
  };
}

interface Run {
  worker: Channel;
  state: 'running' | 'paused';
  steps: number;
  seen: number;
  epoch: number;
  lr: number;
  batchSize: number;
  elapsedMs: number;
  rate: number;
  chunksIn: number;
  bytes: number;
  /** Loss of every step, and its running mean over the last 50 steps, for the plot. */
  losses: number[];
  smooth: number[];
  evals: TrainEval[];
  pending: Map<number, (m: Extract<TrainerMessage, { type: 'weights' }>) => void>;
  nextId: number;
  lastAnnounce: number;
  conv1: { weight: Float32Array; bias: Float32Array } | null;
  /** Why this engine trains. */
  why: string;
}

/** `threads`: 'auto' or a whole number from 1 to {@link MAX_THREADS}. */
function parseThreads(value: string): 'auto' | number {
  return value === 'auto' ? 'auto' : parseInteger(TAG, 'threads', value, 1, MAX_THREADS);
}

/** One thread per core the browser reports, up to {@link AUTO_THREADS}. */
const autoThreads = () => Math.max(1, Math.min(AUTO_THREADS, navigator.hardwareConcurrency || 1));

const ENGINE_WORDS: Record<string, string> = {
  cpu: 'on your processor (@receptive/core in a Web Worker, so the page stays free)',
  webgpu:
    'on your graphics card (TensorFlow.js WebGPU from this page, every read-back asynchronous so no step waits on it)',
  webgl:
    'on your graphics card (TensorFlow.js WebGL from this page, every read-back asynchronous so no step waits on it)',
};

/**
 * `<rf-digit-trainer for="pad">`: see {@link DIGIT_TRAINER_SPEC}. Nothing loads until the reader
 * presses Train: then the worker (with @receptive/core), the digits (in the worker, chunk after
 * chunk) and, with the first numbers, uPlot.
 */
export class DigitTrainer extends HTMLElement {
  static readonly spec = DIGIT_TRAINER_SPEC;
  static readonly observedAttributes = [
    'for',
    'seed',
    'lr',
    'batch-size',
    'backend',
    'threads',
    'eval-every',
    'stop-after',
  ];

  #for: string | null = null;
  #seed = TRAINER_DEFAULTS.seed;
  #lr = TRAINER_DEFAULTS.lr;
  #batchSize = TRAINER_DEFAULTS.batchSize;
  #backend: TrainerBackend = 'auto';
  #threads: 'auto' | number = 'auto';
  #evalEvery = 200;
  #stopAfter: number | null = null;
  #root: ShadowRoot | null = null;
  #run: Run | null = null;
  #starting = false;
  #plots: uPlot[] = [];
  #plotting: Promise<void> | null = null;
  #raf = 0;
  #mine: SequentialModel | null = null;
  /** Whether a run here used the tfjs GPU path (tfjs then lives on the page). */
  #usedTfjs = false;
  #mineSteps = 0;
  #lastDigit: Float32Array | null = null;
  #shipped: number[] | null = null;
  #ui: {
    go: HTMLButtonElement;
    reset: HTMLButtonElement;
    use: HTMLButtonElement;
    download: HTMLButtonElement;
    lr: HTMLSelectElement;
    batch: HTMLSelectElement;
    engine: HTMLElement;
    error: HTMLElement;
    live: HTMLElement;
    data: HTMLProgressElement;
    dataText: HTMLElement;
    stats: Record<string, HTMLElement>;
    plots: HTMLElement;
    kernels: HTMLCanvasElement[];
    changes: HTMLElement;
    mine: HTMLElement;
    mineTitle: HTMLElement;
    mineBars: HTMLElement;
    shippedBars: HTMLElement;
    maps: HTMLElement;
    mineNote: HTMLElement;
  } | null = null;
  #onDigit = (e: Event) => {
    const d = (e as CustomEvent<{ pixels: Float32Array; empty: boolean }>).detail;
    const pad = e.composedPath()[0] as HTMLElement | undefined;
    if (!this.#for || pad?.id !== this.#for) return;
    this.#lastDigit = d.empty ? null : d.pixels.slice();
    this.#shipped = null;
    this.#answer();
  };
  #onPredict = (e: Event) => {
    const d = (e as CustomEvent<{ pad: string; results: { model: string; probs: number[] }[] }>)
      .detail;
    if (!this.#for || d.pad !== this.#for) return;
    this.#shipped = d.results.find((r) => r.model === 'cnn')?.probs ?? null;
    this.#answer();
  };

  get htmlFor(): string | null {
    return this.#for;
  }
  set htmlFor(v: string | null) {
    this.#for = v;
  }
  get seed(): number {
    return this.#seed;
  }
  set seed(v: number | string) {
    this.#seed = parseInteger(TAG, 'seed', String(v), 0, 2 ** 20);
  }
  get lr(): number {
    return this.#lr;
  }
  set lr(v: number | string) {
    const n = Number(v);
    if (!LR_CHOICES.includes(n as (typeof LR_CHOICES)[number])) {
      parseEnum(TAG, 'lr', String(v), LR_CHOICES.map(String));
    }
    this.#lr = n;
    if (this.#ui) this.#ui.lr.value = String(n);
    this.#send({ type: 'set', lr: n });
  }
  get batchSize(): number {
    return this.#batchSize;
  }
  set batchSize(v: number | string) {
    const n = Number(parseEnum(TAG, 'batch-size', String(v), BATCH_CHOICES.map(String)));
    this.#batchSize = n;
    if (this.#ui) this.#ui.batch.value = String(n);
    this.#send({ type: 'set', batchSize: n });
  }
  get backend(): TrainerBackend {
    return this.#backend;
  }
  set backend(v: TrainerBackend) {
    this.#backend = parseEnum(TAG, 'backend', v, TRAINER_BACKENDS);
  }
  get threads(): 'auto' | number {
    return this.#threads;
  }
  set threads(v: 'auto' | number | string) {
    this.#threads = parseThreads(String(v));
  }
  get evalEvery(): number {
    return this.#evalEvery;
  }
  set evalEvery(v: number | string) {
    this.#evalEvery = parseInteger(TAG, 'eval-every', String(v), 1);
  }
  get stopAfter(): number | null {
    return this.#stopAfter;
  }
  set stopAfter(v: number | string | null) {
    this.#stopAfter = v === null || v === '' ? null : parseInteger(TAG, 'stop-after', String(v), 1);
  }

  /** Where the run stands: steps, examples, time and every accuracy measured, or null. */
  get progress(): {
    state: 'running' | 'paused';
    steps: number;
    seen: number;
    epoch: number;
    elapsedMs: number;
    rate: number;
    chunksIn: number;
    bytes: number;
    losses: number[];
    evals: TrainEval[];
  } | null {
    const r = this.#run;
    if (!r) return null;
    return {
      state: r.state,
      steps: r.steps,
      seen: r.seen,
      epoch: r.epoch,
      elapsedMs: r.elapsedMs,
      rate: r.rate,
      chunksIn: r.chunksIn,
      bytes: r.bytes,
      losses: [...r.losses],
      evals: [...r.evals],
    };
  }

  /** The reader's model in use on the pad (after "Use my model"), or null. */
  get myModel(): SequentialModel | null {
    return this.#mine;
  }

  attributeChangedCallback(name: string, _old: string | null, value: string | null): void {
    const set = <T>(parse: () => T, apply: (v: T) => void) => applyAttribute(parse, apply);
    if (name === 'for') this.htmlFor = value;
    else if (name === 'seed')
      set(
        () => parseInteger(TAG, 'seed', value ?? '1', 0, 2 ** 20),
        (v) => {
          this.#seed = v;
        },
      );
    else if (name === 'lr')
      set(
        () =>
          Number(
            parseEnum(
              TAG,
              'lr',
              String(Number(value ?? TRAINER_DEFAULTS.lr)),
              LR_CHOICES.map(String),
            ),
          ),
        (v) => {
          this.lr = v;
        },
      );
    else if (name === 'batch-size')
      set(
        () => Number(parseEnum(TAG, 'batch-size', value ?? '32', BATCH_CHOICES.map(String))),
        (v) => {
          this.batchSize = v;
        },
      );
    else if (name === 'backend')
      set(
        () => parseEnum(TAG, 'backend', value ?? 'auto', TRAINER_BACKENDS),
        (v) => {
          this.#backend = v;
        },
      );
    else if (name === 'threads')
      set(
        () => parseThreads(value ?? 'auto'),
        (v) => {
          this.#threads = v;
        },
      );
    else if (name === 'eval-every')
      set(
        () => parseInteger(TAG, 'eval-every', value ?? '200', 1),
        (v) => {
          this.#evalEvery = v;
        },
      );
    else if (name === 'stop-after')
      set(
        () => (value === null ? null : parseInteger(TAG, 'stop-after', value, 1)),
        (v) => {
          this.#stopAfter = v;
        },
      );
  }

  connectedCallback(): void {
    if (!this.#root) {
      this.#root = shadow(this, CSS);
      this.#build();
    }
    document.addEventListener('rf-digit', this.#onDigit);
    document.addEventListener('rf-predict', this.#onPredict);
    // uPlot's module is fetched and evaluated once the figure is near the screen, so that pressing
    // Train does not spend one long task on it (the plots themselves are made by the first run).
    this.#unwatch ??= watchViewport(this, THEME.wakeMargin, (near) => {
      if (!near) return;
      this.#unwatch?.();
      this.#unwatch = null;
      void import('uplot').catch(() => {
        // The first run loads it again and says so if it still fails.
      });
    });
  }

  #unwatch: (() => void) | null = null;

  disconnectedCallback(): void {
    this.#unwatch?.();
    this.#unwatch = null;
    // Leaving the page (or the element leaving it) ends the run and frees the worker.
    this.#stop();
    this.#dropMyModel();
    document.removeEventListener('rf-digit', this.#onDigit);
    document.removeEventListener('rf-predict', this.#onPredict);
  }

  #build(): void {
    const root = this.#root!;
    const button = (cls: string, text: string, disabled = false) => {
      const b = el('button', { type: 'button', class: cls, disabled }, text);
      return b as HTMLButtonElement;
    };
    const go = button('go', 'Train');
    const reset = button('reset', 'Reset', true);
    const use = button('use', 'Use my model', true);
    const download = button('download', 'Download as ONNX', true);
    go.addEventListener('click', () => {
      const r = this.#run;
      if (!r) this.train();
      else if (r.state === 'running') this.pause();
      else this.resume();
    });
    reset.addEventListener('click', () => this.reset());
    use.addEventListener('click', () => void this.useMyModel());
    download.addEventListener('click', () => void this.downloadOnnx());
    const select = (
      label: string,
      values: readonly number[],
      value: number,
      text: (v: number) => string,
    ) => {
      const s = el('select', { 'aria-label': label }) as HTMLSelectElement;
      for (const v of values) s.append(el('option', { value: String(v) }, text(v)));
      s.value = String(value);
      return s;
    };
    const lr = select('Learning rate', LR_CHOICES, this.#lr, lrText);
    const batch = select('Batch size', BATCH_CHOICES, this.#batchSize, String);
    lr.addEventListener('change', () =>
      this.#knob('learning rate', () => (this.lr = Number(lr.value))),
    );
    batch.addEventListener('change', () =>
      this.#knob('batch size', () => (this.batchSize = Number(batch.value))),
    );
    const stat = (key: string, label: string) => {
      const v = el('span', { 'data-stat': key }, '–');
      return [key, v, el('div', { class: 'stat' }, el('span', {}, label), v)] as const;
    };
    const statList = [
      stat('elapsed', 'time training'),
      stat('steps', 'steps'),
      stat('seen', 'digits seen'),
      stat('rate', 'digits per second'),
      stat('loss', 'training loss'),
      stat('accuracy', 'test accuracy (1,000 digits)'),
      stat('lr', 'learning rate now'),
    ];
    const data = el('progress', {
      max: TRAIN_CHUNKS,
      value: 0,
      'aria-label': 'Training digits downloaded',
    }) as HTMLProgressElement;
    const dataText = el(
      'span',
      {},
      `The ${fmt(TRAIN_COUNT)} training digits download as the training runs.`,
    );
    const kernels = Array.from({ length: CONV1_KERNELS.count }, (_, i) => {
      const c = el('canvas', {
        width: CONV1_KERNELS.size,
        height: CONV1_KERNELS.size,
        role: 'img',
        'aria-label': `Kernel ${i + 1} of conv1`,
      }) as HTMLCanvasElement;
      return c;
    });
    const mineBars = el('ol', { 'aria-label': 'Your model: probability of each digit' });
    const shippedBars = el('ol', { 'aria-label': 'The shipped CNN: probability of each digit' });
    const mineTitle = el('h3', {}, 'Your model');
    const maps = el('div', {
      class: 'maps',
      'aria-label': "Your model's conv1 feature maps of the pad's digit",
      role: 'group',
    });
    const mineNote = el('p', { class: 'note' }, 'Draw on the pad, or pick a test digit there.');
    const mine = el(
      'section',
      { class: 'mine', hidden: true, 'aria-label': 'Your model on the digit pad' },
      mineTitle,
      mineNote,
      el(
        'div',
        { class: 'answers' },
        el(
          'div',
          { class: 'answer', 'data-answer': 'mine' },
          el('h3', {}, 'Your model (trained here)'),
          mineBars,
        ),
        el(
          'div',
          { class: 'answer', 'data-answer': 'shipped' },
          el('h3', {}, 'The shipped CNN (30 epochs, augmented)'),
          shippedBars,
        ),
      ),
      el('h3', {}, "Your model's conv1 feature maps of this digit"),
      maps,
    );
    const stats = Object.fromEntries(statList.map(([k, v]) => [k, v]));
    this.#ui = {
      go,
      reset,
      use,
      download,
      lr,
      batch,
      engine: el(
        'p',
        { class: 'engine', 'data-engine': '' },
        'Press Train: the network starts from random weights.',
      ),
      error: el('p', { class: 'error', role: 'alert', hidden: true }),
      live: el('p', { class: 'sr-only', 'aria-live': 'polite', 'data-live': '' }),
      data,
      dataText,
      stats,
      plots: el('div', { class: 'plots' }),
      kernels,
      changes: el('ul', { class: 'changes', 'aria-label': 'Knob changes' }),
      mine,
      mineTitle,
      mineBars,
      shippedBars,
      maps,
      mineNote,
    };
    const ui = this.#ui;
    root.append(
      el(
        'div',
        { class: 'wrap' },
        el(
          'div',
          { class: 'controls' },
          go,
          reset,
          el('label', {}, 'Learning rate', lr),
          el('label', {}, 'Batch size', batch),
        ),
        ui.engine,
        ui.error,
        el('div', { class: 'data' }, data, dataText),
        el('div', { class: 'stats' }, ...statList.map(([, , box]) => box)),
        ui.changes,
        ui.plots,
        el(
          'div',
          { class: 'kernels' },
          el(
            'h3',
            {},
            `The first layer’s ${CONV1_KERNELS.count} kernels, ${CONV1_KERNELS.size} × ${CONV1_KERNELS.size} each (red positive, blue negative)`,
          ),
          el('div', { class: 'grid' }, ...kernels),
        ),
        el('div', { class: 'actions' }, use, download),
        mine,
        ui.live,
      ),
    );
    this.dataset['state'] = 'idle';
  }

  #knob(what: string, apply: () => void): void {
    const before = what === 'learning rate' ? lrText(this.#lr) : String(this.#batchSize);
    apply();
    const after = what === 'learning rate' ? lrText(this.#lr) : String(this.#batchSize);
    const r = this.#run;
    if (r && before !== after) {
      this.#ui!.changes.append(
        el('li', {}, `At step ${fmt(r.steps)}: ${what} ${before} → ${after}.`),
      );
    }
  }

  #send(m: TrainerRequest): void {
    this.#run?.worker.postMessage(m);
  }

  #emit(state: TrainState['state']): void {
    const r = this.#run;
    this.dispatchEvent(
      new CustomEvent<TrainState>('rf-train', {
        bubbles: true,
        detail: {
          state,
          steps: r?.steps ?? 0,
          seen: r?.seen ?? 0,
          elapsedMs: r?.elapsedMs ?? 0,
          accuracy: r?.evals.at(-1)?.accuracy ?? null,
        },
      }),
    );
  }

  /**
   * What trains, and why: the backend asked for, or for auto WebGPU on a hardware adapter and
   * the processor otherwise (a software adapter, SwiftShader, trains slower than the core).
   */
  async #choose(): Promise<{ backend: 'cpu' | 'webgpu' | 'webgl'; why: string }> {
    if (this.#backend !== 'auto') return { backend: this.#backend, why: 'as this page asks' };
    const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    if (!gpu) return { backend: 'cpu', why: 'this browser offers no WebGPU' };
    const adapter = (await gpu.requestAdapter().catch(() => null)) as {
      info?: {
        vendor?: string;
        architecture?: string;
        description?: string;
        isFallbackAdapter?: boolean;
      };
    } | null;
    if (!adapter) return { backend: 'cpu', why: 'WebGPU found no graphics adapter here' };
    const info = adapter.info ?? {};
    const text = `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.description ?? ''}`;
    if (info.isFallbackAdapter || /swiftshader/i.test(text)) {
      return {
        backend: 'cpu',
        why: 'the only WebGPU adapter here is a software one (SwiftShader), slower than the processor path',
      };
    }
    return {
      backend: 'webgpu',
      why: `a hardware WebGPU adapter is here (${text.trim() || 'unnamed'})`,
    };
  }

  /** Starts a fresh run from random weights (the seed's). */
  train(): void {
    void this.#train();
  }

  async #train(): Promise<void> {
    if (this.#run || this.#starting) return;
    this.#starting = true;
    const choice = await this.#choose().finally(() => {
      this.#starting = false;
    });
    if (this.#run || !this.isConnected) return;
    const ui = this.#ui!;
    ui.error.hidden = true;
    let worker: Channel;
    try {
      worker =
        choice.backend === 'cpu'
          ? (new Worker(new URL('./digit-trainer-worker.js', import.meta.url), {
              type: 'module',
              name: 'rf-digit-trainer',
            }) as Channel)
          : await pageHost();
      if (choice.backend !== 'cpu') this.#usedTfjs = true;
    } catch (err) {
      this.#fail(`The trainer could not start: ${(err as Error).message}.`);
      return;
    }
    if (this.#run || !this.isConnected) {
      worker.terminate();
      return;
    }
    const run: Run = {
      worker,
      state: 'running',
      steps: 0,
      seen: 0,
      epoch: 1,
      lr: this.#lr,
      batchSize: this.#batchSize,
      elapsedMs: 0,
      rate: 0,
      chunksIn: 0,
      bytes: 0,
      losses: [],
      smooth: [],
      evals: [],
      pending: new Map(),
      nextId: 1,
      lastAnnounce: 0,
      conv1: null,
      why: '',
    };
    this.#run = run;
    worker.addEventListener('message', (e: MessageEvent<TrainerMessage>) => {
      if (this.#run === run) this.#onMessage(run, e.data);
    });
    worker.addEventListener('error', (e) => {
      if (this.#run === run)
        this.#fail(`The training worker failed: ${e.message || 'it could not start'}.`);
    });
    const options: TrainerOptions = {
      ...TRAINER_DEFAULTS,
      seed: this.#seed,
      lr: this.#lr,
      batchSize: this.#batchSize,
    };
    worker.postMessage({
      type: 'start',
      options,
      trainUrls: Array.from({ length: TRAIN_CHUNKS }, (_, i) => chunkUrl('train', i).href),
      testUrl: chunkUrl('test', 0).href,
      stopAfter: this.#stopAfter,
      evalEvery: this.#evalEvery,
      backend: choice.backend,
      threads: this.#threads === 'auto' ? autoThreads() : this.#threads,
    } satisfies TrainerRequest);
    run.why = choice.why;
    ui.engine.dataset['engine'] = choice.backend;
    ui.engine.textContent = `Starting ${ENGINE_WORDS[choice.backend]} (${this.#backend === 'auto' ? `auto chose it: ${choice.why}` : choice.why})…`;
    ui.go.textContent = 'Pause';
    ui.reset.disabled = false;
    ui.use.disabled = false;
    ui.download.disabled = false;
    this.dataset['state'] = 'running';
    ui.live.textContent = 'Training started from random weights.';
    this.#emit('running');
    void this.#ensurePlots();
  }

  /** Pauses the run (the worker keeps its weights). */
  pause(): void {
    const r = this.#run;
    if (r?.state !== 'running') return;
    this.#send({ type: 'pause' });
  }

  /** Continues a paused run where it stopped; `stopAfter` sets a new step to pause at. */
  resume(stopAfter?: number | null): void {
    const r = this.#run;
    if (r?.state !== 'paused') return;
    if (stopAfter !== undefined) this.#stopAfter = stopAfter;
    r.state = 'running';
    this.#send({ type: 'resume', stopAfter: this.#stopAfter });
    this.#ui!.go.textContent = 'Pause';
    this.dataset['state'] = 'running';
    this.#ui!.live.textContent = 'Training resumed.';
    this.#emit('running');
  }

  /** Ends the run and frees its worker; the next Train starts again from random weights. */
  reset(): void {
    this.#stop();
    const ui = this.#ui!;
    ui.go.textContent = 'Train';
    ui.reset.disabled = true;
    ui.use.disabled = true;
    ui.download.disabled = true;
    ui.changes.replaceChildren();
    for (const v of Object.values(ui.stats)) v.textContent = '–';
    ui.data.value = 0;
    ui.dataText.textContent = `The ${fmt(TRAIN_COUNT)} training digits download as the training runs.`;
    ui.engine.textContent = 'Reset: press Train to start again from random weights.';
    for (const c of ui.kernels) c.getContext('2d')?.clearRect(0, 0, c.width, c.height);
    this.#dropMyModel();
    ui.mine.hidden = true;
    for (const p of this.#plots) p.setData([[], [], []] as unknown as uPlot.AlignedData);
    this.dataset['state'] = 'idle';
    ui.live.textContent = 'Reset.';
    this.#emit('reset');
  }

  #stop(): void {
    const r = this.#run;
    if (!r) return;
    r.worker.terminate();
    for (const resolve of r.pending.values())
      resolve({
        type: 'weights',
        id: 0,
        steps: r.steps,
        elapsedMs: r.elapsedMs,
        json: null as unknown as ModelJSON,
      });
    this.#run = null;
    clearTimeout(this.#raf);
    this.#raf = 0;
  }

  /**
   * The weights as they are now (the worker sends a copy between two steps).
   * @throws {Error} when no run is under way.
   */
  async weights(): Promise<{ steps: number; elapsedMs: number; json: ModelJSON }> {
    const r = this.#run;
    if (!r) throw new Error(`<${TAG}>: no training run; press Train first`);
    const id = r.nextId++;
    const m = await new Promise<Extract<TrainerMessage, { type: 'weights' }>>((resolve) => {
      r.pending.set(id, resolve);
      r.worker.postMessage({ type: 'weights', id } satisfies TrainerRequest);
    });
    if (!m.json) throw new Error(`<${TAG}>: the run was reset`);
    return { steps: m.steps, elapsedMs: m.elapsedMs, json: m.json };
  }

  /** The run's weights as a core model (a copy: training goes on in the worker). */
  async model(): Promise<SequentialModel> {
    return modelFromJSON((await this.weights()).json);
  }

  /** Switches the pad's answer to the reader's model as it is now (clearly labelled as theirs). */
  async useMyModel(): Promise<SequentialModel> {
    const w = await this.weights();
    const m = modelFromJSON(w.json);
    this.#mine = m;
    this.#mineSteps = w.steps;
    const ui = this.#ui!;
    ui.mine.hidden = false;
    const acc = this.#run?.evals.at(-1)?.accuracy;
    ui.mineTitle.textContent = `Your model, as it was after ${fmt(w.steps)} steps${acc === undefined ? '' : ` (${(acc * 100).toFixed(1)}% on 1,000 test digits)`}`;
    ui.mineNote.textContent = this.#for
      ? 'It answers the digit pad above, in the comparison beside the shipped CNN and in the feature maps that follow the pad. Press Use my model again to take a newer copy.'
      : 'No digit pad is linked to this figure (set for="pad").';
    if (this.#for) {
      publishModel(this.#for, {
        model: m,
        title: 'Your model',
        facts: `Trained in this page for ${fmt(w.steps)} steps${acc === undefined ? '' : `; ${(acc * 100).toFixed(1)}% on 1,000 test digits`}`,
      });
    }
    this.dataset['mine'] = String(w.steps);
    this.#answer();
    ui.live.textContent = `Your model, after ${fmt(w.steps)} steps, now answers the digit pad.`;
    this.dispatchEvent(
      new CustomEvent('rf-use-model', { bubbles: true, detail: { steps: w.steps } }),
    );
    return m;
  }

  /** Forgets the reader's model here and in the figures it was handed to. */
  #dropMyModel(): void {
    if (this.#mine && this.#for) publishModel(this.#for, null);
    this.#mine = null;
    delete this.dataset['mine'];
  }

  /**
   * What tfjs holds on the page now (tensors, bytes), or null when this figure never loaded tfjs
   * (the CPU path trains in a worker). After the figure leaves the page, its tensors are gone.
   */
  async gpuMemory(): Promise<{ tensors: number; bytes: number } | null> {
    if (!this.#usedTfjs) return null;
    const { tfMemory } = await import('@receptive/core/tfjs');
    return tfMemory();
  }

  /** The reader's model (as it is now) as ONNX bytes, by @receptive/onnx; also saved as a file. */
  async downloadOnnx(save = true): Promise<Uint8Array> {
    const w = await this.weights();
    const [{ toOnnx }] = await Promise.all([import('@receptive/onnx')]);
    const bytes = toOnnx(modelFromJSON(w.json), {
      docString: `The lecture's two-block digit CNN, trained in a browser for ${w.steps} steps (seed ${this.#seed}).`,
      metadata: {
        'receptive.trainer.steps': String(w.steps),
        'receptive.trainer.seed': String(this.#seed),
      },
    });
    if (save) {
      const url = URL.createObjectURL(
        new Blob([bytes as BlobPart], { type: 'application/octet-stream' }),
      );
      const a = el('a', { href: url, download: `my-digit-cnn-${w.steps}-steps.onnx` });
      this.#root!.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      this.#ui!.live.textContent =
        `Saved your model after ${fmt(w.steps)} steps as ONNX (${fmt(bytes.length)} bytes).`;
    }
    return bytes;
  }

  /** The digit of the pad the reader's model answers (784 grey levels), or null. */
  get padDigit(): Float32Array | null {
    return this.#lastDigit;
  }

  /**
   * The probabilities the reader's model (as taken by "Use my model") gives `pixels`, by default
   * the pad's digit; null when either is missing.
   */
  myAnswer(pixels: Float32Array | null = this.#lastDigit): number[] | null {
    if (!this.#mine || !pixels) return null;
    return Array.from(this.#mine.forward(tensor(pixels, [1, 1, 28, 28])).data);
  }

  #answer(): void {
    const ui = this.#ui;
    if (!ui || !this.#mine) return;
    const bars = (list: HTMLElement, p: number[] | null) => {
      if (list.children.length !== 10) list.replaceChildren(...barItems());
      let top = -1;
      if (p) for (let d = 0; d < 10; d++) if (top < 0 || p[d]! > p[top]!) top = d;
      showBars(list.children, p, top);
      if (top >= 0) list.dataset['prediction'] = String(top);
      else delete list.dataset['prediction'];
    };
    const p = this.myAnswer();
    bars(ui.mineBars, p);
    bars(ui.shippedBars, this.#shipped);
    ui.maps.replaceChildren();
    if (!p || !this.#lastDigit) return;
    const a = this.#mine.forwardAll(tensor(this.#lastDigit, [1, 1, 28, 28]), 'relu1').activations[
      'relu1'
    ]!;
    const [, c, h, w] = a.shape as [number, number, number, number];
    let max = 0;
    for (const v of a.data) max = Math.max(max, v);
    for (let k = 0; k < c; k++) {
      const cv = el('canvas', {
        width: w,
        height: h,
        role: 'img',
        'aria-label': `Feature map ${k + 1} after conv1 and ReLU`,
      }) as HTMLCanvasElement;
      const ctx = cv.getContext('2d');
      if (ctx) {
        const img = ctx.createImageData(w, h);
        for (let i = 0; i < h * w; i++) {
          const v = max > 0 ? a.data[k * h * w + i]! / max : 0;
          const m = /rgb\((\d+) (\d+) (\d+)\)/.exec(inkColor(v).bg)!;
          img.data.set([Number(m[1]), Number(m[2]), Number(m[3]), 255], i * 4);
        }
        ctx.putImageData(img, 0, 0);
      }
      ui.maps.append(cv);
    }
    this.dataset['myPrediction'] = String(p.indexOf(Math.max(...p)));
    void this.#mineSteps;
  }

  #fail(message: string): void {
    this.#stop();
    const ui = this.#ui!;
    ui.error.hidden = false;
    ui.error.textContent = message;
    ui.go.textContent = 'Train';
    this.dataset['state'] = 'error';
  }

  #onMessage(run: Run, m: TrainerMessage): void {
    const ui = this.#ui!;
    if (m.type === 'engine') {
      ui.engine.dataset['engine'] = m.backend;
      if (m.backend === 'cpu') ui.engine.dataset['kernels'] = m.scalarReason ? 'scalar' : 'simd';
      const threads = m.threads ?? 1;
      if (m.backend === 'cpu') ui.engine.dataset['threads'] = String(threads);
      const split =
        m.backend !== 'cpu'
          ? ''
          : threads > 1
            ? ` Each batch is split across ${threads} threads (this browser reports ${navigator.hardwareConcurrency || '?'} cores).`
            : m.threadsReason
              ? ` It trains on one thread: ${m.threadsReason}.`
              : '';
      const kernels =
        (m.backend !== 'cpu'
          ? ''
          : m.scalarReason
            ? ` Its plain JavaScript loops run, not its WebAssembly SIMD kernels: ${m.scalarReason}.`
            : ' Its WebAssembly SIMD kernels run the convolutions and the matrix products.') +
        split;
      if (m.lost) {
        // The GPU went mid-run: the run goes on here, from the last weights copied back.
        const { backend, reason, steps, from } = m.lost;
        run.why = `the GPU stopped at step ${fmt(steps)} (${backend}: ${reason}), so the run goes on from the weights of step ${fmt(from)}`;
        ui.live.textContent = `The GPU stopped; training goes on with @receptive/core on the processor, from step ${fmt(from)}.`;
        this.dataset['gpuLost'] = reason;
      }
      // After a loss the core runs where tfjs ran: on the page, in slices of about 30 ms.
      const words = m.lost
        ? 'on your processor (@receptive/core on this page, in slices of about 30 ms)'
        : (ENGINE_WORDS[m.backend] ?? m.backend);
      ui.engine.textContent = `Training ${words}; ${m.lost ? run.why : this.#backend === 'auto' ? `auto chose it: ${run.why}` : run.why}.${kernels}`;
    } else if (m.type === 'chunk') {
      run.chunksIn = m.chunksIn;
      run.bytes = m.bytes;
      ui.data.value = m.chunksIn;
      ui.dataText.textContent =
        m.chunksIn === TRAIN_CHUNKS
          ? `All ${fmt(TRAIN_COUNT)} training digits are in (${(m.bytes / 1e6).toFixed(1)} MB downloaded).`
          : `${fmt(m.chunksIn * 1000)} of ${fmt(TRAIN_COUNT)} training digits in (${(m.bytes / 1e6).toFixed(1)} MB); training goes on meanwhile.`;
    } else if (m.type === 'progress') {
      run.steps = m.steps;
      run.seen = m.seen;
      run.epoch = m.epoch;
      run.lr = m.lr;
      run.batchSize = m.batchSize;
      run.elapsedMs = m.elapsedMs;
      run.rate = m.rate;
      run.conv1 = m.conv1;
      for (const l of m.losses) {
        run.losses.push(l);
        const from = Math.max(0, run.losses.length - 50);
        let s = 0;
        for (let i = from; i < run.losses.length; i++) s += run.losses[i]!;
        run.smooth.push(s / (run.losses.length - from));
      }
      if (m.waiting && run.state === 'running')
        ui.dataText.textContent = `Waiting for chunk ${run.chunksIn + 1} of the training digits…`;
      this.#schedule();
    } else if (m.type === 'eval') {
      run.evals.push({
        steps: m.steps,
        seen: m.seen,
        elapsedMs: m.elapsedMs,
        accuracy: m.accuracy,
      });
      this.#schedule();
      if (performance.now() - run.lastAnnounce > 10_000) {
        run.lastAnnounce = performance.now();
        ui.live.textContent = `After ${fmt(m.steps)} steps: ${(m.accuracy * 100).toFixed(1)}% of 1,000 test digits right.`;
      }
    } else if (m.type === 'paused') {
      run.state = 'paused';
      ui.go.textContent = 'Resume';
      this.dataset['state'] = 'paused';
      ui.live.textContent = `Paused after ${fmt(m.steps)} steps.`;
      this.#schedule();
      this.#emit('paused');
    } else if (m.type === 'weights') {
      run.pending.get(m.id)?.(m);
      run.pending.delete(m.id);
    } else if (m.type === 'error') {
      this.#fail(`Training stopped: ${m.message}.`);
    }
  }

  // The figure redraws at most four times a second, in an animation frame, whatever the
  // worker's pace: text, kernels and plots change little in less, and the main thread stays free.
  #lastDraw = 0;
  #schedule(): void {
    if (this.#raf) return;
    const wait = Math.max(0, 250 - (performance.now() - this.#lastDraw));
    this.#raf = window.setTimeout(() => {
      requestAnimationFrame(() => {
        this.#raf = 0;
        this.#lastDraw = performance.now();
        this.#draw();
      });
    }, wait);
  }

  #draw(): void {
    const r = this.#run;
    const ui = this.#ui;
    if (!r || !ui) return;
    const s = ui.stats;
    s['elapsed']!.textContent = clock(r.elapsedMs);
    s['steps']!.textContent = fmt(r.steps);
    s['seen']!.textContent = `${fmt(r.seen)} (pass ${r.epoch})`;
    s['rate']!.textContent = r.state === 'running' ? fmt(Math.round(r.rate)) : '–';
    s['loss']!.textContent = r.smooth.length ? r.smooth.at(-1)!.toFixed(3) : '–';
    const last = r.evals.at(-1);
    s['accuracy']!.textContent = last ? `${(last.accuracy * 100).toFixed(1)}%` : '–';
    s['lr']!.textContent = `${r.lr.toExponential(1)} (batch ${r.batchSize})`;
    this.dataset['steps'] = String(r.steps);
    if (r.conv1) this.#drawKernels(r.conv1.weight);
    void this.#ensurePlots().then(() => this.#setPlotData());
  }

  #drawKernels(w: Float32Array): void {
    let max = 0;
    for (const v of w) max = Math.max(max, Math.abs(v));
    this.#ui!.kernels.forEach((c, k) => {
      const ctx = c.getContext('2d');
      if (!ctx) return;
      const n = CONV1_KERNELS.size;
      const img = ctx.createImageData(n, n);
      for (let i = 0; i < n * n; i++) {
        const m = /rgb\((\d+) (\d+) (\d+)\)/.exec(signedColor(w[k * n * n + i]!, max).bg)!;
        img.data.set([Number(m[1]), Number(m[2]), Number(m[3]), 255], i * 4);
      }
      ctx.putImageData(img, 0, 0);
    });
  }

  #setPlotData(): void {
    const r = this.#run;
    if (!r || this.#plots.length !== 2) return;
    // The loss of every step is kept; the plot draws at most ~600 points of it.
    const n = r.losses.length;
    const every = Math.max(1, Math.ceil(n / 600));
    const xs: number[] = [];
    const raw: number[] = [];
    const smooth: number[] = [];
    for (let i = every - 1; i < n; i += every) {
      xs.push(i + 1);
      raw.push(r.losses[i]!);
      smooth.push(r.smooth[i]!);
    }
    this.#plots[0]!.setData([xs, raw, smooth]);
    this.#plots[1]!.setData([
      r.evals.map((e) => e.steps),
      r.evals.map((e) => e.accuracy * 100),
    ] as uPlot.AlignedData);
  }

  /** uPlot loads with the first run, not with the element. */
  #ensurePlots(): Promise<void> {
    this.#plotting ??= (async () => {
      const { default: UPlot } = await import('uplot');
      const ui = this.#ui!;
      const boxes = [
        'Training loss (cross entropy) per step',
        'Accuracy on 1,000 test digits (%) against steps',
      ].map((t, i) =>
        el(
          'figure',
          { class: 'plot', 'data-plot': i === 0 ? 'loss' : 'accuracy' },
          el('h3', {}, t),
        ),
      );
      ui.plots.replaceChildren(...boxes);
      const axis = { stroke: THEME.muted, grid: { stroke: '#e4e1da' } };
      const width = (b: HTMLElement) => Math.max(220, b.clientWidth || 300);
      this.#plots = [
        new UPlot(
          {
            width: width(boxes[0]!),
            height: 180,
            legend: { show: false },
            cursor: { show: false },
            scales: {
              x: { time: false },
              y: { range: (_u, _min, max) => [0, Math.min(Math.max(max, 0.5), 3)] },
            },
            axes: [axis, { ...axis, size: 44 }],
            series: [
              { label: 'step' },
              { label: 'loss of the batch', stroke: '#b8b3a9', width: 1, points: { show: false } },
              {
                label: 'mean of the last 50',
                stroke: '#0072b2',
                width: 2,
                points: { show: false },
              },
            ],
          },
          [[], [], []],
          boxes[0]!,
        ),
        new UPlot(
          {
            width: width(boxes[1]!),
            height: 180,
            legend: { show: false },
            cursor: { show: false },
            scales: { x: { time: false }, y: { range: [0, 100] } },
            axes: [axis, { ...axis, size: 44 }],
            series: [
              { label: 'step' },
              { label: 'test accuracy', stroke: '#d55e00', width: 2, points: { size: 5 } },
            ],
          },
          [[], []],
          boxes[1]!,
        ),
      ];
      for (const p of this.#plots) p.root.setAttribute('aria-hidden', 'true');
    })();
    return this.#plotting;
  }
}
