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
} from '@receptive/render3d';
import { Box3, Raycaster, Vector2, Vector3 } from 'three';
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

/** Draws one layer state; `set()` rebuilds it for a new k and d. */
export class ConvLayerScene {
  readonly host: SceneHost;
  input: FeatureMapStack | null = null;
  output: FeatureMapStack | null = null;
  filters: FeatureMapStack[] = [];
  private beam: ReceptiveFieldBeam;
  private data: ConvLayer3dData | null = null;
  private unit: OutputUnit | null = null;

  constructor(container: HTMLElement, label: string, backend: BackendRequest = 'webgl') {
    this.host = new SceneHost(container, {
      label,
      backend,
      draw2D: (ctx, w, h) => this.draw2D(ctx, w, h),
      onResize: () => this.frame(),
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
    if (this.host.backend === '2d' || !this.output) return null;
    const rect = this.host.canvas.getBoundingClientRect();
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
    this.output!.texelCenter(unit.filter, unit.y, unit.x, _v);
    this.host.camera.updateMatrixWorld();
    _v.project(this.host.camera);
    const rect = this.host.canvas.getBoundingClientRect();
    return {
      x: rect.left + ((_v.x + 1) / 2) * rect.width,
      y: rect.top + ((1 - _v.y) / 2) * rect.height,
    };
  }

  dispose(): void {
    this.clear();
    this.beam.dispose();
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

  // Without WebGL: the same three parts side by side, each channel a small grid, the traced
  // unit and its window outlined.
  private draw2D(ctx: CanvasRenderingContext2D, width: number, height: number): void {
    const data = this.data;
    if (!data || !this.input || !this.output) return;
    ctx.fillStyle = '#f7f6f2';
    ctx.fillRect(0, 0, width, height);
    const k = data.filters;
    const d = data.channels;
    const [, h, w] = data.inputShape;
    const [, oh, ow] = data.outputShape;
    const pad = 8;
    const colW = (width - 4 * pad) / 3;
    const rows = Math.max(d, k);
    const cell = Math.max(
      1,
      Math.min(colW / (d > 1 ? w * 2 + 2 : w), (height - 2 * pad - 18) / (rows * (h + 1))),
    );
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
    ctx.fillStyle = '#1d1d1f';
    ctx.fillText(`input ${data.inputShape.join('×')}`, pad, 12);
    ctx.fillText(`${k} filters ${d}×3×3`, 2 * pad + colW, 12);
    ctx.fillText(`output ${data.outputShape.join('×')}`, 3 * pad + 2 * colW, 12);
    const top = 18;
    for (let c = 0; c < d; c++) {
      grid(data.input, c * h * w, h, w, pad, top + c * (h + 1) * cell, this.input);
    }
    for (let j = 0; j < k; j++) {
      for (let c = 0; c < d; c++) {
        grid(
          data.weights,
          (j * d + c) * 9,
          3,
          3,
          2 * pad + colW + c * 4 * cell,
          top + j * (h + 1) * cell,
          this.filters[j]!,
        );
      }
    }
    for (let j = 0; j < k; j++) {
      grid(
        data.output,
        j * oh * ow,
        oh,
        ow,
        3 * pad + 2 * colW,
        top + j * (h + 1) * cell,
        this.output,
      );
    }
    const u = this.unit;
    if (u) {
      ctx.strokeStyle = '#ff2d55';
      ctx.lineWidth = 2;
      ctx.strokeRect(
        3 * pad + 2 * colW + u.x * cell,
        top + u.filter * (h + 1) * cell + u.y * cell,
        cell,
        cell,
      );
      ctx.strokeStyle = '#ff7a00';
      for (let c = 0; c < d; c++) {
        ctx.strokeRect(pad + u.x * cell, top + c * (h + 1) * cell + u.y * cell, 3 * cell, 3 * cell);
      }
    }
  }
}
