import { type Intersection, Object3D, Raycaster, Vector2, Vector3 } from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
import { boundsPoints, fitCamera } from './camera-fit.js';
import { CameraTween, prefersReducedMotion } from './camera-tween.js';
import { type ColorMapName, formatValue } from './colormap.js';
import { drawBars2D, drawStack2D } from './fallback-2d.js';
import { FeatureMapStack } from './feature-map-stack.js';
import { LabelLayer } from './label-layer.js';
import { ReceptiveFieldBeam } from './receptive-field-beam.js';
import { SceneHost } from './scene-host.js';
import { SoftmaxBars } from './softmax-bars.js';
import { THEME } from './theme.js';
import type { BackendRequest, LayerActivation, PickDetail, TracedRegion } from './types.js';
import type { CursorLayer, CursorUnit, UnitCursorTarget } from './unit-cursor.js';

/** How to build a {@link NetworkView}. */
/** A caption over consecutive layers of the network (see {@link NetworkView.setGroups}). */
export interface LayerGroup {
  /** The layers it spans, by name. */
  layers: readonly string[];
  text: string;
}

export interface NetworkViewOptions {
  /** The layers in order, with their first activations. */
  layers: readonly LayerActivation[];
  /** `webgl` (default), `webgpu` or `auto`. */
  backend?: BackendRequest;
  /** Camera preset to start from (default `overview`). */
  preset?: string;
  /** Orbit controls (default true). */
  controls?: boolean;
  /** Device-pixel ratio cap (default `THEME.maxPixelRatio`). */
  maxPixelRatio?: number;
  /** Colour map per layer name (default `auto`: ink on paper, or diverging for signed values). */
  colorMaps?: Readonly<Record<string, ColorMapName>>;
  /** Short name for assistive technology (default "Feature maps of a convolutional network"). */
  label?: string;
  /**
   * Draw each stack's colour legend into the scene (default false): the view names its layers
   * and probabilities in HTML labels, and a page says what the colours mean in its own key.
   */
  legends?: boolean;
  /**
   * Called when the host swaps its canvas for a fresh one (WebGPU gave up or lost its device),
   * after the orbit controls moved to it: connect a `UnitCursor` to the new canvas here.
   */
  onCanvas?: (canvas: HTMLCanvasElement) => void;
}

/** A camera pose a scroll step can ask for. */
export interface CameraPreset {
  position: Vector3;
  target: Vector3;
}

type Part = {
  layer: LayerActivation;
  stack: FeatureMapStack | null;
  bars: SoftmaxBars | null;
  /** The HTML label under the part, and for the softmax one per class. */
  labels: HTMLElement[];
  /** Extent in world units: left edge from the part's origin, width, height and depth. */
  left: number;
  width: number;
  height: number;
  depth: number;
  /** The row of the layout the part sits in (0 = top). */
  row: number;
  /** Depth between its channel planes in the compact stack the overview shows. */
  gap: number;
  /** Where the layout puts its origin (in the network's frame). */
  x: number;
  y: number;
};

const _raycaster = new Raycaster();
const _ndc = new Vector2();
const _v = new Vector3();
const _label = new Vector3();
const _fan: [number, number] = [0, 0];
const OVERVIEW_DIR = new Vector3(0.12, 0.3, 1).normalize();
/** How far a stack's depth reaches sideways and up in the overview, per unit of depth. */
const OVERVIEW_SLANT = { x: 0.12, y: 0.3 };
const LAYER_DIR = new Vector3(-0.3, 0.22, 1).normalize();
const FRONT_DIR = new Vector3(0, 0, 1);
/** Share of the canvas's limiting dimension the whole network spans in `overview` and `front`. */
const OVERVIEW_FILL = 0.9;
/** The same for one layer's preset (its neighbours show at the edges). */
const LAYER_FILL = 0.8;

/**
 * A whole CNN as a row of feature-map stacks, left to right: input, convolutions and poolings as
 * stacks whose depth is their channel count, a dense layer as a column, the softmax as labelled
 * bars. Built from plain `{ name, kind, shape, data }` records, so any runtime can feed it.
 * Camera presets (`overview`, `front` and one per layer name) for scroll steps; orbit controls;
 * the unit under a point (`pickAt`) and where a unit is drawn (`clientPosition`); receptive-field
 * beams from a trace. Picking by pointer and keyboard is a separate control: a `UnitCursor` takes
 * the view as its target.
 *
 * @example
 * const view = new NetworkView(element, { layers });
 * const cursor = new UnitCursor(view).connect(view.host.canvas);
 * cursor.addEventListener('pick', (e) => console.log(view.unitDetail((e as CursorEvent).detail.unit)));
 * view.update(nextLayers);       // same names and shapes, new values: no reallocation
 * view.setPreset('conv1');        // glides there, or jumps under prefers-reduced-motion
 * view.dispose();
 */
export class NetworkView implements UnitCursorTarget {
  readonly host: SceneHost;
  /** Orbit controls, or null when turned off. */
  readonly controls: OrbitControls | null;
  /** Camera presets by name. */
  readonly presets = new Map<string, CameraPreset>();
  private readonly parts: Part[] = [];
  private readonly byName = new Map<string, Part>();
  private readonly root = new Object3D();
  private readonly pickables: Object3D[] = [];
  private readonly hits: Intersection[] = [];
  private readonly target = new Vector3();
  private readonly tween: CameraTween;
  /** The HTML labels naming each layer and each class's probability. */
  readonly labels: LabelLayer;
  private beam: ReceptiveFieldBeam | null = null;
  private preset: string | null = null;
  private described = '';
  /** Rows of the layout now. */
  private rows = 1;
  /** The layer whose channels are fanned out now (a layer preset), or null. */
  private exploded: Part | null = null;
  /** The receptive field drawn now. */
  private regions: readonly TracedRegion[] | null = null;
  /** The captions over groups of layers (see setGroups). */
  private groupLabels: HTMLElement[] = [];
  private groupsWereShown: boolean | null = null;
  private readonly container: HTMLElement;
  private disposed = false;

  constructor(container: HTMLElement, options: NetworkViewOptions) {
    if (options.layers.length === 0) {
      throw new RangeError('NetworkView: received no layers, expected at least one');
    }
    this.host = new SceneHost(container, {
      label: options.label ?? 'Feature maps of a convolutional network',
      ...(options.backend ? { backend: options.backend } : {}),
      ...(options.maxPixelRatio ? { maxPixelRatio: options.maxPixelRatio } : {}),
      draw2D: (ctx, w, h) => this.draw2D(ctx, w, h),
      onResize: () => this.onResize(),
      onCanvas: (canvas) => {
        this.moveTo(canvas);
        options.onCanvas?.(canvas);
      },
      onRender: () => this.placeLabels(),
    });
    this.host.scene.add(this.root);
    this.container = container;
    this.labels = new LabelLayer(container);
    this.labels.visible = this.host.backend !== '2d';
    this.build(options.layers, options.colorMaps ?? {}, options.legends ?? false);
    this.computePresets();
    this.tween = new CameraTween(this.host.camera, this.target);

    const canvas = this.host.canvas;
    if ((options.controls ?? true) && this.host.backend !== '2d') {
      this.controls = new OrbitControls(this.host.camera, canvas);
      this.controls.target = this.target;
      this.controls.addEventListener('change', this.onControlsChange);
      this.controls.addEventListener('start', this.onControlsStart);
    } else {
      this.controls = null;
    }
    this.setPreset(options.preset ?? 'overview', { animate: false });
    this.describe();
  }

  /** The layer names, in order. */
  get layers(): string[] {
    return this.parts.map((p) => p.layer.name);
  }

  /** The stack drawing layer `name` (not for the softmax bars). */
  stack(name: string): FeatureMapStack | undefined {
    return this.byName.get(name)?.stack ?? undefined;
  }

  /** The softmax bars, if the network ends in a softmax. */
  get bars(): SoftmaxBars | undefined {
    for (const p of this.parts) if (p.bars) return p.bars;
    return undefined;
  }

  /**
   * Shows new activations: the same layers (by name, in any order, all or some) with the same
   * shapes. Refreshes textures and bars in place; throws on an unknown layer or a wrong length.
   */
  update(layers: readonly LayerActivation[]): this {
    for (const l of layers) {
      const part = this.byName.get(l.name);
      if (!part) {
        throw new RangeError(
          `NetworkView: received layer "${l.name}", expected one of ${this.layers.map((n) => `"${n}"`).join(', ')}`,
        );
      }
      part.layer = l;
      if (part.stack) part.stack.update(l.data);
      else part.bars!.update(l.data);
      this.writeLabels(part);
    }
    this.describe();
    this.host.invalidate();
    return this;
  }

  /**
   * Captions over groups of consecutive layers (the lecture's "extract low-level visual features
   * & aggregate" over conv1, relu1 and pool1), each centred over the layers of its group that
   * share the first one's row. Replaces the captions set before; an unknown layer throws.
   * @example view.setGroups([{ layers: ['conv1', 'relu1', 'pool1'], text: 'low-level features' }]);
   */
  setGroups(groups: readonly LayerGroup[]): this {
    for (const g of groups) {
      for (const name of g.layers) {
        if (!this.byName.has(name)) {
          throw new RangeError(
            `NetworkView: received layer "${name}" in a group, expected one of ${this.layers.map((n) => `"${n}"`).join(', ')}`,
          );
        }
      }
    }
    for (const el of this.groupLabels) this.labels.remove(el);
    this.groupsWereShown = null;
    this.groupLabels = groups.map((g) => {
      const parts = g.layers.map((n) => this.byName.get(n)!);
      const label = this.labels.add([g.text], (v) => this.groupTop(parts, v), 'above');
      label.classList.add('rf-group');
      label.style.fontStyle = 'italic';
      label.style.fontWeight = '600';
      return label;
    });
    this.host.invalidate();
    return this;
  }

  /**
   * Whether the captions of {@link setGroups} show over the scene: only where the layers stand
   * in one row and labels are drawn (not on the 2D fallback). When this changes, the container
   * gets an `rf-groups` event whose detail is the new value, so a page can list them instead.
   */
  get groupsShown(): boolean {
    return this.groupLabels.length > 0 && this.rows === 1 && this.host.backend !== '2d';
  }

  private syncGroups(): void {
    const shown = this.groupsShown;
    for (const el of this.groupLabels) el.hidden = !shown;
    if (shown === this.groupsWereShown) return;
    this.groupsWereShown = shown;
    this.container.dispatchEvent(new CustomEvent('rf-groups', { detail: shown }));
  }

  /** The world point over the middle of `parts` (those in the first one's row), above them. */
  private groupTop(parts: readonly Part[], out: Vector3): Vector3 {
    const row = parts[0]!.row;
    let minX = Number.POSITIVE_INFINITY;
    let maxX = Number.NEGATIVE_INFINITY;
    let top = Number.NEGATIVE_INFINITY;
    let z = 0;
    let n = 0;
    for (const p of parts) {
      if (p.row !== row) continue;
      if (p.stack) {
        const s = p.stack;
        const off = s.channelOffset(s.channels - 1, _fan);
        s.localToWorld(_v.set(off[0], off[1] + s.planeHeight / 2, 0));
        const first = s.localToWorld(out.set(0, s.planeHeight / 2, 0));
        minX = Math.min(minX, first.x, _v.x);
        maxX = Math.max(maxX, first.x, _v.x);
        top = Math.max(top, first.y, _v.y);
        z += _v.z;
      } else if (p.bars) {
        const b = p.bars;
        b.localToWorld(_v.set(b.left + b.width / 2, (b.classes / 2) * b.row, 0));
        minX = Math.min(minX, _v.x);
        maxX = Math.max(maxX, _v.x);
        top = Math.max(top, _v.y);
        z += _v.z;
      }
      n++;
    }
    return out.set((minX + maxX) / 2, top, n ? z / n : 0);
  }

  /**
   * Moves the camera to a preset: `overview`, `front`, or a layer name. Glides over
   * `THEME.cameraMs` unless `animate` is false or the reader prefers reduced motion.
   */
  setPreset(name: string, options: { animate?: boolean } = {}): this {
    const preset = this.presets.get(name);
    if (!preset) {
      throw new RangeError(
        `NetworkView: received preset "${name}", expected one of ${[...this.presets.keys()].map((n) => `"${n}"`).join(', ')}`,
      );
    }
    this.preset = name;
    this.explode(this.byName.get(name) ?? null);
    const animate = (options.animate ?? true) && !prefersReducedMotion();
    this.tween.begin(preset.position, preset.target, animate ? THEME.cameraMs : 0);
    if (animate) this.host.animate(this.stepTween);
    else {
      this.controls?.update();
      this.host.invalidate();
    }
    return this;
  }

  /** The preset the camera was last sent to (null after the reader orbits away). */
  get currentPreset(): string | null {
    return this.preset;
  }

  /** Outlines one unit (or clears every outline for `null`). */
  highlight(unit: Omit<PickDetail, 'value'> | null): this {
    for (const p of this.parts) p.stack?.highlight(null);
    if (unit) {
      const stack = this.stack(unit.layer);
      if (!stack) throw new RangeError(`NetworkView: no stack for layer "${unit.layer}"`);
      stack.highlight(unit.channel, unit.y, unit.x);
    }
    this.host.invalidate();
    return this;
  }

  /**
   * Draws a receptive-field trace (unit first, input last; see {@link ReceptiveFieldBeam}), or
   * removes it for `null`.
   */
  showReceptiveField(regions: readonly TracedRegion[] | null): this {
    this.regions = regions;
    if (!this.beam) {
      if (!regions) return this;
      this.beam = new ReceptiveFieldBeam({ capacity: Math.max(12, this.parts.length * 2) });
      this.host.scene.add(this.beam);
    }
    this.beam.update(regions, (name) => this.stack(name));
    this.host.invalidate();
    return this;
  }

  /**
   * The units a `UnitCursor` walks: each layer with its channels, rows and columns (a dense or
   * softmax layer is one column of rows).
   */
  get cursorLayers(): CursorLayer[] {
    return this.parts.map((p) =>
      p.stack
        ? {
            name: p.layer.name,
            channels: p.stack.channels,
            rows: p.stack.rows,
            columns: p.stack.columns,
          }
        : { name: p.layer.name, channels: 1, rows: p.bars!.classes, columns: 1 },
    );
  }

  /** A unit with its value now, as a pick would carry it (null for null). */
  unitDetail(unit: CursorUnit | null): PickDetail | null {
    if (!unit) return null;
    const p = this.byName.get(unit.layer);
    if (!p) {
      throw new RangeError(
        `NetworkView: received layer "${unit.layer}", expected one of ${this.layers.map((n) => `"${n}"`).join(', ')}`,
      );
    }
    const value = p.stack ? p.stack.valueAt(unit.channel, unit.y, unit.x) : p.bars!.values[unit.y]!;
    return { layer: unit.layer, channel: unit.channel, y: unit.y, x: unit.x, value };
  }

  /** A unit and its value in words: "conv1, channel 3, row 5, column 7: 0.42". */
  describeUnit(unit: CursorUnit): string {
    const d = this.unitDetail(unit)!;
    const part = this.byName.get(d.layer)!;
    if (part.bars) return `${d.layer}, class ${part.bars.labels[d.y]}: ${formatValue(d.value)}`;
    if (part.layer.kind === 'dense') return `${d.layer}, unit ${d.y}: ${formatValue(d.value)}`;
    return `${d.layer}, channel ${d.channel}, row ${d.y}, column ${d.x}: ${formatValue(d.value)}`;
  }

  /** The unit under a point of the page (client coordinates), or null. */
  pickAt(clientX: number, clientY: number): PickDetail | null {
    if (this.host.backend === '2d') return null;
    const rect = this.host.canvas.getBoundingClientRect();
    _ndc.set(
      ((clientX - rect.left) / rect.width) * 2 - 1,
      -((clientY - rect.top) / rect.height) * 2 + 1,
    );
    _raycaster.setFromCamera(_ndc, this.host.camera);
    this.hits.length = 0;
    _raycaster.intersectObjects(this.pickables, false, this.hits);
    for (const hit of this.hits) {
      for (const p of this.parts) {
        if (p.stack) {
          const t = p.stack.texelAt(hit);
          if (!t) continue;
          return { layer: p.layer.name, ...t, value: p.stack.valueAt(t.channel, t.y, t.x) };
        }
        if (p.bars) {
          const i = p.bars.classAt(hit);
          if (i >= 0)
            return { layer: p.layer.name, channel: 0, y: i, x: 0, value: p.bars.values[i]! };
        }
      }
    }
    return null;
  }

  /**
   * Where a unit's centre appears on the page, in client coordinates (dense and softmax units
   * are `{ channel: 0, y: i, x: 0 }`). Null when it is behind the camera.
   */
  clientPosition(
    layer: string,
    channel: number,
    y: number,
    x: number,
  ): { x: number; y: number } | null {
    const part = this.byName.get(layer);
    if (!part)
      throw new RangeError(
        `NetworkView: received layer "${layer}", expected one of ${this.layers.join(', ')}`,
      );
    this.root.updateMatrixWorld(true);
    if (part.stack) part.stack.texelCenter(channel, y, x, _v);
    else part.bars!.rowCenter(y, _v);
    this.host.camera.updateMatrixWorld();
    _v.project(this.host.camera);
    if (_v.z > 1) return null;
    const rect = this.host.canvas.getBoundingClientRect();
    return {
      x: rect.left + ((_v.x + 1) / 2) * rect.width,
      y: rect.top + ((1 - _v.y) / 2) * rect.height,
    };
  }

  /** Stops rendering, frees every GPU resource and removes the canvas. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.controls?.dispose();
    for (const p of this.parts) {
      p.stack?.dispose();
      p.bars?.dispose();
    }
    this.beam?.dispose();
    this.labels.dispose();
    this.host.dispose();
  }

  private build(
    layers: readonly LayerActivation[],
    colorMaps: Readonly<Record<string, ColorMapName>>,
    legends: boolean,
  ): void {
    // Maps are drawn with sides in proportion to the square root of their size, not the size:
    // a 5 x 5 map after two poolings stays a legible square beside the 28 x 28 input, and each
    // pooling still visibly shrinks its input.
    let tallest = 1;
    for (const l of layers) {
      if (l.kind !== 'dense' && l.kind !== 'softmax') {
        tallest = Math.max(tallest, l.shape.length === 3 ? l.shape[1]! : (l.shape[0] ?? 1));
      }
    }
    for (const layer of layers) {
      if (this.byName.has(layer.name)) {
        throw new RangeError(
          `NetworkView: received layer "${layer.name}" twice, expected unique names`,
        );
      }
      const part: Part = {
        layer,
        stack: null,
        bars: null,
        labels: [],
        left: 0,
        width: 0,
        height: 0,
        depth: 0,
        row: 0,
        gap: 0,
        x: 0,
        y: 0,
      };
      if (layer.kind === 'softmax') {
        const bars = new SoftmaxBars({
          count: layer.shape[0] ?? layer.data.length,
          caption: layer.name,
          row: THEME.softmaxRow,
          text: false,
          ...(layer.labels ? { labels: layer.labels } : {}),
        });
        bars.update(layer.data);
        part.bars = bars;
        part.left = bars.left;
        part.width = bars.width;
        part.height = bars.height;
        this.root.add(bars);
        this.pickables.push(bars.bars);
      } else {
        const vector = layer.kind === 'dense';
        if (!vector && layer.shape.length !== 3 && layer.shape.length !== 2) {
          throw new RangeError(
            `NetworkView: layer "${layer.name}" (${layer.kind}) has shape [${layer.shape.join(', ')}], expected [C, H, W] or [H, W]`,
          );
        }
        const rows = vector ? layer.data.length : layer.shape.at(-2)!;
        const texel = vector
          ? THEME.vectorTexel
          : Math.max(THEME.texel * Math.sqrt(tallest / rows), THEME.leastMapSide / rows);
        const channels = vector || layer.shape.length === 2 ? 1 : layer.shape[0]!;
        const stack = new FeatureMapStack({
          shape: vector ? [1, layer.data.length, 1] : layer.shape,
          data: layer.data,
          colorMap: colorMaps[layer.name] ?? 'auto',
          label: layer.name,
          legend: legends,
          texel,
          gap: compactGap(rows * texel, channels),
          ...(vector ? { caption: `${layer.name} · ${layer.data.length}` } : {}),
        });
        part.stack = stack;
        const half =
          (legends ? Math.max(stack.planeWidth, THEME.legendMinWidth) : stack.planeWidth) / 2;
        part.left = -half;
        part.width = 2 * half;
        part.height = stack.planeHeight;
        part.depth = stack.depth;
        part.gap = stack.gap;
        this.root.add(stack);
        this.pickables.push(stack.planes);
      }
      this.parts.push(part);
      this.byName.set(layer.name, part);
      this.addLabels(part);
    }
    this.layout(this.bestRows());
  }

  /**
   * How many rows the network is laid out in: the count (1 to `THEME.maxRows`) whose layout,
   * seen from the overview, is largest on a canvas of the host's aspect. A wide canvas gets one
   * row; a phone's narrow one, two or three, so no layer shrinks to a sliver.
   */
  private bestRows(): number {
    const aspect =
      this.host.width > 0 && this.host.height > 0 ? this.host.width / this.host.height : 2;
    let best = 1;
    let bestScale = 0;
    for (let rows = 1; rows <= Math.min(THEME.maxRows, this.parts.length); rows++) {
      const { width, height } = this.layoutExtent(this.split(rows));
      const scale = Math.min(aspect / width, 1 / height);
      // Another row must draw the network larger to be worth the break in its reading order.
      if (scale > bestScale * 1.02) {
        best = rows;
        bestScale = scale;
      }
    }
    return best;
  }

  // The parts in `rows` consecutive groups of about equal width.
  private split(rows: number): Part[][] {
    const widths = this.parts.map((p) => p.width + p.depth * OVERVIEW_SLANT.x);
    const total = widths.reduce((a, b) => a + b, 0) + THEME.layerGap * (this.parts.length - 1);
    const groups: Part[][] = [[]];
    let x = 0;
    this.parts.forEach((p, i) => {
      const w = widths[i]!;
      const row = groups.at(-1)!;
      // Start a new row once this one has its share, if rows are left to fill.
      if (row.length > 0 && groups.length < rows && x + w / 2 > total / rows) {
        groups.push([p]);
        x = w + THEME.layerGap;
      } else {
        row.push(p);
        x += w + THEME.layerGap;
      }
    });
    return groups;
  }

  // The width and height a layout spans in the overview, labels' room included.
  private layoutExtent(groups: Part[][]): { width: number; height: number } {
    let width = 0;
    let height = 0;
    for (const g of groups) {
      let w = -THEME.layerGap;
      let h = 0;
      for (const p of g) {
        w += p.width + p.depth * OVERVIEW_SLANT.x + THEME.layerGap;
        h = Math.max(h, p.height + p.depth * OVERVIEW_SLANT.y);
      }
      width = Math.max(width, w);
      height += h + THEME.rowGap;
    }
    return { width, height };
  }

  /** Places the parts in `rows` rows, left to right and top to bottom, centred on the origin. */
  private layout(rows: number): void {
    const groups = this.split(rows);
    this.rows = groups.length;
    let top = 0;
    let widest = 0;
    groups.forEach((g, r) => {
      const h = Math.max(...g.map((p) => p.height));
      let x = 0;
      for (const p of g) {
        const object = (p.stack ?? p.bars)!;
        p.x = x - p.left;
        p.y = -(top + h / 2);
        object.position.set(p.x, p.y, 0);
        p.row = r;
        x += p.width + THEME.layerGap;
      }
      widest = Math.max(widest, x - THEME.layerGap);
      top += h + THEME.rowGap;
    });
    // Centre the layout on the origin; rows are centred under one another.
    groups.forEach((g) => {
      const last = g.at(-1)!;
      const w = (last.stack ?? last.bars)!.position.x + last.left + last.width;
      for (const p of g) {
        p.x += (widest - w) / 2;
        (p.stack ?? p.bars)!.position.x = p.x;
      }
    });
    this.root.position.set(-widest / 2, (top - THEME.rowGap) / 2, 0);
    this.root.updateMatrixWorld(true);
  }

  // A label under each stack (name, then shape) and, for the softmax, one per class beside its
  // row with the class and its probability.
  private addLabels(part: Part): void {
    const { stack, bars } = part;
    if (stack) {
      // Under the stack, or under the middle of its grid when it is fanned out.
      const under = (v: Vector3) => {
        const last = stack.channelOffset(stack.channels - 1, _fan);
        const x = stack.wrap > 0 ? ((stack.wrap - 1) * stack.shear[0]) / 2 : 0;
        const y = stack.wrap > 0 ? last[1] : 0;
        return stack.localToWorld(v.set(x, y - stack.planeHeight / 2, 0));
      };
      part.labels.push(this.labels.add([], under, 'below', () => part.row));
    } else if (bars) {
      part.labels.push(
        this.labels.add(
          [],
          (v) =>
            bars.localToWorld(v.set(bars.left + bars.width / 2, -(bars.classes / 2) * bars.row, 0)),
          'below',
          () => part.row,
        ),
      );
      for (let i = 0; i < bars.classes; i++) {
        const label = this.labels.add([], (v) => bars.rowEnd(i, v), 'right');
        label.dataset['class'] = bars.labels[i]!;
        part.labels.push(label);
      }
    }
    this.writeLabels(part);
  }

  private writeLabels(part: Part): void {
    const { layer, stack, bars } = part;
    const [head, ...rows] = part.labels;
    if (!head) return;
    if (stack) {
      const shape = layer.kind === 'dense' ? String(layer.data.length) : layer.shape.join(' × ');
      this.labels.set(head, [layer.name, shape]);
    } else if (bars) {
      this.labels.set(head, [layer.name, String(bars.classes)]);
      let best = 0;
      for (let i = 1; i < bars.classes; i++) if (bars.values[i]! > bars.values[best]!) best = i;
      rows.forEach((label, i) => {
        this.labels.set(label, [`${bars.labels[i]}  ${bars.percent(i)}`]);
        label.style.fontWeight = i === best ? '700' : '400';
      });
    }
  }

  private placeLabels(): void {
    if (this.groupLabels.length) this.syncGroups();
    this.host.camera.updateMatrixWorld();
    this.labels.place(this.host.camera, this.host.width, this.host.height, _label);
  }

  // Every preset frames what it shows by its drawn blocks (see fitCamera): the whole network
  // fills OVERVIEW_FILL of the canvas's limiting dimension, centred, at the canvas's aspect now;
  // a layer fills LAYER_FILL, leaving its neighbours a glimpse.
  private computePresets(): void {
    const lens = this.host.camera;
    const exploded = this.exploded;
    this.explode(null);
    const all = this.parts.flatMap((p) => boundsPoints((p.stack ?? p.bars)!));
    this.presets.set('overview', fitCamera(all, OVERVIEW_DIR, lens, OVERVIEW_FILL));
    this.presets.set('front', fitCamera(all, FRONT_DIR, lens, OVERVIEW_FILL));
    // A layer's preset frames it fanned out, as it shows there.
    for (const p of this.parts) {
      this.explode(p);
      const dir = p.bars ? FRONT_DIR : LAYER_DIR;
      const points = boundsPoints((p.stack ?? p.bars)!);
      this.presets.set(p.layer.name, fitCamera(points, dir, lens, LAYER_FILL));
    }
    this.explode(exploded);
  }

  /**
   * Fans one layer's channels out (exploded, every channel in view) and folds the others back
   * into compact stacks; `null` folds them all. A traced receptive field follows.
   */
  private explode(part: Part | null): void {
    const target = part?.stack && part.stack.channels > 1 ? part : null;
    if (target === this.exploded) return;
    const old = this.exploded;
    if (old?.stack) {
      old.stack.fan(old.gap, [0, 0]);
      old.stack.position.set(old.x, old.y, 0);
    }
    if (target?.stack) {
      // A near-square grid of the channels, centred on the layer's place and lifted towards
      // the camera, so it shows whole in front of its neighbours.
      const stack = target.stack;
      const step = stack.planeHeight * (1 + THEME.fanSpace);
      const wrap = Math.ceil(Math.sqrt(stack.channels));
      const rows = Math.ceil(stack.channels / wrap);
      stack.fan(THEME.fanDepth * stack.planeHeight, [step, 0], wrap, [0, -step]);
      stack.position.set(
        target.x - ((wrap - 1) * step) / 2,
        target.y + ((rows - 1) * step) / 2,
        THEME.fanLift * stack.planeHeight,
      );
    }
    this.exploded = target;
    // A fanned-out layer covers its neighbours' places: only its own label shows.
    for (const p of this.parts) {
      for (const label of p.labels) label.hidden = target !== null && p !== target;
    }
    if (this.beam && this.regions) this.beam.update(this.regions, (name) => this.stack(name));
    this.host.invalidate();
  }

  private onResize(): void {
    if (!this.tween) return;
    const rows = this.bestRows();
    if (rows !== this.rows) {
      this.layout(rows);
      this.beam?.update(null, () => undefined);
    }
    this.computePresets();
    // A figure still at its preset keeps the subject framed at the new aspect.
    if (this.preset) {
      const p = this.presets.get(this.preset)!;
      this.tween.begin(p.position, p.target, 0);
      this.controls?.update();
    }
  }

  private readonly stepTween = (now: number): boolean => {
    const running = this.tween.step(now);
    return running;
  };

  private readonly onControlsChange = (): void => {
    this.host.invalidate();
  };

  private readonly onControlsStart = (): void => {
    this.preset = null;
    this.tween.running = false;
  };

  // The host swapped its canvas (WebGPU gave up): the orbit controls follow it.
  private moveTo(canvas: HTMLCanvasElement): void {
    if (this.controls) {
      this.controls.disconnect();
      this.controls.connect(canvas);
    }
  }

  private describe(): void {
    const bars = this.bars;
    let best = -1;
    if (bars) {
      best = 0;
      for (let i = 1; i < bars.classes; i++) if (bars.values[i]! > bars.values[best]!) best = i;
    }
    const key = bars ? `${best}:${Math.round(bars.values[best]! * 1000)}` : '';
    if (key === this.described) return;
    this.described = key;
    const shapes = this.parts
      .map((p) => `${p.layer.name} (${p.layer.shape.join(' × ')})`)
      .join(', ');
    let text = `A convolutional network drawn left to right as stacks of feature maps, one plane per channel: ${shapes}.`;
    if (bars && best >= 0) {
      text += ` The most probable class is ${bars.labels[best]} at ${((bars.values[best] ?? 0) * 100).toFixed(1)}%.`;
    }
    this.host.describe(text);
  }

  private draw2D(ctx: CanvasRenderingContext2D, w: number, h: number): void {
    const n = this.parts.length;
    const pad = 8;
    const colW = (w - pad * (n + 1)) / n;
    for (let i = 0; i < n; i++) {
      const p = this.parts[i]!;
      const x = pad + i * (colW + pad);
      if (p.stack) {
        drawStack2D(
          ctx,
          p.stack,
          `${p.layer.name} · ${p.layer.shape.join('×')}`,
          x,
          pad,
          colW,
          h - 2 * pad,
        );
      } else if (p.bars) {
        drawBars2D(ctx, p.bars, x, pad, colW, Math.min(h - 2 * pad, colW * 1.6));
      }
    }
  }
}

// Depth between the channel planes of a compact stack of `channels` planes of side `side`: a
// share of the side, but never deeper in all than THEME.stackDepthShare sides, so a stack of 16
// does not reach into its neighbours.
function compactGap(side: number, channels: number): number {
  const most = channels > 1 ? (THEME.stackDepthShare * side) / (channels - 1) : side;
  return Math.max(THEME.channelGap * 0.5, Math.min(THEME.channelGapShare * side, most));
}
