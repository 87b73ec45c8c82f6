/**
 * The editable 3 × 3 kernel of the kernel lab and the photo figure: nine labelled number inputs
 * and a toggle button per preset. The host owns the kernel and places the two parts.
 */
import { el } from './dom.js';
import {
  KERNEL_PRESET_NAMES,
  KERNEL_PRESETS,
  type KernelPreset,
  PRESET_LABELS,
  presetOf,
} from './lecture.js';
import { THEME } from './theme.js';

/**
 * The layout of the editor's two parts, for the host's shadow root: the presets two to a row in
 * equal columns as wide as the longest label, so no row holds a lone button and, where there is
 * room, no label wraps (on the narrowest phones the labels wrap instead of widening the page);
 * the cells take the width the presets set, never less than 5.2rem each. Size containment keeps
 * the inputs' own intrinsic width from widening it.
 */
export const KERNEL_EDITOR_CSS = `
.kgrid { display: grid; grid-template-columns: repeat(3, 1fr); gap: 4px; contain: inline-size; min-width: calc(3 * 5.2rem + 8px); }
.kgrid input { width: 100%; padding: 0.2rem; text-align: right; font-family: ${THEME.mono}; }
.kgrid input[aria-invalid="true"] { border-color: var(--rf-highlight); }
.presets { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 4px; margin-top: 0.6rem; }
@media (min-width: 26rem) { .presets button { white-space: nowrap; } }
`;

/** How to build a {@link KernelEditor}. */
export interface KernelEditorOptions {
  /** Cell `i` (row by row) was edited to a finite number; a cell left invalid is only marked. */
  onCell: (i: number, value: number) => void;
  /** A preset button was pressed. */
  onPreset: (kernel: readonly number[]) => void;
}

/**
 * @example
 * const editor = new KernelEditor({ onCell: (i, v) => { kernel[i] = v; }, onPreset: (k) => { kernel = [...k]; } });
 * fieldset.append(editor.grid, editor.presets);
 * editor.showValues(kernel);
 * editor.showPreset(kernel);
 */
export class KernelEditor {
  /** The nine inputs (`.kgrid`), labelled "Kernel row 1, column 1" and so on. */
  readonly grid: HTMLDivElement;
  /** The preset buttons (`.presets`), a group named "Kernel presets". */
  readonly presets: HTMLDivElement;
  readonly #inputs: HTMLInputElement[];
  readonly #buttons = new Map<KernelPreset, HTMLButtonElement>();

  constructor(options: KernelEditorOptions) {
    this.grid = el('div', { class: 'kgrid' });
    this.#inputs = Array.from({ length: 9 }, (_, i) => {
      const input = el('input', {
        type: 'number',
        step: '0.1',
        inputmode: 'decimal',
        'aria-label': `Kernel row ${Math.floor(i / 3) + 1}, column ${(i % 3) + 1}`,
      });
      input.addEventListener('input', () => {
        const v = input.value.trim() === '' ? Number.NaN : Number(input.value);
        input.setAttribute('aria-invalid', String(!Number.isFinite(v)));
        if (!Number.isFinite(v)) return;
        options.onCell(i, v);
      });
      this.grid.append(input);
      return input;
    });
    this.presets = el('div', { class: 'presets', role: 'group', 'aria-label': 'Kernel presets' });
    for (const name of KERNEL_PRESET_NAMES) {
      const b = el('button', { type: 'button', 'data-preset': name }, PRESET_LABELS[name]);
      b.addEventListener('click', () => options.onPreset(KERNEL_PRESETS[name]));
      this.#buttons.set(name, b);
      this.presets.append(b);
    }
  }

  /** Writes `kernel` into the inputs and clears their invalid marks. */
  showValues(kernel: readonly number[]): void {
    this.#inputs.forEach((input, i) => {
      // A number input wants a plain decimal; 1/9 shows as 0.1111.
      input.value = String(Number(kernel[i]!.toFixed(4)));
      input.setAttribute('aria-invalid', 'false');
    });
  }

  /** Presses the preset button `kernel` equals, if any, and releases the others. */
  showPreset(kernel: readonly number[]): void {
    const preset = presetOf(kernel);
    for (const [name, b] of this.#buttons) b.setAttribute('aria-pressed', String(name === preset));
  }
}
