/**
 * The three.js half of `<rf-conv-layer-3d>`, loaded on demand (it pulls in three and
 * @receptive/render3d): the input block, the k filters and the output block as feature-map
 * stacks, each filter at the depth of the output slice it makes, and a receptive-field beam
 * from one output unit through its filter to the d x 3 x 3 window it reads.
 */
import {
  type BackendRequest,
  colorOf,
  FeatureMapStack,
  ReceptiveFieldBeam,
  SceneHost,
  THEME as THEME_3D,
} from '@receptive/render3d';
import { Box3, Raycaster, Vector2, Vector3, WebGLRenderer } from 'three';
import type { ConvLayer3dData } from './conv-layer-3d-model.js';

/** An output unit: filter (output channel) j, row y, column x. */
export interface OutputUnit {
  filter: number;
  y: number;
  x: number;
}

const TEXEL = 0.25;
const GAP = 0.2;
const FILTER_SPACE = 0.45;
const VIEW_DIR = new Vector3(-0.6, 0.4, 1).normalize();
const _box = new Box3();
const _size = new Vector3();
const _v = new Vector3();
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
  /**
   * Called when the host replaces its canvas (a WebGPU renderer that failed or lost its
   * device): the new canvas needs the listeners and attributes the old one had.
   */
  onCanvas?: (canvas: HTMLCanvasElement) => void;
}

/** Draws one layer state; `set()` rebuilds it for a new k and d. */
export class ConvLayerScene {
  readonly host: SceneHost;
  input: FeatureMapStack | null = null;
  output: FeatureMapStack | null = null;
  filters: FeatureMapStack[] = [];
  private beam: ReceptiveFieldBeam;
  private data: ConvLayer3dData | null = null;
  private unit: OutputUnit | null = null;

  constructor(container: HTMLElement, options: ConvLayerSceneOptions) {
    this.host = new SceneHost(container, {
      label: options.label,
      backend: options.backend ?? 'webgl',
      draw2D: (ctx, w, h) => this.draw2D(ctx, w, h),
      onResize: () => this.frame(),
      ...(options.onCanvas ? { onCanvas: options.onCanvas } : {}),
    });
    this.beam = new ReceptiveFieldBeam({ capacity: 3 });
    this.host.scene.add(this.beam);
  }

  /** Shows a layer: new stacks for the input, every filter and the output. */
  set(data: ConvLayer3dData): void {
    this.clear();
    this.data = data;
    const k = data.filters;
    const d = data.channels;
    const pitch = (d - 1) * GAP + FILTER_SPACE;
    const [, , w] = data.inputShape;
    const [, , ow] = data.outputShape;
    this.input = new FeatureMapStack({
      shape: data.inputShape,
      data: data.input,
      colorMap: 'gray',
      range: [0, 1],
      texel: TEXEL,
      gap: GAP,
      label: 'input',
    });
    this.input.position.set(-(w * TEXEL) / 2 - 1.4, 0, -((k - 1) * pitch) / 2);
    let max = 0;
    for (const v of data.weights) max = Math.max(max, Math.abs(v));
    for (let j = 0; j < k; j++) {
      const f = new FeatureMapStack({
        shape: [d, 3, 3],
        data: data.weights.subarray(j * d * 9, (j + 1) * d * 9),
        colorMap: 'diverging',
        range: [-max, max],
        texel: TEXEL,
        gap: GAP,
        legend: false,
        label: `filter ${j + 1}`,
      });
      f.position.set(0, 0, -j * pitch);
      this.filters.push(f);
    }
    this.output = new FeatureMapStack({
      shape: data.outputShape,
      data: data.output,
      colorMap: 'sequential',
      texel: TEXEL,
      gap: pitch,
      label: 'output',
    });
    // Output slice j sits at the depth of filter j's middle plane: the filter that makes it.
    this.output.position.set((ow * TEXEL) / 2 + 1.1, 0, -((d - 1) * GAP) / 2);
    this.host.scene.add(this.input, ...this.filters, this.output);
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
      this.beam.update(
        [
          { layer: 'output', y0: unit.y, y1: unit.y, x0: unit.x, x1: unit.x },
          { layer: 'filter', y0: 0, y1: 2, x0: 0, x1: 2 },
          { layer: 'input', y0: unit.y, y1: unit.y + 2, x0: unit.x, x1: unit.x + 2 },
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
    // Browsers keep only a few WebGL contexts alive (Chromium 16) and free one only when its
    // canvas is collected: a removed figure gives its context back now.
    const renderer = this.host.renderer;
    if (renderer instanceof WebGLRenderer) renderer.forceContextLoss();
    this.host.dispose();
  }

  private clear(): void {
    this.input?.dispose();
    this.output?.dispose();
    for (const f of this.filters) f.dispose();
    this.input = null;
    this.output = null;
    this.filters = [];
  }

  // Points the camera at the whole layer from the front left, as close as it can be with every
  // corner in view: a few rounds of "project the corners, scale the distance". No tween: a
  // new k or d simply shows the new layer, so there is no motion to reduce.
  private frame(): void {
    if (!this.input) return;
    const camera = this.host.camera;
    // Each stack's own box: their corners hug what is drawn, where one box around the whole
    // layer would have empty corners near the camera that keep it too far away.
    const boxes = [this.input, ...this.filters, this.output!].map((s) =>
      new Box3().setFromObject(s),
    );
    _box.makeEmpty();
    for (const b of boxes) _box.union(b);
    const target = _box.getCenter(new Vector3());
    _box.getSize(_size);
    let dist = Math.max(_size.x, _size.y, _size.z) * 2;
    for (let round = 0; round < 40; round++) {
      camera.position.copy(target).addScaledVector(VIEW_DIR, dist);
      camera.lookAt(target);
      camera.updateMatrixWorld();
      let extent = 0;
      for (const b of boxes) {
        for (let i = 0; i < 8; i++) {
          _v.set(
            i & 1 ? b.max.x : b.min.x,
            i & 2 ? b.max.y : b.min.y,
            i & 4 ? b.max.z : b.min.z,
          ).project(camera);
          extent = Math.max(extent, Math.abs(_v.x), Math.abs(_v.y));
        }
      }
      dist *= 0.35 + 0.65 * extent * 1.06;
    }
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
