import { type SequentialModel, saliency } from '@receptive/core';
import {
  coreModel,
  DIGIT_SETS,
  drawMark,
  MARK_ROW,
  MARK_SIZE,
  type ModelCard,
  markColumn,
  modelBytes,
  modelCard,
} from '@receptive/models';
import { el, shadow } from './dom.js';
import { figureElement } from './figure-element.js';
import { percent } from './format.js';
import { testDigit } from './held-out.js';
import { barList, showBars } from './model-answer.js';
import { BASE_CSS, colorKey } from './theme.js';
import { maxAbs, paintGrey, paintMapOver } from './vis-draw.js';
import { engineText, postVisJob } from './vis-job.js';
import { VIS_SHORTCUT_SPEC } from './vis-shortcut.spec.js';
import type { VisEngine, VisMessage } from './vis-worker.js';

const MODEL = 'cnn-shortcut';
const SCALE = 8;

/** Where the mark is: its top-left pixel; null for no mark. */
export type MarkPlace = { y: number; x: number } | null;

/** What the figure measured of `cnn-shortcut` on the test digits, by the card's protocol. */
export interface ShortcutMeasured {
  digits: number;
  complete: boolean;
  clean: number;
  marked: number;
  swapped: number;
  followsMark: number;
  elapsedMs: number;
  backend: string;
  /** Top-1 class of every digit measured, per test. */
  top1: { clean: Uint8Array; marked: Uint8Array; swapped: Uint8Array };
}

export { VIS_SHORTCUT_SPEC };

const CSS = `${BASE_CSS}
.row { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
.stage { position: relative; width: ${28 * SCALE}px; height: ${28 * SCALE}px; touch-action: none; cursor: grab; }
.stage canvas { width: 100%; height: 100%; image-rendering: pixelated; border: 1px solid var(--rf-line); display: block; }
.mark { position: absolute; padding: 0; min-height: 0; width: ${MARK_SIZE * SCALE}px; height: ${MARK_SIZE * SCALE}px;
  border: 3px solid var(--rf-highlight); background: transparent; border-radius: 2px; cursor: grab; }
.mark[hidden] { display: none; }
.sal canvas { width: 112px; height: 112px; image-rendering: pixelated; border: 1px solid var(--rf-line); display: block; }
.sal { margin: 0; max-width: 112px; }
.sal figcaption { font-size: 0.8em; color: var(--rf-muted); }
.left { max-width: ${28 * SCALE}px; }
ol { list-style: none; padding: 0; margin: 0; min-width: 10rem; }
li { display: grid; grid-template-columns: 1em 6rem 3em; gap: 0.3em; align-items: center; font-variant-numeric: tabular-nums; font-size: 0.8em; line-height: 1.3; }
.bar { display: block; height: 0.6em; background: var(--rf-panel); border-radius: 2px; overflow: hidden; }
.fill { display: block; height: 100%; width: 0; background: var(--rf-muted); }
li.top .fill { background: var(--rf-highlight); }
li.top { font-weight: 600; }
.tools { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; margin: 0.6rem 0; }
.answer { font-weight: 600; margin: 0.3rem 0; min-height: 1.3em; }
table { border-collapse: collapse; font-size: 0.85em; margin-top: 0.5rem; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--rf-line); padding: 0.25em 0.6em; text-align: left; }
td.n { text-align: right; }
.status { font-size: 0.85em; color: var(--rf-muted); min-height: 1.3em; margin: 0.3rem 0; }
progress { width: min(100%, 20rem); }
progress[hidden] { display: none; }
@media (max-width: 430px) { .stage { width: ${28 * 7}px; height: ${28 * 7}px; } .left { max-width: ${28 * 7}px; } .mark { width: 14px; height: 14px; } }
`;

/**
 * `<rf-vis-shortcut>`: see {@link VIS_SHORTCUT_SPEC}. The drag answers with the core on the page
 * (one digit, well under a frame); the three accuracies come from a worker.
 */
export class VisShortcut extends figureElement(VIS_SHORTCUT_SPEC) {
  // Only once on screen, not two screens ahead: the batch job downloads onnxruntime-web's wasm
  // (3.6 MB) and its worker, which a reader who never scrolls here should not pay for.
  protected override wakeMargin = '0px';
  #root: ShadowRoot | null = null;
  #model: SequentialModel | null = null;
  #pixels: Float32Array | null = null;
  #label = 0;
  #mark: MarkPlace = null;
  #started = false;
  #worker: Worker | null = null;
  #ui: {
    canvas: HTMLCanvasElement;
    stage: HTMLElement;
    mark: HTMLButtonElement;
    bars: HTMLElement[];
    sal: HTMLCanvasElement;
    answer: HTMLElement;
    place: HTMLSelectElement;
    status: HTMLElement;
    bar: HTMLProgressElement;
    cells: Record<string, HTMLElement>;
    digitText: HTMLElement;
  } | null = null;
  #probs: number[] = [];
  #saliency: Float32Array | null = null;
  #measured: ShortcutMeasured | null = null;
  /** Milliseconds of each answer to a move of the mark (model, saliency, drawing), newest last. */
  readonly updateTimes: number[] = [];

  /** Where the mark is now (top-left pixel), or null. */
  get mark(): MarkPlace {
    return this.#mark ? { ...this.#mark } : null;
  }
  set mark(m: MarkPlace) {
    this.#mark = m
      ? {
          y: Math.max(0, Math.min(28 - MARK_SIZE, Math.round(m.y))),
          x: Math.max(0, Math.min(28 - MARK_SIZE, Math.round(m.x))),
        }
      : null;
    this.#answer();
  }
  /** The test digit under the mark (784 values, no mark) and its label. */
  get pixels(): Float32Array | null {
    return this.#pixels;
  }
  get label(): number {
    return this.#label;
  }
  /** The model's probabilities for the digit with the mark where it is now. */
  get probs(): number[] {
    return this.#probs;
  }
  /** |∂ score / ∂ pixel| of the predicted class for that input (784 values). */
  get saliencyMap(): Float32Array | null {
    return this.#saliency;
  }
  /** The three accuracies so far (null before the first batch). */
  get measured(): ShortcutMeasured | null {
    return this.#measured;
  }

  protected override connected(): void {
    if (!this.#root) this.#build();
  }

  protected override disconnected(): void {
    this.#worker?.terminate();
    this.#worker = null;
  }

  protected override changed(property: string): void {
    if (property === 'digit' && this.#started) void this.#loadDigit();
    if (property === 'markAt' && this.#pixels) this.#placeMark();
  }

  /** Puts the mark where `mark` says, for the digit on the stage. */
  #placeMark(): void {
    const at = this.markAt;
    const place = at === 'own' ? this.#label : at === 'none' ? null : Number(at);
    this.mark = place === null ? null : { y: MARK_ROW, x: markColumn(place) };
  }

  protected override nearChanged(near: boolean): void {
    if (near && !this.#started) void this.#start();
  }

  #build(): void {
    const root = shadow(this, CSS);
    this.#root = root;
    const canvas = el('canvas', {
      role: 'img',
      'aria-label': 'The test digit with the mark',
    });
    const mark = el('button', {
      type: 'button',
      class: 'mark',
      'aria-label': 'The mark. Arrow keys move it.',
      'aria-describedby': 'answer',
    });
    const stage = el('div', { class: 'stage' }, canvas, mark);
    const sal = el('canvas', { role: 'img', 'aria-label': 'Saliency of the answer' });
    const { list, bars } = barList('Probability of each digit', true);
    const answer = el('p', { class: 'answer', id: 'answer' });
    const digitText = el('p', { class: 'status' });
    const place = el('select', { id: 'place' });
    for (let d = 0; d < 10; d++) place.append(el('option', { value: d }, `class ${d}`));
    place.addEventListener('change', () => {
      this.mark = { y: MARK_ROW, x: markColumn(Number(place.value)) };
    });
    const own = el('button', { type: 'button' }, 'Own class’s place');
    own.addEventListener('click', () => {
      this.mark = { y: MARK_ROW, x: markColumn(this.#label) };
    });
    const none = el('button', { type: 'button' }, 'Remove the mark');
    none.addEventListener('click', () => {
      this.mark = null;
    });
    const next = el('button', { type: 'button' }, 'Next test digit');
    next.addEventListener('click', () => {
      // Through the property: `changed` loads the digit once the figure has started.
      this.digit = (this.digit + 1) % 10000;
    });
    const cells: Record<string, HTMLElement> = {};
    const row = (key: string, text: string) => {
      cells[`${key}-here`] = el('td', { class: 'n', 'data-measured': key }, '–');
      cells[`${key}-card`] = el('td', { class: 'n', 'data-card': key }, '–');
      return el(
        'tr',
        {},
        el('th', { scope: 'row' }, text),
        cells[`${key}-here`]!,
        cells[`${key}-card`]!,
      );
    };
    const head = el('th', { scope: 'col', class: 'n' }, 'Measured here');
    const table = el(
      'table',
      {},
      el('caption', { class: 'caption' }, 'Accuracy of cnn-shortcut on the 10,000 test digits'),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', { scope: 'col' }, 'Test digits'),
          head,
          el('th', { scope: 'col', class: 'n' }, 'Model card'),
        ),
      ),
      el(
        'tbody',
        {},
        row('marked', 'each with its own class’s mark'),
        row('clean', 'without a mark'),
        row('swapped', 'with another class’s mark'),
        row('followsMark', '… answered as the mark’s class'),
      ),
    );
    const status = el(
      'p',
      { class: 'status' },
      'The measurement starts when this figure comes into view.',
    );
    const bar = el('progress', { max: 1, hidden: true, 'aria-label': 'Test digits measured' });
    this.#ui = {
      canvas,
      stage,
      mark,
      bars,
      sal,
      answer,
      place,
      status,
      bar,
      cells,
      digitText,
    };
    root.append(
      el(
        'div',
        { class: 'row' },
        el('div', { class: 'left' }, stage, answer, digitText),
        list,
        el(
          'figure',
          { class: 'sal' },
          el('figcaption', {}, 'Gradient saliency of the answer'),
          sal,
        ),
      ),
      el(
        'div',
        { class: 'tools' },
        own,
        none,
        el('label', { for: 'place' }, 'Put the mark at the place of '),
        place,
        next,
      ),
      colorKey('diverging', 'Saliency, scaled to its largest value', '', 'max'),
      bar,
      status,
      table,
      this.live,
    );
    this.#wireDrag(stage, mark);
  }

  #wireDrag(stage: HTMLElement, mark: HTMLButtonElement): void {
    const at = (e: PointerEvent) => {
      const r = stage.getBoundingClientRect();
      const cell = r.width / 28;
      return {
        y: Math.round((e.clientY - r.top) / cell - MARK_SIZE / 2),
        x: Math.round((e.clientX - r.left) / cell - MARK_SIZE / 2),
      };
    };
    let dragging = false;
    stage.addEventListener('pointerdown', (e) => {
      dragging = true;
      stage.setPointerCapture(e.pointerId);
      this.mark = at(e);
      e.preventDefault();
      mark.focus();
    });
    stage.addEventListener('pointermove', (e) => {
      if (dragging) this.mark = at(e);
    });
    const stop = () => {
      dragging = false;
    };
    stage.addEventListener('pointerup', stop);
    stage.addEventListener('pointercancel', stop);
    mark.addEventListener('keydown', (e) => {
      const m = this.#mark ?? { y: MARK_ROW, x: markColumn(this.#label) };
      const to: Record<string, [number, number]> = {
        ArrowUp: [-1, 0],
        ArrowDown: [1, 0],
        ArrowLeft: [0, -1],
        ArrowRight: [0, 1],
      };
      const d = to[e.key];
      if (!d) return;
      e.preventDefault();
      this.mark = { y: m.y + d[0], x: m.x + d[1] };
    });
  }

  async #start(): Promise<void> {
    this.#started = true;
    this.dataset['state'] = 'loading';
    try {
      this.#model = await coreModel(MODEL);
    } catch (err) {
      this.dataset['state'] = 'error';
      this.#ui!.status.textContent = `The model could not be loaded: ${(err as Error).message}.`;
      return;
    }
    await this.#loadDigit();
    void this.measure();
  }

  async #loadDigit(): Promise<void> {
    try {
      const d = await testDigit(this.digit);
      this.#pixels = d.pixels;
      this.#label = d.label;
      this.#ui!.digitText.textContent =
        `Test digit ${d.index + 1}, a ${d.label}. Drag the mark, or Tab to it and use the arrow keys.`;
      this.#placeMark();
      this.dataset['state'] = 'ready';
    } catch (err) {
      this.#ui!.status.textContent =
        `The test digits could not be loaded: ${(err as Error).message}.`;
    }
  }

  /** The digit with the mark where it is now. */
  input(): Float32Array | null {
    if (!this.#pixels) return null;
    const x = this.#pixels.slice();
    if (this.#mark) drawMark(x, this.#mark.y, this.#mark.x);
    return x;
  }

  #answer(): void {
    const ui = this.#ui;
    const x = this.input();
    if (!ui || !x || !this.#model) return;
    const t0 = performance.now();
    const t = { shape: [1, 1, 28, 28], data: x };
    const probs = Array.from(this.#model.forward(t).data);
    const s = saliency(this.#model, t);
    this.#probs = probs;
    this.#saliency = s.map.data;
    paintGrey(ui.canvas, x);
    paintMapOver(ui.sal, s.map.data, maxAbs(s.map.data), x);
    const top = s.target;
    showBars(ui.bars, probs, top);
    const m = this.#mark;
    ui.mark.hidden = m === null;
    if (m) {
      ui.mark.style.left = `${(100 * m.x) / 28}%`;
      ui.mark.style.top = `${(100 * m.y) / 28}%`;
      ui.mark.setAttribute(
        'aria-label',
        `The mark, at row ${m.y + 1}, column ${m.x + 1}. Arrow keys move it.`,
      );
    }
    const where = m ? `mark at row ${m.y + 1}, column ${m.x + 1}` : 'no mark';
    ui.answer.textContent = `Says ${top} (${percent(probs[top]!)}); the digit is a ${this.#label}.`;
    this.dataset['prediction'] = String(top);
    this.dataset['mark'] = m ? `${m.y},${m.x}` : '';
    this.updateTimes.push(performance.now() - t0);
    if (this.updateTimes.length > 500) this.updateTimes.shift();
    this.dispatchEvent(
      new CustomEvent('rf-shortcut', {
        detail: { mark: this.mark, prediction: top, probs },
        bubbles: true,
      }),
    );
    this.announce(`With the ${where}, the model says ${top} (${percent(probs[top]!)}).`);
  }

  /** Measures the three accuracies on all 10,000 test digits in a worker. */
  async measure(): Promise<void> {
    if (this.#worker) return;
    const ui = this.#ui!;
    ui.bar.hidden = false;
    ui.bar.removeAttribute('value');
    ui.status.textContent = 'Starting the measurement…';
    const count = DIGIT_SETS.test.count;
    let bytes: Uint8Array;
    let card: ModelCard | null;
    try {
      const [b, c] = await Promise.all([modelBytes(MODEL), modelCard(MODEL).catch(() => null)]);
      bytes = b.slice();
      card = c;
    } catch (err) {
      ui.status.textContent = `The measurement could not start: ${(err as Error).message}.`;
      ui.bar.hidden = true;
      return;
    }
    if (card) {
      for (const k of ['marked', 'clean', 'swapped', 'followsMark'] as const) {
        ui.cells[`${k}-card`]!.textContent = pct(card.shortcut[k]);
      }
    }
    // Labels and wrong marks arrive with each batch: the worker reads the digits itself.
    const labels = new Uint8Array(count);
    const wrong = new Uint8Array(count);
    const top1 = {
      clean: new Uint8Array(count),
      marked: new Uint8Array(count),
      swapped: new Uint8Array(count),
    };
    const worker = new Worker(new URL('./vis-worker.js', import.meta.url), {
      type: 'module',
      name: 'rf-vis-shortcut',
    });
    this.#worker = worker;
    let engine: VisEngine | null = null;
    const show = (done: number, elapsedMs: number, complete: boolean) => {
      const acc = (pred: Uint8Array, truth: Uint8Array) => {
        let ok = 0;
        for (let i = 0; i < done; i++) if (pred[i] === truth[i]) ok++;
        return ok / done;
      };
      const m: ShortcutMeasured = {
        digits: done,
        complete,
        clean: acc(top1.clean, labels),
        marked: acc(top1.marked, labels),
        swapped: acc(top1.swapped, labels),
        followsMark: acc(top1.swapped, wrong),
        elapsedMs,
        backend: engine?.backend ?? '',
        top1,
      };
      this.#measured = m;
      for (const k of ['marked', 'clean', 'swapped', 'followsMark'] as const) {
        ui.cells[`${k}-here`]!.textContent = pct(m[k]);
      }
      // The count goes in the status line, not the column's head: a head that changes width
      // reflows the table, and a figure pinned to show it would move under the reader.
      if (!complete) {
        ui.status.textContent = `Measuring in the background ${engine ? ` on ${engine.backend}` : ''}: ${done.toLocaleString('en-US')} of ${count.toLocaleString('en-US')} test digits so far…`;
      }
      ui.bar.max = count;
      ui.bar.value = done;
      return m;
    };
    worker.addEventListener('message', (e: MessageEvent<VisMessage>) => {
      const m = e.data;
      if (m.type === 'loading') ui.status.textContent = `Starting the model: ${m.message}`;
      else if (m.type === 'ready') {
        engine = m.engine;
        this.dataset['measuring'] = 'running';
        ui.status.textContent = `Measuring in the background on ${m.engine.backend}…`;
      } else if (m.type === 'top1') {
        labels.set(m.labels, m.start);
        wrong.set(m.wrong, m.start);
        top1.clean.set(m.clean, m.start);
        top1.marked.set(m.marked, m.start);
        top1.swapped.set(m.swapped, m.start);
        show(m.done, m.elapsedMs, false);
      } else if (m.type === 'done') {
        // The engine it finished on: WebAssembly if the graphics card went mid-run.
        engine = m.engine;
        const r = show(count, m.elapsedMs, true);
        ui.bar.hidden = true;
        this.dataset['measuring'] = 'done';
        ui.status.textContent = `Measured in your browser on all ${count.toLocaleString('en-US')} test digits in ${(m.elapsedMs / 1000).toFixed(1)} s (${engineText(m.engine)}).`;
        this.announce(
          `Measured: ${pct(r.marked)} with each digit's own mark, ${pct(r.clean)} without a mark, ${pct(r.swapped)} with another class's mark.`,
          0,
        );
        worker.terminate();
      } else if (m.type === 'error') {
        ui.status.textContent = `The measurement stopped: ${m.message}.`;
        ui.bar.hidden = true;
        this.dataset['measuring'] = 'error';
        worker.terminate();
      }
    });
    worker.addEventListener('error', (e) => {
      ui.status.textContent = `The measurement worker failed: ${e.message || 'it could not start'}.`;
      ui.bar.hidden = true;
    });
    postVisJob(worker, { type: 'shortcut' }, MODEL, bytes, count, this.backend, this.wasmPaths);
  }
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
