import { el, rovingGrid, shadow } from './dom.js';
import { figureElement } from './figure-element.js';
import { restoreMove } from './share.js';
import { parseOne, SHIFT_BLOCK_SIZE, SHIFT_BLOCK_SPEC } from './shift-block.spec.js';
import { blockExample } from './shift-block-model.js';
import { BASE_CSS, THEME } from './theme.js';

/** `event.detail` of `rf-shift-block`. */
export interface BlockShift {
  /** Where the 1 sits, 0-based row and column of the 4 x 4 input. */
  y: number;
  x: number;
  /** The 2 x 2 pooled grid, row by row. */
  pooled: number[];
}

export { blockExample, parseOne, SHIFT_BLOCK_SIZE, SHIFT_BLOCK_SPEC };

const N = SHIFT_BLOCK_SIZE;
const BLOCK_NAMES = ['top-left', 'top-right', 'bottom-left', 'bottom-right'];

const CSS = `${BASE_CSS}
.row { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem; }
figure { margin: 0; }
figcaption { font-size: 0.8rem; color: var(--rf-muted); margin-bottom: 0.3rem; }
.grid { display: grid; width: max-content; border: 2px solid var(--rf-ink); font-variant-numeric: tabular-nums; }
.grid > [role="row"] { display: contents; }
.cell { width: ${THEME.labCell}px; height: ${THEME.labCell}px; display: grid; place-items: center; font-size: 1rem; border: 1px solid var(--rf-line); box-sizing: border-box; background: #fff; color: #000; }
.in .cell { cursor: pointer; touch-action: manipulation; }
.in .cell.b-right { border-right: 2px solid var(--rf-ink); }
.in .cell.b-down { border-bottom: 2px solid var(--rf-ink); }
.cell.one { background: #1d1d1f; color: #fff; font-weight: 700; }
.cell.lit { outline: 3px solid var(--rf-highlight); outline-offset: -3px; }
.cell:focus-visible { outline: 3px solid var(--rf-focus); outline-offset: -3px; }
.out .cell { width: ${THEME.labCell * 1.5}px; height: ${THEME.labCell * 1.5}px; font-size: 1.2rem; }
.arrow { font-size: 1.4rem; color: var(--rf-muted); }
.say { margin: 0.75rem 0 0; min-height: 3em; }
`;

/**
 * `<rf-shift-block one="1,1">`: see {@link SHIFT_BLOCK_SPEC}.
 */
export class ShiftBlock extends figureElement(SHIFT_BLOCK_SPEC) {
  #root: ShadowRoot | null = null;
  #moveTo: ((y: number, x: number, focus?: boolean) => void) | null = null;
  #pooled: number[] = [];
  /** The reader moved the 1 (the page's steps also move it, through the attribute). */
  #moved = false;

  /** The pooled 2 x 2 grid shown now, row by row. */
  get pooled(): number[] {
    return [...this.#pooled];
  }

  protected override changed(): void {
    this.#update();
  }

  protected override connected(): void {
    if (this.#root) return;
    this.#root = shadow(this, CSS);
    const input = el('div', {
      class: 'grid in',
      role: 'grid',
      'aria-label': 'Input, 4 × 4, cut into four 2 × 2 blocks: choose where the 1 sits',
    });
    input.style.gridTemplateColumns = `repeat(${N}, auto)`;
    for (let y = 0; y < N; y++) {
      const row = el('div', { role: 'row' });
      for (let x = 0; x < N; x++) {
        const cell = el('div', {
          class: `cell${x % 2 === 0 && x < N - 1 ? ' b-right' : ''}${y % 2 === 0 && y < N - 1 ? ' b-down' : ''}`,
          role: 'gridcell',
          tabindex: -1,
          'data-y': y,
          'data-x': x,
        });
        row.append(cell);
      }
      input.append(row);
    }
    const output = el('div', { class: 'grid out', role: 'img', 'aria-label': 'Pooled, 2 × 2' });
    output.style.gridTemplateColumns = 'repeat(2, auto)';
    for (let i = 0; i < 4; i++) output.append(el('span', { class: 'cell', 'data-i': i }));
    const say = el('p', { class: 'say', 'aria-live': 'polite' });
    this.#root.append(
      el(
        'div',
        { class: 'row' },
        el('figure', {}, el('figcaption', {}, 'Input 4 × 4 (blocks outlined)'), input),
        el('span', { class: 'arrow', 'aria-hidden': 'true' }, '→'),
        el('figure', {}, el('figcaption', {}, 'Max-pooled 2 × 2'), output),
      ),
      say,
      this.shareControl,
    );
    this.#moveTo = rovingGrid(input, N, N);
    // Focus (arrow keys, Tab) and a press (mouse, pen, touch) both put the 1 in the cell.
    input.addEventListener('focusin', (e) => this.#pick(e.target));
    input.addEventListener('pointerdown', (e) => {
      const cell = (e.target as HTMLElement).closest<HTMLElement>('[data-y]');
      if (!cell) return;
      this.#pick(cell);
      this.#moveTo?.(Number(cell.dataset['y']), Number(cell.dataset['x']), true);
    });
    this.#update();
  }

  #pick(target: EventTarget | null): void {
    const cell = (target as HTMLElement | null)?.closest?.<HTMLElement>('[data-y]');
    if (!cell) return;
    const y = Number(cell.dataset['y']);
    const x = Number(cell.dataset['x']);
    if (y === this.one.y && x === this.one.x) return;
    this.one = { y, x };
    this.setAttribute('one', `${y + 1},${x + 1}`);
    this.#moved = true;
    this.stateChanged();
  }

  // In a link: where the reader put the 1, "row,column" counted from 1, as the attribute.
  protected override saveState(): string | null {
    return this.#moved ? `${this.one.y + 1},${this.one.x + 1}` : null;
  }

  protected override restoreState(state: string | null): boolean {
    return restoreMove(
      state,
      parseOne,
      (one) => {
        this.one = one;
        this.setAttribute('one', `${one.y + 1},${one.x + 1}`);
      },
      (moved) => {
        this.#moved = moved;
      },
    );
  }

  #update(): void {
    const root = this.#root;
    if (!root) return;
    const { y, x } = this.one;
    const { input, pooled } = blockExample(y, x);
    this.#pooled = pooled;
    this.#moveTo?.(y, x, root.activeElement !== null);
    for (const cell of root.querySelectorAll<HTMLElement>('.in [data-y]')) {
      const cy = Number(cell.dataset['y']);
      const cx = Number(cell.dataset['x']);
      const v = input[cy * N + cx]!;
      cell.textContent = String(v);
      cell.classList.toggle('one', v === 1);
      cell.setAttribute(
        'aria-label',
        `Row ${cy + 1}, column ${cx + 1}: ${v}${v === 1 ? ' (the 1)' : ''}`,
      );
    }
    const block = Math.floor(y / 2) * 2 + Math.floor(x / 2);
    for (const cell of root.querySelectorAll<HTMLElement>('.out [data-i]')) {
      const i = Number(cell.dataset['i']);
      cell.textContent = String(pooled[i]);
      cell.classList.toggle('one', pooled[i] === 1);
      cell.classList.toggle('lit', i === block);
    }
    this.dataset['pooled'] = pooled.join(',');
    const first = pooled[0]!;
    root.querySelector('.say')!.textContent =
      `The 1 is at row ${y + 1}, column ${x + 1}, in the ${BLOCK_NAMES[block]} block. Pooled: ${pooled.slice(0, 2).join(' ')} / ${pooled.slice(2).join(' ')}; the top-left block gives ${first}.`;
    this.dispatchEvent(
      new CustomEvent<BlockShift>('rf-shift-block', {
        detail: { y, x, pooled },
        bubbles: true,
      }),
    );
  }
}
