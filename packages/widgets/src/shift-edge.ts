import { conv2d, maxPool2d, shift2d, type Tensor, tensor } from '@receptive/core';
import { el, shadow } from './dom.js';
import { figureElement } from './figure-element.js';
import { testDigit } from './held-out.js';
import { restoreMove } from './share.js';
import { EDGE_MAX_SHIFT, parseShift, SHIFT_EDGE_SPEC } from './shift-edge.spec.js';
import { BASE_CSS, inkColor, signedColor } from './theme.js';

export { EDGE_MAX_SHIFT };

/** What changed in the pooled map when the digit moved (see {@link edgeShiftDiff}). */
export interface EdgeShiftCounts {
  dy: number;
  dx: number;
  /** Pooled units whose value differs from the unshifted digit's, same place. */
  changed: number;
  total: number;
  /**
   * For an even shift: units that differ from the unshifted pooled map moved by half the shift
   * (one pooled unit per two pixels), over the units both maps cover; null for an odd shift.
   */
  movedChanged: number | null;
  movedTotal: number | null;
}

export { parseShift, SHIFT_EDGE_SPEC };

const SIZE = 28;

/** The figure's maps: the digit's feature map under `kernel` (no bias) and its 2 x 2 max pool. */
export function edgeMaps(pixels: Float32Array, kernel: readonly number[]) {
  const input = tensor(pixels, [1, 1, SIZE, SIZE]);
  const feature = conv2d(input, tensor(Float32Array.from(kernel), [1, 1, 3, 3]));
  return { input, feature, pooled: maxPool2d(feature, { kernel: 2 }) };
}

const differs = (a: number, b: number) => Math.abs(a - b) > 1e-6;

/**
 * Counts the pooled units a shift changes: `base` is the pooled map of the digit, `moved` that of
 * the shifted digit. For an even shift, also compares `moved` with `base` moved by half the shift
 * (where both are defined): max pooling's stride is 2, so two pixels should move it by one unit.
 */
export function edgeShiftDiff(
  base: Tensor,
  moved: Tensor,
  dy: number,
  dx: number,
): EdgeShiftCounts {
  const [, , h, w] = base.shape as [number, number, number, number];
  let changed = 0;
  for (let i = 0; i < h * w; i++) if (differs(base.data[i]!, moved.data[i]!)) changed++;
  let movedChanged: number | null = null;
  let movedTotal: number | null = null;
  if (dy % 2 === 0 && dx % 2 === 0) {
    movedChanged = 0;
    movedTotal = 0;
    const uy = dy / 2;
    const ux = dx / 2;
    for (let y = 0; y < h; y++) {
      const sy = y - uy;
      if (sy < 0 || sy >= h) continue;
      for (let x = 0; x < w; x++) {
        const sx = x - ux;
        if (sx < 0 || sx >= w) continue;
        movedTotal++;
        if (differs(moved.data[y * w + x]!, base.data[sy * w + sx]!)) movedChanged++;
      }
    }
  }
  return { dy, dx, changed, total: h * w, movedChanged, movedTotal };
}

const CSS = `${BASE_CSS}
:host { container-type: inline-size; }
.maps { --c: clamp(3px, calc((100cqw - 2rem) / 82), 9px); display: flex; flex-wrap: wrap; gap: 0.8rem; align-items: flex-start; }
.maps figure { width: min-content; }
.map { display: grid; outline: 1px solid var(--rf-line); width: max-content; position: relative; }
.map span { display: block; width: var(--c); height: var(--c); }
.map.pooled span { width: calc(2 * var(--c)); height: calc(2 * var(--c)); }
.map span.changed { outline: 2px solid var(--rf-highlight); outline-offset: -1px; z-index: 1; }
.controls { display: grid; grid-template-columns: auto 1fr 2.5em; gap: 0.3rem 0.6rem; align-items: center; max-width: 24rem; margin-bottom: 0.6rem; }
.controls input[type="range"] { width: 100%; min-height: 2rem; }
.controls output { font-variant-numeric: tabular-nums; text-align: right; }
.count { margin: 0.7rem 0 0; min-height: 3em; }
.count strong { font-size: 1.15em; }
.key { display: inline-block; width: 0.9em; height: 0.9em; outline: 2px solid var(--rf-highlight); vertical-align: -0.1em; margin-right: 0.2em; }
`;

/**
 * `<rf-shift-edge digit="0" kernel="horizontal-edge" shift="0,1">`: see {@link SHIFT_EDGE_SPEC}.
 */
export class ShiftEdge extends figureElement(SHIFT_EDGE_SPEC) {
  #root: ShadowRoot | null = null;
  #pixels: Float32Array | null = null;
  #counts: EdgeShiftCounts | null = null;
  #token = 0;
  /** The reader moved a slider (the page's steps also shift, through the attribute). */
  #moved = false;

  /** The counts shown now (null until the digit is in). */
  get counts(): EdgeShiftCounts | null {
    return this.#counts ? { ...this.#counts } : null;
  }

  protected override changed(property: string): void {
    if (property === 'digit') void this.#load();
    else this.#render();
  }

  protected override connected(): void {
    if (this.#root) return;
    this.#root = shadow(this, CSS);
    const slider = (axis: 'dy' | 'dx', label: string) => {
      const input = el('input', {
        type: 'range',
        id: axis,
        min: -EDGE_MAX_SHIFT,
        max: EDGE_MAX_SHIFT,
        step: 1,
        value: this.shift[axis],
      });
      const out = el('output', { for: axis }, String(this.shift[axis]));
      input.addEventListener('input', () => {
        this.setAttribute(
          'shift',
          axis === 'dy' ? `${input.value},${this.shift.dx}` : `${this.shift.dy},${input.value}`,
        );
        this.#moved = true;
        this.stateChanged();
      });
      return [el('label', { for: axis }, label), input, out];
    };
    this.#root.append(
      el(
        'div',
        { class: 'controls' },
        ...slider('dy', 'Shift down (px)'),
        ...slider('dx', 'Shift right (px)'),
      ),
      el('div', { class: 'maps' }),
      el('p', { class: 'count', 'aria-live': 'polite' }, 'Loading a test digit…'),
      el('p', { class: 'caption status' }),
      this.shareControl,
    );
    void this.#load();
  }

  // In a link: the shift the reader chose, "down,right" as the attribute writes it.
  protected override saveState(): string | null {
    return this.#moved ? `${this.shift.dy},${this.shift.dx}` : null;
  }

  protected override restoreState(state: string | null): boolean {
    return restoreMove(
      state,
      parseShift,
      (shift) => this.setAttribute('shift', `${shift.dy},${shift.dx}`),
      (moved) => {
        this.#moved = moved;
      },
    );
  }

  async #load(): Promise<void> {
    if (!this.#root) return;
    const token = ++this.#token;
    try {
      const d = await testDigit(this.digit);
      if (token !== this.#token) return;
      this.#pixels = d.pixels;
      this.#root.querySelector('.status')!.textContent =
        `Test digit ${d.index + 1} of ${d.count.toLocaleString('en-US')} (a ${d.label}), convolved with the kernel (no bias), then max-pooled in 2 × 2 blocks. Outlined: pooled units that differ from the unshifted digit's.`;
    } catch (err) {
      this.#root.querySelector('.count')!.textContent =
        `The test digits could not be loaded: ${(err as Error).message}`;
      return;
    }
    this.#render();
  }

  #render(): void {
    const root = this.#root;
    if (!root || !this.#pixels) return;
    const { dy, dx } = this.shift;
    for (const axis of ['dy', 'dx'] as const) {
      const input = root.querySelector<HTMLInputElement>(`#${axis}`)!;
      input.value = String(this.shift[axis]);
      root.querySelector(`output[for="${axis}"]`)!.textContent = input.value;
    }
    const base = edgeMaps(this.#pixels, this.kernel);
    const shifted = shift2d(base.input, dy, dx);
    const moved = edgeMaps(shifted.data, this.kernel);
    const counts = edgeShiftDiff(base.pooled, moved.pooled, dy, dx);
    this.#counts = counts;
    let max = 0;
    for (const v of base.feature.data) max = Math.max(max, Math.abs(v));
    const grid = (
      t: Tensor,
      kind: string,
      label: string,
      color: (v: number) => string,
      mark?: Tensor,
    ) => {
      const [, , h, w] = t.shape as [number, number, number, number];
      const map = el('div', {
        class: `map ${kind}`,
        role: 'img',
        'aria-label': `${label}: ${kind === 'input' ? `the digit moved ${dy} down and ${dx} right` : `max-pooled edge map, ${h} × ${w}`}`,
        'data-map': kind,
      });
      map.style.gridTemplateColumns = `repeat(${w}, auto)`;
      for (let i = 0; i < h * w; i++) {
        const s = el('span');
        s.style.background = color(t.data[i]!);
        if (mark && differs(mark.data[i]!, t.data[i]!)) s.className = 'changed';
        map.append(s);
      }
      return el('figure', {}, el('figcaption', {}, label), map);
    };
    const sign = (v: number) => signedColor(v, max).bg;
    root.querySelector('.maps')!.replaceChildren(
      grid(shifted, 'input', 'Digit, moved', (v) => inkColor(v).bg),
      grid(base.pooled, 'pooled before', 'Pooled before', sign),
      grid(moved.pooled, 'pooled after', 'Pooled after', sign, base.pooled),
    );
    const moves =
      counts.movedChanged === null
        ? ` An odd shift does not line up with the 2 × 2 blocks, so the map does not simply move.`
        : dy === 0 && dx === 0
          ? ''
          : ` Compared with the unshifted map moved by ${Math.abs(dy / 2) + Math.abs(dx / 2) === 1 ? 'one unit' : `${dy / 2} down and ${dx / 2} right`}: <strong>${counts.movedChanged}</strong> of ${counts.movedTotal} differ.`;
    root.querySelector('.count')!.innerHTML =
      `<span class="key" aria-hidden="true"></span><strong>${counts.changed}</strong> of ${counts.total} pooled units changed.${moves}`;
    this.dataset['changed'] = String(counts.changed);
    this.dispatchEvent(
      new CustomEvent<EdgeShiftCounts>('rf-shift-edge', { detail: counts, bubbles: true }),
    );
  }
}
