import { layerKind, type Region, receptiveField, type SequentialModel } from '@receptive/core';
import { coreModel, MODEL_NAMES, type ModelName } from '@receptive/models';
import type { BackendRequest, LayerKind, NetworkView } from '@receptive/render3d';
import { ElementBase, el, shadow } from './dom.js';
import { CompareFollower, type ModelResult } from './follow-compare.js';
import { formatNumber } from './format.js';
import type { NetworkScene, ViewLayer } from './network-3d-scene.js';
import { makePickable } from './pick-canvas.js';
import { applyAttribute, parseEnum, type WidgetSpec, WidgetValueError } from './props.js';
import { SceneLoader } from './scene-loader.js';
import { BASE_CSS, colorKey, THEME } from './theme.js';

/** One layer the figure draws: its name, how it is drawn and the activation's dims. */
export interface NetworkLayer {
  name: string;
  kind: LayerKind;
  /** As the model returns it, batch first: `[1, C, H, W]` for a feature map, `[1, N]` after. */
  dims: number[];
}

/**
 * A unit of the network: layer, channel, row and column counted from 0. A dense or softmax unit
 * i is `{ channel: 0, y: i, x: 0 }`, as render3d draws it (a column).
 */
export interface NetworkUnit {
  layer: string;
  channel: number;
  y: number;
  x: number;
}

/** `event.detail` of `rf-pick` (or null when the unit is cleared). */
export interface PickedUnit extends NetworkUnit {
  kind: LayerKind;
  /** The unit's activation for the digit on the pad. */
  value: number;
  /** Its receptive field on the input, traced by @receptive/core's `receptiveField`. */
  field: {
    /** The input pixels it depends on (clipped at the border), inclusive. */
    region: Region;
    /** Height and width of the unclipped field. */
    size: [number, number];
    /** Input pixels in `region`. */
    pixels: number;
  };
}

/** `event.detail` of `rf-network`. */
export interface NetworkDrawn {
  model: string;
  layers: NetworkLayer[];
}

const BACKENDS = ['webgl', 'webgpu', 'auto'] as const;

export const NETWORK_3D_SPEC: WidgetSpec = {
  tag: 'rf-network-3d',
  summary:
    "A model's whole network in 3D for the digit a digit pad holds: the input, every convolution, ReLU and pooling layer as a stack of feature maps, the dense layer and the softmax bars, from the run of the model comparison that follows the same pad. Turn it, pick a unit by hover, click or keyboard to read its value and see its receptive field on the input, traced by @receptive/core.",
  props: [
    {
      attribute: 'for',
      property: 'htmlFor',
      type: 'string',
      default: null,
      example: 'for="pad"',
      description:
        'The id of the <rf-digit-pad>. The activations come from the <rf-model-compare> that follows that pad and runs `model`.',
    },
    {
      attribute: 'model',
      property: 'model',
      type: 'string',
      default: 'cnn',
      values: MODEL_NAMES,
      example: 'model="cnn-blurpool"',
      description: 'Which model to draw (it must be one of the comparison’s models).',
    },
    {
      attribute: 'backend',
      property: 'backend',
      type: "'webgl' | 'webgpu' | 'auto'",
      default: 'webgl',
      values: BACKENDS,
      example: 'backend="auto"',
      description:
        'What draws the 3D view; without WebGL2 (or WebGPU) it draws on a 2D canvas, where the keys still pick units.',
    },
    {
      attribute: null,
      property: 'layers',
      type: 'NetworkLayer[] | null (read-only): { name; kind; dims }',
      default: null,
      example: 'figure.layers',
      description: 'The layers drawn now, with the dims of their activations; null before a digit.',
    },
    {
      attribute: null,
      property: 'unit',
      type: 'NetworkUnit { layer: string; channel: number; y: number; x: number } | null',
      default: null,
      example: "figure.unit = { layer: 'pool1', channel: 2, y: 6, x: 6 }",
      description: 'The picked unit, counted from 0 (dense and softmax units are rows: y).',
    },
    {
      attribute: null,
      property: 'picked',
      type: 'PickedUnit | null (read-only)',
      default: null,
      example: 'figure.picked.field.size',
      description:
        'The picked unit with its value and its receptive field (region, size, pixels) on the input.',
    },
  ],
  events: [
    {
      name: 'rf-pick',
      detail:
        'PickedUnit { layer; kind; channel; y; x; value; field: { region; size; pixels } } | null',
      description:
        'When the picked unit changes (hover, click, keys or the unit property), or its value does for a new digit.',
    },
    {
      name: 'rf-network',
      detail: 'NetworkDrawn { model: string; layers: NetworkLayer[] }',
      description: 'After the network of a new digit is drawn.',
    },
  ],
  fallback:
    "Put the layers' shapes in the element (the Astro wrapper writes them from the model card); they show until the script runs. three.js loads only when the figure comes on screen.",
  keyboard:
    'Buttons move the camera to the whole network or to one layer. Tab to the figure: arrow keys move over a feature map (up and down a dense or softmax column), Page Up and Page Down (or [ and ]) change channel, comma and period change layer, Escape clears; each unit, its value and its receptive field are announced once the keys rest for a moment.',
};

const TAG = NETWORK_3D_SPEC.tag;

const STYLES = `${BASE_CSS}
.toolbar { display: flex; flex-wrap: wrap; gap: 0.3rem; align-items: center; margin-bottom: 0.4rem; font-size: 0.85em; }
.toolbar[hidden] { display: none; }
.toolbar .label { color: var(--rf-muted); margin-right: 0.2rem; }
.toolbar button { min-height: 1.9em; padding: 0.1em 0.55em; }
.stage { position: relative; height: clamp(260px, 46vh, 440px); border: 1px solid var(--rf-line); border-radius: 6px; overflow: hidden; background: var(--rf-panel); }
.stage canvas:focus-visible { outline: 3px solid var(--rf-focus); outline-offset: -3px; }
.overlay { position: absolute; inset: 0; display: grid; place-items: center; margin: 0; padding: 1rem; text-align: center; color: var(--rf-muted); font-size: 0.9em; background: var(--rf-panel); z-index: 1; }
.overlay[hidden] { display: none; }
.status { margin: 0.3rem 0 0; font-size: 0.85em; color: var(--rf-error); }
.status:empty { display: none; }
.keys { display: flex; flex-wrap: wrap; gap: 0.3rem 1.5rem; margin: 0.35rem 0 0; }
.readout { margin: 0.35rem 0 0; font-size: 0.9em; min-height: 2.6em; }
.hint { margin: 0.2rem 0 0; font-size: 0.8em; color: var(--rf-muted); }
@media (max-width: 600px) { .stage { height: clamp(340px, 55vh, 480px); } }
`;

const IDLE_TEXT = 'Draw a digit on the pad, or pick a held-out one, to see the whole network.';
const LOADING_TEXT = 'Loading the 3D view…';

// The layer kinds and the geometry receptiveField traces: the page's one parsed copy of each
// model (@receptive/models' assets, shared with the comparison, which parses it to answer).
// Kept here once read, because #setUnit needs them synchronously.
const geometryCache = new Map<string, SequentialModel>();
async function geometry(name: ModelName): Promise<SequentialModel> {
  const model = await coreModel(name);
  geometryCache.set(name, model);
  return model;
}

/** What one digit gives the figure: the pad's pixels and the model's activations (copied). */
interface Run {
  pixels: Float32Array;
  activations: Record<string, { dims: readonly number[]; data: Float32Array }>;
}

/** A drawn layer with its values (kept to read units out, whatever the renderer holds). */
interface Drawn {
  name: string;
  kind: LayerKind;
  dims: number[];
  channels: number;
  rows: number;
  columns: number;
  data: Float32Array;
}

/**
 * `<rf-network-3d for="pad" model="cnn">`: see {@link NETWORK_3D_SPEC}.
 *
 * Like `<rf-feature-maps>`, it runs no model: it listens to `rf-predict` from the
 * `<rf-model-compare>` that follows the same pad (whose results carry every layer's output) and
 * keeps only the newest while offscreen. three.js and @receptive/render3d load (one chunk) when
 * the figure comes on screen, with the model file that gives @receptive/core the geometry for
 * receptive fields.
 */
export class Network3D extends ElementBase {
  static readonly spec = NETWORK_3D_SPEC;
  static readonly observedAttributes = ['for', 'model', 'backend'];

  #model: ModelName = 'cnn';
  #backend: BackendRequest = 'webgl';
  #root: ShadowRoot | null = null;
  #parts: Record<string, HTMLElement> = {};
  #loader: SceneLoader<NetworkScene>;
  #pending: Run | null = null;
  #run: Run | null = null;
  #drawn: Drawn[] | null = null;
  #drawing = false;
  #unit: NetworkUnit | null = null;
  #picked: PickedUnit | null = null;
  #announceTimer = 0;
  #canvasWatch: MutationObserver | null = null;
  #downAt: [number, number] | null = null;

  #follow = new CompareFollower(this, {
    model: () => this.#model,
    onResult: (mine) => this.#accept(mine),
    onMissing: (message) => {
      this.#setStatus(message);
      this.dataset['state'] = 'error';
    },
    onEmpty: () => this.#clear(),
  });

  constructor() {
    super();
    this.#loader = new SceneLoader<NetworkScene>(this, {
      load: async (current) => {
        const [{ NetworkScene }] = await Promise.all([
          import('./network-3d-scene.js'),
          geometry(this.#model),
        ]);
        if (!current()) return null;
        return new NetworkScene(this.#parts['stage']!, {
          label: 'The whole network in 3D',
          backend: this.#backend,
          onView: (view) => this.#onView(view),
        });
      },
      onReady: () => {
        this.dataset['state'] = 'idle';
        this.#overlay(IDLE_TEXT);
        void this.#draw();
      },
      onError: (err) => {
        this.#overlay(
          `The 3D view could not be loaded (${err.message}). The feature maps above show the same layers.`,
        );
        this.dataset['state'] = 'error';
      },
      onRelease: () => {
        this.#drawn = null;
        this.#canvasWatch?.disconnect();
        this.#canvasWatch = null;
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

  get htmlFor(): string | null {
    return this.getAttribute('for');
  }
  set htmlFor(v: string | null) {
    if (v === null) this.removeAttribute('for');
    else this.setAttribute('for', v);
  }
  get model(): ModelName {
    return this.#model;
  }
  set model(v: ModelName) {
    const m = parseEnum(TAG, 'model', v, MODEL_NAMES);
    if (m === this.#model) return;
    this.#model = m;
    this.#run = null;
    this.#pending = null;
    this.#setUnit(null, false);
    this.#follow.adopt({ reportMissing: true });
    void this.#draw();
  }
  get backend(): BackendRequest {
    return this.#backend;
  }
  set backend(v: BackendRequest) {
    this.#backend = parseEnum(TAG, 'backend', v, BACKENDS);
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
    if (v && this.#drawn) checkNetworkUnit(v, this.#drawn);
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

  attributeChangedCallback(name: string, _old: string | null, value: string | null): void {
    if (name === 'model') {
      applyAttribute(
        () => parseEnum(TAG, 'model', value ?? 'cnn', MODEL_NAMES),
        (m) => {
          this.model = m;
        },
      );
    } else if (name === 'backend') {
      applyAttribute(
        () => parseEnum(TAG, 'backend', value ?? 'webgl', BACKENDS),
        (b) => {
          this.#backend = b;
        },
      );
    } else if (name === 'for' && this.#root) {
      this.#run = null;
      this.#pending = null;
      this.#follow.adopt({ reportMissing: true });
      void this.#draw();
    }
  }

  connectedCallback(): void {
    this.#follow.connect();
    if (!this.#root) {
      this.#root = shadow(this, STYLES);
      this.#build();
      this.#follow.adopt({ reportMissing: true });
    }
    this.#loader.connect();
  }

  disconnectedCallback(): void {
    this.#follow.disconnect();
    clearTimeout(this.#announceTimer);
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
    });
    const overlay = el('p', { class: 'overlay', role: 'status' }, LOADING_TEXT);
    const stage = el('div', { class: 'stage' }, overlay);
    const status = el('p', { class: 'status', role: 'alert' });
    const readout = el('p', { class: 'readout' }, this.#unitText());
    const hint = el(
      'p',
      { class: 'hint', id: 'keys' },
      'Drag to turn the network. Hover or click a unit, or Tab to the figure: arrow keys move over a map, Page Up and Page Down change channel, comma and period change layer, Escape clears.',
    );
    const live = el('p', { class: 'sr-only', 'aria-live': 'polite', 'data-live': '' });
    // Every map is scaled to its own layer: the key says so rather than give one range.
    const keys = el(
      'div',
      { class: 'keys' },
      colorKey('ink', 'Activation', '0', 'layer’s largest'),
      colorKey('diverging', 'Signed (before ReLU)', '−largest', '+largest'),
    );
    this.#root!.append(toolbar, stage, keys, status, readout, hint, live);
    this.#parts = { toolbar, overlay, stage, status, readout, hint, live };
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
  #accept(mine: ModelResult): void {
    this.#setStatus('');
    const pad = document.getElementById(this.htmlFor ?? '') as { pixels?: Float32Array } | null;
    const activations: Run['activations'] = {};
    // The buffers are only the event's: copy what the figure may draw later.
    for (const [name, a] of Object.entries(mine.activations)) {
      activations[name] = { dims: [...a.dims], data: a.data.slice() };
    }
    const input = activations['input']?.data ?? pad?.pixels?.slice();
    if (!input) return;
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
        model = await geometry(this.#model);
      } catch (err) {
        this.#setStatus(`The ${this.#model} model could not be read: ${(err as Error).message}`);
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
      this.#overlay(null);
      this.dataset['state'] = 'drawn';
      // The same unit, with its value for this digit.
      const u = this.#unit;
      this.#setUnit(u && this.#fits(u) ? u : null, false);
      this.dispatchEvent(
        new CustomEvent<NetworkDrawn>('rf-network', {
          detail: { model: this.#model, layers: this.layers! },
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
    this.#syncPresets();
    this.#wireCanvas(view.host.canvas);
    // The host may swap its canvas (a WebGPU device lost): wire the new one the same way.
    this.#canvasWatch?.disconnect();
    this.#canvasWatch = new MutationObserver(() => {
      const canvas = this.view?.host.canvas;
      if (canvas) this.#wireCanvas(canvas);
    });
    this.#canvasWatch.observe(this.#parts['stage']!, { childList: true });
    void view.host.ready.then((backend) => {
      if (this.view !== view) return;
      this.dataset['backend'] = backend;
      // The 2D fallback draws one fixed view: no camera to move.
      toolbar.hidden = backend === '2d';
      if (backend === '2d') {
        this.#parts['hint']!.textContent =
          'Tab to the figure: arrow keys move over a map, Page Up and Page Down change channel, comma and period change layer, Escape clears.';
      }
      this.#wireCanvas(view.host.canvas);
    });
  }

  #syncPresets(): void {
    const current = this.view?.currentPreset ?? null;
    for (const b of this.#parts['toolbar']!.querySelectorAll<HTMLButtonElement>('button')) {
      b.setAttribute('aria-pressed', String(b.dataset['preset'] === current));
    }
  }

  #fits(u: NetworkUnit): boolean {
    try {
      checkNetworkUnit(u, this.#drawn ?? []);
      return true;
    } catch {
      return false;
    }
  }

  /** Picks `unit` (or clears); `announce` false for a change the reader did not make. */
  #setUnit(unit: NetworkUnit | null, announce = true): void {
    this.#unit = unit;
    const layer = unit && this.#drawn?.find((l) => l.name === unit.layer);
    const geometryModel = this.#geometryNow;
    let picked: PickedUnit | null = null;
    let path: { activation: string; region: Region }[] = [];
    if (unit && layer && geometryModel) {
      const f = fieldOf(geometryModel, layer, unit);
      path = f.path;
      const i = layer.kind === 'dense' || layer.kind === 'softmax' ? unit.y : indexOf(layer, unit);
      picked = {
        ...unit,
        kind: layer.kind,
        value: layer.data[i]!,
        field: { region: f.region, size: f.size, pixels: f.pixels },
      };
    }
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
    const changed =
      (before === null) !== (picked === null) ||
      (before &&
        picked &&
        (before.layer !== picked.layer ||
          before.channel !== picked.channel ||
          before.y !== picked.y ||
          before.x !== picked.x ||
          before.value !== picked.value));
    if (changed && picked && announce) this.#announce();
    if (changed) {
      this.dispatchEvent(
        new CustomEvent<PickedUnit | null>('rf-pick', { detail: this.picked, bubbles: true }),
      );
    }
  }

  // The geometry of the model drawn now, when it has been read (it has, once anything is drawn).
  get #geometryNow(): SequentialModel | null {
    return geometryCache.get(this.#model) ?? null;
  }

  // Every unit crossed by a moving pointer or a held arrow key would be read out: speak only the
  // one the reader rests on.
  #announce(now = false): void {
    clearTimeout(this.#announceTimer);
    const say = () => {
      const live = this.#parts['live'];
      if (live && this.#picked) live.textContent = this.#unitText();
    };
    if (now) say();
    else this.#announceTimer = window.setTimeout(say, THEME.announceDelayMs);
  }

  #unitText(): string {
    const p = this.#picked;
    if (!p) {
      return 'Pick a unit (hover, click or the keys) to read its value and see the part of the digit it looks at.';
    }
    const r = p.field.region;
    const seen =
      p.field.pixels === 1
        ? `it is pixel row ${r.y0 + 1}, column ${r.x0 + 1} of the digit`
        : `its receptive field is ${p.field.size[0]} × ${p.field.size[1]} pixels: rows ${r.y0 + 1}–${r.y1 + 1} and columns ${r.x0 + 1}–${r.x1 + 1} of the digit (${p.field.pixels} pixels)`;
    let where: string;
    if (p.kind === 'softmax')
      where = `${p.layer}, class ${p.y}: probability ${formatNumber(p.value)}`;
    else if (p.kind === 'dense') where = `${p.layer}, unit ${p.y + 1}: ${formatNumber(p.value)}`;
    else
      where = `${p.layer}, channel ${p.channel + 1}, row ${p.y + 1}, column ${p.x + 1}: ${formatNumber(p.value)}`;
    return `${where}; ${seen}.`;
  }

  /** Makes a canvas of the view operable; a canvas the host swapped in is wired the same way. */
  #wireCanvas(canvas: HTMLCanvasElement): void {
    // Drag to turn; hover and click pick.
    const fresh = makePickable(canvas, {
      roleDescription: 'network figure',
      keyShortcuts: 'ArrowUp ArrowDown ArrowLeft ArrowRight PageUp PageDown , . Escape',
      onKey: (e) => this.#onKey(e),
      onFocus: () => {
        if (this.#unit || !this.#drawn) return;
        const first = this.#drawn[Math.min(1, this.#drawn.length - 1)]!;
        this.#setUnit({
          layer: first.name,
          channel: 0,
          y: Math.floor(first.rows / 2),
          x: Math.floor(first.columns / 2),
        });
      },
      onHover: (x, y) => {
        const d = this.view?.pickAt(x, y);
        if (d) this.#setUnit({ layer: d.layer, channel: d.channel, y: d.y, x: d.x });
      },
    });
    if (!fresh) return;
    const described = canvas.getAttribute('aria-describedby')?.split(' ')[0];
    canvas.setAttribute('aria-describedby', described ? `${described} keys` : 'keys');
    canvas.addEventListener('pointerdown', (e) => {
      this.#downAt = [e.clientX, e.clientY];
    });
    canvas.addEventListener('pointerup', (e) => {
      const at = this.#downAt;
      this.#downAt = null;
      this.#syncPresets();
      // A drag turned the network; a click picks.
      if (!at || Math.hypot(e.clientX - at[0], e.clientY - at[1]) > 4) return;
      const d = this.view?.pickAt(e.clientX, e.clientY);
      if (d) this.#setUnit({ layer: d.layer, channel: d.channel, y: d.y, x: d.x });
    });
  }

  #onKey(e: KeyboardEvent): void {
    if (e.altKey || e.ctrlKey || e.metaKey || !this.#drawn) return;
    const drawn = this.#drawn;
    let li = Math.max(
      0,
      drawn.findIndex((l) => l.name === this.#unit?.layer),
    );
    const u: NetworkUnit = this.#unit
      ? { ...this.#unit }
      : { layer: drawn[li]!.name, channel: 0, y: 0, x: 0 };
    const here = drawn[li]!;
    let step = 0;
    switch (e.key) {
      case 'ArrowLeft':
        u.x = Math.max(0, u.x - 1);
        break;
      case 'ArrowRight':
        u.x = Math.min(here.columns - 1, u.x + 1);
        break;
      case 'ArrowUp':
        u.y = Math.max(0, u.y - 1);
        break;
      case 'ArrowDown':
        u.y = Math.min(here.rows - 1, u.y + 1);
        break;
      case 'PageUp':
      case '[':
        u.channel = Math.max(0, u.channel - 1);
        break;
      case 'PageDown':
      case ']':
        u.channel = Math.min(here.channels - 1, u.channel + 1);
        break;
      case ',':
      case '<':
        step = -1;
        break;
      case '.':
      case '>':
        step = 1;
        break;
      case 'Enter':
      case ' ':
        e.preventDefault();
        this.#setUnit(u);
        this.#announce(true);
        return;
      case 'Escape':
        e.preventDefault();
        this.#setUnit(null);
        return;
      default:
        return;
    }
    e.preventDefault();
    if (step !== 0) {
      li = Math.min(drawn.length - 1, Math.max(0, li + step));
      const next = drawn[li]!;
      // The same place in the map, scaled to the new layer's size.
      u.y = Math.min(next.rows - 1, Math.floor(((u.y + 0.5) * next.rows) / here.rows));
      u.x = Math.min(next.columns - 1, Math.floor(((u.x + 0.5) * next.columns) / here.columns));
      u.channel = Math.min(next.channels - 1, u.channel);
      u.layer = next.name;
      const view = this.view;
      if (view && view.host.backend !== '2d' && view.presets.has(next.name)) {
        view.setPreset(next.name);
        this.#syncPresets();
      }
    }
    this.#setUnit(u);
  }
}

function indexOf(layer: Drawn, u: NetworkUnit): number {
  return (u.channel * layer.rows + u.y) * layer.columns + u.x;
}

/**
 * Throws a {@link WidgetValueError} unless `unit` is a unit of one of `layers`.
 * @example checkNetworkUnit({ layer: 'pool9', channel: 0, y: 0, x: 0 }, layers) // throws
 */
function checkNetworkUnit(unit: NetworkUnit, layers: readonly Drawn[]): void {
  const layer = layers.find((l) => l.name === unit.layer);
  if (!layer) {
    throw new WidgetValueError(
      TAG,
      'unit',
      JSON.stringify(unit),
      `a unit of one of ${layers.map((l) => l.name).join(', ')}`,
    );
  }
  const within = (v: number, n: number) => Number.isInteger(v) && v >= 0 && v < n;
  if (
    !within(unit.channel, layer.channels) ||
    !within(unit.y, layer.rows) ||
    !within(unit.x, layer.columns)
  ) {
    throw new WidgetValueError(
      TAG,
      'unit',
      JSON.stringify(unit),
      `a channel below ${layer.channels}, a row below ${layer.rows} and a column below ${layer.columns} in ${layer.name} (counted from 0)`,
    );
  }
}

/**
 * The layers to draw for one run: the input, every layer with a channels × height × width
 * output (convolution, ReLU, pooling), then the vectors (dense layers, the softmax as bars);
 * flatten is skipped (it is the last map, reshaped). A message instead when the run lacks one.
 */
function viewLayers(
  model: SequentialModel,
  run: Run,
): { view: ViewLayer; drawn: Drawn }[] | string {
  const out: { view: ViewLayer; drawn: Drawn }[] = [];
  const spatial = model.inputShape.length === 3 ? [...model.inputShape] : [1, 28, 28];
  const [ic, ih, iw] = spatial as [number, number, number];
  if (run.pixels.length !== ic * ih * iw) {
    return `The digit has ${run.pixels.length} values, expected ${spatial.join(' × ')}.`;
  }
  const add = (name: string, kind: LayerKind, dims: number[], data: Float32Array) => {
    const vector = dims.length === 2;
    const [c, h, w] = vector ? [1, dims[1]!, 1] : (dims.slice(1) as [number, number, number]);
    out.push({
      view: { name, kind, shape: vector ? [dims[1]!] : [c, h, w], data },
      drawn: { name, kind, dims, channels: c, rows: h, columns: w, data },
    });
  };
  add('input', 'input', [1, ic, ih, iw], run.pixels);
  const missing: string[] = [];
  for (const layer of model.layers) {
    if (layer.kind === 'flatten') continue;
    const a = run.activations[layer.name];
    if (!a) {
      missing.push(layer.name);
      continue;
    }
    const dims = [...a.dims];
    if (dims.length === 4) {
      // The core's descriptor of the kind says how it is drawn (a pool stack or a conv stack).
      add(layer.name, layerKind(layer.kind).display === 'pool' ? 'pool' : 'conv', dims, a.data);
    } else if (dims.length === 2) {
      add(layer.name, layer.kind === 'softmax' ? 'softmax' : 'dense', dims, a.data);
    }
  }
  if (missing.length > 0) {
    return `The comparison's run has no output named ${missing.map((n) => `“${n}”`).join(', ')}.`;
  }
  return out;
}

/** The receptive field of a unit on the input, traced by @receptive/core. */
function fieldOf(
  model: SequentialModel,
  layer: Drawn,
  u: NetworkUnit,
): {
  region: Region;
  size: [number, number];
  pixels: number;
  path: { activation: string; region: Region }[];
} {
  if (layer.name === 'input') {
    const region = { y0: u.y, y1: u.y, x0: u.x, x1: u.x };
    return { region, size: [1, 1], pixels: 1, path: [{ activation: 'input', region }] };
  }
  const vector = layer.kind === 'dense' || layer.kind === 'softmax';
  const f = receptiveField(model, layer.name, vector ? { index: u.y } : { y: u.y, x: u.x });
  return { region: f.region, size: f.size, pixels: f.pixels, path: f.path };
}
