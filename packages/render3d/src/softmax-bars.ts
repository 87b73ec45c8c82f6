import {
  type CanvasTexture,
  Color,
  DoubleSide,
  Group,
  InstancedMesh,
  type Intersection,
  Matrix4,
  Mesh,
  MeshBasicMaterial,
  PlaneGeometry,
  Vector3,
} from 'three';
import { context2d, textCanvas, textTexture } from './text-canvas.js';
import { THEME } from './theme.js';

/** How to build {@link SoftmaxBars}. */
export interface SoftmaxBarsOptions {
  /** Number of classes. */
  count: number;
  /** Class names (default `0`..`count-1`). */
  labels?: readonly string[];
  /** Caption above the bars (default `softmax`). */
  caption?: string;
  /** Row height in world units (default `THEME.vectorTexel`). */
  row?: number;
  /**
   * Draw the class names and percentages into the scene (default true); off where HTML labels
   * ({@link SoftmaxBars.percent}) show them instead.
   */
  text?: boolean;
}

const LABEL_W = 0.5;
const VALUE_W = 0.75;
const ROW_PX = 24;
const TEXT_W = 256;
const _m = new Matrix4();
const _c = new Color();
const _v = new Vector3();

/**
 * Class probabilities as horizontal bars, one row per class from top to bottom, each labelled
 * with its class name and its percentage; the most probable class is drawn in its own colour.
 * The bars and their light tracks are one instanced mesh; the text is one more plane.
 *
 * @example
 * const bars = new SoftmaxBars({ count: 10 });
 * bars.update(probabilities); // ten values summing to 1
 */
export class SoftmaxBars extends Group {
  readonly classes: number;
  readonly row: number;
  readonly values: Float32Array;
  /** The instanced bars (instances 0..N-1 are tracks, N..2N-1 the bars): picking's target. */
  readonly bars: InstancedMesh<PlaneGeometry, MeshBasicMaterial>;

  /** Class names, top to bottom. */
  readonly labels: readonly string[];
  private readonly caption: string;
  private readonly text: Mesh<PlaneGeometry, MeshBasicMaterial>;
  private readonly textTexture: CanvasTexture<HTMLCanvasElement | OffscreenCanvas>;
  private readonly ctx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;
  private readonly shown: Int16Array;

  constructor(options: SoftmaxBarsOptions) {
    super();
    const n = options.count;
    if (!Number.isInteger(n) || n < 1) {
      throw new RangeError(`SoftmaxBars: received count ${n}, expected a positive integer`);
    }
    if (options.labels && options.labels.length !== n) {
      throw new RangeError(
        `SoftmaxBars: received ${options.labels.length} labels, expected ${n} (one per class)`,
      );
    }
    this.classes = n;
    this.row = options.row ?? THEME.vectorTexel;
    this.labels = options.labels ?? Array.from({ length: n }, (_, i) => String(i));
    this.caption = options.caption ?? 'softmax';
    this.name = this.caption;
    this.values = new Float32Array(n);
    this.shown = new Int16Array(n).fill(-1);

    const geometry = new PlaneGeometry(1, 1);
    geometry.translate(0.5, 0, 0);
    this.bars = new InstancedMesh(
      geometry,
      new MeshBasicMaterial({ color: 0xffffff, side: DoubleSide }),
      2 * n,
    );
    this.bars.name = `${this.name}-bars`;
    for (let i = 0; i < n; i++) {
      _m.makeScale(THEME.barLength, this.row * 0.8, 1).setPosition(0, this.rowY(i), -0.002);
      this.bars.setMatrixAt(i, _m);
      this.bars.setColorAt(i, _c.set(THEME.barTrack));
    }
    // The tracks span every bar's possible extent: the bounds never need recomputing.
    this.bars.computeBoundingSphere();
    this.add(this.bars);

    const canvas = textCanvas(TEXT_W, ROW_PX * (n + 1));
    this.ctx = context2d(canvas);
    this.textTexture = textTexture(canvas);
    const w = LABEL_W + THEME.barLength + VALUE_W;
    const h = this.row * (n + 1);
    this.text = new Mesh(
      new PlaneGeometry(w, h),
      new MeshBasicMaterial({
        map: this.textTexture,
        transparent: true,
        side: DoubleSide,
        forceSinglePass: true,
      }),
    );
    this.text.position.set(w / 2 - LABEL_W, this.row / 2, 0.002);
    this.text.name = `${this.name}-text`;
    this.text.visible = options.text ?? true;
    this.add(this.text);
    this.update(this.values);
  }

  /** Total width, labels and values included, in world units. */
  get width(): number {
    return LABEL_W + THEME.barLength + VALUE_W;
  }

  /** Total height, caption included. */
  get height(): number {
    return this.row * (this.classes + 1);
  }

  /** Left edge relative to the origin (the labels sit left of the bars' start). */
  get left(): number {
    return -LABEL_W;
  }

  /** Shows new probabilities (length `count`, each clamped to 0..1). Allocates nothing. */
  update(activation: Float32Array | { data: Float32Array }): this {
    const data = activation instanceof Float32Array ? activation : activation.data;
    if (data.length !== this.classes) {
      throw new RangeError(
        `SoftmaxBars: received ${data.length} values, expected ${this.classes} (one per class)`,
      );
    }
    this.values.set(data);
    let best = 0;
    for (let i = 1; i < this.classes; i++) if (data[i]! > data[best]!) best = i;
    let textChanged = false;
    for (let i = 0; i < this.classes; i++) {
      const p = Math.min(1, Math.max(0, data[i]!));
      _m.makeScale(Math.max(1e-4, p * THEME.barLength), this.row * 0.8, 1);
      _m.setPosition(0, this.rowY(i), 0);
      this.bars.setMatrixAt(this.classes + i, _m);
      this.bars.setColorAt(this.classes + i, _c.set(i === best ? THEME.barWinner : THEME.bar));
      const pct = Math.round(p * 1000);
      if (pct !== this.shown[i]) {
        this.shown[i] = pct;
        textChanged = true;
      }
    }
    this.bars.instanceMatrix.needsUpdate = true;
    if (this.bars.instanceColor) this.bars.instanceColor.needsUpdate = true;
    if (textChanged) this.drawText();
    return this;
  }

  /** Class `i`'s probability as the bars write it: one decimal, e.g. `99.2%`. */
  percent(i: number): string {
    return `${(Math.max(0, this.shown[i]!) / 10).toFixed(1)}%`;
  }

  /** The end of class `i`'s track (where a bar of probability 1 ends), in world coordinates. */
  rowEnd(i: number, target: Vector3): Vector3 {
    target.set(THEME.barLength, this.rowY(i), 0);
    return this.localToWorld(target);
  }

  /** The class a raycast hit on {@link bars} points at, or -1. */
  classAt(hit: Intersection): number {
    if (hit.object !== this.bars || hit.instanceId == null) return -1;
    return hit.instanceId % this.classes;
  }

  /** The centre of class `i`'s track, in world coordinates. */
  rowCenter(i: number, target: Vector3 = _v): Vector3 {
    target.set(THEME.barLength / 2, this.rowY(i), 0);
    return this.localToWorld(target);
  }

  /** Frees the geometries, materials and texture, and leaves the parent. */
  override dispose(): void {
    this.removeFromParent();
    super.dispose();
    this.bars.geometry.dispose();
    this.bars.material.dispose();
    this.bars.dispose();
    this.text.geometry.dispose();
    this.text.material.dispose();
    this.textTexture.dispose();
  }

  private rowY(i: number): number {
    return (this.classes / 2 - i - 0.5) * this.row;
  }

  private drawText(): void {
    const ctx = this.ctx;
    const w = TEXT_W;
    const total = LABEL_W + THEME.barLength + VALUE_W;
    const labelPx = (LABEL_W / total) * w;
    const valuePx = ((LABEL_W + THEME.barLength) / total) * w;
    ctx.clearRect(0, 0, w, ROW_PX * (this.classes + 1));
    ctx.fillStyle = THEME.ink;
    ctx.textBaseline = 'middle';
    ctx.font = THEME.font;
    ctx.textAlign = 'left';
    ctx.fillText(`${this.caption} · ${this.classes}`, 2, ROW_PX / 2);
    ctx.font = THEME.smallFont;
    for (let i = 0; i < this.classes; i++) {
      const y = ROW_PX * (i + 1.5);
      ctx.textAlign = 'right';
      ctx.fillText(this.labels[i]!, labelPx - 5, y);
      ctx.textAlign = 'left';
      ctx.fillText(`${(this.shown[i]! / 10).toFixed(1)}%`, valuePx + 4, y);
    }
    this.textTexture.needsUpdate = true;
  }
}
