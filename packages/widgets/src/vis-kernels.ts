import type { Conv2dLayer, SequentialModel } from '@receptive/core';
import { coreModel } from '@receptive/models';
import type { DigitChange } from './digit-run.js';
import { el, shadow } from './dom.js';
import { figureElement } from './figure-element.js';
import { testDigit } from './held-out.js';
import { BASE_CSS, colorKey } from './theme.js';
import { maxAbs, paintGrey, paintSigned } from './vis-draw.js';
import { KERNEL_LAYERS, type KernelLayer, VIS_KERNELS_SPEC } from './vis-kernels.spec.js';

export { KERNEL_LAYERS, type KernelLayer, VIS_KERNELS_SPEC };

const CSS = `${BASE_CSS}
.tools { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; margin-bottom: 0.5rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(9.5rem, 1fr)); gap: 0.5rem; list-style: none; padding: 0; margin: 0; }
.grid li { border: 1px solid var(--rf-line); border-radius: 6px; padding: 0.3rem 0.4rem; font-size: 0.75rem; }
.row { display: flex; gap: 0.4rem; align-items: center; }
.k { display: grid; grid-template-columns: repeat(4, 14px); gap: 2px; }
.k.one { grid-template-columns: 42px; }
.k canvas { width: 14px; height: 14px; image-rendering: pixelated; display: block; outline: 1px solid var(--rf-line); }
.k.one canvas { width: 42px; height: 42px; }
.map { width: 64px; height: 64px; image-rendering: pixelated; border: 1px solid var(--rf-line); display: block; }
.arrow { color: var(--rf-muted); }
.digit { width: 56px; height: 56px; image-rendering: pixelated; border: 1px solid var(--rf-line); }
.keys { display: flex; flex-wrap: wrap; gap: 0.4rem 1.2rem; margin-top: 0.5rem; }
.status { font-size: 0.85em; color: var(--rf-muted); min-height: 1.3em; margin: 0.2rem 0; }
/* conv2's filters (one slice per conv1 channel, four slices a row) in narrower cells, so the whole layer fits beside the text. */
:host([data-layer='conv2']) .grid { grid-template-columns: repeat(auto-fill, minmax(8.4rem, 1fr)); }
:host([data-layer='conv2']) .k { grid-template-columns: repeat(4, 11px); }
:host([data-layer='conv2']) .k canvas { width: 11px; height: 11px; }
:host([data-layer='conv2']) .map { width: 44px; height: 44px; }
`;

/** `<rf-vis-kernels for="vis-pad" layer="conv1">`: see {@link VIS_KERNELS_SPEC}. */
export class VisKernels extends figureElement(VIS_KERNELS_SPEC) {
  #root: ShadowRoot | null = null;
  #model: SequentialModel | null = null;
  #pixels: Float32Array | null = null;
  #started = false;
  #ui: {
    digit: HTMLCanvasElement;
    grid: HTMLElement;
    status: HTMLElement;
    buttons: HTMLButtonElement[];
  } | null = null;
  #drawn: {
    layer: KernelLayer;
    weights: Float32Array;
    pixels: Float32Array;
    maps: Float32Array;
  } | null = null;

  /** What is drawn now: the layer, its weights, the digit and the maps (null before the model). */
  get drawn(): {
    layer: KernelLayer;
    weights: Float32Array;
    pixels: Float32Array;
    maps: Float32Array;
  } | null {
    return this.#drawn;
  }

  protected override connected(): void {
    if (!this.#root) this.#build();
  }

  protected override changed(property: string): void {
    if (property === 'layer') this.#draw();
    else if (property === 'digit' && this.#started) void this.#loadTestDigit();
  }

  protected override nearChanged(near: boolean): void {
    if (near && !this.#started) void this.#start();
  }

  // The pad's digits reach this figure on the pad's channel (its latest one on connect too).
  protected override padDigit(d: DigitChange): void {
    if (d.empty || d.drawing) return;
    this.#pixels = d.pixels.slice();
    this.#draw();
  }

  #build(): void {
    const root = shadow(this, CSS);
    this.#root = root;
    const buttons = KERNEL_LAYERS.map((l) => {
      const b = el('button', { type: 'button', 'aria-pressed': String(l === this.layer) }, l);
      b.addEventListener('click', () => {
        this.layer = l;
        this.stateChanged();
      });
      return b;
    });
    const digit = el('canvas', { class: 'digit', role: 'img', 'aria-label': 'The input digit' });
    const grid = el('ol', {
      class: 'grid',
      'aria-label': 'Each channel: its kernel and its feature map',
    });
    const status = el('p', { class: 'status' }, 'The CNN loads when this figure comes into view.');
    this.#ui = { digit, grid, status, buttons };
    root.append(
      el('div', { class: 'tools' }, digit, ...buttons),
      status,
      grid,
      el(
        'div',
        { class: 'keys' },
        colorKey(
          'diverging',
          'Kernel weights and feature maps, each scaled to its largest magnitude',
          '−max',
          '+max',
        ),
      ),
      this.shareControl,
    );
  }

  // In a link: the layer the reader chose (its digit is the pad's, which keeps its own).
  protected override saveState(): string | null {
    return this.layer === this.authored('layer') ? null : this.layer;
  }

  protected override restoreState(state: string | null): boolean {
    const layer = state ?? (this.authored('layer') as KernelLayer);
    if (!(KERNEL_LAYERS as readonly string[]).includes(layer)) return false;
    this.layer = layer as KernelLayer;
    return true;
  }

  async #start(): Promise<void> {
    this.#started = true;
    try {
      this.#model = await coreModel('cnn');
    } catch (err) {
      this.#ui!.status.textContent = `The CNN could not be loaded: ${(err as Error).message}.`;
      return;
    }
    if (this.#pixels) this.#draw();
    else await this.#loadTestDigit();
  }

  async #loadTestDigit(): Promise<void> {
    try {
      const d = await testDigit(this.digit);
      this.#pixels = d.pixels;
      this.#draw();
    } catch (err) {
      this.#ui!.status.textContent =
        `The test digits could not be loaded: ${(err as Error).message}.`;
    }
  }

  #draw(): void {
    const ui = this.#ui;
    if (!ui) return;
    for (const [i, b] of ui.buttons.entries()) {
      b.setAttribute('aria-pressed', String(KERNEL_LAYERS[i] === this.layer));
    }
    this.dataset['layer'] = this.layer;
    if (!this.#model || !this.#pixels) return;
    const model = this.#model;
    paintGrey(ui.digit, this.#pixels);
    const layer = model.layer(this.layer) as Conv2dLayer;
    const maps = model.forwardAll({ shape: [1, 1, 28, 28], data: this.#pixels }, this.layer)
      .activations[this.layer]!;
    const [k, d, kh, kw] = layer.weight.shape as [number, number, number, number];
    const [, h, w] = layer.outputShape as [number, number, number];
    const wMax = maxAbs(layer.weight.data);
    const items: HTMLElement[] = [];
    for (let c = 0; c < k; c++) {
      const kernels = el('span', {
        class: d === 1 ? 'k one' : 'k',
        role: 'img',
        'aria-label': `Kernel of channel ${c}: ${d} slice${d === 1 ? '' : 's'} of ${kh} × ${kw} weights`,
      });
      for (let s = 0; s < d; s++) {
        const cv = el('canvas', {});
        const at = (c * d + s) * kh * kw;
        paintSigned(cv, layer.weight.data.subarray(at, at + kh * kw), wMax, kw, kh);
        kernels.append(cv);
      }
      const map = maps.data.subarray(c * h * w, (c + 1) * h * w);
      const mapCanvas = el('canvas', {
        class: 'map',
        role: 'img',
        'aria-label': `Feature map of channel ${c}, ${h} × ${w}, from ${min(map).toFixed(2)} to ${Math.max(...map).toFixed(2)}`,
      });
      paintSigned(mapCanvas, map, maxAbs(map), w, h);
      items.push(
        el(
          'li',
          { 'data-channel': c },
          el('span', {}, `Channel ${c}`),
          el(
            'span',
            { class: 'row' },
            kernels,
            el('span', { class: 'arrow', 'aria-hidden': 'true' }, '→'),
            mapCanvas,
          ),
        ),
      );
    }
    ui.grid.replaceChildren(...items);
    this.#drawn = {
      layer: this.layer,
      weights: layer.weight.data,
      pixels: this.#pixels,
      maps: maps.data,
    };
    this.dataset['drawn'] = this.layer;
    ui.status.textContent = `${this.layer}: ${k} kernels of ${d} × ${kh} × ${kw} learned weights (one bias each), and the ${h} × ${w} map each makes of the digit.`;
  }
}

const min = (a: ArrayLike<number>) => {
  let m = Number.POSITIVE_INFINITY;
  for (let i = 0; i < a.length; i++) m = Math.min(m, a[i]!);
  return m;
};
