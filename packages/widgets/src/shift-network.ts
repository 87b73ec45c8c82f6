import { type SequentialModel, shift2d, tensor } from '@receptive/core';
import {
  type ByteProgress,
  coreModel,
  DIGIT_SETS,
  type ModelName,
  SHIFT_PAIR,
  SHIFT_POOLING,
} from '@receptive/models';
import type { DigitChange } from './digit-run.js';
import { el, rovingGrid, shadow } from './dom.js';
import { figureElement } from './figure-element.js';
import { percent } from './format.js';
import { testDigit } from './held-out.js';
import { barList, modelSection, showBars } from './model-answer.js';
import { formatDownload } from './model-compare.js';
import { nextTask } from './next-task.js';
import { decodeInts } from './share-codec.js';
import { SHIFT_NETWORK_SPEC } from './shift-network.spec.js';
import { BASE_CSS, colorKey, inkColor, inkRgb, THEME } from './theme.js';

/** The largest shift, in pixels, each way: the heat map is (2 * MAX_SHIFT + 1) squared. */
export const MAX_SHIFT = 4;
const SIDE = 2 * MAX_SHIFT + 1;
const SHIFTS = SIDE * SIDE;
const MODELS: readonly ModelName[] = SHIFT_PAIR;
const TITLES: Record<string, string> = SHIFT_POOLING;

/** `event.detail` of `rf-shift`. */
export interface ShiftAnswer {
  dy: number;
  dx: number;
  /** The class whose probability the heat maps show. */
  label: number;
  results: { model: string; probs: number[]; prediction: number }[];
}

export { SHIFT_NETWORK_SPEC };

const CSS = `${BASE_CSS}
.controls { display: grid; grid-template-columns: auto 1fr 2.5em; gap: 0.3rem 0.6rem; align-items: center; max-width: 26rem; }
.controls input[type="range"] { width: 100%; min-height: 2rem; }
.controls output { font-variant-numeric: tabular-nums; text-align: right; }
.tools { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; margin: 0.5rem 0; }
.head { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
.digit { width: 84px; height: 84px; image-rendering: pixelated; border: 1px solid var(--rf-line); }
.models { display: grid; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr)); gap: 1rem; margin-top: 0.6rem; }
.model { border: 1px solid var(--rf-line); border-radius: 6px; padding: 0.5rem 0.7rem; }
.title { font-weight: 600; margin: 0 0 0.3rem; }
.pair { display: flex; gap: 0.8rem; align-items: flex-start; flex-wrap: wrap; }
ol { list-style: none; padding: 0; margin: 0; flex: 1; min-width: 9rem; }
li { display: grid; grid-template-columns: 1em minmax(3rem, 1fr) 3.6em; gap: 0.3em; align-items: center; font-variant-numeric: tabular-nums; font-size: 0.8em; line-height: 1.25; }
.bar { display: block; width: 100%; height: 0.6em; background: var(--rf-panel); border-radius: 2px; overflow: hidden; }
.fill { display: block; height: 100%; width: 0; background: var(--rf-muted); transition: width ${THEME.barTransitionMs}ms linear; }
li.top .fill { background: var(--rf-highlight); }
li.top { font-weight: 600; }
li.true span:first-child { text-decoration: underline; }
.pct { text-align: right; }
.heat { display: grid; grid-template-columns: repeat(${SIDE}, 1.05rem); grid-auto-rows: 1.05rem; border: 1px solid var(--rf-line); width: max-content; }
.heat > [role="row"] { display: contents; }
.heat [data-dy] { display: block; cursor: pointer; touch-action: manipulation; }
.heat [data-dy].here { outline: 3px solid var(--rf-highlight); outline-offset: -2px; z-index: 1; }
.heat [data-dy]:focus-visible { outline: 3px solid var(--rf-focus); outline-offset: -2px; z-index: 2; }
.heat-cap { font-size: 0.75rem; color: var(--rf-muted); margin: 0 0 0.2rem; max-width: 10rem; }
.answer { margin: 0.3rem 0 0; font-weight: 600; min-height: 1.3em; font-size: 0.9em; }
.status { font-size: 0.85em; color: var(--rf-muted); min-height: 1.3em; }
progress[hidden] { display: none; }
`;

interface Box {
  name: ModelName;
  box: HTMLElement;
  model: SequentialModel | null;
  bars: HTMLElement[];
  heat: HTMLElement;
  answer: HTMLElement;
  moveTo: (y: number, x: number, focus?: boolean) => void;
  /** Ten probabilities for each of the 81 shifts, dy-major (dy = -4 first). */
  probs: Float32Array | null;
}

const index = (dy: number, dx: number) => (dy + MAX_SHIFT) * SIDE + (dx + MAX_SHIFT);

/**
 * The digit moved by every shift from -MAX_SHIFT to MAX_SHIFT each way, as one batch
 * [81, 1, 28, 28], dy-major: row `index(dy, dx)` is `shift2d(digit, dy, dx)`.
 */
export function shiftedBatch(pixels: Float32Array): Float32Array {
  const one = tensor(pixels, [1, 1, 28, 28]);
  const out = new Float32Array(SHIFTS * 784);
  for (let dy = -MAX_SHIFT; dy <= MAX_SHIFT; dy++) {
    for (let dx = -MAX_SHIFT; dx <= MAX_SHIFT; dx++) {
      out.set(shift2d(one, dy, dx).data, index(dy, dx) * 784);
    }
  }
  return out;
}

/**
 * `<rf-shift-network for="shift-pad">`: see {@link SHIFT_NETWORK_SPEC}.
 *
 * Both models are run once per digit on all 81 shifts (a batch per heat-map row, yielding to the
 * page between rows); moving the shift afterwards only reads those answers, so a step is cheap.
 */
export class ShiftNetwork extends figureElement(SHIFT_NETWORK_SPEC) {
  #root: ShadowRoot | null = null;
  #boxes: Box[] = [];
  #dy = 0;
  #dx = 0;
  #label = 0;
  #pixels: Float32Array | null = null;
  #source = '';
  #started = false;
  #generation = 0;
  #canvas: HTMLCanvasElement | null = null;
  #status: HTMLElement | null = null;
  #progress: HTMLProgressElement | null = null;
  #select: HTMLSelectElement | null = null;
  #sliders: Record<'dx' | 'dy', HTMLInputElement> | null = null;
  /** Milliseconds the last run of both models on all 81 shifts took, from first row to last. */
  lastRunMs = 0;
  /** Milliseconds each shift update took (bars, heat-map cursor, digit), newest last. */
  readonly updateTimes: number[] = [];
  // A drawn or picked digit of the pad it follows replaces the test digit (a moving pen waits).
  protected override padDigit(d: DigitChange): void {
    if (d.empty || d.drawing) return;
    const label = d.source === 'held-out' && d.label !== undefined ? d.label : null;
    void this.#setDigit(
      d.pixels,
      label,
      d.source === 'held-out' ? `Test digit ${(d.index ?? 0) + 1}` : 'Your digit',
    );
  }

  protected override changed(property: string): void {
    if (property === 'digit' && this.#started) void this.#loadTestDigit();
  }

  /** The shift shown now, in pixels (positive: down, right). */
  get shift(): { dy: number; dx: number } {
    return { dy: this.#dy, dx: this.#dx };
  }
  set shift(s: { dy: number; dx: number }) {
    const clamp = (v: number) => Math.max(-MAX_SHIFT, Math.min(MAX_SHIFT, Math.round(v)));
    this.#dy = clamp(s.dy);
    this.#dx = clamp(s.dx);
    this.#show();
  }
  /** The class the heat maps show P of. */
  get label(): number {
    return this.#label;
  }
  /** The digit shown now, unshifted (784 values). */
  get pixels(): Float32Array | null {
    return this.#pixels;
  }
  /** Each model's P(label) over every shift, 81 values dy-major, once computed. */
  get heatMaps(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const b of this.#boxes) {
      if (b.probs)
        out[b.name] = Array.from({ length: SHIFTS }, (_, i) => b.probs![i * 10 + this.#label]!);
    }
    return out;
  }

  protected override connected(): void {
    if (!this.#root) this.#build();
  }

  protected override nearChanged(near: boolean): void {
    if (near && !this.#started) void this.#start();
  }

  #build(): void {
    const root = shadow(this, CSS);
    this.#root = root;
    const slider = (axis: 'dx' | 'dy', label: string) => {
      const input = el('input', {
        type: 'range',
        min: -MAX_SHIFT,
        max: MAX_SHIFT,
        step: 1,
        value: 0,
        id: axis,
        'data-axis': axis,
      });
      const out = el('output', { for: axis }, '0');
      input.addEventListener('input', () => {
        out.textContent = input.value;
        this.shift =
          axis === 'dx'
            ? { dy: this.#dy, dx: Number(input.value) }
            : { dy: Number(input.value), dx: this.#dx };
        this.stateChanged();
      });
      return { input, nodes: [el('label', { for: axis }, label), input, out] };
    };
    const sx = slider('dx', 'Shift right (px)');
    const sy = slider('dy', 'Shift down (px)');
    this.#sliders = { dx: sx.input, dy: sy.input };
    this.#canvas = el('canvas', {
      class: 'digit',
      width: 28,
      height: 28,
      role: 'img',
      'aria-label': 'The shifted digit',
    });
    const next = el('button', { type: 'button', class: 'next' }, 'Next test digit');
    next.addEventListener('click', () => {
      this.digit = (this.digit + 1) % 10000;
      if (!this.#started) void this.#loadTestDigit();
      this.stateChanged();
    });
    this.#select = el('select', { id: 'label', class: 'label' });
    for (let d = 0; d < 10; d++) this.#select.append(el('option', { value: d }, String(d)));
    this.#select.addEventListener('change', () => {
      this.#label = Number(this.#select!.value);
      this.#paintHeat();
      this.#show();
    });
    this.#status = el(
      'p',
      { class: 'status' },
      'The models load when this figure comes into view.',
    );
    this.#progress = el('progress', {
      max: 1,
      'aria-label': 'Downloading the two models',
      hidden: true,
    });
    this.#boxes = MODELS.map((name) => {
      const { list, bars } = barList(`${TITLES[name]}: probability of each digit`, true);
      const heat = el('div', {
        class: 'heat',
        role: 'grid',
        'aria-label': `${TITLES[name]}: probability of the true class for every shift; rows shift down, columns shift right, -4 to +4`,
      });
      for (let dy = -MAX_SHIFT; dy <= MAX_SHIFT; dy++) {
        const row = el('div', { role: 'row' });
        for (let dx = -MAX_SHIFT; dx <= MAX_SHIFT; dx++) {
          // data-y and data-x (0 to 8) are the roving grid's; data-dy and data-dx the shift.
          row.append(
            el('span', {
              role: 'gridcell',
              tabindex: -1,
              'data-y': dy + MAX_SHIFT,
              'data-x': dx + MAX_SHIFT,
              'data-dy': dy,
              'data-dx': dx,
            }),
          );
        }
        heat.append(row);
      }
      const moveTo = rovingGrid(heat, SIDE, SIDE);
      heat.addEventListener('focusin', (e) => this.#pickCell(e.target));
      heat.addEventListener('pointerdown', (e) => this.#pickCell(e.target));
      const answer = el('p', { class: 'answer' });
      const box = modelSection(
        name,
        TITLES[name]!,
        el(
          'div',
          { class: 'pair' },
          list,
          el('div', {}, el('p', { class: 'heat-cap' }, 'P(true class) by shift'), heat),
        ),
        answer,
      );
      return { name, box, model: null, bars, heat, answer, moveTo, probs: null };
    });
    root.append(
      el(
        'div',
        { class: 'head' },
        this.#canvas,
        el('div', { class: 'controls' }, ...sy.nodes, ...sx.nodes),
      ),
      el(
        'div',
        { class: 'tools' },
        next,
        el('label', { for: 'label' }, 'True class ', this.#select),
        colorKey('ink', 'P(true class)', '0', '1'),
      ),
      this.#progress,
      this.#status,
      el('div', { class: 'models' }, ...this.#boxes.map((b) => b.box)),
      this.shareControl,
      this.live,
    );
  }

  #pickCell(target: EventTarget | null): void {
    const cell = (target as HTMLElement | null)?.closest?.<HTMLElement>('[data-dy]');
    if (!cell) return;
    const dy = Number(cell.dataset['dy']);
    const dx = Number(cell.dataset['dx']);
    if (dy !== this.#dy || dx !== this.#dx) {
      this.shift = { dy, dx };
      this.stateChanged();
    }
  }

  // In a link: the shift, "right,down" in pixels, then `:t` and the test digit's number (from 1)
  // when the reader went to another; nothing at no shift on the page's digit.
  protected override saveState(): string | null {
    const digit = this.digit === this.authored('digit') ? '' : `:t${this.digit + 1}`;
    if (this.#dx === 0 && this.#dy === 0 && !digit) return null;
    return `${this.#dx},${this.#dy}${digit}`;
  }

  protected override restoreState(state: string | null): boolean {
    if (state === null) {
      this.shift = { dy: 0, dx: 0 };
      this.digit = this.authored('digit') as number;
      return true;
    }
    const m = /^(-?\d+,-?\d+)(?::t(\d{1,5}))?$/.exec(state);
    const shift = m ? decodeInts(m[1]!, 2, -MAX_SHIFT, MAX_SHIFT) : null;
    const digit = m?.[2] === undefined ? null : Number(m[2]) - 1;
    if (!shift || (digit !== null && (digit < 0 || digit >= DIGIT_SETS.test.count))) return false;
    if (digit !== null && digit !== this.digit) this.digit = digit;
    this.shift = { dx: shift[0]!, dy: shift[1]! };
    return true;
  }

  async #start(): Promise<void> {
    this.#started = true;
    this.dataset['state'] = 'loading';
    this.#progress!.hidden = false;
    const loaded = new Map<string, ByteProgress>();
    const showProgress = () => {
      let got = 0;
      let total = 0;
      let known = true;
      for (const p of loaded.values()) {
        got += p.loaded;
        if (p.total) total += p.total;
        else known = false;
      }
      if (known && total) {
        this.#progress!.max = total;
        this.#progress!.value = got;
      }
      this.#status!.textContent =
        `Downloading the two models: ${formatDownload(got, known && total ? total : null)}.`;
    };
    try {
      // The page's one download and parse of each model (@receptive/models' assets).
      const models = await Promise.all(
        MODELS.map((name) =>
          coreModel(name, (p) => {
            loaded.set(name, p);
            showProgress();
          }),
        ),
      );
      this.#boxes.forEach((b, i) => {
        b.model = models[i]!;
      });
    } catch (err) {
      this.dataset['state'] = 'error';
      this.#progress!.hidden = true;
      this.#status!.textContent = `The models could not be loaded: ${(err as Error).message}.`;
      return;
    }
    this.#progress!.hidden = true;
    if (this.#pixels) await this.#run();
    else await this.#loadTestDigit();
  }

  async #loadTestDigit(): Promise<void> {
    try {
      const d = await testDigit(this.digit);
      await this.#setDigit(d.pixels, d.label, `Test digit ${d.index + 1}`);
    } catch (err) {
      this.#status!.textContent = `The test digits could not be loaded: ${(err as Error).message}.`;
    }
  }

  async #setDigit(pixels: Float32Array, label: number | null, source: string): Promise<void> {
    this.#pixels = pixels;
    this.#source = source;
    this.#pendingLabel = label;
    if (this.#boxes.every((b) => b.model)) await this.#run();
  }

  #pendingLabel: number | null = null;

  /** Runs both models on all 81 shifts of the digit, one heat-map row per task. */
  async #run(): Promise<void> {
    const pixels = this.#pixels;
    if (!pixels) return;
    const generation = ++this.#generation;
    this.dataset['state'] = 'running';
    this.#status!.textContent = `${this.#source}: running both models on all ${SHIFTS} shifts…`;
    const started = performance.now();
    const batch = shiftedBatch(pixels);
    const results = this.#boxes.map(() => new Float32Array(SHIFTS * 10));
    for (let row = 0; row < SIDE; row++) {
      const rows = batch.subarray(row * SIDE * 784, (row + 1) * SIDE * 784);
      this.#boxes.forEach((b, i) => {
        const out = b.model!.forward(tensor(rows, [SIDE, 1, 28, 28]));
        results[i]!.set(out.data, row * SIDE * 10);
      });
      await nextTask();
      if (generation !== this.#generation) return;
    }
    this.#boxes.forEach((b, i) => {
      b.probs = results[i]!;
    });
    this.lastRunMs = performance.now() - started;
    // A drawn digit has no label: take the max-pooling CNN's answer on the unshifted digit,
    // which the reader can correct in the menu.
    this.#label =
      this.#pendingLabel ?? argmax(results[0]!.subarray(index(0, 0) * 10, index(0, 0) * 10 + 10));
    this.#select!.value = String(this.#label);
    this.dataset['state'] = 'ready';
    this.#status!.textContent =
      `${this.#source}${this.#pendingLabel === null ? '' : ` (a ${this.#pendingLabel})`}, shifted by every whole pixel from -${MAX_SHIFT} to +${MAX_SHIFT} each way.`;
    this.#paintHeat();
    this.#show();
  }

  #paintHeat(): void {
    for (const b of this.#boxes) {
      if (!b.probs) continue;
      for (const cell of b.heat.querySelectorAll<HTMLElement>('[data-dy]')) {
        const dy = Number(cell.dataset['dy']);
        const dx = Number(cell.dataset['dx']);
        const p = b.probs[index(dy, dx) * 10 + this.#label]!;
        cell.style.background = inkColor(p).bg;
        cell.dataset['p'] = String(p);
        cell.setAttribute('aria-label', `Down ${dy}, right ${dx}: P(${this.#label}) ${percent(p)}`);
      }
    }
  }

  /** Shows the answers for the current shift: bars, cursors, the shifted digit. */
  #show(): void {
    const t0 = performance.now();
    const { dy, dx } = this.shift;
    if (this.#sliders) {
      this.#sliders.dx.value = String(dx);
      this.#sliders.dy.value = String(dy);
      for (const s of Object.values(this.#sliders)) {
        const out = this.#root!.querySelector(`output[for="${s.id}"]`);
        if (out) out.textContent = s.value;
      }
    }
    if (this.#pixels && this.#canvas)
      this.#drawDigit(shift2d(tensor(this.#pixels, [1, 1, 28, 28]), dy, dx).data);
    const results: ShiftAnswer['results'] = [];
    const focusIn = this.#root?.activeElement ?? null;
    for (const b of this.#boxes) {
      for (const c of b.heat.querySelectorAll('.here')) c.classList.remove('here');
      b.heat.querySelector(`[data-dy="${dy}"][data-dx="${dx}"]`)?.classList.add('here');
      b.moveTo(dy + MAX_SHIFT, dx + MAX_SHIFT, focusIn !== null && b.heat.contains(focusIn));
      if (!b.probs) continue;
      const p = Array.from(b.probs.subarray(index(dy, dx) * 10, index(dy, dx) * 10 + 10));
      const top = argmax(p);
      showBars(b.bars, p, top);
      b.bars.forEach((li, d) => {
        li.classList.toggle('true', d === this.#label);
      });
      b.answer.textContent = `Says ${top} (${percent(p[top]!)}); P(${this.#label}) ${percent(p[this.#label]!)}`;
      b.box.dataset['prediction'] = String(top);
      results.push({ model: b.name, probs: p, prediction: top });
    }
    this.dataset['shift'] = `${dy},${dx}`;
    if (results.length < this.#boxes.length) return;
    this.updateTimes.push(performance.now() - t0);
    if (this.updateTimes.length > 500) this.updateTimes.shift();
    this.dispatchEvent(
      new CustomEvent<ShiftAnswer>('rf-shift', {
        detail: { dy, dx, label: this.#label, results },
        bubbles: true,
      }),
    );
    this.announce(
      `Shifted ${dy} down, ${dx} right. ` +
        results
          .map(
            (r) =>
              `${TITLES[r.model]}: says ${r.prediction}, P(${this.#label}) ${percent(r.probs[this.#label]!)}.`,
          )
          .join(' '),
    );
  }

  #drawDigit(data: Float32Array): void {
    const ctx = this.#canvas!.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      const [r, g, b] = inkRgb(data[i]!);
      img.data[i * 4] = r;
      img.data[i * 4 + 1] = g;
      img.data[i * 4 + 2] = b;
      img.data[i * 4 + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }
}

function argmax(p: ArrayLike<number>): number {
  let top = 0;
  for (let d = 1; d < p.length; d++) if (p[d]! > p[top]!) top = d;
  return top;
}
