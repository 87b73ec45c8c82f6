import { type ShiftProtocol, shiftPairs } from '@receptive/core';
import {
  DIGIT_SETS,
  type ModelCard,
  type ModelName,
  modelBytes,
  modelCard,
} from '@receptive/models';
import type uPlot from 'uplot';
import { el, pageUrl, shadow } from './dom.js';
import { figureElement } from './figure-element.js';
import { testChunk } from './held-out.js';
import { SHIFT_MEASURE_SPEC, TEST_DIGITS } from './shift-measure.spec.js';
import { gridShifts, type ShiftSummary, summarize } from './shift-measure-model.js';
import type { Engine, MeasureMessage, MeasureRequest } from './shift-measure-worker.js';
import { BASE_CSS, themeColor } from './theme.js';
import { UPLOT_CSS } from './uplot-css.js';

/** Shifts from -4 to +4 px in x and y: the range of the cards' accuracy curves. */
const RANGE = 4;
/** Digits per run: small enough that progress moves and the figure fills in early. */
const BATCH = 250;
const ALL = TEST_DIGITS;

export { SHIFT_MEASURE_SPEC };

/** Series colours (Okabe-Ito, distinguishable with colour blindness), one per model. */
const COLORS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00'];

// uPlot's cursor and selection, from its stylesheet.
const CSS = `${BASE_CSS}${UPLOT_CSS}
.u-select { background: rgba(0,0,0,0.07); position: absolute; pointer-events: none; }
.u-cursor-x, .u-cursor-y { position: absolute; left: 0; top: 0; pointer-events: none; }
.u-hz .u-cursor-x { height: 100%; border-right: 1px dashed #607d8b; }
.u-hz .u-cursor-y { width: 100%; border-bottom: 1px dashed #607d8b; }
.u-cursor-pt { position: absolute; top: 0; left: 0; border-radius: 50%; border: 0 solid; pointer-events: none; background-clip: padding-box !important; }
.u-axis.u-off, .u-select.u-off, .u-cursor-x.u-off, .u-cursor-y.u-off, .u-cursor-pt.u-off { display: none; }
.controls { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; margin: 0.4rem 0; }
.status { display: grid; gap: 0.2rem; margin: 0.4rem 0; font-size: 0.9em; }
.status progress { width: 100%; height: 0.9rem; }
.status[hidden] { display: none; }
.engine, .note { margin: 0.2rem 0; font-size: 0.85em; color: var(--rf-muted); }
.error { color: var(--rf-error); font-weight: 600; }
.plots { display: grid; grid-template-columns: repeat(auto-fit, minmax(17rem, 1fr)); gap: 0.8rem; margin: 0.6rem 0; }
.plot { min-width: 0; overflow: hidden; }
.plot h3, .key h3 { font-size: 0.9em; margin: 0 0 0.2rem; font-weight: 600; }
.key { display: flex; flex-wrap: wrap; gap: 0.3rem 1rem; font-size: 0.85em; margin: 0.2rem 0; }
.key span { display: inline-flex; align-items: center; gap: 0.35em; }
.swatch { display: inline-block; width: 1.6em; height: 0; border-top: 3px solid; }
.swatch.card { border-top-style: dashed; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 0.85em; margin: 0.4rem 0; }
caption { text-align: left; color: var(--rf-muted); font-size: 0.95em; padding-bottom: 0.2rem; }
th, td { text-align: right; padding: 0.15rem 0.6rem 0.15rem 0; border-bottom: 1px solid var(--rf-line); }
th:first-child { text-align: left; }
.scroll { overflow-x: auto; max-width: 100%; }
details { margin: 0.4rem 0; }
summary { cursor: pointer; }
`;

/** "97.4%": accuracies and consistencies to a tenth of a percent. */
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const fmt = (n: number) => n.toLocaleString('en-US');
const seconds = (ms: number) =>
  ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;

const ENGINE_WORDS: Record<string, string> = {
  wasm: 'on your processor (onnxruntime-web, WebAssembly)',
  webgpu: 'on your graphics card (onnxruntime-web, WebGPU)',
};

interface Run {
  /** One worker per model, side by side on their own cores. */
  workers: Worker[];
  count: number;
  labels: Uint8Array;
  pairs: Int8Array;
  top1: Uint8Array[];
  /** Digits finished by every model at every shift. */
  done: number;
  /** Runs finished per batch start, to know when a batch is complete. */
  perStart: Map<number, number>;
  engines: Engine[];
  elapsedMs: number;
  /** Runs (a block of digits at one shift through one model) finished, of `total`. */
  runs: number;
  total: number;
  lastQuarter: number;
}

/** `event.detail` of `rf-measured`. */
export interface ShiftMeasured {
  /** Digits finished by every model at every shift. */
  digits: number;
  /** Digits asked for: the row length of `top1`. */
  count: number;
  complete: boolean;
  elapsedMs: number;
  results: {
    model: string;
    backend: string;
    fallbackReason: string | null;
    summary: ShiftSummary;
    /**
     * The top-1 class of every digit at every shift: `top1[shiftIndex * count + digit]`
     * (`shiftIndex` dy-major from -4; only the first `digits` of each row are final when cancelled).
     */
    top1: Uint8Array;
  }[];
}

/**
 * `<rf-shift-measure wasm-paths="/ort/">`: see {@link SHIFT_MEASURE_SPEC}. Nothing loads until
 * the reader presses Measure: then the model files (shared with the page's other figures), the
 * test digits (1,000 per chunk) and, in the worker, onnxruntime-web; uPlot, for the plot, only
 * when the first numbers arrive.
 */
export class ShiftMeasure extends figureElement(SHIFT_MEASURE_SPEC) {
  #root: ShadowRoot | null = null;
  #cards: (ModelCard | null)[] = [];
  #run: Run | null = null;
  #last: ShiftMeasured | null = null;
  /** Milliseconds per digit (every model, every shift) of the last finished run. */
  #msPerDigit: number | null = null;
  #plots: uPlot[] = [];
  #resize: ResizeObserver | null = null;
  #ui: {
    measure: HTMLButtonElement;
    all: HTMLButtonElement;
    cancel: HTMLButtonElement;
    status: HTMLElement;
    bar: HTMLProgressElement;
    text: HTMLElement;
    engine: HTMLElement;
    error: HTMLElement;
    live: HTMLElement;
    plots: HTMLElement;
    key: HTMLElement;
    summary: HTMLElement;
    table: HTMLElement;
  } | null = null;

  /** The numbers of the last run that ended (finished or cancelled), or null. */
  get result(): ShiftMeasured | null {
    return this.#last;
  }

  protected override changed(property: string): void {
    if (property === 'models' && this.#root && !this.#run) this.#build();
    if (property === 'digits' && this.#ui && !this.#run) this.#labelButtons();
  }

  protected override connected(): void {
    if (!this.#root) {
      this.#root = shadow(this, CSS);
      this.#build();
    }
  }

  protected override disconnected(): void {
    this.cancel();
    this.#resize?.disconnect();
    this.#resize = null;
    this.#scheme?.removeEventListener('change', this.#redraw);
    this.#scheme = null;
  }

  #build(): void {
    const root = this.#root!;
    root.querySelector('.wrap')?.remove();
    for (const p of this.#plots) p.destroy();
    this.#plots = [];
    const measure = el('button', { type: 'button', class: 'measure' }) as HTMLButtonElement;
    const all = el('button', { type: 'button', class: 'all' }) as HTMLButtonElement;
    const cancel = el('button', { type: 'button', class: 'cancel', disabled: true }, 'Cancel');
    measure.addEventListener('click', () => void this.measure());
    all.addEventListener('click', () => void this.measure(ALL));
    cancel.addEventListener('click', () => this.cancel());
    const bar = el('progress', { max: 1, value: 0, 'aria-label': 'Measurement progress' });
    const text = el('span', { class: 'progress-text' });
    const status = el('div', { class: 'status', hidden: true }, bar, text);
    const engine = el('p', { class: 'engine', 'data-engine': '' });
    const error = el('p', { class: 'error', role: 'alert', hidden: true });
    const live = this.live;
    const key = el('div', { class: 'key', 'aria-hidden': 'true' });
    const plots = el('div', { class: 'plots' });
    // Tables wider than a phone scroll sideways; a focusable region lets keyboards scroll them.
    const scroller = (label: string, mark: string) =>
      el('div', { class: 'scroll', [mark]: '', tabindex: 0, role: 'region', 'aria-label': label });
    const summary = scroller(
      'Shift consistency and accuracy, measured and from the cards',
      'data-summary',
    );
    const table = scroller('Accuracy at every shift, measured and from the cards', 'data-table');
    this.#ui = {
      measure,
      all,
      cancel: cancel as HTMLButtonElement,
      status,
      bar: bar as HTMLProgressElement,
      text,
      engine,
      error,
      live,
      plots,
      key,
      summary,
      table,
    };
    root.append(
      el(
        'div',
        { class: 'wrap' },
        el('div', { class: 'controls' }, measure, all, cancel),
        status,
        engine,
        error,
        live,
        key,
        plots,
        summary,
        el(
          'details',
          {},
          el('summary', {}, 'Accuracy at every shift along x and y, as a table'),
          table,
        ),
      ),
    );
    this.#labelButtons();
    this.dataset['state'] = 'idle';
    // The cards' numbers show before anything is measured: they are small JSON files.
    void Promise.allSettled(this.models.map((m) => modelCard(m))).then((cards) => {
      this.#cards = cards.map((c) => (c.status === 'fulfilled' ? c.value : null));
      const failed = cards.findIndex((c) => c.status === 'rejected');
      if (failed >= 0) {
        this.#showError(
          `The model card of ${this.models[failed]} could not be loaded: ${((cards[failed] as PromiseRejectedResult).reason as Error).message}.`,
        );
      }
      this.#render();
    });
    engine.textContent = `Press Measure to run ${this.models.length === 1 ? 'the model' : `both models`} in this page.`;
  }

  #labelButtons(): void {
    const ui = this.#ui!;
    ui.measure.textContent = `Measure ${fmt(this.digits)} test digits`;
    const estimate = this.#msPerDigit
      ? ` (about ${seconds(this.#msPerDigit * ALL)} at this page's measured rate)`
      : ' (about 10 times as long)';
    ui.all.textContent = `Read all ${fmt(ALL)}${estimate}`;
    ui.all.hidden = this.digits >= ALL;
  }

  #showError(message: string): void {
    const ui = this.#ui!;
    ui.error.hidden = false;
    ui.error.textContent = message;
    this.dataset['error'] = message;
  }

  /** Stops a run in progress; the numbers of the digits it finished stay. */
  cancel(): void {
    const run = this.#run;
    if (!run) return;
    for (const w of run.workers) w.terminate();
    this.#run = null;
    this.#finish(run, false);
    this.#ui!.live.textContent = `Cancelled after ${fmt(run.done)} of ${fmt(run.count)} digits.`;
  }

  /**
   * Measures the first `count` test digits (default: the `digits` attribute) at every shift.
   * @returns when the run ends (finished, cancelled or failed).
   */
  async measure(count = this.digits): Promise<void> {
    if (this.#run) return;
    const ui = this.#ui!;
    ui.error.hidden = true;
    delete this.dataset['error'];
    ui.measure.disabled = true;
    ui.all.disabled = true;
    ui.cancel.disabled = false;
    ui.status.hidden = false;
    ui.bar.removeAttribute('value');
    this.dataset['state'] = 'loading';
    const set = (t: string) => {
      ui.text.textContent = t;
    };
    set('Downloading the models and the test digits…');
    ui.live.textContent = `Measuring ${fmt(count)} digits: downloading the models and digits.`;
    const workers = this.models.map(
      (name) =>
        new Worker(new URL('./shift-measure-worker.js', import.meta.url), {
          type: 'module',
          name: `rf-shift-measure ${name}`,
        }),
    );
    const run: Run = {
      workers,
      count,
      labels: new Uint8Array(count),
      pairs: new Int8Array(0),
      top1: [],
      done: 0,
      perStart: new Map(),
      engines: [],
      elapsedMs: 0,
      runs: 0,
      total: Math.ceil(count / BATCH) * gridShifts(RANGE).length * this.models.length,
      lastQuarter: 0,
    };
    this.#run = run;
    let pixels: Float32Array;
    let models: { name: string; bytes: Uint8Array }[];
    try {
      const chunks = Math.ceil(count / DIGIT_SETS.test.chunkSize);
      const [bytes, digits] = await Promise.all([
        Promise.all(this.models.map((m) => modelBytes(m))),
        Promise.all(Array.from({ length: chunks }, (_, i) => testChunk(i))),
      ]);
      if (this.#run !== run) return;
      pixels = new Float32Array(count * 784);
      for (const [i, d] of digits.entries()) {
        const first = i * DIGIT_SETS.test.chunkSize;
        const n = Math.min(d.count, count - first);
        pixels.set(d.pixels.subarray(0, n * 784), first * 784);
        run.labels.set(d.labels.subarray(0, n), first);
      }
      // The workers take their own copies: the page keeps the shared bytes for other figures.
      models = this.models.map((name, i) => ({ name, bytes: bytes[i]!.slice() }));
    } catch (err) {
      if (this.#run !== run) return;
      this.#fail(run, `${(err as Error).message}.`);
      return;
    }
    const cards = await Promise.all(this.models.map((m) => modelCard(m).catch(() => null)));
    const protocol = protocolOf(cards);
    run.pairs = shiftPairs(count, protocol);
    run.top1 = this.models.map(() => new Uint8Array(gridShifts(RANGE).length * count));
    const wasmPaths = pageUrl(this.wasmPaths);
    set('Starting the models in workers…');
    await new Promise<void>((resolve) => {
      let finished = 0;
      const elapsed = this.models.map(() => 0);
      workers.forEach((worker, w) => {
        worker.addEventListener('message', (e: MessageEvent<MeasureMessage>) => {
          if (this.#run !== run) return resolve();
          const m = e.data;
          if (m.type === 'loading') set(`${m.model}: ${m.message}`);
          else if (m.type === 'ready') {
            run.engines[w] = m.engines[0]!;
            if (run.engines.filter(Boolean).length === workers.length) {
              this.dataset['state'] = 'running';
              this.#showEngines(run.engines);
            }
          } else if (m.type === 'batch') {
            elapsed[w] = m.elapsedMs;
            run.elapsedMs = Math.max(...elapsed);
            this.#onBatch(run, w, m, protocol);
          } else if (m.type === 'done') {
            run.engines[w] = m.engines[0]!;
            elapsed[w] = m.elapsedMs;
            if (++finished < workers.length) return;
            run.elapsedMs = Math.max(...elapsed);
            run.done = count;
            this.#msPerDigit = run.elapsedMs / count;
            this.#run = null;
            this.#finish(run, true);
            ui.live.textContent = `Done: ${this.#sentence(run)}`;
            resolve();
          } else if (m.type === 'error') {
            this.#fail(run, `The measurement stopped: ${m.message}.`);
            resolve();
          }
        });
        worker.addEventListener('error', (e) => {
          if (this.#run !== run) return resolve();
          this.#fail(run, `The measurement worker failed: ${e.message || 'it could not start'}.`);
          resolve();
        });
        // Each worker gets its own copy of the digits; the last takes the original.
        const own = w === workers.length - 1 ? pixels : pixels.slice();
        const req: MeasureRequest = {
          type: 'run',
          models: [models[w]!],
          pixels: own,
          count,
          range: RANGE,
          batch: BATCH,
          backend: this.backend,
          ...(wasmPaths ? { wasmPaths } : {}),
        };
        worker.postMessage(req, [own.buffer, models[w]!.bytes.buffer]);
      });
    });
  }

  #onBatch(
    run: Run,
    model: number,
    m: Extract<MeasureMessage, { type: 'batch' }>,
    protocol: ShiftProtocol,
  ) {
    const ui = this.#ui!;
    run.top1[model]!.set(m.top1, m.shift * run.count + m.start);
    const backend = m.engines[0]!.backend;
    if (
      run.engines[model]?.backend !== backend ||
      run.engines[model]?.fallbackReason !== m.engines[0]!.fallbackReason
    ) {
      run.engines[model] = m.engines[0]!;
      this.#showEngines(run.engines);
    }
    run.runs++;
    ui.bar.max = run.total;
    ui.bar.value = run.runs;
    const perStart = (run.perStart.get(m.start) ?? 0) + 1;
    run.perStart.set(m.start, perStart);
    const shifts = gridShifts(RANGE).length;
    if (perStart === this.models.length * shifts) {
      // Every model has seen this block of digits at every shift: the figure takes them in.
      let done = 0;
      while (run.perStart.get(done) === this.models.length * shifts) done += BATCH;
      run.done = Math.min(run.count, done);
      this.#last = this.#result(run, false, protocol);
      this.#render();
    }
    const left = (run.elapsedMs / run.runs) * (run.total - run.runs);
    ui.text.textContent = `${fmt(run.done)} of ${fmt(run.count)} digits measured at all ${shifts} shifts by ${this.models.length === 1 ? 'the model' : this.models.length === 2 ? 'both models' : `all ${this.models.length} models`} (${Math.floor((100 * run.runs) / run.total)}%, about ${seconds(left)} left).`;
    const quarter = Math.floor((4 * run.runs) / run.total);
    if (quarter > run.lastQuarter && quarter < 4) {
      run.lastQuarter = quarter;
      ui.live.textContent = `${quarter * 25}% measured.`;
    }
  }

  #result(run: Run, complete: boolean, protocol = protocolOf(this.#cards)): ShiftMeasured {
    return {
      digits: run.done,
      count: run.count,
      complete,
      elapsedMs: run.elapsedMs,
      results: this.models.map((model, i) => ({
        model,
        backend: run.engines[i]?.backend ?? '',
        fallbackReason: run.engines[i]?.fallbackReason ?? null,
        summary: summarize(
          run.top1[i]!,
          run.labels,
          run.count,
          RANGE,
          protocol,
          run.done,
          run.pairs,
        ),
        top1: run.top1[i]!,
      })),
    };
  }

  #showEngines(engines: Engine[]): void {
    const ui = this.#ui!;
    const backends = [...new Set(engines.map((e) => e.backend))];
    const reasons = [
      ...new Set(engines.flatMap((e) => (e.fallbackReason ? [e.fallbackReason] : []))),
    ];
    ui.engine.dataset['engine'] = backends.join(' ');
    ui.engine.textContent = `Running in the background (Web Workers) ${backends.map((b) => ENGINE_WORDS[b] ?? b).join(' and ')}.${reasons.length ? ` Not on the graphics card: ${reasons.join('; ')}.` : ''}`;
    if (reasons.some((r) => /lost|failed while running/.test(r))) {
      ui.live.textContent = `The graphics card was lost; the rest runs on the processor (${reasons.join('; ')}).`;
    }
  }

  #sentence(run: Run): string {
    const r = this.#last!;
    const parts = r.results.map(
      (x) =>
        `${this.#title(x.model)}: consistency ${pct(x.summary.consistency)}, accuracy unshifted ${pct(x.summary.grid[gridShifts(RANGE).length >> 1]!)}`,
    );
    return `${fmt(run.done)} digits in ${seconds(run.elapsedMs)}. ${parts.join('; ')}.`;
  }

  #fail(run: Run, message: string): void {
    for (const w of run.workers) w.terminate();
    if (this.#run === run) this.#run = null;
    this.#showError(message);
    this.#finish(run, false);
  }

  #finish(run: Run, complete: boolean): void {
    const ui = this.#ui!;
    ui.measure.disabled = false;
    ui.all.disabled = false;
    ui.cancel.disabled = true;
    this.#labelButtons();
    if (run.done > 0) {
      this.#last = this.#result(run, complete);
      this.#render();
      this.dispatchEvent(
        new CustomEvent<ShiftMeasured>('rf-measured', { detail: this.#last, bubbles: true }),
      );
    }
    ui.bar.max = 1;
    ui.bar.value = complete ? 1 : 0;
    const engines = run.engines.length
      ? ` ${ui.engine.textContent?.replace(/^Running/, 'Ran')}`
      : '';
    ui.text.textContent = complete
      ? `Measured ${fmt(run.count)} digits at ${gridShifts(RANGE).length} shifts in ${seconds(run.elapsedMs)}.`
      : run.done > 0
        ? `Stopped after ${fmt(run.done)} of ${fmt(run.count)} digits; the numbers below are over those.`
        : 'Stopped before any digit was measured.';
    if (run.engines.length) ui.engine.textContent = engines.trim();
    this.dataset['state'] = complete ? 'done' : this.dataset['error'] ? 'error' : 'cancelled';
  }

  #title(name: string): string {
    return this.#cards[this.models.indexOf(name as ModelName)]?.title ?? name;
  }

  /** The summary table, the per-shift table and the plots, from the last result and the cards. */
  #render(): void {
    const ui = this.#ui;
    if (!ui) return;
    const r = this.#last;
    const measuredOf = (i: number) => r?.results[i]?.summary ?? null;
    const digits = r ? `${fmt(r.digits)} digits${r.complete ? '' : ', so far'}` : 'not yet run';
    // Consistency and accuracy: measured here beside the cards.
    const rows = this.models.map((name, i) => {
      const s = measuredOf(i);
      const c = this.#cards[i];
      const zero = s ? s.grid[gridShifts(RANGE).length >> 1]! : null;
      return el(
        'tr',
        { 'data-model': name },
        el('th', { scope: 'row' }, this.#title(name)),
        el('td', { 'data-measured': 'consistency' }, s ? pct(s.consistency) : '–'),
        el('td', { 'data-card': 'consistency' }, c ? pct(c.shift.consistency) : '–'),
        el('td', { 'data-measured': 'accuracy' }, zero === null ? '–' : pct(zero)),
        el('td', { 'data-card': 'accuracy' }, c ? pct(c.heldOut.accuracy) : '–'),
      );
    });
    const c0 = this.#cards.find((c) => c);
    ui.summary.replaceChildren(
      el(
        'table',
        {},
        el(
          'caption',
          {},
          `Shift consistency (two random shifts of up to ${protocolOf(this.#cards).maxShift} px, same answer) and accuracy unshifted: measured here (${digits}${r ? `, ${fmt(r.results[0]?.summary.pairs ?? 0)} pairs` : ''}) and in the model cards (${c0 ? `${fmt(c0.heldOut.total)} digits, ${fmt(c0.shift.pairs)} pairs` : 'loading'})`,
        ),
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            el('th', { scope: 'col' }, 'model'),
            el('th', { scope: 'col' }, 'consistency here'),
            el('th', { scope: 'col' }, 'card'),
            el('th', { scope: 'col' }, 'accuracy here'),
            el('th', { scope: 'col' }, 'card'),
          ),
        ),
        el('tbody', {}, ...rows),
      ),
    );
    // Accuracy at each shift along x and along y.
    const shifts = Array.from({ length: 2 * RANGE + 1 }, (_, k) => k - RANGE);
    const head = el('tr', {}, el('th', { scope: 'col' }, 'shift (px)'));
    for (const name of this.models) {
      for (const axis of ['x', 'y']) {
        head.append(
          el('th', { scope: 'col' }, `${this.#title(name)}, ${axis}: here`),
          el('th', { scope: 'col' }, 'card'),
        );
      }
    }
    const body = shifts.map((shift, k) => {
      const tr = el('tr', { 'data-shift': shift }, el('th', { scope: 'row' }, signed(shift)));
      this.models.forEach((_, i) => {
        const s = measuredOf(i);
        const c = this.#cards[i];
        for (const axis of ['Dx', 'Dy'] as const) {
          const here = s?.[`by${axis}`][k]?.accuracy;
          const card = c?.shift[`accuracyBy${axis}`].find((p) => p.shift === shift)?.accuracy;
          tr.append(
            el('td', { 'data-measured': axis.toLowerCase() }, here === undefined ? '–' : pct(here)),
            el('td', { 'data-card': axis.toLowerCase() }, card === undefined ? '–' : pct(card)),
          );
        }
      });
      return tr;
    });
    ui.table.replaceChildren(
      el(
        'table',
        {},
        el(
          'caption',
          {},
          `Accuracy with every digit moved along one axis: here (${digits}) and in the cards`,
        ),
        el('thead', {}, head),
        el('tbody', {}, ...body),
      ),
    );
    ui.key.replaceChildren(
      ...this.models.flatMap((name, i) => [
        el(
          'span',
          {},
          el('span', { class: 'swatch', style: `border-color: ${COLORS[i % COLORS.length]}` }),
          `${this.#title(name)}, here`,
        ),
        el(
          'span',
          {},
          el('span', { class: 'swatch card', style: `border-color: ${COLORS[i % COLORS.length]}` }),
          'card',
        ),
      ]),
    );
    void this.#drawPlots();
  }

  /** uPlot loads with the first plot to draw, not with the element. */
  async #drawPlots(rebuild = false): Promise<void> {
    const ui = this.#ui!;
    if (!this.#cards.some((c) => c) && !this.#last) return;
    const { default: UPlot } = await import('uplot');
    const xs = Array.from({ length: 2 * RANGE + 1 }, (_, k) => k - RANGE);
    // New numbers only: the plots keep their canvases and take the data (no layout, no rebuild).
    const update = !rebuild && this.#plots.length === 2;
    // Both boxes are in the grid before either is measured, so each gets its own column's width.
    const boxes = (['Dx', 'Dy'] as const).map((axis) =>
      el(
        'figure',
        { class: 'plot', 'data-axis': axis.toLowerCase() },
        el(
          'h3',
          {},
          `Accuracy (%) against ${axis === 'Dx' ? 'horizontal' : 'vertical'} shift (px)`,
        ),
      ),
    );
    if (!update) {
      for (const p of this.#plots) p.destroy();
      this.#plots = [];
      ui.plots.replaceChildren(...boxes);
    }
    // A canvas cannot read CSS: the axes take the page's colours (light or dark) as they are now.
    const muted = themeColor(this, '--rf-muted');
    const line = themeColor(this, '--rf-line');
    for (const [k, axis] of (['Dx', 'Dy'] as const).entries()) {
      const series: uPlot.Series[] = [{ label: 'shift (px)' }];
      const data: (number | null)[][] = [xs];
      this.models.forEach((name, i) => {
        const color = COLORS[i % COLORS.length]!;
        const s = this.#last?.results[i]?.summary;
        const c = this.#cards[i];
        series.push(
          { label: `${this.#title(name)}, here`, stroke: color, width: 2, points: { size: 6 } },
          {
            label: `${this.#title(name)}, card`,
            stroke: color,
            width: 1.5,
            dash: [5, 4],
            points: { show: false },
          },
        );
        data.push(
          xs.map((_, k) => (s ? s[`by${axis}`][k]!.accuracy * 100 : null)),
          xs.map((x) => {
            const a = c?.shift[`accuracyBy${axis}`].find((p) => p.shift === x)?.accuracy;
            return a === undefined ? null : a * 100;
          }),
        );
      });
      if (update) {
        this.#plots[k]!.setData(data as uPlot.AlignedData);
        continue;
      }
      const box = boxes[k]!;
      // The plot fills its grid column: one per row on phones, two side by side when wide.
      const width = Math.max(200, box.clientWidth);
      const plot = new UPlot(
        {
          width,
          height: 200,
          legend: { show: false },
          cursor: { show: false },
          scales: { x: { time: false } },
          axes: [
            {
              stroke: muted,
              grid: { stroke: line },
              splits: () => xs,
              values: (_u, v) => v.map(signed),
            },
            { stroke: muted, grid: { stroke: line }, size: 44 },
          ],
          series,
        },
        data as uPlot.AlignedData,
        box,
      );
      plot.root.setAttribute('aria-hidden', 'true');
      this.#plots.push(plot);
    }
    if (!this.#resize && typeof ResizeObserver !== 'undefined') {
      let w = ui.plots.clientWidth;
      this.#resize = new ResizeObserver(() => {
        if (Math.abs(ui.plots.clientWidth - w) < 8) return;
        w = ui.plots.clientWidth;
        void this.#drawPlots(true);
      });
      this.#resize.observe(ui.plots);
      // A switch between light and dark redraws the axes in the new colours.
      this.#scheme = window.matchMedia('(prefers-color-scheme: dark)');
      this.#scheme.addEventListener('change', this.#redraw);
    }
  }

  #scheme: MediaQueryList | null = null;
  readonly #redraw = () => void this.#drawPlots(true);
}

/** "+2", "0", "−3". */
const signed = (v: number) => (v > 0 ? `+${v}` : v < 0 ? `−${-v}` : '0');

/**
 * The cards' consistency protocol, read from the first card that loaded: its maxShift and seed,
 * and its draws per digit (pairs / digits). Without a card, the protocol `shiftReport` defaults to.
 */
function protocolOf(cards: readonly (ModelCard | null)[]): ShiftProtocol {
  const c = cards.find((x) => x);
  if (!c) return { maxShift: 3, draws: 5, seed: 7 };
  return {
    maxShift: c.shift.maxShift,
    seed: c.shift.seed,
    draws: Math.round(c.shift.pairs / c.heldOut.total),
  };
}
