import { type ModelName, modelBytes } from '@receptive/models';
import type { DigitChange } from './digit-run.js';
import { el, shadow } from './dom.js';
import { figureElement } from './figure-element.js';
import { testDigit } from './held-out.js';
import { modelSection } from './model-answer.js';
import { BASE_CSS, colorKey } from './theme.js';
import { maxAbs, paintGrey, paintMapOver } from './vis-draw.js';
import { OCCLUSION, VIS_SALIENCY_SPEC } from './vis-saliency.spec.js';
import { fine, hottest } from './vis-saliency-model.js';
import type { ModelMaps, SaliencyMessage, SaliencyRequest } from './vis-saliency-worker.js';

const MODELS: ModelName[] = ['cnn', 'mlp'];
const TITLES: Record<string, string> = { cnn: 'CNN', mlp: 'MLP' };

/** One model's answer and maps for the digit shown (as the figure's worker computes them). */
export type SaliencyResult = ModelMaps;

export { VIS_SALIENCY_SPEC };

const TAG = VIS_SALIENCY_SPEC.tag;

const CSS = `${BASE_CSS}
.tools { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; margin-bottom: 0.5rem; }
.models { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: 0.8rem; }
.model { border: 1px solid var(--rf-line); border-radius: 6px; padding: 0.5rem 0.7rem; }
.title { font-weight: 600; margin: 0 0 0.3rem; }
.maps { display: flex; flex-wrap: wrap; gap: 0.6rem; width: fit-content; max-width: 100%; }
.maps figure { margin: 0; width: 112px; }
.maps figcaption { white-space: nowrap; }
canvas { width: 112px; height: 112px; image-rendering: pixelated; border: 1px solid var(--rf-line); display: block; }
.digit canvas { width: 56px; height: 56px; }
.keys { display: flex; flex-wrap: wrap; gap: 0.4rem 1.2rem; margin-top: 0.6rem; }
.answer { margin: 0.4rem 0 0; font-size: 0.9em; min-height: 2.6em; }
.status { font-size: 0.85em; color: var(--rf-muted); min-height: 1.3em; margin: 0.2rem 0; }
`;

interface Box {
  name: ModelName;
  box: HTMLElement;
  occ: HTMLCanvasElement;
  sal: HTMLCanvasElement;
  answer: HTMLElement;
}

/**
 * `<rf-vis-saliency for="vis-pad">`: see {@link VIS_SALIENCY_SPEC}. Each model's maps are
 * computed in their own task, so the page answers between them.
 */
export class VisSaliency extends figureElement(VIS_SALIENCY_SPEC) {
  #root: ShadowRoot | null = null;
  #boxes: Box[] = [];
  #pixels: Float32Array | null = null;
  #source = '';
  #started = false;
  #generation = 0;
  #status: HTMLElement | null = null;
  #digitCanvas: HTMLCanvasElement | null = null;
  #results: SaliencyResult[] = [];

  /** The digit explained now (784 values). */
  get pixels(): Float32Array | null {
    return this.#pixels;
  }
  /** Each model's answer and maps for that digit, once computed. */
  get results(): readonly SaliencyResult[] {
    return this.#results;
  }
  /** Explains a digit of the page's choosing (784 grey levels in [0, 1]). */
  explain(pixels: Float32Array, source = 'A digit'): Promise<void> {
    if (pixels.length !== 784) {
      throw new RangeError(`<${TAG}> explain: received ${pixels.length} pixels, expected 784`);
    }
    return this.#setDigit(pixels.slice(), source);
  }

  protected override connected(): void {
    if (!this.#root) this.#build();
  }

  protected override disconnected(): void {
    this.#worker?.terminate();
    this.#worker = null;
    this.#started = false;
  }

  protected override changed(property: string): void {
    if (property === 'digit' && this.#started) void this.#loadTestDigit();
  }

  protected override nearChanged(near: boolean): void {
    if (near && !this.#started) void this.#start();
  }

  // The pad's digits reach this figure on the pad's channel (its latest one on connect too).
  protected override padDigit(d: DigitChange): void {
    if (d.empty || d.drawing) return;
    void this.#setDigit(
      d.pixels.slice(),
      d.source === 'held-out' ? `Test digit ${(d.index ?? 0) + 1}` : 'Your digit',
    );
  }

  #build(): void {
    const root = shadow(this, CSS);
    this.#root = root;
    this.#digitCanvas = el('canvas', { role: 'img', 'aria-label': 'The digit explained' });
    const next = el('button', { type: 'button' }, 'Next test digit');
    next.addEventListener('click', () => {
      // Through the property: `changed` loads the digit once the figure has started.
      this.digit = (this.digit + 1) % 10000;
    });
    this.#status = el(
      'p',
      { class: 'status' },
      'The CNN and the MLP load when this figure comes into view.',
    );
    this.#boxes = MODELS.map((name) => {
      const occ = el('canvas', { role: 'img', 'aria-label': `${TITLES[name]}: occlusion map` });
      const sal = el('canvas', { role: 'img', 'aria-label': `${TITLES[name]}: saliency map` });
      const answer = el('p', { class: 'answer' }, '–');
      const box = modelSection(
        name,
        TITLES[name]!,
        el(
          'div',
          { class: 'maps' },
          el('figure', {}, el('figcaption', {}, 'Occlusion'), occ),
          el('figure', {}, el('figcaption', {}, 'Gradient'), sal),
        ),
        answer,
      );
      return { name, box, occ, sal, answer };
    });
    root.append(
      el(
        'div',
        { class: 'tools' },
        el('figure', { class: 'digit' }, el('figcaption', {}, 'Digit'), this.#digitCanvas),
        next,
      ),
      this.#status,
      el('div', { class: 'models' }, ...this.#boxes.map((b) => b.box)),
      el(
        'div',
        { class: 'keys' },
        colorKey(
          'diverging',
          'Occlusion: how much hiding a pixel lowers P(answer)',
          '−max',
          '+max',
        ),
        colorKey('diverging', 'Gradient: |∂ score / ∂ pixel|, scaled to its largest', '', 'max'),
      ),
      this.live,
    );
  }

  async #start(): Promise<void> {
    this.#started = true;
    this.dataset['state'] = 'loading';
    this.#status!.textContent = 'Loading the CNN and the MLP…';
    let bytes: Uint8Array[];
    try {
      bytes = await Promise.all(MODELS.map((m) => modelBytes(m)));
    } catch (err) {
      this.dataset['state'] = 'error';
      this.#status!.textContent = `The models could not be loaded: ${(err as Error).message}.`;
      return;
    }
    // The maps are computed off the page's thread; the worker reads its own copies of the files.
    const worker = new Worker(new URL('./vis-saliency-worker.js', import.meta.url), {
      type: 'module',
      name: 'rf-vis-saliency',
    });
    worker.addEventListener('message', (e: MessageEvent<SaliencyMessage>) => {
      const m = e.data;
      const wait = this.#waiting.get(m.id);
      this.#waiting.delete(m.id);
      if (m.type === 'maps') wait?.resolve(m.results);
      else wait?.reject(new Error(m.message));
    });
    worker.addEventListener('error', (e) => {
      this.dataset['state'] = 'error';
      this.#status!.textContent = `The maps’ worker failed: ${e.message || 'it could not start'}.`;
    });
    const req: SaliencyRequest = {
      type: 'models',
      models: MODELS.map((name, i) => ({ name, bytes: bytes[i]!.slice() })),
    };
    // Handed over, not cloned: cloning the MLP's 1.6 MB on the page's thread takes 20-30 ms.
    worker.postMessage(
      req,
      req.models.map((m) => m.bytes.buffer),
    );
    this.#worker = worker;
    if (this.#pixels) await this.#run();
    else await this.#loadTestDigit();
  }

  #worker: Worker | null = null;
  #asked = 0;
  #waiting = new Map<
    number,
    { resolve: (r: SaliencyResult[]) => void; reject: (e: Error) => void }
  >();

  #maps(pixels: Float32Array): Promise<SaliencyResult[]> {
    const id = ++this.#asked;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      const req: SaliencyRequest = {
        type: 'explain',
        id,
        pixels: pixels.slice(),
        options: OCCLUSION,
      };
      this.#worker!.postMessage(req);
    });
  }

  async #loadTestDigit(): Promise<void> {
    try {
      const d = await testDigit(this.digit);
      await this.#setDigit(d.pixels, `Test digit ${d.index + 1} (a ${d.label})`);
    } catch (err) {
      this.#status!.textContent = `The test digits could not be loaded: ${(err as Error).message}.`;
    }
  }

  async #setDigit(pixels: Float32Array, source: string): Promise<void> {
    this.#pixels = pixels;
    this.#source = source;
    paintGrey(this.#digitCanvas!, pixels);
    if (this.#worker) await this.#run();
  }

  async #run(): Promise<void> {
    const pixels = this.#pixels!;
    const generation = ++this.#generation;
    this.dataset['state'] = 'running';
    this.#status!.textContent = `${this.#source}: computing both models’ maps…`;
    let results: SaliencyResult[];
    try {
      results = await this.#maps(pixels);
    } catch (err) {
      if (generation !== this.#generation) return;
      this.dataset['state'] = 'error';
      this.#status!.textContent = `The maps could not be computed: ${(err as Error).message}.`;
      return;
    }
    // A newer digit arrived while the worker was busy: its maps are on their way.
    if (generation !== this.#generation) return;
    for (const [i, b] of this.#boxes.entries()) this.#draw(b, results[i]!, pixels);
    this.#results = results;
    this.dataset['state'] = 'ready';
    this.#status!.textContent = `${this.#source}.`;
    this.dispatchEvent(
      new CustomEvent<SaliencyResult[]>('rf-saliency', { detail: results, bubbles: true }),
    );
    this.announce(
      results
        .map(
          (r) =>
            `${TITLES[r.model]} says ${r.prediction} (${fine(r.probs[r.prediction]!)}); ${hottest(r.occlusion, r.prediction)}.`,
        )
        .join(' '),
      0,
    );
  }

  #draw(b: Box, r: SaliencyResult, pixels: Float32Array): void {
    paintMapOver(b.occ, r.occlusion.map.data, maxAbs(r.occlusion.map.data), pixels);
    paintMapOver(b.sal, r.saliency.map.data, maxAbs(r.saliency.map.data), pixels);
    b.box.dataset['prediction'] = String(r.prediction);
    b.occ.setAttribute(
      'aria-label',
      `${TITLES[r.model]}: occlusion map of P(${r.prediction}); ${hottest(r.occlusion, r.prediction)}`,
    );
    b.sal.setAttribute(
      'aria-label',
      `${TITLES[r.model]}: gradient saliency of the score of ${r.prediction}`,
    );
    b.answer.textContent = `Says ${r.prediction} (${fine(r.probs[r.prediction]!)}). ${capital(hottest(r.occlusion, r.prediction))}.`;
  }
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
