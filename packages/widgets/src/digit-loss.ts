import type { SequentialModel } from '@receptive/core';
import { coreModel } from '@receptive/models';
import { DIGIT_LOSS_SPEC } from './digit-loss.spec.js';
import { type LossExample, lossExample } from './digit-loss-model.js';
import { el, shadow } from './dom.js';
import { testDigit } from './held-out.js';
import { applyAttribute, parseInteger } from './props.js';
import { type CopyLinkControl, copyLinkControl, type SharedFigure, shareFigure } from './share.js';
import { BASE_CSS, inkColor } from './theme.js';

export { DIGIT_LOSS_SPEC };

const TAG = DIGIT_LOSS_SPEC.tag;
const LR = 0.1;

const CSS = `${BASE_CSS}
.row { display: flex; flex-wrap: wrap; gap: 0.8rem; align-items: flex-start; }
.pick { display: flex; flex-direction: column; gap: 0.4rem; align-items: flex-start; }
.pick .buttons { display: flex; gap: 0.4rem; }
canvas { width: 112px; height: 112px; image-rendering: pixelated; border: 1px solid var(--rf-line); }
select { font: inherit; color: inherit; background: var(--rf-paper); border: 1px solid var(--rf-line); border-radius: 4px; min-height: 2em; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 0.85em; }
th, td { padding: 0.1rem 0.5rem; border-bottom: 1px solid var(--rf-line); text-align: right; line-height: 1.3; }
thead th { font-weight: 600; font-size: 0.9em; }
th[scope="row"] { text-align: left; }
tr.hot td, tr.hot th { background: var(--rf-panel); font-weight: 700; }
.row > div:last-child { flex: 1 1 14rem; min-width: 0; }
.loss { font-size: 1.05em; margin: 0.5rem 0; }
.loss strong { font-variant-numeric: tabular-nums; }
.moved { font-size: 0.85em; margin: 0.2rem 0; padding-left: 1.2rem; }
.note { font-size: 0.85em; color: var(--rf-muted); margin: 0.2rem 0; }
.error { color: var(--rf-error); font-weight: 600; }
`;

/** `<rf-digit-loss digit="11">`: see {@link DIGIT_LOSS_SPEC}. */
export class DigitLoss extends HTMLElement {
  static readonly spec = DIGIT_LOSS_SPEC;
  static readonly observedAttributes = ['digit', 'label'];

  #digit = 11;
  #label: number | null = null;
  #pixels: Float32Array | null = null;
  #trueLabel = 0;
  #model: SequentialModel | null = null;
  #example: LossExample | null = null;
  #stepped = false;
  #root: ShadowRoot | null = null;
  #share: SharedFigure | null = null;
  #shareUi: CopyLinkControl | null = null;
  #ui: {
    canvas: HTMLCanvasElement;
    caption: HTMLElement;
    label: HTMLSelectElement;
    table: HTMLElement;
    loss: HTMLElement;
    step: HTMLButtonElement;
    after: HTMLElement;
    moved: HTMLElement;
    live: HTMLElement;
  } | null = null;

  get digit(): number {
    return this.#digit;
  }
  set digit(v: number | string) {
    this.#digit = parseInteger(TAG, 'digit', String(v), 0, 9999);
    void this.#load();
  }
  get label(): number {
    return this.#label ?? this.#trueLabel;
  }
  set label(v: number | string | null) {
    this.#label = v === null ? null : parseInteger(TAG, 'label', String(v), 0, 9);
    this.#stepped = false;
    this.#compute();
  }
  /** The numbers shown: the loss example of the current digit and label (null while loading). */
  get example(): LossExample | null {
    return this.#example;
  }
  /** The 784 grey levels of the digit shown. */
  get pixels(): Float32Array | null {
    return this.#pixels;
  }

  attributeChangedCallback(name: string, _old: string | null, value: string | null): void {
    if (name === 'digit')
      applyAttribute(
        () => parseInteger(TAG, 'digit', value ?? '11', 0, 9999),
        (v) => {
          this.digit = v;
        },
      );
    else if (name === 'label')
      applyAttribute(
        () => (value === null ? null : parseInteger(TAG, 'label', value, 0, 9)),
        (v) => {
          this.label = v;
        },
      );
  }

  connectedCallback(): void {
    if (this.#root) {
      this.#follow();
      return;
    }
    this.#root = shadow(this, CSS);
    const canvas = el('canvas', {
      width: 28,
      height: 28,
      role: 'img',
      'aria-label': 'The test digit',
    });
    const caption = el('span', { class: 'note' });
    const prev = el('button', { type: 'button' }, 'Previous digit');
    const next = el('button', { type: 'button' }, 'Next digit');
    prev.addEventListener('click', () => {
      this.#label = null;
      this.digit = (this.#digit + 9999) % 10000;
      this.#share?.changed();
    });
    next.addEventListener('click', () => {
      this.#label = null;
      this.digit = (this.#digit + 1) % 10000;
      this.#share?.changed();
    });
    const label = el('select', { 'aria-label': 'Label' }) as HTMLSelectElement;
    for (let d = 0; d < 10; d++) label.append(el('option', { value: String(d) }, String(d)));
    label.addEventListener('change', () => {
      this.label = Number(label.value);
      this.#share?.changed();
    });
    const step = el(
      'button',
      { type: 'button', class: 'step', disabled: true },
      'Take one gradient step',
    ) as HTMLButtonElement;
    step.addEventListener('click', () => this.step());
    this.#shareUi = copyLinkControl(() => this.#share?.link() ?? null);
    this.#ui = {
      canvas: canvas as HTMLCanvasElement,
      caption,
      label,
      table: el('div', {
        class: 'scroll',
        tabindex: 0,
        role: 'region',
        'aria-label': 'Softmax outputs and one-hot label',
      }),
      loss: el('p', { class: 'loss', 'data-loss': '' }, 'Loading the model…'),
      step,
      after: el('p', { class: 'loss', 'data-after': '' }),
      moved: el('ol', { class: 'moved', 'aria-label': 'The weights the step moved most' }),
      live: el('p', { class: 'sr-only', 'aria-live': 'polite' }),
    };
    const ui = this.#ui;
    this.#root.append(
      el(
        'div',
        { class: 'wrap' },
        el(
          'div',
          { class: 'row' },
          el(
            'div',
            { class: 'pick' },
            canvas,
            caption,
            el('div', { class: 'buttons' }, prev, next),
            el('label', {}, 'Label ', label),
          ),
          el('div', {}, ui.table, ui.loss, step, ui.after, ui.moved),
        ),
        this.#shareUi.element,
        ui.live,
      ),
    );
    this.#follow();
    void this.#load();
  }

  disconnectedCallback(): void {
    this.#share?.dispose();
    this.#share = null;
  }

  /** Takes part in the page's address (see share.ts): the digit and a label the reader chose. */
  #follow(): void {
    this.#share ??= shareFigure({
      element: this,
      save: () => this.#saveState(),
      restore: (state) => this.#restoreState(state),
      note: (text) => this.#shareUi?.say(text),
    });
  }

  // In a link: `t` and the test digit's number counted from 1, then `:l` and the label when the
  // reader chose one (`t12:l3`); nothing for the page's digit and its own label.
  #saveState(): string | null {
    const authored = this.#authoredDigit();
    if (this.#digit === authored && this.#label === null) return null;
    return `t${this.#digit + 1}${this.#label === null ? '' : `:l${this.#label}`}`;
  }

  #restoreState(state: string | null): boolean {
    if (state === null) {
      this.#label = null;
      this.digit = this.#authoredDigit();
      return true;
    }
    const m = /^t(\d{1,5})(?::l(\d))?$/.exec(state);
    const digit = m ? Number(m[1]) - 1 : -1;
    if (!m || digit < 0 || digit > 9999) return false;
    this.digit = digit;
    if (m[2] !== undefined) this.label = Number(m[2]);
    return true;
  }

  /** The digit the page set (its attribute, else the default). */
  #authoredDigit(): number {
    const v = Number(this.getAttribute('digit') ?? '11');
    return Number.isInteger(v) && v >= 0 && v <= 9999 ? v : 11;
  }

  async #load(): Promise<void> {
    if (!this.#ui) return;
    const index = this.#digit;
    try {
      const [model, d] = await Promise.all([this.#model ?? coreModel('mlp'), testDigit(index)]);
      if (index !== this.#digit) return;
      this.#model = model;
      this.#pixels = d.pixels;
      this.#trueLabel = d.label;
      this.#stepped = false;
      this.#draw();
      this.#compute();
    } catch (err) {
      this.#ui.loss.className = 'error';
      this.#ui.loss.textContent = `The model or the digit could not be loaded: ${(err as Error).message}.`;
    }
  }

  #draw(): void {
    const ui = this.#ui!;
    const ctx = ui.canvas.getContext('2d');
    if (ctx && this.#pixels) {
      const img = ctx.createImageData(28, 28);
      for (let i = 0; i < 784; i++) {
        const m = /rgb\((\d+) (\d+) (\d+)\)/.exec(inkColor(this.#pixels[i]!).bg)!;
        img.data.set([Number(m[1]), Number(m[2]), Number(m[3]), 255], i * 4);
      }
      ctx.putImageData(img, 0, 0);
    }
    ui.canvas.setAttribute('aria-label', `Test digit ${this.#digit}, a ${this.#trueLabel}`);
    ui.caption.textContent = `Test digit ${this.#digit.toLocaleString('en-US')}, labelled ${this.#trueLabel} in MNIST`;
  }

  /** Takes (and shows) one gradient step of plain SGD on this digit and label. */
  step(): void {
    if (!this.#example || !this.#model || !this.#pixels) return;
    if (!this.#example.step) {
      this.#example = lossExample(this.#model, this.#pixels, this.label, LR);
    }
    this.#stepped = true;
    this.#show();
  }

  #compute(): void {
    if (!this.#model || !this.#pixels || !this.#ui) return;
    this.#example = lossExample(this.#model, this.#pixels, this.label, LR, 5, false);
    this.#ui.label.value = String(this.label);
    this.#show();
    this.dispatchEvent(
      new CustomEvent('rf-loss', {
        bubbles: true,
        detail: { digit: this.#digit, label: this.label, example: this.#example },
      }),
    );
  }

  #show(): void {
    const ui = this.#ui!;
    const e = this.#example!;
    const f = (v: number) => v.toFixed(4);
    const after = this.#stepped && e.step ? e.step.probsAfter : null;
    const head = ['digit', 'softmax output p', `label ${e.label}, one-hot`];
    if (after) head.push('p after one step');
    ui.table.replaceChildren(
      el(
        'table',
        {},
        el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h)))),
        el(
          'tbody',
          {},
          ...e.probs.map((p, d) =>
            el(
              'tr',
              d === e.label ? { class: 'hot', 'data-digit': d } : { 'data-digit': d },
              el('th', { scope: 'row' }, String(d)),
              el('td', {}, f(p)),
              el('td', {}, String(e.oneHot[d])),
              ...(after ? [el('td', {}, f(after[d]!))] : []),
            ),
          ),
        ),
      ),
    );
    ui.loss.className = 'loss';
    ui.loss.dataset['loss'] = String(e.loss);
    ui.loss.replaceChildren(
      'Cross-entropy loss = −log p',
      el('sub', {}, String(e.label)),
      ` = −log ${f(e.probs[e.label]!)} = `,
      el('strong', {}, e.loss.toFixed(4)),
    );
    ui.step.disabled = false;
    if (this.#stepped && e.step) {
      ui.after.dataset['after'] = String(e.step.lossAfter);
      ui.after.replaceChildren(
        `After one gradient step (learning rate ${e.step.lr}): loss `,
        el('strong', {}, e.step.lossAfter.toFixed(4)),
        e.step.lossAfter < e.loss ? `, down by ${(e.loss - e.step.lossAfter).toFixed(4)}.` : '.',
      );
      ui.moved.replaceChildren(
        ...e.step.moved.map((m) =>
          el(
            'li',
            {},
            `${m.layer}.${m.name}[${m.index.join(', ')}]: ${m.before.toFixed(4)} → ${m.after.toFixed(4)}`,
          ),
        ),
      );
      ui.live.textContent = `One step: loss ${e.loss.toFixed(4)} to ${e.step.lossAfter.toFixed(4)}.`;
    } else {
      delete ui.after.dataset['after'];
      ui.after.textContent = '';
      ui.moved.replaceChildren();
      ui.live.textContent = `Label ${e.label}: loss ${e.loss.toFixed(4)}.`;
    }
  }
}
