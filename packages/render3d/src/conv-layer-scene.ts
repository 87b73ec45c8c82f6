/**
 * One convolution layer in 3D (the scene of `<rf-conv-layer-3d>`): the input block, the k
 * filters and the output block as feature-map stacks, each filter at the depth of the output
 * slice it makes, and a receptive-field beam from one output unit through its filter to the
 * d x 3 x 3 window it reads. Without WebGL2 it draws the same parts on a 2D canvas.
 */
import { Raycaster, Vector2, Vector3, WebGLRenderer } from 'three';
import { boundsPoints, fitCamera } from './camera-fit.js';
import { colorOf } from './colormap.js';
import { FeatureMapStack } from './feature-map-stack.js';
import { LabelLayer } from './label-layer.js';
import { ReceptiveFieldBeam } from './receptive-field-beam.js';
import { SceneHost } from './scene-host.js';
import { THEME as THEME_3D } from './theme.js';
import type { BackendRequest } from './types.js';
import type { CursorLayer, CursorUnit, UnitCursorTarget } from './unit-cursor.js';

/**
 * A convolution layer's values, computed by the page (the scene does no model maths): k
 * filters over a d-channel input, channel-major arrays.
 */
export interface ConvLayerData {
  /** k and d. */
  filters: number;
  channels: number;
  /** d x h x w input. */
  input: Float32Array;
  inputShape: readonly [number, number, number];
  /** k x d x 3 x 3 weights. */
  weights: Float32Array;
  /** k x (h - 2) x (w - 2) output. */
  output: Float32Array;
  outputShape: readonly [number, number, number];
}

/** An output unit: filter (output channel) j, row y, column x. */
export interface OutputUnit {
  filter: number;
  y: number;
  x: number;
}

const TEXEL = 0.25;
/** Filters are drawn larger than the maps, each weight a cell of their 3 x 3 grid. */
const FILTER_TEXEL = 0.34;
/**
 * The view is exploded: the channels of the input, of each filter and of the output are fanned
 * out up and to the left, each a step of `FAN` times its side (and a little deeper), so every
 * channel shows whole instead of hiding behind the front one. Filter j and output slice j share
 * one step, so a filter sits beside the slice it makes.
 */
const FAN = new Vector2(-0.55, 0.5);
const FAN_STEP = 0.78;
/** Depth of a fan step, as a share of its length. */
const FAN_DEPTH = 0.35;
/** Space between the input, the filters and the output, in world units. */
const PART_GAP = 1.1;
const VIEW_DIR = new Vector3(-0.6, 0.4, 1).normalize();
/** Height kept free under each part for its two-line label, in CSS pixels. */
const LABEL_ROOM_PX = 36;
/** Share of the canvas's limiting dimension the layer spans. */
const FILL = 0.92;
const _v = new Vector3();
const _label = new Vector3();
const _ndc = new Vector2();
const _raycaster = new Raycaster();
// The 2D fallback outlines in the colours the 3D view uses for the same things.
const css = (color: number) => `#${color.toString(16).padStart(6, '0')}`;

/** Where the 2D fallback puts things, in CSS pixels of the canvas. */
interface Layout2D {
  pad: number;
  column: number;
  cell: number;
  top: number;
  /** Vertical pitch between two channels (or two filters): one map and one empty cell. */
  pitch: number;
  /** Left edge of the output column. */
  outputLeft: number;
}

/** How to build a {@link ConvLayerScene}. */
export interface ConvLayerSceneOptions {
  label: string;
  backend?: BackendRequest;
  /** The most input channels a layer will have (default 8): the beam is sized for them. */
  maxChannels?: number;
  /**
   * Called when the host replaces its canvas (a WebGPU renderer that failed or lost its
   * device): the new canvas needs the listeners and attributes the old one had.
   */
  onCanvas?: (canvas: HTMLCanvasElement) => void;
}

/**
 * Draws one layer state; `set()` rebuilds it for a new k and d. A `UnitCursor` walks its output
 * units (one layer, `output`, whose channels are the filters).
 *
 * @example
 * const scene = new ConvLayerScene(element, { label: 'A convolution layer in 3D' });
 * scene.set(layer);
 * scene.showUnit({ filter: 0, y: 2, x: 2 });
 * scene.dispose();
 */
export class ConvLayerScene implements UnitCursorTarget {
  readonly host: SceneHost;
  input: FeatureMapStack | null = null;
  output: FeatureMapStack | null = null;
  filters: FeatureMapStack[] = [];
  private beam: ReceptiveFieldBeam;
  /** HTML labels under the input, the filters and the output. */
  readonly labels: LabelLayer;
  private data: ConvLayerData | null = null;
  private unit: OutputUnit | null = null;

  constructor(container: HTMLElement, options: ConvLayerSceneOptions) {
    this.host = new SceneHost(container, {
      label: options.label,
      backend: options.backend ?? 'webgl',
      draw2D: (ctx, w, h) => this.draw2D(ctx, w, h),
      onResize: () => this.frame(),
      onRender: () => {
        this.host.camera.updateMatrixWorld();
        this.labels.place(this.host.camera, this.host.width, this.host.height, _label);
      },
      ...(options.onCanvas ? { onCanvas: options.onCanvas } : {}),
    });
    this.labels = new LabelLayer(container);
    this.labels.visible = this.host.backend !== '2d';
    this.beam = new ReceptiveFieldBeam({ capacity: 1 + 2 * (options.maxChannels ?? 8) });
    this.host.scene.add(this.beam);
  }

  /** Shows a layer: new stacks for the input, every filter and the output. */
  set(data: ConvLayerData): void {
    this.clear();
    this.data = data;
    const k = data.filters;
    const d = data.channels;
    const [, h, w] = data.inputShape;
    const [, , ow] = data.outputShape;
    const fan = (length: number): [number, number] => [FAN.x * length, FAN.y * length];
    const inputSide = h * TEXEL;
    const filterSide = 3 * FILTER_TEXEL;
    const filterStep = FAN_STEP * filterSide;
    // One filter's slices, then a margin before the next filter; at least an output slice.
    const step = Math.max(FAN_STEP * ow * TEXEL, d * filterStep + 0.3);
    this.input = new FeatureMapStack({
      shape: data.inputShape,
      data: data.input,
      colorMap: 'ink',
      range: [0, 1],
      texel: TEXEL,
      gap: FAN_DEPTH * FAN_STEP * inputSide,
      shear: fan(FAN_STEP * inputSide),
      label: 'input',
      legend: false,
    });
    this.input.position.set(-(w * TEXEL) / 2 - filterSide / 2 - PART_GAP, 0, 0);
    let max = 0;
    for (const v of data.weights) max = Math.max(max, Math.abs(v));
    const [sx, sy] = fan(step);
    for (let j = 0; j < k; j++) {
      const f = new FeatureMapStack({
        shape: [d, 3, 3],
        data: data.weights.subarray(j * d * 9, (j + 1) * d * 9),
        colorMap: 'diverging',
        range: [-max, max],
        texel: FILTER_TEXEL,
        gap: FAN_DEPTH * filterStep,
        shear: fan(filterStep),
        legend: false,
        outline: 'grid',
        label: `filter ${j + 1}`,
      });
      f.position.set(j * sx, j * sy, -j * FAN_DEPTH * step);
      this.filters.push(f);
    }
    this.output = new FeatureMapStack({
      shape: data.outputShape,
      data: data.output,
      colorMap: 'ink',
      texel: TEXEL,
      gap: FAN_DEPTH * step,
      shear: [sx, sy],
      label: 'output',
      legend: false,
    });
    // Output slice j is fanned as far as filter j: the filter that makes it sits to its left.
    this.output.position.set((ow * TEXEL) / 2 + filterSide / 2 + PART_GAP, 0, 0);
    this.host.scene.add(this.input, ...this.filters, this.output);
    const under = (stack: FeatureMapStack) => (v: Vector3) =>
      stack.localToWorld(v.set(0, -stack.planeHeight / 2, 0));
    const middle = this.filters[0]!;
    this.labels.add(['input', data.inputShape.join(' × ')], under(this.input));
    this.labels.add([k === 1 ? '1 filter' : `${k} filters`, `${d} × 3 × 3 each`], under(middle));
    this.labels.add(['output', data.outputShape.join(' × ')], under(this.output));
    this.frame();
    this.showUnit(this.unit && this.unit.filter < k ? this.unit : null);
  }

  /** Outlines an output unit and draws the beam to the window it reads, or clears for null. */
  showUnit(unit: OutputUnit | null): void {
    this.unit = unit;
    if (!this.output || !this.data) return;
    if (!unit) {
      this.output.highlight(null);
      this.beam.update(null, () => undefined);
    } else {
      this.output.highlight(unit.filter, unit.y, unit.x);
      const stacks = new Map<string, FeatureMapStack>([
        ['output', this.output],
        ['filter', this.filters[unit.filter]!],
        ['input', this.input!],
      ]);
      // The unit on its own output slice, then every slice of its filter and the window on
      // every input channel: the stacks are fanned out, so each channel gets its own box.
      const d = this.data.channels;
      const each = (layer: string, y: number, x: number, size: number) =>
        Array.from({ length: d }, (_, channel) => ({
          layer,
          y0: y,
          y1: y + size - 1,
          x0: x,
          x1: x + size - 1,
          channel,
        }));
      this.beam.update(
        [
          {
            layer: 'output',
            y0: unit.y,
            y1: unit.y,
            x0: unit.x,
            x1: unit.x,
            channel: unit.filter,
          },
          ...each('filter', 0, 0, 3),
          ...each('input', unit.y, unit.x, 3),
        ],
        (name) => stacks.get(name),
      );
    }
    this.host.invalidate();
  }

  /** The output unit under a point of the page, or null. */
  unitAt(clientX: number, clientY: number): OutputUnit | null {
    if (!this.output || !this.data) return null;
    const rect = this.host.canvas.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) return null;
    if (this.host.backend === '2d') {
      const { cell, pitch, top, outputLeft } = this.layout2D();
      const [k, oh, ow] = this.data.outputShape;
      const px = ((clientX - rect.left) / rect.width) * this.host.width - outputLeft;
      const py = ((clientY - rect.top) / rect.height) * this.host.height - top;
      const filter = Math.floor(py / pitch);
      const x = Math.floor(px / cell);
      const y = Math.floor((py - filter * pitch) / cell);
      if (filter < 0 || filter >= k || x < 0 || x >= ow || y < 0 || y >= oh) return null;
      return { filter, y, x };
    }
    _ndc.set(
      ((clientX - rect.left) / rect.width) * 2 - 1,
      -((clientY - rect.top) / rect.height) * 2 + 1,
    );
    _raycaster.setFromCamera(_ndc, this.host.camera);
    for (const hit of _raycaster.intersectObject(this.output.planes, false)) {
      const t = this.output.texelAt(hit);
      if (t) return { filter: t.channel, y: t.y, x: t.x };
    }
    return null;
  }

  /** The output as the one layer a `UnitCursor` walks: `output`, a channel per filter. */
  get cursorLayers(): CursorLayer[] {
    if (!this.data) return [];
    const [k, rows, columns] = this.data.outputShape;
    return [{ name: 'output', channels: k, rows, columns }];
  }

  /** The output unit under a point of the page as a cursor unit (`output`, filter as channel). */
  pickAt(clientX: number, clientY: number): CursorUnit | null {
    const u = this.unitAt(clientX, clientY);
    return u ? { layer: 'output', channel: u.filter, y: u.y, x: u.x } : null;
  }

  /** Where an output unit's centre is on the page (client coordinates). */
  clientPosition(unit: OutputUnit): { x: number; y: number } {
    if (this.host.backend === '2d') {
      const { cell, pitch, top, outputLeft } = this.layout2D();
      const rect = this.host.canvas.getBoundingClientRect();
      return {
        x: rect.left + ((outputLeft + (unit.x + 0.5) * cell) / this.host.width) * rect.width,
        y:
          rect.top +
          ((top + unit.filter * pitch + (unit.y + 0.5) * cell) / this.host.height) * rect.height,
      };
    }
    this.output!.texelCenter(unit.filter, unit.y, unit.x, _v);
    this.host.camera.updateMatrixWorld();
    _v.project(this.host.camera);
    const rect = this.host.canvas.getBoundingClientRect();
    return {
      x: rect.left + ((_v.x + 1) / 2) * rect.width,
      y: rect.top + ((1 - _v.y) / 2) * rect.height,
    };
  }

  /** Frees the stacks, the renderer and its WebGL context, and removes the canvas. */
  dispose(): void {
    this.clear();
    this.beam.dispose();
    this.labels.dispose();
    // Browsers keep only a few WebGL contexts alive (Chromium 16) and free one only when its
    // canvas is collected: a removed figure gives its context back now.
    const renderer = this.host.renderer;
    if (renderer instanceof WebGLRenderer) renderer.forceContextLoss();
    this.host.dispose();
  }

  private clear(): void {
    this.labels.clear();
    this.input?.dispose();
    this.output?.dispose();
    for (const f of this.filters) f.dispose();
    this.input = null;
    this.output = null;
    this.filters = [];
  }

  // Points the camera at the whole layer from the front left, as close as it can be with every
  // drawn block in view (fitCamera, as the network view frames itself). No tween: a new k or d
  // simply shows the new layer, so there is no motion to reduce.
  private frame(): void {
    if (!this.input) return;
    const camera = this.host.camera;
    const stacks = [this.input, ...this.filters, this.output!];
    const points = stacks.flatMap((s) => boundsPoints(s));
    let fit = fitCamera(points, VIEW_DIR, camera, FILL);
    // Room for the labels under the parts: at the first fit's scale, LABEL_ROOM_PX in world
    // units below each part's front plane, then fit again with that room included.
    const distance = fit.position.distanceTo(fit.target);
    const perPx =
      (2 * distance * Math.tan((camera.fov * Math.PI) / 360)) / Math.max(1, this.host.height);
    for (const s of stacks) {
      points.push(s.localToWorld(new Vector3(0, -s.planeHeight / 2 - LABEL_ROOM_PX * perPx, 0)));
    }
    fit = fitCamera(points, VIEW_DIR, camera, FILL);
    camera.position.copy(fit.position);
    camera.lookAt(fit.target);
    camera.updateMatrixWorld();
    this.host.invalidate();
  }

  // The 2D fallback's grid: input, filters and output in three columns, a row per channel (or
  // filter), every map drawn with square cells of one size.
  private layout2D(): Layout2D {
    const data = this.data!;
    const { width, height } = this.host;
    const [d, h, w] = data.inputShape;
    const pad = 8;
    const column = (width - 4 * pad) / 3;
    const rows = Math.max(d, data.filters);
    const cell = Math.max(
      1,
      Math.min(column / (d > 1 ? w * 2 + 2 : w), (height - 2 * pad - 18) / (rows * (h + 1))),
    );
    return { pad, column, cell, top: 18, pitch: (h + 1) * cell, outputLeft: 3 * pad + 2 * column };
  }

  // Without WebGL: the same three parts side by side, each channel a small grid, the traced
  // unit and its window outlined. The host has painted the background.
  private draw2D(ctx: CanvasRenderingContext2D, _width: number, _height: number): void {
    const data = this.data;
    if (!data || !this.input || !this.output) return;
    const k = data.filters;
    const d = data.channels;
    const [, h, w] = data.inputShape;
    const [, oh, ow] = data.outputShape;
    const { pad, column, cell, top, pitch, outputLeft } = this.layout2D();
    const grid = (
      values: ArrayLike<number>,
      offset: number,
      gh: number,
      gw: number,
      x0: number,
      y0: number,
      stack: FeatureMapStack,
    ) => {
      for (let y = 0; y < gh; y++) {
        for (let x = 0; x < gw; x++) {
          const [r, g, b] = colorOf(values[offset + y * gw + x]!, stack.colorScale);
          ctx.fillStyle = `rgb(${r},${g},${b})`;
          ctx.fillRect(x0 + x * cell, y0 + y * cell, cell, cell);
        }
      }
    };
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillStyle = THEME_3D.ink;
    ctx.fillText(`input ${data.inputShape.join('×')}`, pad, 12);
    ctx.fillText(`${k} filters ${d}×3×3`, 2 * pad + column, 12);
    ctx.fillText(`output ${data.outputShape.join('×')}`, outputLeft, 12);
    for (let c = 0; c < d; c++) {
      grid(data.input, c * h * w, h, w, pad, top + c * pitch, this.input);
    }
    for (let j = 0; j < k; j++) {
      for (let c = 0; c < d; c++) {
        grid(
          data.weights,
          (j * d + c) * 9,
          3,
          3,
          2 * pad + column + c * 4 * cell,
          top + j * pitch,
          this.filters[j]!,
        );
      }
    }
    for (let j = 0; j < k; j++) {
      grid(data.output, j * oh * ow, oh, ow, outputLeft, top + j * pitch, this.output);
    }
    const u = this.unit;
    if (u) {
      ctx.strokeStyle = css(THEME_3D.highlight);
      ctx.lineWidth = 2;
      ctx.strokeRect(outputLeft + u.x * cell, top + u.filter * pitch + u.y * cell, cell, cell);
      ctx.strokeStyle = css(THEME_3D.beam);
      for (let c = 0; c < d; c++) {
        ctx.strokeRect(pad + u.x * cell, top + c * pitch + u.y * cell, 3 * cell, 3 * cell);
      }
    }
  }
}
