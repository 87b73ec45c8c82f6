import type { SequentialModel } from '@receptive/core';
import type { CursorEvent, NetworkScene, NetworkView, UnitCursor } from '@receptive/render3d';
import { type OwnModel, runOwnModel } from './byo-model.js';
import {
  type DigitChange,
  type DigitRun,
  type ModelRun,
  READER_MODEL,
  type ReaderModel,
} from './digit-run.js';
import { el, hideKeepingFocus, shadow } from './dom.js';
import { figureElement } from './figure-element.js';
import { importChunk } from './import-chunk.js';
import { NETWORK_3D_SPEC } from './network-3d.spec.js';
import {
  checkNetworkUnit,
  type DrawnLayer,
  fitsNetwork,
  geometry,
  geometryNow,
  type NetworkLayer,
  type NetworkRun,
  type NetworkUnit,
  type PickedUnit,
  pickChanged,
  pickedText,
  pickUnit,
  viewLayers,
} from './network-3d-model.js';
import { OWN_MODEL_CSS, OwnModelSource } from './own-model-source.js';
import { SceneLoader } from './scene-loader.js';
import { BASE_CSS, colorKey } from './theme.js';

export type { NetworkLayer, NetworkUnit, PickedUnit } from './network-3d-model.js';

/** `event.detail` of `rf-network`. */
export interface NetworkDrawn {
  model: string;
  layers: NetworkLayer[];
}

export { NETWORK_3D_SPEC };

const TAG = NETWORK_3D_SPEC.tag;

const STYLES = `${BASE_CSS}
.toolbar { display: flex; flex-wrap: wrap; gap: 0.3rem; align-items: center; margin-bottom: 0.4rem; font-size: 0.85em; }
.toolbar[hidden] { display: none; }
.groups { font-size: 0.85em; margin: 0.3rem 0; padding-left: 1.4rem; }
.groups[hidden] { display: none; }
.toolbar .label { color: var(--rf-muted); margin-right: 0.2rem; }
.toolbar button { min-height: 1.9em; padding: 0.1em 0.55em; }
.stage { position: relative; height: clamp(260px, 46vh, 440px); border: 1px solid var(--rf-line); border-radius: 6px; overflow: hidden; background: var(--rf-panel); }
.stage canvas:focus-visible, .stage:focus-visible { outline: 3px solid var(--rf-focus); outline-offset: -3px; }
.overlay { position: absolute; inset: 0; display: grid; place-items: center; margin: 0; padding: 1rem; text-align: center; color: var(--rf-muted); font-size: 0.9em; background: var(--rf-panel); z-index: 1; }
.overlay[hidden] { display: none; }
.status { margin: 0.3rem 0 0; font-size: 0.85em; color: var(--rf-error); }
.status:empty { display: none; }
.keys { display: flex; flex-wrap: wrap; gap: 0.3rem 1.5rem; margin: 0.35rem 0 0; }
.readout { margin: 0.35rem 0 0; font-size: 0.9em; min-height: 2.6em; }
.hint { margin: 0.2rem 0 0; font-size: 0.8em; color: var(--rf-muted); }
@media (max-width: 600px) { .stage { height: clamp(340px, 55vh, 480px); } }
${OWN_MODEL_CSS}`;

const IDLE_TEXT = 'Draw a digit on the pad, or pick a held-out one, to see the whole network.';
const LOADING_TEXT = 'Loading the 3D view…';

/**
 * `<rf-network-3d for="pad" model="cnn">`: see {@link NETWORK_3D_SPEC}.
 *
 * Like `<rf-feature-maps>`, it runs no model: it listens to `rf-predict` from the
 * `<rf-model-compare>` that follows the same pad (whose results carry every layer's output) and
 * keeps only the newest while offscreen. three.js and @receptive/render3d load (one chunk) when
 * the figure comes on screen, with the model file that gives @receptive/core the geometry for
 * receptive fields.
 */
export class Network3D extends figureElement(NETWORK_3D_SPEC) {
  #root: ShadowRoot | null = null;
  #parts: Record<string, HTMLElement> = {};
  #loader: SceneLoader<NetworkScene>;
  #pending: NetworkRun | null = null;
  #run: NetworkRun | null = null;
  #drawn: DrawnLayer[] | null = null;
  #drawing = false;
  #unit: NetworkUnit | null = null;
  /** A camera preset from a link, for the first view that has it. */
  #linkedPreset: string | null = null;
  #picked: PickedUnit | null = null;
  #reader: ReaderModel | null = null;
  /** The shipped model shown before the reader's took its place. */
  #shipped: Network3D['model'] | null = null;
  /** Picks units by pointer and keys (render3d's one key map), once the 3D code is in. */
  #cursor: UnitCursor | null = null;
  /** The 3D code failed to load: its alert stays until a Retry, whatever digits come. */
  #loadFailed = false;
  /** A model of the author's (`src`) or the reader's own (a file), run here on the pad's digit. */
  #own: OwnModel | null = null;
  // The 3D view traces receptive fields through each layer's geometry, which only a model the
  // core reads has: a model the core cannot read is refused here (the feature maps run it).
  #source = new OwnModelSource(this, {
    model: (own) => {
      if (own.runtime === 'core') this.#showOwn(own);
    },
  });
  /** The `src` asked for last (it loads once the figure is near). */
  #srcLoaded: string | null = null;
  /** The pad's latest digit, for a model of one's own (null when cleared). */
  #digit: Float32Array | null = null;

  constructor() {
    super();
    this.#loader = new SceneLoader<NetworkScene>(this, {
      load: async (current) => {
        const [{ NetworkScene, UnitCursor }] = await Promise.all([
          importChunk('scenes-3d', () => import('./scenes-3d.js')),
          this.#geometry(),
        ]);
        if (!current()) return null;
        this.#cursor = this.#makeCursor(UnitCursor);
        return new NetworkScene(this.#parts['stage']!, {
          label: 'The whole network in 3D',
          backend: this.backend,
          onView: (view) => this.#onView(view),
          // A canvas the host swapped in (a WebGPU device lost) is picked on the same way.
          onCanvas: (canvas) => this.#cursor?.connect(canvas),
        });
      },
      onReady: () => {
        this.dataset['state'] = 'idle';
        this.#overlay(IDLE_TEXT);
        void this.#draw();
      },
      onError: (err) => {
        this.#overlay('The 3D view could not be loaded.');
        this.#setStatus(
          `The 3D view could not be loaded (${err.message}). The feature maps above show the same layers.`,
        );
        this.#parts['retry']!.hidden = false;
        this.#loadFailed = true;
        this.dataset['state'] = 'error';
      },
      onRelease: () => {
        // A keyboard reader on the Retry lands on the scene that loads in its place.
        hideKeepingFocus(this.#parts['retry']!, this.#parts['stage']!);
        this.#loadFailed = false;
        this.#drawn = null;
        this.#cursor?.dispose();
        this.#cursor = null;
        if (this.#run && !this.#pending) this.#pending = this.#run;
        this.#overlay(LOADING_TEXT);
        this.#parts['toolbar']?.setAttribute('hidden', '');
        delete this.dataset['state'];
        delete this.dataset['backend'];
      },
      onVisible: (visible) => {
        if (visible) void this.#draw();
      },
    });
  }

  protected override changed(property: string, old: unknown): void {
    if (property === 'groups') this.#applyGroups();
    if (property === 'src') {
      if (this.src) this.#loadSrc();
      else if (this.#own) {
        // The author's model is dropped: back to the comparison's run of `model`.
        this.#own = null;
        this.#srcLoaded = null;
        this.#source.showNote(null);
        delete this.dataset['ownModel'];
        this.#run = null;
        this.#pending = null;
        this.#setUnit(null, false);
        this.adoptRun();
      }
      return;
    }
    if (property === 'model' && this.model !== old) {
      // The base hands this model's latest run next.
      this.#run = null;
      this.#pending = null;
      this.#setUnit(null, false);
      void this.#draw();
    } else if (property === 'htmlFor' && this.#root) {
      this.#run = null;
      this.#pending = null;
      void this.#draw();
    }
  }

  // The run of this model on the pad's digit (null: the pad was cleared).
  protected override modelRun(mine: ModelRun | null, all: DigitRun | null): void {
    // A model of one's own is run here; the comparison's runs are of another model.
    if (mine && all) {
      if (!this.#own) this.#accept(mine, all.pixels);
    } else this.#clear();
  }

  protected override modelMissing(message: string): void {
    if (this.#own) return;
    this.#setStatus(message);
    this.dataset['state'] = 'error';
  }

  protected override nearChanged(near: boolean): void {
    if (near) this.#loadSrc();
  }

  protected override padDigit(change: DigitChange): void {
    this.#digit = change.empty ? null : change.pixels.slice();
    if (this.#own) this.#runOwn();
  }

  /** Reads `src` once the figure is near (again after it changes). */
  #loadSrc(): void {
    const src = this.src;
    if (!src || !this.near || src === this.#srcLoaded) return;
    this.#srcLoaded = src;
    void this.#source.load(src);
  }

  /** A model read from `src` or a file: drawn from now on, on the pad's digit. */
  #showOwn(own: OwnModel): void {
    this.#own = own;
    this.dataset['ownModel'] = own.name;
    this.#source.showNote(own);
    this.#run = null;
    this.#pending = null;
    this.#setUnit(null, false);
    if (!this.#loadFailed) this.#setStatus('');
    if (this.#digit) this.#runOwn();
    else if (this.#loader.scene) {
      this.#drawn = null;
      this.#overlay(`${own.name} is ready: draw a digit on the pad, or pick one, to see it.`);
    }
  }

  /** Runs the own model on the pad's digit with the core; every layer is drawn. */
  #runOwn(): void {
    const own = this.#own;
    if (!own || !this.#digit) return;
    const run = runOwnModel(own, this.#digit);
    this.#pending = { pixels: run.input, activations: run.activations };
    if (this.#loader.visible) void this.#draw();
  }

  /** The layers drawn now, with the dims of their activations; null before a digit. */
  get layers(): NetworkLayer[] | null {
    return this.#drawn?.map((l) => ({ name: l.name, kind: l.kind, dims: [...l.dims] })) ?? null;
  }

  /** The picked unit (counted from 0), or null. */
  get unit(): NetworkUnit | null {
    return this.#unit ? { ...this.#unit } : null;
  }
  set unit(v: NetworkUnit | null) {
    if (v && this.#drawn) checkNetworkUnit(TAG, v, this.#drawn);
    this.#setUnit(v ? { layer: v.layer, channel: v.channel, y: v.y, x: v.x } : null, false);
  }

  /** The picked unit with its value and receptive field, or null. */
  get picked(): PickedUnit | null {
    return this.#picked ? structuredClone(this.#picked) : null;
  }

  /** The render3d view drawn now (three.js scene, camera, presets), or null. */
  get view(): NetworkView | null {
    return this.#loader.scene?.view ?? null;
  }

  /** Where a unit is drawn on the page (client coordinates), in 3D; null otherwise. */
  unitPosition(unit: NetworkUnit): { x: number; y: number } | null {
    const view = this.view;
    if (!view || view.host.backend === '2d') return null;
    return view.clientPosition(unit.layer, unit.channel, unit.y, unit.x);
  }

  protected override connected(): void {
    if (!this.#root) {
      this.#root = shadow(this, STYLES);
      this.#build();
    }
    this.#loader.connect();
  }

  protected override disconnected(): void {
    this.#loader.disconnect();
  }

  #build(): void {
    const toolbar = el(
      'div',
      { class: 'toolbar', role: 'group', 'aria-label': 'Camera', hidden: true },
      el('span', { class: 'label', 'aria-hidden': 'true' }, 'View:'),
    );
    toolbar.addEventListener('click', (e) => {
      const b = (e.target as Element).closest<HTMLButtonElement>('button[data-preset]');
      if (!b) return;
      this.view?.setPreset(b.dataset['preset']!);
      this.#syncPresets();
      this.stateChanged();
    });
    const overlay = el('p', { class: 'overlay', role: 'status' }, LOADING_TEXT);
    const stage = el('div', { class: 'stage' }, overlay);
    // The view says whether its captions fit over the scene (one row of layers, not the 2D
    // fallback); where they do not, the list under it shows them.
    stage.addEventListener('rf-groups', (e) => {
      this.#parts['groups']?.classList.toggle('sr-only', (e as CustomEvent<boolean>).detail);
    });
    const status = el('p', { class: 'status', role: 'alert' });
    const retry = el('button', { type: 'button', class: 'retry', hidden: true }, 'Retry');
    retry.addEventListener('click', () => {
      this.#setStatus('');
      void this.#loader.retry();
    });
    const readout = el('p', { class: 'readout' }, pickedText(null));
    const hint = el(
      'p',
      { class: 'hint', id: 'keys' },
      'Drag to turn the network. Hover or click a unit, or Tab to the figure: arrow keys move over a map, Page Up and Page Down change channel, comma and period change layer, Escape clears.',
    );
    const live = this.live;
    // Every map is scaled to its own layer: the key says so rather than give one range.
    const keys = el(
      'div',
      { class: 'keys' },
      colorKey('ink', 'Activation', '0', 'layer’s largest'),
      colorKey('diverging', 'Signed (before ReLU)', '−largest', '+largest'),
    );
    // The captions over groups of layers, also as a list: read by screen readers, and shown on
    // the 2D fallback, which draws no labels.
    const groups = el('ol', { class: 'groups', 'aria-label': 'The blocks of the network' });
    this.#root!.append(
      this.#source.element,
      toolbar,
      stage,
      this.#source.note,
      groups,
      keys,
      status,
      retry,
      readout,
      hint,
      this.shareControl,
      live,
    );
    this.#parts = { toolbar, overlay, stage, groups, status, retry, readout, hint, live };
    this.#applyGroups();
  }

  /** Puts the `groups` captions over the view and in the list under it. */
  #applyGroups(): void {
    const list = this.#parts['groups'];
    if (!list) return;
    const groups = this.groups ?? [];
    list.replaceChildren(...groups.map((g) => el('li', {}, `${g.layers.join(', ')}: ${g.text}`)));
    list.hidden = groups.length === 0;
    const view = this.view;
    if (!view) return;
    const drawn = new Set(view.layers);
    view.setGroups(
      groups
        .map((g) => ({ layers: g.layers.filter((l) => drawn.has(l)), text: g.text }))
        .filter((g) => g.layers.length > 0),
    );
  }

  // The reader's own model (from the page's trainer): the view switches to it, and back to the
  // shipped model it showed when it is dropped.
  protected override readerModel(m: ReaderModel | null): void {
    this.#reader = m;
    if (m && this.model !== READER_MODEL) {
      this.#shipped = this.model;
      this.model = READER_MODEL;
    } else if (!m && this.model === READER_MODEL && this.#shipped) {
      this.model = this.#shipped;
    }
  }

  /** The geometry of the model drawn: the reader's own, or a shipped model's (read once). */
  #geometry(): Promise<SequentialModel> {
    if (this.#own) return Promise.resolve(this.#own.model);
    if (this.model === READER_MODEL) {
      return this.#reader
        ? Promise.resolve(this.#reader.model)
        : Promise.reject(new Error('no model of yours yet: press Use my model'));
    }
    return geometry(this.model);
  }

  #geometryNow(): SequentialModel | null {
    if (this.#own) return this.#own.model;
    return this.model === READER_MODEL ? (this.#reader?.model ?? null) : geometryNow(this.model);
  }

  #overlay(text: string | null): void {
    const o = this.#parts['overlay'];
    if (!o) return;
    if (text === null) o.hidden = true;
    else {
      o.textContent = text;
      o.hidden = false;
    }
  }

  #setStatus(text: string): void {
    const s = this.#parts['status'];
    if (s && s.textContent !== text) s.textContent = text;
  }

  // A run of this model: copied, and drawn now if the figure is on screen.
  #accept(mine: ModelRun, pixels: Float32Array): void {
    if (!this.#loadFailed) this.#setStatus('');
    const activations: NetworkRun['activations'] = {};
    // The buffers are only the event's: copy what the figure may draw later.
    for (const [name, a] of Object.entries(mine.activations)) {
      activations[name] = { dims: [...a.dims], data: a.data.slice() };
    }
    const input = activations['input']?.data ?? pixels.slice();
    this.#pending = { pixels: input, activations };
    if (this.#loader.visible) void this.#draw();
  }

  #clear(): void {
    this.#pending = null;
    this.#run = null;
    this.#setUnit(null, false);
    this.#drawn = null;
    if (this.#loader.scene) {
      this.#overlay(IDLE_TEXT);
      this.dataset['state'] = 'idle';
    }
  }

  /** Draws the newest run, once the 3D code and the model's geometry are in. */
  async #draw(): Promise<void> {
    const scene = this.#loader.scene;
    if (!scene || !this.#pending || !this.#loader.visible || this.#drawing) return;
    this.#drawing = true;
    try {
      let model: SequentialModel;
      try {
        model = await this.#geometry();
      } catch (err) {
        this.#setStatus(`The ${this.model} model could not be read: ${(err as Error).message}`);
        this.dataset['state'] = 'error';
        return;
      }
      const run = this.#pending;
      if (!run || scene !== this.#loader.scene) return;
      this.#pending = null;
      const layers = viewLayers(model, run);
      if (typeof layers === 'string') {
        this.#setStatus(layers);
        this.dataset['state'] = 'error';
        return;
      }
      this.#run = run;
      this.#drawn = layers.map((l) => l.drawn);
      scene.show(layers.map((l) => l.view));
      this.#applyGroups();
      this.#overlay(null);
      this.dataset['state'] = 'drawn';
      // The same unit, with its value for this digit.
      const u = this.#unit;
      this.#setUnit(u && fitsNetwork(u, this.#drawn) ? u : null, false);
      this.dispatchEvent(
        new CustomEvent<NetworkDrawn>('rf-network', {
          detail: { model: this.#own?.name ?? this.model, layers: this.layers! },
          bubbles: true,
        }),
      );
    } finally {
      this.#drawing = false;
    }
    // A digit that came while this one was drawn.
    if (this.#pending) void this.#draw();
  }

  // A new view (first digit, or another model): buttons for its presets, its canvas wired.
  #onView(view: NetworkView): void {
    const toolbar = this.#parts['toolbar']!;
    for (const b of toolbar.querySelectorAll('button')) b.remove();
    const names = ['overview', ...view.layers];
    for (const name of names) {
      const text = name === 'overview' ? 'Whole network' : name === 'input' ? 'Input' : name;
      toolbar.append(el('button', { type: 'button', 'data-preset': name }, text));
    }
    const linked = this.#linkedPreset;
    if (linked && view.presets.has(linked)) {
      this.#linkedPreset = null;
      view.setPreset(linked, { animate: false });
    }
    this.#syncPresets();
    if (view.controls) {
      // Turning the network, yes; zooming with the wheel or panning would take the page's
      // scroll away from a reader who only passes over the figure.
      view.controls.enableZoom = false;
      view.controls.enablePan = false;
      // Turning leaves the preset the buttons show.
      view.controls.addEventListener('start', () => {
        this.#syncPresets();
        this.stateChanged();
      });
    }
    this.#cursor?.connect(view.host.canvas);
    void view.host.ready.then((backend) => {
      if (this.view !== view) return;
      this.dataset['backend'] = backend;
      this.#applyGroups();
      // The 2D fallback draws one fixed view: no camera to move.
      toolbar.hidden = backend === '2d';
      if (backend === '2d') {
        this.#parts['hint']!.textContent =
          'Tab to the figure: arrow keys move over a map, Page Up and Page Down change channel, comma and period change layer, Escape clears.';
      }
      this.#cursor?.connect(view.host.canvas);
    });
  }

  // In a link: the picked unit, "layer,channel,row,column" counted from 0 (as `data-unit`), then
  // `~` and the camera preset when it is not the whole network, e.g. `pool1,2,5,6~pool1`.
  protected override saveState(): string | null {
    const u = this.#unit;
    const preset = this.view ? this.view.currentPreset : this.#linkedPreset;
    const camera = preset && preset !== 'overview' ? `~${preset}` : '';
    if (!u && !camera) return null;
    return `${u ? `${u.layer},${u.channel},${u.y},${u.x}` : ''}${camera}`;
  }

  protected override restoreState(state: string | null): boolean {
    if (state === null) {
      this.#setUnit(null, false);
      this.view?.setPreset('overview');
      this.#syncPresets();
      return true;
    }
    const m =
      /^(?:([A-Za-z_][\w.-]*),(\d{1,4}),(\d{1,4}),(\d{1,4}))?(?:~([A-Za-z_][\w.-]*))?$/.exec(state);
    if (!m || (!m[1] && !m[5])) return false;
    const unit = m[1]
      ? { layer: m[1], channel: Number(m[2]), y: Number(m[3]), x: Number(m[4]) }
      : null;
    // Drawn already: the unit must be one of the drawn layers'; else it waits for the digit.
    if (unit && this.#drawn && !fitsNetwork(unit, this.#drawn)) return false;
    this.#setUnit(unit, false);
    const preset = m[5] ?? 'overview';
    const view = this.view;
    if (view?.presets.has(preset)) {
      view.setPreset(preset, { animate: false });
      this.#syncPresets();
    } else this.#linkedPreset = preset;
    return true;
  }

  #syncPresets(): void {
    const current = this.view?.currentPreset ?? null;
    for (const b of this.#parts['toolbar']!.querySelectorAll<HTMLButtonElement>('button')) {
      b.setAttribute('aria-pressed', String(b.dataset['preset'] === current));
    }
  }

  /** Picks `unit` (or clears); `announce` false for a change the reader did not make. */
  #setUnit(unit: NetworkUnit | null, announce = true): void {
    this.#unit = unit;
    if (this.#cursor) this.#cursor.unit = unit;
    const layer = unit && this.#drawn?.find((l) => l.name === unit.layer);
    const geometryModel: SequentialModel | null = this.#geometryNow();
    let picked: PickedUnit | null = null;
    let path: ReturnType<typeof pickUnit>['path'] = [];
    if (unit && layer && geometryModel) ({ picked, path } = pickUnit(geometryModel, layer, unit));
    const before = this.#picked;
    this.#picked = picked;
    const view = this.view;
    if (view) {
      const stack = picked ? view.stack(picked.layer) : undefined;
      view.highlight(picked && stack ? picked : null);
      view.showReceptiveField(
        picked ? path.map((p) => ({ layer: p.activation, ...p.region })) : null,
      );
    }
    const text = this.#unitText();
    if (this.#parts['readout']) this.#parts['readout'].textContent = text;
    if (picked) this.dataset['unit'] = `${picked.layer},${picked.channel},${picked.y},${picked.x}`;
    else delete this.dataset['unit'];
    const changed = pickChanged(before, picked);
    if (changed && picked && announce) this.#announce();
    if (changed) {
      this.dispatchEvent(
        new CustomEvent<PickedUnit | null>('rf-pick', { detail: this.picked, bubbles: true }),
      );
    }
  }

  // Every unit crossed by a moving pointer or a held arrow key would be read out: speak only the
  // one the reader rests on.
  #announce(now = false): void {
    this.announce(() => (this.#picked ? this.#unitText() : null), now ? 0 : undefined);
  }

  #unitText(): string {
    return pickedText(this.#picked);
  }

  /**
   * The cursor over the drawn layers: focus starts in the first layer after the input, in the
   * middle of its map; hover, click and keys pick; a key that changes layer moves the camera.
   */
  #makeCursor(Cursor: typeof UnitCursor): UnitCursor {
    const drawn = () => this.#drawn ?? [];
    const view = () => this.view;
    const cursor = new Cursor(
      {
        // The layers the keys walk are the ones drawn now.
        get cursorLayers() {
          return drawn();
        },
        pickAt: (x, y) => view()?.pickAt(x, y) ?? null,
      },
      {
        roleDescription: 'network figure',
        describedBy: 'keys',
        touchAction: 'pan-y',
        start: (layers) => {
          const first = layers[Math.min(1, layers.length - 1)]!;
          return {
            layer: first.name,
            channel: 0,
            y: Math.floor(first.rows / 2),
            x: Math.floor(first.columns / 2),
          };
        },
      },
    );
    const move = (e: Event) => {
      const { unit, via, layerChanged } = (e as CursorEvent).detail;
      // The pointer leaving the figure keeps the picked unit.
      if (!unit && via === 'pointer') return;
      this.#setUnit(unit);
      this.stateChanged();
      if (e.type === 'pick' && unit && via === 'key') this.#announce(true);
      const view = this.view;
      if (
        unit &&
        layerChanged &&
        view &&
        view.host.backend !== '2d' &&
        view.presets.has(unit.layer)
      ) {
        view.setPreset(unit.layer);
        this.#syncPresets();
      }
    };
    cursor.addEventListener('hover', move);
    cursor.addEventListener('pick', move);
    return cursor;
  }
}
