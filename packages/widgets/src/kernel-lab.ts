import { conv2d, explainConv2d, type Tensor, tensor } from '@receptive/core';
import { el, rovingGrid, shadow } from './dom.js';
import { figureElement } from './figure-element.js';
import { formatConvSum, formatNumber, formatScaled, fractionDenominator } from './format.js';
import { KERNEL_EDITOR_CSS, KernelEditor } from './kernel-editor.js';
import { KERNEL_LAB_SPEC } from './kernel-lab.spec.js';
import {
  KERNEL_PARSER,
  KERNEL_PRESETS,
  LECTURE_IMAGE,
  LECTURE_SIZE,
  parseKernel,
  presetOf,
} from './lecture.js';
import { BASE_CSS, colorKey, inkColor, signedColor, THEME } from './theme.js';

/** `event.detail` of `rf-change`. */
export interface KernelChange {
  /** The 9 kernel values, row by row. */
  kernel: number[];
  padding: boolean;
  /** The output image, row by row, as computed by @receptive/core's conv2d. */
  output: number[][];
}

export { KERNEL_LAB_SPEC };

const CSS = `${BASE_CSS}
.lab { display: flex; flex-wrap: wrap; gap: 1.25rem; align-items: flex-start; --cell: ${THEME.labCell}px; --cell-font: 0.9rem; }
table.grid { border-collapse: collapse; font-family: ${THEME.mono}; }
table.grid td {
  width: var(--cell); height: var(--cell); text-align: center; padding: 0;
  border: 1px solid var(--rf-line); font-size: var(--cell-font); position: relative;
}
/* The padding is blank paper, as the image's 0s are: its text keeps the paper's colours in any page theme. */
table.grid td.pad { color: ${THEME.muted}; background: repeating-linear-gradient(45deg, #fff, #fff 4px, #f1efe9 4px, #f1efe9 8px); }
table.grid td.win { outline: 3px solid var(--rf-highlight); outline-offset: -3px; z-index: 1; }
table.grid td.win::after {
  content: attr(data-k); position: absolute; right: 1px; bottom: 0; font-size: 0.6rem;
  background: #fff; color: #000; padding: 0 1px; line-height: 1.1;
}
table.out td { cursor: crosshair; }
/* Decimals (a kernel that is not a count of ninths) are longer than the lecture's whole numbers:
   smaller type keeps them inside their cells. */
table.out[data-digits="4"] td { font-size: calc(var(--cell-font) * 0.85); }
table.out[data-digits="5"] td { font-size: calc(var(--cell-font) * 0.72); letter-spacing: -0.02em; }
table.out[data-digits="6"] td { font-size: calc(var(--cell-font) * 0.62); letter-spacing: -0.04em; }
table.out td.current { outline: 3px solid var(--rf-highlight); outline-offset: -3px; }
fieldset { border: 1px solid var(--rf-line); border-radius: 6px; padding: 0.6rem 0.8rem; margin: 0; }
legend { font-size: 0.85em; color: var(--rf-muted); }
${KERNEL_EDITOR_CSS}
.kgrid input { font-size: 0.85rem; }
.padding { display: flex; gap: 0.4rem; align-items: center; margin-top: 0.6rem; }
/* Short screens (a laptop, with the figure pinned beside scrolling text): smaller cells, so the
   input, the kernel, the output and the written-out sum fit in one screen. */
@media (max-height: ${THEME.labCompactBelow}px) {
  .lab { --cell: ${THEME.labCellCompact}px; --cell-font: 0.8rem; gap: 0.9rem; }
}
.explain { flex-basis: 100%; min-height: 3em; font-family: ${THEME.mono}; font-size: 0.9rem; margin: 0; overflow-wrap: anywhere; }
`;

const TAG = KERNEL_LAB_SPEC.tag;

/**
 * `<rf-kernel-lab kernel="box-blur" padding>`: see {@link KERNEL_LAB_SPEC}.
 */
// Its own accessors for kernel and padding (the editor changes the kernel in place); the base
// reads the attributes through them.
export class KernelLab extends figureElement(KERNEL_LAB_SPEC) {
  #kernel: number[] = [...KERNEL_PRESETS.identity];
  #padding = false;
  #output: Tensor | null = null;
  #root: ShadowRoot | null = null;
  #editor: KernelEditor | null = null;
  #paddingBox: HTMLInputElement | null = null;
  #inputTable: HTMLTableElement | null = null;
  #outputTable: HTMLTableElement | null = null;
  #caption: HTMLElement | null = null;
  #outputKey: HTMLElement | null = null;
  #outputKeyText = '';
  #explain: HTMLElement | null = null;
  #explained: { y: number; x: number } | null = null;
  #focused: { y: number; x: number } | null = null;

  get kernel(): number[] {
    return [...this.#kernel];
  }
  set kernel(v: readonly number[] | string) {
    const k = typeof v === 'string' ? parseKernel(TAG, 'kernel', v) : [...v];
    if (k.length !== 9 || !k.every(Number.isFinite)) {
      parseKernel(TAG, 'kernel', String(v));
    }
    this.#kernel = k;
    this.#editor?.showValues(this.#kernel);
    this.#update();
  }

  get padding(): boolean {
    return this.#padding;
  }
  set padding(v: boolean) {
    if (this.#padding === Boolean(v)) return;
    this.#padding = Boolean(v);
    if (this.#paddingBox) this.#paddingBox.checked = this.#padding;
    this.#update(true);
  }

  /** The current output, row by row. */
  get output(): number[][] {
    return this.#rows();
  }

  protected override connected(): void {
    if (this.#root) return;
    this.#root = shadow(this, CSS);
    this.#build();
    this.#update(true);
  }

  #build(): void {
    const root = this.#root!;
    this.#inputTable = el('table', { class: 'grid in', 'aria-label': 'Input image' });
    const inputFigure = el(
      'figure',
      {},
      el('figcaption', { id: 'in-cap' }, `Input image (${LECTURE_SIZE} × ${LECTURE_SIZE})`),
      this.#inputTable,
      colorKey('ink', 'Pixel', '0', '1'),
    );

    this.#editor = new KernelEditor({
      onCell: (i, v) => {
        this.#kernel[i] = v;
        this.#update();
        this.stateChanged();
      },
      onPreset: (kernel) => {
        this.kernel = kernel;
        this.stateChanged();
      },
    });
    this.#paddingBox = el('input', { type: 'checkbox', id: 'padding' });
    this.#paddingBox.checked = this.#padding;
    this.#paddingBox.addEventListener('change', () => {
      this.padding = this.#paddingBox!.checked;
      this.stateChanged();
    });
    const kernelSet = el(
      'fieldset',
      { class: 'kernel' },
      el('legend', {}, 'Kernel (3 × 3)'),
      this.#editor.grid,
      this.#editor.presets,
      el(
        'div',
        { class: 'padding' },
        this.#paddingBox,
        el('label', { for: 'padding' }, 'Zero padding'),
      ),
      this.shareControl,
    );

    this.#caption = el('figcaption', { id: 'out-cap' });
    this.#outputTable = el('table', {
      class: 'grid out',
      role: 'grid',
      'aria-labelledby': 'out-cap',
    });
    this.#outputKey = el('div', { class: 'key' });
    const outputFigure = el('figure', {}, this.#caption, this.#outputTable, this.#outputKey);
    this.#explain = el('p', { class: 'explain', 'aria-live': 'polite' });

    this.#outputTable.addEventListener('mouseover', (e) => {
      const td = (e.target as HTMLElement).closest<HTMLElement>('td[data-y]');
      if (td) this.#explainCell(Number(td.dataset['y']), Number(td.dataset['x']));
    });
    this.#outputTable.addEventListener('mouseleave', () => {
      if (this.#focused) this.#explainCell(this.#focused.y, this.#focused.x);
      else this.#explainCell(null);
    });
    this.#outputTable.addEventListener('focusin', (e) => {
      const td = (e.target as HTMLElement).closest<HTMLElement>('td[data-y]');
      if (!td) return;
      this.#focused = { y: Number(td.dataset['y']), x: Number(td.dataset['x']) };
      this.#explainCell(this.#focused.y, this.#focused.x);
    });
    this.#outputTable.addEventListener('focusout', () => {
      this.#focused = null;
    });

    root.append(el('div', { class: 'lab' }, inputFigure, kernelSet, outputFigure, this.#explain));
    this.#editor?.showValues(this.#kernel);
  }

  // In a link: the kernel (a preset's name, or its nine numbers) and `pad` or `nopad`, e.g.
  // `laplacian:pad`; nothing while the figure shows what the page set.
  protected override saveState(): string | null {
    const kernel = this.authored('kernel') as number[];
    const same = kernel.every((v, i) => Math.abs(v - this.#kernel[i]!) < 1e-12);
    if (same && this.#padding === this.authored('padding')) return null;
    return `${presetOf(this.#kernel) ?? KERNEL_PARSER.format(this.#kernel)}:${this.#padding ? 'pad' : 'nopad'}`;
  }

  protected override restoreState(state: string | null): boolean {
    if (state === null) {
      this.kernel = this.authored('kernel') as number[];
      this.padding = this.authored('padding') as boolean;
      return true;
    }
    const m = /^([^:]+):(pad|nopad)$/.exec(state);
    if (!m) return false;
    let kernel: number[];
    try {
      kernel = KERNEL_PARSER.parse(m[1]!, TAG, 'kernel');
    } catch {
      return false;
    }
    if (kernel.some((v) => Math.abs(v) > 1e6)) return false;
    this.kernel = kernel;
    this.padding = m[2] === 'pad';
    return true;
  }

  #rows(): number[][] {
    const out = this.#output;
    if (!out) return [];
    const [, , h, w] = out.shape as [number, number, number, number];
    return Array.from({ length: h }, (_, y) => Array.from(out.data.subarray(y * w, y * w + w)));
  }

  #tensors(): { image: Tensor; weight: Tensor } {
    return {
      image: tensor(LECTURE_IMAGE, [1, 1, LECTURE_SIZE, LECTURE_SIZE]),
      weight: tensor(Float32Array.from(this.#kernel), [1, 1, 3, 3]),
    };
  }

  #update(layoutChanged = false): void {
    if (!this.#root) return;
    const { image, weight } = this.#tensors();
    const pad = this.#padding ? 1 : 0;
    this.#output = conv2d(image, weight, null, { padding: pad });
    this.#editor?.showPreset(this.#kernel);
    if (layoutChanged || this.#outputTable!.rows.length !== this.#output.shape[2]) {
      this.#renderInput();
      this.#renderOutputShell();
    }
    this.#renderOutput();
    if (this.#explained) this.#explainCell(this.#explained.y, this.#explained.x);
    this.dispatchEvent(
      new CustomEvent<KernelChange>('rf-change', {
        detail: { kernel: this.kernel, padding: this.#padding, output: this.#rows() },
        bubbles: true,
      }),
    );
  }

  #renderInput(): void {
    const pad = this.#padding ? 1 : 0;
    const n = LECTURE_SIZE + 2 * pad;
    const table = this.#inputTable!;
    table.replaceChildren();
    // Row and column headers for screen readers (hidden on screen): each value is read with
    // its position, as a data table should be.
    const head = el('tr');
    head.append(el('th', { scope: 'col', class: 'sr-only' }, 'row'));
    for (let c = 0; c < n; c++)
      head.append(el('th', { scope: 'col', class: 'sr-only' }, `column ${c - pad + 1}`));
    table.append(head);
    for (let r = 0; r < n; r++) {
      const tr = el('tr');
      tr.append(el('th', { scope: 'row', class: 'sr-only' }, `row ${r - pad + 1}`));
      for (let c = 0; c < n; c++) {
        const y = r - pad;
        const x = c - pad;
        const inside = y >= 0 && y < LECTURE_SIZE && x >= 0 && x < LECTURE_SIZE;
        const v = inside ? LECTURE_IMAGE[y * LECTURE_SIZE + x]! : 0;
        const td = el(
          'td',
          { 'data-iy': y, 'data-ix': x, class: inside ? null : 'pad' },
          String(v),
        );
        if (inside) {
          const { bg, fg } = inkColor(v);
          td.style.background = bg;
          td.style.color = fg;
        }
        tr.append(td);
      }
      table.append(tr);
    }
  }

  #renderOutputShell(): void {
    const [, , h, w] = this.#output!.shape as [number, number, number, number];
    const table = this.#outputTable!;
    table.replaceChildren();
    for (let y = 0; y < h; y++) {
      const tr = el('tr', { role: 'row' });
      for (let x = 0; x < w; x++) {
        tr.append(el('td', { role: 'gridcell', 'data-y': y, 'data-x': x, tabindex: -1 }));
      }
      table.append(tr);
    }
    rovingGrid(table, h, w);
    this.#explained = null;
    this.#explainCell(null);
  }

  #renderOutput(): void {
    const out = this.#output!;
    const [, , h, w] = out.shape as [number, number, number, number];
    const d = fractionDenominator(this.#kernel);
    let max = 0;
    for (const v of out.data) max = Math.max(max, Math.abs(v));
    const signed = out.data.some((v) => v < -1e-9);
    const scale = d !== null && d > 1 ? `, every value × 1/${d}` : '';
    this.#caption!.textContent = `Output (${h} × ${w})${scale}`;
    let longest = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = out.data[y * w + x]!;
        const td = this.#outputTable!.rows[y]!.cells[x]!;
        td.textContent = formatScaled(v, d);
        longest = Math.max(longest, td.textContent.length);
        const { bg, fg } = signed ? signedColor(v, max) : inkColor(max > 0 ? v / max : 0);
        td.style.background = bg;
        td.style.color = fg;
      }
    }
    // The key says what the colours mean in the output's own numbers (ninths written as such).
    const top = formatScaled(max, d);
    const keyText = `${signed}:${top}`;
    if (keyText !== this.#outputKeyText) {
      this.#outputKeyText = keyText;
      this.#outputKey!.replaceChildren(
        signed
          ? colorKey('diverging', 'Value', `−${top}`, top)
          : colorKey('ink', 'Value', '0', top),
      );
    }
    if (longest > 3) this.#outputTable!.dataset['digits'] = String(Math.min(longest, 6));
    else delete this.#outputTable!.dataset['digits'];
  }

  #explainCell(y: number | null, x?: number): void {
    for (const td of this.#root!.querySelectorAll('td.win, td.current')) {
      td.classList.remove('win', 'current');
      td.removeAttribute('data-k');
    }
    if (y === null || x === undefined) {
      this.#explained = null;
      this.#explain!.textContent = 'Hover over or focus an output cell to see how it is computed.';
      return;
    }
    this.#explained = { y, x };
    const { image, weight } = this.#tensors();
    const e = explainConv2d(
      image,
      weight,
      null,
      { padding: this.#padding ? 1 : 0 },
      { channel: 0, y, x },
    );
    const d = fractionDenominator(this.#kernel);
    e.rows.forEach((iy, i) => {
      e.cols.forEach((ix, j) => {
        const td = this.#inputTable!.querySelector<HTMLElement>(
          `td[data-iy="${iy}"][data-ix="${ix}"]`,
        );
        td?.classList.add('win');
        // Two decimals are enough for the small label in the corner; the sum below has three.
        td?.setAttribute('data-k', formatNumber(e.kernel[0]![i]![j]! * (d ?? 1), 2));
      });
    });
    this.#outputTable!.rows[y]?.cells[x]?.classList.add('current');
    this.#explain!.textContent = `Row ${y + 1}, column ${x + 1}: ${formatConvSum(e, d)}`;
  }
}
