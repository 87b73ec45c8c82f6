import { shift2d, tensor } from '@receptive/core';
import { DIGIT_SETS, toMnistInput } from '@receptive/models';
import { INK, PAPER } from '@receptive/render3d/colormap';
import { DIGIT_PAD_SPEC } from './digit-pad.spec.js';
import { type DigitChange, publishDigit } from './digit-run.js';
import { el, shadow } from './dom.js';
import { figureElement } from './figure-element.js';
import { testDigit } from './held-out.js';
import { decodeInk, decodeInts, encodeInk } from './share-codec.js';
import { BASE_CSS, inkRgb, THEME } from './theme.js';

export { DIGIT_PAD_SPEC, type DigitChange };

const SIZE = 28;
const PAD = THEME.padSize;
const hex = (rgb: number) => `#${rgb.toString(16).padStart(6, '0')}`;
/** The pen draws full-strength ink on blank paper, the two ends of every figure's ink scale. */
const PEN = hex(INK);
const PAD_PAPER = hex(PAPER);

const CSS = `${BASE_CSS}
.pad { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
canvas.draw {
  width: ${PAD}px; height: ${PAD}px; touch-action: none; background: ${PAD_PAPER}; cursor: crosshair;
  border: 1px solid var(--rf-line); border-radius: 6px; display: block;
}
canvas.seen {
  width: ${SIZE * THEME.previewScale}px; height: ${SIZE * THEME.previewScale}px; image-rendering: pixelated;
  border: 1px solid var(--rf-line); display: block;
}
.controls { display: flex; flex-wrap: wrap; gap: 0.4rem; margin-top: 0.5rem; align-items: center; }
.moves button { min-width: 2.75rem; }
.status { margin: 0.5rem 0 0; max-width: ${PAD}px; font-size: 0.9em; }
.hint { max-width: ${PAD}px; }
`;

/**
 * `<rf-digit-pad id="pad">`: see {@link DIGIT_PAD_SPEC}.
 */
export class DigitPad extends figureElement(DIGIT_PAD_SPEC) {
  #root: ShadowRoot | null = null;
  #draw: HTMLCanvasElement | null = null;
  #seen: HTMLCanvasElement | null = null;
  #status: HTMLElement | null = null;
  #strokes: { x: number; y: number }[][] = [];
  #pen: number | null = null;
  #base: Float32Array = new Float32Array(SIZE * SIZE);
  #pixels: Float32Array = new Float32Array(SIZE * SIZE);
  #offset = { x: 0, y: 0 };
  #source: 'drawing' | 'held-out' = 'drawing';
  #heldOut: { index: number; label: number } | null = null;
  /** The drawing came from a link: it has no strokes, and a new stroke starts afresh. */
  #fromLink = false;
  #frame = 0;

  /** The 28x28 image the models see now. */
  get pixels(): Float32Array {
    return this.#pixels.slice();
  }
  get empty(): boolean {
    return !this.#pixels.some((v) => v > 0);
  }

  protected override connected(): void {
    if (this.#root) return;
    this.#root = shadow(this, CSS);
    this.#draw = el('canvas', {
      class: 'draw',
      width: PAD,
      height: PAD,
      tabindex: 0,
      role: 'img',
      'aria-label': 'Drawing pad',
      'aria-describedby': 'hint',
    });
    this.#seen = el('canvas', {
      class: 'seen',
      width: SIZE,
      height: SIZE,
      role: 'img',
      'aria-label': 'The 28 by 28 image the models see',
    });
    this.#status = el('p', { class: 'status', 'aria-live': 'polite' }, 'Draw a digit.');
    const prev = el('button', { type: 'button', 'data-action': 'prev' }, 'Previous held-out digit');
    const next = el('button', { type: 'button', 'data-action': 'next' }, 'Next held-out digit');
    const clear = el('button', { type: 'button', 'data-action': 'clear' }, 'Clear');
    const moves = el(
      'div',
      { class: 'controls moves', role: 'group', 'aria-label': 'Move the digit' },
      el('span', { class: 'caption' }, 'Move:'),
      ...(
        [
          ['left', '←', -1, 0],
          ['up', '↑', 0, -1],
          ['down', '↓', 0, 1],
          ['right', '→', 1, 0],
        ] as const
      ).map(([name, arrow, dx, dy]) => {
        const b = el(
          'button',
          { type: 'button', 'data-move': name, 'aria-label': `Move ${name} one pixel` },
          arrow,
        );
        b.addEventListener('click', () => this.#move(dx, dy));
        return b;
      }),
    );
    prev.addEventListener('click', () => this.#step(-1));
    next.addEventListener('click', () => this.#step(1));
    clear.addEventListener('click', () => this.clear());
    this.#root.append(
      el(
        'div',
        { class: 'pad' },
        el(
          'div',
          {},
          this.#draw,
          el('div', { class: 'controls' }, prev, next, clear),
          moves,
          this.#status,
          this.shareControl,
        ),
        el(
          'figure',
          {},
          el('figcaption', {}, 'What the models see (28 × 28)'),
          this.#seen,
          el(
            'p',
            { class: 'caption hint', id: 'hint' },
            'Draw with a mouse, finger or pen, or pick a held-out digit. The pad centres every drawing, as MNIST did; the Move buttons (or the arrow keys, with the pad focused) then shift it one pixel at a time.',
          ),
        ),
      ),
    );
    this.#wirePointer(this.#draw);
    this.#draw.addEventListener('keydown', (e) => this.#onKey(e));
    this.#paint();
  }

  protected override disconnected(): void {
    cancelAnimationFrame(this.#frame);
  }

  /** Empties the pad and emits an empty digit. */
  clear(): void {
    this.#clear();
    this.stateChanged();
  }

  #clear(): void {
    this.#fromLink = false;
    this.#strokes = [];
    this.#source = 'drawing';
    this.#heldOut = null;
    this.#base = new Float32Array(SIZE * SIZE);
    this.#offset = { x: 0, y: 0 };
    this.#apply(false);
    this.#say('Cleared. Draw a digit.');
  }

  // In a link: `t` and a test digit's number counted from 1 (`t124`), or `d` and the drawing's
  // 28x28 ink (see encodeInk); then `.dx,dy` when the digit was moved. Nothing for a blank pad.
  protected override saveState(): string | null {
    if (!this.#base.some((v) => v > 0)) return null;
    const what = this.#heldOut ? `t${this.#heldOut.index + 1}` : `d${encodeInk(this.#base)}`;
    const { x, y } = this.#offset;
    return x === 0 && y === 0 ? what : `${what}.${x},${y}`;
  }

  protected override restoreState(state: string | null): boolean {
    if (state === null) {
      this.#clear();
      return true;
    }
    const m = /^([td])([A-Za-z0-9_-]+)(?:\.(-?\d+,-?\d+))?$/.exec(state);
    const offset = m?.[3] ? decodeInts(m[3], 2, -SIZE, SIZE) : [0, 0];
    if (!m || !offset) return false;
    const [x, y] = offset as [number, number];
    if (m[1] === 't') {
      const n = /^\d{1,7}$/.test(m[2]!) ? Number(m[2]) : 0;
      const count = this.digitsSrc ? 1e6 : DIGIT_SETS.test.count;
      if (n < 1 || n > count) return false;
      void this.#heldOutOrSay(n - 1, { x, y });
      return true;
    }
    const ink = decodeInk(m[2]!, SIZE * SIZE);
    if (!ink) return false;
    this.#strokes = [];
    this.#source = 'drawing';
    this.#heldOut = null;
    this.#fromLink = true;
    this.#base = ink;
    this.#offset = { x, y };
    this.#apply(false);
    this.#say('The drawing from the link. Draw to start a new one.');
    return true;
  }

  /** Shows a test digit, saying why where it cannot be downloaded. */
  async #heldOutOrSay(index: number, offset = { x: 0, y: 0 }): Promise<void> {
    try {
      await this.showHeldOut(index);
    } catch (e) {
      this.#say(`Could not download the test digits: ${(e as Error).message}`);
      return;
    }
    if (offset.x !== 0 || offset.y !== 0) {
      this.#offset = offset;
      this.#apply(false);
    }
    this.stateChanged();
  }

  /** Shows held-out digit `index` (loading the digits first if needed). */
  async showHeldOut(index: number): Promise<void> {
    this.#say('Loading the test digits…');
    const digit = await testDigit(index, this.digitsSrc ?? undefined, ({ loaded, total }) =>
      this.#say(
        `Loading the test digits: ${Math.round(loaded / 1000)} KB${total ? ` of ${Math.round(total / 1000)} KB (${Math.round((100 * loaded) / total)}%)` : ''}…`,
      ),
    );
    const i = digit.index;
    this.#strokes = [];
    this.#fromLink = false;
    this.#source = 'held-out';
    this.#heldOut = { index: i, label: digit.label };
    this.#base = digit.pixels;
    this.#offset = { x: 0, y: 0 };
    this.#apply(false);
    this.#say(
      `Test digit ${i + 1} of ${digit.count.toLocaleString('en-US')}, labelled ${this.#heldOut.label}.`,
    );
  }

  #step(delta: number): void {
    const at = this.#heldOut?.index;
    void this.#heldOutOrSay(at === undefined ? (delta > 0 ? 0 : -1) : at + delta);
  }

  #say(text: string): void {
    if (this.#status) this.#status.textContent = text;
  }

  #onKey(e: KeyboardEvent): void {
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [-1, 0],
      ArrowRight: [1, 0],
      ArrowUp: [0, -1],
      ArrowDown: [0, 1],
    };
    if (e.key === 'Escape') {
      this.clear();
      return;
    }
    const m = moves[e.key];
    if (!m) return;
    e.preventDefault();
    this.#move(m[0], m[1]);
  }

  /** Moves the digit by (dx, dy) pixels, arrow keys and Move buttons alike, and says where it is. */
  #move(dx: number, dy: number): void {
    if (!this.#base.some((v) => v > 0)) {
      this.#say('Nothing to move yet: draw a digit or pick a held-out one.');
      return;
    }
    this.#offset = { x: this.#offset.x + dx, y: this.#offset.y + dy };
    this.#apply(false);
    this.stateChanged();
    const { x, y } = this.#offset;
    const side = (v: number, pos: string, neg: string) =>
      v === 0
        ? null
        : `${Math.abs(v)} ${Math.abs(v) === 1 ? 'pixel' : 'pixels'} ${v > 0 ? pos : neg}`;
    const where = [side(x, 'right', 'left'), side(y, 'down', 'up')].filter(Boolean).join(', ');
    this.#say(where ? `Moved ${where}.` : 'Back in the middle.');
  }

  #wirePointer(canvas: HTMLCanvasElement): void {
    const point = (e: PointerEvent) => {
      const r = canvas.getBoundingClientRect();
      return {
        x: ((e.clientX - r.left) / r.width) * PAD,
        y: ((e.clientY - r.top) / r.height) * PAD,
      };
    };
    canvas.addEventListener('pointerdown', (e) => {
      if (this.#pen !== null || (e.pointerType === 'mouse' && e.button !== 0)) return;
      e.preventDefault();
      canvas.focus({ preventScroll: true });
      canvas.setPointerCapture(e.pointerId);
      this.#pen = e.pointerId;
      if (
        this.#source === 'held-out' ||
        this.#fromLink ||
        this.#offset.x !== 0 ||
        this.#offset.y !== 0
      ) {
        this.#strokes = [];
        this.#offset = { x: 0, y: 0 };
      }
      this.#fromLink = false;
      this.#source = 'drawing';
      this.#heldOut = null;
      this.#strokes.push([point(e)]);
      this.#schedule(true);
    });
    canvas.addEventListener('pointermove', (e) => {
      if (e.pointerId !== this.#pen) return;
      const stroke = this.#strokes.at(-1)!;
      const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
      for (const c of events.length ? events : [e]) stroke.push(point(c));
      this.#schedule(true);
    });
    const end = (e: PointerEvent) => {
      if (e.pointerId !== this.#pen) return;
      this.#pen = null;
      cancelAnimationFrame(this.#frame);
      this.#frame = 0;
      this.#rasterize();
      this.#apply(false);
      this.#say('Drawn. Keep drawing, or press Clear.');
      this.stateChanged();
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
  }

  // While the pen moves, recompute at most once per frame.
  #schedule(drawing: boolean): void {
    this.#paintStrokes();
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#rasterize();
      this.#apply(drawing && this.#pen !== null);
    });
  }

  // Kept in whole 255ths, as MNIST's own digits are, so a link holds the drawing exactly.
  #rasterize(): void {
    const { pixels } = toMnistInput({
      width: PAD,
      height: PAD,
      lineWidth: THEME.penWidth,
      strokes: this.#strokes,
    });
    for (let i = 0; i < pixels.length; i++) pixels[i] = Math.round(pixels[i]! * 255) / 255;
    this.#base = pixels;
  }

  #apply(drawing: boolean): void {
    const { x, y } = this.#offset;
    this.#pixels =
      x === 0 && y === 0
        ? this.#base.slice()
        : shift2d(tensor(this.#base, [1, 1, SIZE, SIZE]), y, x).data;
    this.#paint();
    const empty = this.empty;
    this.dataset['empty'] = String(empty);
    const detail: DigitChange = {
      pixels: this.pixels,
      empty,
      source: this.#source,
      ...(this.#heldOut ? this.#heldOut : {}),
      offset: { ...this.#offset },
      drawing,
    };
    this.dispatchEvent(
      new CustomEvent<DigitChange>('rf-digit', { detail, bubbles: true, composed: true }),
    );
    // The figures that follow this pad hear it on its channel, keyed by its id.
    if (this.id) publishDigit(this.id, detail);
  }

  #paintStrokes(): void {
    const ctx = this.#draw!.getContext('2d')!;
    ctx.fillStyle = PAD_PAPER;
    ctx.fillRect(0, 0, PAD, PAD);
    ctx.strokeStyle = PEN;
    ctx.fillStyle = PEN;
    ctx.lineWidth = THEME.penWidth;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    for (const s of this.#strokes) {
      ctx.beginPath();
      ctx.moveTo(s[0]!.x, s[0]!.y);
      if (s.length === 1) ctx.lineTo(s[0]!.x + 0.01, s[0]!.y);
      for (const p of s.slice(1)) ctx.lineTo(p.x, p.y);
      ctx.stroke();
    }
  }

  #paint(): void {
    const seen = this.#seen!.getContext('2d')!;
    const img = seen.createImageData(SIZE, SIZE);
    for (let i = 0; i < SIZE * SIZE; i++) {
      const [r, g, b] = inkRgb(this.#pixels[i]!);
      img.data.set([r, g, b, 255], i * 4);
    }
    seen.putImageData(img, 0, 0);
    if (
      this.#source === 'held-out' ||
      this.#fromLink ||
      this.#offset.x !== 0 ||
      this.#offset.y !== 0
    ) {
      // The pad shows the 28x28 image itself, blown up, when it did not come from the pen.
      const ctx = this.#draw!.getContext('2d')!;
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(this.#seen!, 0, 0, PAD, PAD);
    } else {
      this.#paintStrokes();
    }
  }
}
