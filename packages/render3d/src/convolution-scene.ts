import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
import { prefersReducedMotion } from './camera-tween.js';
import { drawStack2D, hex } from './fallback-2d.js';
import { FeatureMapStack } from './feature-map-stack.js';
import { ReceptiveFieldBeam } from './receptive-field-beam.js';
import { SceneHost } from './scene-host.js';
import { THEME } from './theme.js';
import type { BackendRequest, TracedRegion } from './types.js';

/** A 2D map: `shape` is `[H, W]` (or `[1, H, W]`), `data` H*W values row by row. */
export interface Plane {
  shape: readonly number[];
  data: Float32Array;
}

/** How to build a {@link ConvolutionScene}. */
export interface ConvolutionSceneOptions {
  /** The image the kernel slides over. */
  input: Plane;
  /** The square kernel, k x k. */
  kernel: Plane;
  /**
   * The output, (H + 2p - k + 1) x (W + 2p - k + 1): computed by the caller (e.g. with
   * `@receptive/core`), so the figure shows the library's numbers, not its own.
   */
  output: Plane;
  /** Zero padding on every side (default 0). */
  padding?: number;
  /** Where the kernel is at first, 0..1 (default 0). */
  progress?: number;
  backend?: BackendRequest;
  maxPixelRatio?: number;
  /** Orbit controls (default false: the scene is scrubbed, not explored). */
  controls?: boolean;
  /** World size of one texel (default 0.4). */
  texel?: number;
  label?: string;
}

const hw = (p: Plane, what: string): [number, number] => {
  const s = p.shape;
  const ok =
    (s.length === 2 || (s.length === 3 && s[0] === 1)) &&
    p.data.length === s.reduce((a, b) => a * b, 1);
  if (!ok) {
    throw new RangeError(
      `ConvolutionScene: received ${what} of shape [${s.join(', ')}] with ${p.data.length} values, expected [H, W] or [1, H, W] with H*W values`,
    );
  }
  return [s[s.length - 2]!, s[s.length - 1]!];
};

/**
 * A kernel sliding over an input plane and filling the output plane cell by cell, driven by a
 * progress value 0..1 so a scroll position can scrub it: the kernel's own values float over
 * the window it covers, a beam joins that window to the output cell it writes, and output
 * cells not reached yet stay empty. At progress p, round(p * cells) cells are written.
 *
 * @example
 * const scene = new ConvolutionScene(element, { input, kernel, output });
 * scene.setProgress(0.4);  // from a scroll handler
 * scene.play(4000);        // or run it through (instant under prefers-reduced-motion)
 */
export class ConvolutionScene {
  readonly host: SceneHost;
  readonly input: FeatureMapStack;
  readonly kernel: FeatureMapStack;
  readonly output: FeatureMapStack;
  readonly controls: OrbitControls | null;
  readonly padding: number;
  private readonly beam: ReceptiveFieldBeam;
  private readonly regions: TracedRegion[] = [
    { layer: 'output', y0: 0, y1: 0, x0: 0, x1: 0 },
    { layer: 'input', y0: 0, y1: 0, x0: 0, x1: 0 },
  ];
  private readonly k: number;
  private current = 0;
  private playFrom = -1;
  private playMs = 0;
  private playStart = 0;

  constructor(container: HTMLElement, options: ConvolutionSceneOptions) {
    const [h, w] = hw(options.input, 'input');
    const [kh, kw] = hw(options.kernel, 'kernel');
    const [oh, ow] = hw(options.output, 'output');
    const p = options.padding ?? 0;
    if (kh !== kw)
      throw new RangeError(
        `ConvolutionScene: received a ${kh}x${kw} kernel, expected a square one`,
      );
    if (oh !== h + 2 * p - kh + 1 || ow !== w + 2 * p - kw + 1) {
      throw new RangeError(
        `ConvolutionScene: received a ${oh}x${ow} output, expected ${h + 2 * p - kh + 1}x${w + 2 * p - kw + 1} (out = in + 2*padding - k + 1)`,
      );
    }
    this.k = kh;
    this.padding = p;
    const texel = options.texel ?? 0.4;
    this.host = new SceneHost(container, {
      label: options.label ?? `A ${kh}×${kw} kernel sliding over a ${h}×${w} image`,
      ...(options.backend ? { backend: options.backend } : {}),
      ...(options.maxPixelRatio ? { maxPixelRatio: options.maxPixelRatio } : {}),
      draw2D: (ctx, cw, ch) => this.draw2D(ctx, cw, ch),
      // A WebGPU failure swaps the canvas: the controls follow it.
      onCanvas: (canvas) => {
        this.controls?.disconnect();
        this.controls?.connect(canvas);
      },
    });
    this.input = new FeatureMapStack({
      shape: [h, w],
      data: options.input.data,
      label: 'input',
      texel,
    });
    this.output = new FeatureMapStack({
      shape: [oh, ow],
      data: options.output.data,
      label: 'output',
      texel,
    });
    this.kernel = new FeatureMapStack({
      shape: [kh, kw],
      data: options.kernel.data,
      label: 'kernel',
      colorMap: 'diverging',
      texel,
      legend: false,
    });
    const gap = 1.6;
    this.input.position.x = -(w * texel) / 2 - gap / 2;
    this.output.position.x = (ow * texel) / 2 + gap / 2;
    this.beam = new ReceptiveFieldBeam({ capacity: 2 });
    this.host.scene.add(this.input, this.output, this.kernel, this.beam);
    const camera = this.host.camera;
    const span = w * texel + ow * texel + gap;
    camera.position.set(-span * 0.25, span * 0.35, span * 1.15);
    camera.lookAt(0, -0.3, 0);
    this.controls =
      options.controls && this.host.backend !== '2d'
        ? new OrbitControls(camera, this.host.canvas)
        : null;
    if (this.controls) {
      this.controls.target.set(0, -0.3, 0);
      this.controls.update();
      this.controls.addEventListener('change', () => this.host.invalidate());
    }
    this.setProgress(options.progress ?? 0);
  }

  /** Output cells in all. */
  get cells(): number {
    return this.output.rows * this.output.columns;
  }

  /** Current progress, 0..1. */
  get progress(): number {
    return this.current;
  }

  /** Output cells written at the current progress. */
  get filled(): number {
    return Math.round(this.current * this.cells);
  }

  /**
   * Moves the kernel: progress 0 shows it on the first window with nothing written, 1 shows every
   * output cell written. The kernel sits on the window of the cell written last.
   */
  setProgress(progress: number): this {
    if (!Number.isFinite(progress)) {
      throw new RangeError(
        `ConvolutionScene: received progress ${progress}, expected a number 0..1`,
      );
    }
    this.current = Math.min(1, Math.max(0, progress));
    const filled = this.filled;
    const cell = Math.max(0, filled - 1);
    const oy = Math.floor(cell / this.output.columns);
    const ox = cell % this.output.columns;
    const o = this.regions[0]!;
    o.y0 = o.y1 = oy;
    o.x0 = o.x1 = ox;
    const i = this.regions[1]!;
    i.y0 = Math.max(0, oy - this.padding);
    i.y1 = Math.min(this.input.rows - 1, oy - this.padding + this.k - 1);
    i.x0 = Math.max(0, ox - this.padding);
    i.x1 = Math.min(this.input.columns - 1, ox - this.padding + this.k - 1);
    this.output.reveal(filled);
    this.beam.update(this.regions, this.lookup);
    // The kernel floats over the window, centred on its unclipped position.
    const t = this.input.texel;
    this.kernel.position.set(
      this.input.position.x + (ox - this.padding + this.k / 2) * t - (this.input.columns * t) / 2,
      (this.input.rows * t) / 2 - (oy - this.padding + this.k / 2) * t,
      0.9,
    );
    if (filled > 0) this.output.highlight(0, oy, ox);
    else this.output.highlight(null);
    this.host.describe(this.describe());
    this.host.invalidate();
    return this;
  }

  /**
   * Runs the progress from where it is to 1 over `ms` (default 4 s); under
   * prefers-reduced-motion it jumps to the end.
   */
  play(ms = 4000): this {
    if (prefersReducedMotion() || ms <= 0) return this.setProgress(1);
    this.playFrom = this.current >= 1 ? 0 : this.current;
    this.playMs = ms;
    this.playStart = -1;
    this.host.animate(this.stepPlay);
    return this;
  }

  /** Shows new values (same shapes) for any of input, kernel and output. */
  update(values: { input?: Float32Array; kernel?: Float32Array; output?: Float32Array }): this {
    if (values.input) this.input.update(values.input);
    if (values.kernel) this.kernel.update(values.kernel);
    if (values.output) this.output.update(values.output);
    return this.setProgress(this.current);
  }

  /** Stops rendering, frees every GPU resource and removes the canvas. */
  dispose(): void {
    this.controls?.dispose();
    this.input.dispose();
    this.output.dispose();
    this.kernel.dispose();
    this.beam.dispose();
    this.host.dispose();
  }

  private readonly lookup = (name: string): FeatureMapStack | undefined =>
    name === 'input' ? this.input : name === 'output' ? this.output : undefined;

  private readonly stepPlay = (now: number): boolean => {
    if (this.playStart < 0) this.playStart = now;
    const t = Math.min(1, this.playFrom + (now - this.playStart) / this.playMs);
    this.setProgress(t);
    return t < 1;
  };

  private describe(): string {
    const [o, i] = this.regions as [TracedRegion, TracedRegion];
    const k = this.k;
    const head = `A ${k}×${k} kernel slides over a ${this.input.rows}×${this.input.columns} input and writes a ${this.output.rows}×${this.output.columns} output, ${this.filled} of ${this.cells} cells so far.`;
    if (this.filled === 0) return head;
    return `${head} It covers input rows ${i.y0 + 1}–${i.y1 + 1}, columns ${i.x0 + 1}–${i.x1 + 1}, and wrote ${fmt(this.output.valueAt(0, o.y0, o.x0))} at output row ${o.y0 + 1}, column ${o.x0 + 1}.`;
  }

  private draw2D(ctx: CanvasRenderingContext2D, w: number, h: number): void {
    const pad = 8;
    const colW = (w - 3 * pad) / 2;
    drawStack2D(
      ctx,
      this.input,
      `input · ${this.input.rows}×${this.input.columns}`,
      pad,
      pad,
      colW,
      h - 2 * pad,
    );
    drawStack2D(
      ctx,
      this.output,
      `output · ${this.output.rows}×${this.output.columns}`,
      2 * pad + colW,
      pad,
      colW,
      h - 2 * pad,
    );
    const [o, i] = this.regions as [TracedRegion, TracedRegion];
    if (this.filled === 0) return;
    ctx.strokeStyle = hex(THEME.beam);
    ctx.lineWidth = 2;
    const box = (stack: FeatureMapStack, x: number, r: TracedRegion) => {
      const legendH = Math.min(48, colW / 4);
      const tile = Math.min(colW / stack.columns, (h - 2 * pad - legendH - 4) / stack.rows);
      const left = x + (colW - tile * stack.columns) / 2;
      ctx.strokeRect(
        left + r.x0 * tile,
        pad + r.y0 * tile,
        (r.x1 - r.x0 + 1) * tile,
        (r.y1 - r.y0 + 1) * tile,
      );
    };
    box(this.input, pad, i);
    box(this.output, 2 * pad + colW, o);
  }
}

const fmt = (v: number) => String(Number(v.toPrecision(3)));
