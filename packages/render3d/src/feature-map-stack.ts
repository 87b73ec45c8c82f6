import {
  BufferAttribute,
  BufferGeometry,
  type CanvasTexture,
  DataTexture,
  DoubleSide,
  Group,
  type Intersection,
  LineBasicMaterial,
  LineSegments,
  Mesh,
  MeshBasicMaterial,
  NearestFilter,
  PlaneGeometry,
  RGBAFormat,
  SRGBColorSpace,
  UnsignedByteType,
  Vector3,
} from 'three';
import { type ColorMapName, type ColorScale, colorize, resolveScale } from './colormap.js';
import { drawLegend } from './legend.js';
import { context2d, textCanvas, textTexture } from './text-canvas.js';
import { THEME } from './theme.js';

/** How to build a {@link FeatureMapStack}. */
export interface FeatureMapStackOptions {
  /** `[C, H, W]`, or `[H, W]` for a single map. */
  shape: readonly number[];
  /** First values to show (C*H*W, channel-major); zeros when left out. */
  data?: Float32Array;
  /** Colour map; `auto` (default) is diverging when a value is negative, else ink on paper. */
  colorMap?: ColorMapName;
  /** Fixed `[min, max]` of the colour scale; by default each `update` fits the data. */
  range?: readonly [number, number];
  /** Texel side in world units (default `THEME.texel`). */
  texel?: number;
  /** Depth between channel planes (default `THEME.channelGap`). */
  gap?: number;
  /**
   * Sideways and upward step from one channel plane to the next, in world units (default
   * `[0, 0]`): an exploded stack, fanned out like a hand of cards so every channel shows.
   */
  shear?: readonly [number, number];
  /** Caption of the legend, e.g. `conv1`; the shape is appended. */
  label?: string;
  /** The whole legend caption, when the label and shape are not the right words (`dense · 10`). */
  caption?: string;
  /** Draw the legend of real values under the stack (default true). */
  legend?: boolean;
  /**
   * Lines drawn on every plane: `frame` (default) its border, so a blank (paper) map still
   * shows against the background; `grid` every texel's border too, for small kernels whose
   * cells should read one by one; `none`.
   */
  outline?: 'frame' | 'grid' | 'none';
}

/** A texel of a stack: channel, row, column. */
export interface Texel {
  channel: number;
  y: number;
  x: number;
}

const MAX_ATLAS_SIDE = 4096;
const _local = new Vector3();
const _off: [number, number] = [0, 0];

/**
 * A `[C, H, W]` activation drawn as C square planes stacked in depth (channel 0 in front at
 * z = 0, channel c at z = -c * gap), one texel per activation with nearest-neighbour sampling.
 * All planes share one texture atlas and one merged geometry: a stack is one draw call (plus one
 * for its legend and one for a highlight when shown), whatever its channel count.
 *
 * The group's origin is the centre of the front plane; rows run down (+y is row 0's side) and
 * columns run right.
 *
 * @example
 * const stack = new FeatureMapStack({ shape: [8, 26, 26], label: 'conv1' });
 * scene.add(stack);
 * stack.update(conv1Activations); // refreshes the atlas in place, no new GPU resources
 * stack.highlight(3, 10, 12);
 * stack.dispose();
 */
export class FeatureMapStack extends Group {
  readonly channels: number;
  readonly rows: number;
  readonly columns: number;
  /** Texel side in world units. */
  readonly texel: number;
  /** Depth between two channel planes in world units (see {@link fan}). */
  gap: number;
  /** Sideways and upward step between two channel planes in world units (see {@link fan}). */
  shear: readonly [number, number];
  /** Planes per row of a fanned grid (0: one line), and the step from one row to the next. */
  wrap = 0;
  rowStep: readonly [number, number] = [0, 0];
  /** Colour map and value range of what is shown now. */
  readonly colorScale: ColorScale = { map: 'ink', min: 0, max: 1 };
  /** The values shown now (a copy: the caller may reuse its array). */
  readonly values: Float32Array;
  /** The RGBA atlas behind the texture: tile c holds channel c. */
  readonly pixels: Uint8Array;
  /** Tiles per atlas row. */
  readonly atlasColumns: number;
  readonly atlasWidth: number;
  readonly atlasHeight: number;
  /** The mesh holding every plane: what picking raycasts against. */
  readonly planes: Mesh<BufferGeometry, MeshBasicMaterial>;

  private readonly texture: DataTexture;
  private readonly colorMap: ColorMapName;
  private readonly range: readonly [number, number] | undefined;
  private readonly caption: string;
  private readonly legendMesh: Mesh<PlaneGeometry, MeshBasicMaterial> | null = null;
  private readonly legendTexture: CanvasTexture<HTMLCanvasElement | OffscreenCanvas> | null = null;
  private readonly legendCtx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null =
    null;
  private readonly drawn: ColorScale = { map: 'ink', min: Number.NaN, max: Number.NaN };
  private readonly ring: Mesh<BufferGeometry, MeshBasicMaterial>;
  private readonly lines: LineSegments<BufferGeometry, LineBasicMaterial> | null = null;
  private readonly lineGrid: boolean;
  private hidden = Number.POSITIVE_INFINITY;

  constructor(options: FeatureMapStackOptions) {
    super();
    const shape = options.shape;
    if (
      (shape.length !== 3 && shape.length !== 2) ||
      !shape.every((n) => Number.isInteger(n) && n > 0)
    ) {
      throw new TypeError(
        `FeatureMapStack: received shape [${shape.join(', ')}], expected [C, H, W] or [H, W] of positive integers`,
      );
    }
    const [c, h, w] = shape.length === 3 ? shape : [1, shape[0]!, shape[1]!];
    this.channels = c!;
    this.rows = h!;
    this.columns = w!;
    this.texel = options.texel ?? THEME.texel;
    this.gap = options.gap ?? THEME.channelGap;
    this.shear = options.shear ?? [0, 0];
    this.colorMap = options.colorMap ?? 'auto';
    this.range = options.range;
    this.caption =
      options.caption ?? `${options.label ? `${options.label} · ` : ''}${shape.join(' × ')}`;
    this.name = options.label ?? 'feature-map-stack';
    this.values = new Float32Array(this.channels * this.rows * this.columns);

    // Tiles go in one column while they fit a texture side, else in a near-square grid.
    this.atlasColumns =
      this.channels * this.rows <= MAX_ATLAS_SIDE ? 1 : Math.ceil(Math.sqrt(this.channels));
    const atlasRows = Math.ceil(this.channels / this.atlasColumns);
    this.atlasWidth = this.atlasColumns * this.columns;
    this.atlasHeight = atlasRows * this.rows;
    this.pixels = new Uint8Array(this.atlasWidth * this.atlasHeight * 4);
    this.texture = new DataTexture(
      this.pixels,
      this.atlasWidth,
      this.atlasHeight,
      RGBAFormat,
      UnsignedByteType,
    );
    this.texture.magFilter = NearestFilter;
    this.texture.minFilter = NearestFilter;
    this.texture.generateMipmaps = false;
    this.texture.colorSpace = SRGBColorSpace;
    this.texture.name = `${this.name}-atlas`;

    this.planes = new Mesh(
      this.planeGeometry(),
      new MeshBasicMaterial({ map: this.texture, side: DoubleSide }),
    );
    this.planes.name = `${this.name}-planes`;
    this.add(this.planes);

    const outline = options.outline ?? 'frame';
    this.lineGrid = outline === 'grid';
    if (outline !== 'none') {
      this.lines = new LineSegments(
        this.outlineGeometry(outline === 'grid'),
        new LineBasicMaterial({ color: THEME.outline }),
      );
      this.lines.name = `${this.name}-outline`;
      this.lines.renderOrder = 1;
      this.add(this.lines);
    }

    this.ring = new Mesh(
      ringGeometry(),
      new MeshBasicMaterial({ color: THEME.highlight, side: DoubleSide }),
    );
    this.ring.scale.setScalar(this.texel);
    this.ring.visible = false;
    this.ring.renderOrder = 2;
    this.add(this.ring);

    if (options.legend ?? true) {
      const [pw, ph] = THEME.legendPixels;
      const canvas = textCanvas(pw, ph);
      this.legendCtx = context2d(canvas);
      this.legendTexture = textTexture(canvas);
      const lw = Math.max(THEME.legendMinWidth, this.planeWidth);
      const lh = (lw * ph) / pw;
      this.legendMesh = new Mesh(
        new PlaneGeometry(lw, lh),
        new MeshBasicMaterial({
          map: this.legendTexture,
          transparent: true,
          side: DoubleSide,
          // One pass for a flat label: three otherwise draws transparent double-sided meshes twice.
          forceSinglePass: true,
        }),
      );
      this.legendMesh.position.set(0, -this.planeHeight / 2 - THEME.legendGap - lh / 2, 0);
      this.legendMesh.name = `${this.name}-legend`;
      this.add(this.legendMesh);
    }
    this.update(options.data ?? this.values);
  }

  /** Width of one plane in world units. */
  get planeWidth(): number {
    return this.columns * this.texel;
  }

  /** Height of one plane in world units. */
  get planeHeight(): number {
    return this.rows * this.texel;
  }

  /** Distance from the front plane to the back plane. */
  get depth(): number {
    return (this.channels - 1) * this.gap;
  }

  /**
   * Spreads the channel planes anew: `gap` deep and `shear` sideways and up from one to the
   * next; with `wrap` > 0, `wrap` planes to a row and each row `rowStep` from the one before (a
   * grid: every channel whole). Rewrites the planes' and outlines' vertices in place (no new GPU buffers); a shown
   * highlight follows its texel.
   */
  fan(
    gap: number,
    shear: readonly [number, number],
    wrap = 0,
    rowStep: readonly [number, number] = [0, 0],
  ): this {
    const was = this.highlighted;
    this.gap = gap;
    this.shear = [shear[0], shear[1]];
    this.wrap = wrap;
    this.rowStep = [rowStep[0], rowStep[1]];
    const planes = this.planeGeometry();
    this.planes.geometry.setAttribute('position', planes.getAttribute('position'));
    this.planes.geometry.computeBoundingBox();
    this.planes.geometry.computeBoundingSphere();
    planes.dispose();
    if (this.lines) {
      const grid = this.lineGrid;
      const lines = this.outlineGeometry(grid);
      this.lines.geometry.setAttribute('position', lines.getAttribute('position'));
      this.lines.geometry.computeBoundingSphere();
      lines.dispose();
    }
    if (was) this.highlight(was.channel, was.y, was.x);
    return this;
  }

  /**
   * Shows new values: recolours the atlas in place and marks the texture for upload. Throws when
   * the length is not C*H*W. Allocates nothing.
   *
   * @param activation C*H*W values, channel-major, or anything with such a `data` array.
   */
  update(activation: Float32Array | { data: Float32Array }): this {
    const data = activation instanceof Float32Array ? activation : activation.data;
    if (data.length !== this.values.length) {
      throw new RangeError(
        `FeatureMapStack "${this.name}": received ${data.length} values, expected ${this.channels} × ${this.rows} × ${this.columns} = ${this.values.length}`,
      );
    }
    if (data !== this.values) this.values.set(data);
    resolveScale(this.values, this.colorMap, this.range, this.colorScale);
    this.paint();
    this.drawLegend();
    return this;
  }

  /**
   * Draws only the first `count` values (channel-major order) and leaves the rest as empty cells:
   * how the convolution scene fills its output cell by cell. `Infinity` shows them all.
   */
  reveal(count: number): this {
    if (count !== this.hidden) {
      this.hidden = count;
      this.paint();
    }
    return this;
  }

  /** Outlines texel (`channel`, `y`, `x`); `highlight(null)` removes the outline. */
  highlight(channel: number | null, y = 0, x = 0): this {
    if (channel === null) {
      this.ring.visible = false;
      return this;
    }
    this.assertTexel(channel, y, x);
    this.texelCenter(channel, y, x, this.ring.position, false);
    this.ring.position.z += 0.004;
    this.ring.visible = true;
    return this;
  }

  /** The texel highlighted now, or null. */
  get highlighted(): Texel | null {
    if (!this.ring.visible) return null;
    const p = this.ring.position;
    const channel = this.gap > 0 ? Math.round(-p.z / this.gap) || 0 : 0;
    return {
      channel,
      y: Math.floor(
        (this.planeHeight / 2 - (p.y - this.channelOffset(channel, _off)[1])) / this.texel,
      ),
      x: Math.floor((p.x - _off[0] + this.planeWidth / 2) / this.texel),
    };
  }

  /** Where channel plane `c`'s centre sits, sideways and up from channel 0's, in `out`. */
  channelOffset(c: number, out: [number, number] = [0, 0]): [number, number] {
    const col = this.wrap > 0 ? c % this.wrap : c;
    const row = this.wrap > 0 ? Math.floor(c / this.wrap) : 0;
    out[0] = col * this.shear[0] + row * this.rowStep[0];
    out[1] = col * this.shear[1] + row * this.rowStep[1];
    return out;
  }

  /** The value at (`channel`, `y`, `x`). */
  valueAt(channel: number, y: number, x: number): number {
    return this.values[(channel * this.rows + y) * this.columns + x]!;
  }

  /**
   * The centre of a texel, in world coordinates (or the stack's own with `world = false`),
   * written into `target`.
   */
  texelCenter(channel: number, y: number, x: number, target: Vector3, world = true): Vector3 {
    this.channelOffset(channel, _off);
    target.set(
      (x + 0.5) * this.texel - this.planeWidth / 2 + _off[0],
      this.planeHeight / 2 - (y + 0.5) * this.texel + _off[1],
      -channel * this.gap,
    );
    return world ? this.localToWorld(target) : target;
  }

  /**
   * A corner of the block of texels rows `y0..y1`, columns `x0..x1` (inclusive) on channel
   * plane `channel`, in world coordinates: `corner` 0..3 is top-left, top-right, bottom-right,
   * bottom-left.
   */
  regionCorner(
    y0: number,
    y1: number,
    x0: number,
    x1: number,
    channel: number,
    corner: number,
    target: Vector3,
  ): Vector3 {
    const left = x0 * this.texel - this.planeWidth / 2;
    const right = (x1 + 1) * this.texel - this.planeWidth / 2;
    const top = this.planeHeight / 2 - y0 * this.texel;
    const bottom = this.planeHeight / 2 - (y1 + 1) * this.texel;
    this.channelOffset(channel, _off);
    target.set(
      (corner === 0 || corner === 3 ? left : right) + _off[0],
      (corner < 2 ? top : bottom) + _off[1],
      -channel * this.gap,
    );
    return this.localToWorld(target);
  }

  /** The texel a raycast hit on {@link planes} landed on, or null when it missed them. */
  texelAt(hit: Intersection): Texel | null {
    if (hit.object !== this.planes || hit.faceIndex == null) return null;
    const channel = Math.floor(hit.faceIndex / 2);
    this.worldToLocal(_local.copy(hit.point));
    this.channelOffset(channel, _off);
    const x = Math.floor((_local.x - _off[0] + this.planeWidth / 2) / this.texel);
    const y = Math.floor((this.planeHeight / 2 - _local.y + _off[1]) / this.texel);
    return {
      channel,
      y: Math.min(this.rows - 1, Math.max(0, y)),
      x: Math.min(this.columns - 1, Math.max(0, x)),
    };
  }

  /** Frees the geometry, materials and textures of the stack, and leaves its parent. */
  override dispose(): void {
    this.removeFromParent();
    super.dispose();
    this.planes.geometry.dispose();
    this.planes.material.dispose();
    this.texture.dispose();
    this.ring.geometry.dispose();
    this.ring.material.dispose();
    this.lines?.geometry.dispose();
    this.lines?.material.dispose();
    this.legendMesh?.geometry.dispose();
    this.legendMesh?.material.dispose();
    this.legendTexture?.dispose();
  }

  private assertTexel(channel: number, y: number, x: number): void {
    if (
      !Number.isInteger(channel) ||
      !Number.isInteger(y) ||
      !Number.isInteger(x) ||
      channel < 0 ||
      channel >= this.channels ||
      y < 0 ||
      y >= this.rows ||
      x < 0 ||
      x >= this.columns
    ) {
      throw new RangeError(
        `FeatureMapStack "${this.name}": received texel (${channel}, ${y}, ${x}), expected channel 0..${this.channels - 1}, y 0..${this.rows - 1}, x 0..${this.columns - 1}`,
      );
    }
  }

  // One quad per channel, each mapping to its tile of the atlas.
  private planeGeometry(): BufferGeometry {
    const n = this.channels;
    const pos = new Float32Array(n * 12);
    const uv = new Float32Array(n * 8);
    const index = new Uint32Array(n * 6);
    const hw = this.planeWidth / 2;
    const hh = this.planeHeight / 2;
    for (let c = 0; c < n; c++) {
      const z = -c * this.gap;
      const [sx, sy] = this.channelOffset(c, _off);
      pos.set(
        [-hw + sx, hh + sy, z, hw + sx, hh + sy, z, hw + sx, -hh + sy, z, -hw + sx, -hh + sy, z],
        c * 12,
      );
      const col = c % this.atlasColumns;
      const row = Math.floor(c / this.atlasColumns);
      const u0 = (col * this.columns) / this.atlasWidth;
      const u1 = ((col + 1) * this.columns) / this.atlasWidth;
      // DataTextures are not flipped: atlas row 0 (the map's top row) sits at v = 0.
      const v0 = (row * this.rows) / this.atlasHeight;
      const v1 = ((row + 1) * this.rows) / this.atlasHeight;
      uv.set([u0, v0, u1, v0, u1, v1, u0, v1], c * 8);
      const v = c * 4;
      index.set([v, v + 3, v + 1, v + 1, v + 3, v + 2], c * 6);
    }
    const g = new BufferGeometry();
    g.setAttribute('position', new BufferAttribute(pos, 3));
    g.setAttribute('uv', new BufferAttribute(uv, 2));
    g.setIndex(new BufferAttribute(index, 1));
    g.computeBoundingSphere();
    g.computeBoundingBox();
    return g;
  }

  // Each plane's border (and with `grid` its inner texel lines) as line segments, a hair in
  // front of the plane so they are not lost in it.
  private outlineGeometry(grid: boolean): BufferGeometry {
    const hw = this.planeWidth / 2;
    const hh = this.planeHeight / 2;
    const xs = grid ? this.columns + 1 : 2;
    const ys = grid ? this.rows + 1 : 2;
    const pos = new Float32Array(this.channels * (xs + ys) * 6);
    let o = 0;
    for (let c = 0; c < this.channels; c++) {
      const z = -c * this.gap + 0.002;
      const [sx, sy] = this.channelOffset(c, _off);
      for (let i = 0; i < xs; i++) {
        const x = -hw + (i / (xs - 1)) * 2 * hw + sx;
        pos.set([x, hh + sy, z, x, -hh + sy, z], o);
        o += 6;
      }
      for (let i = 0; i < ys; i++) {
        const y = hh - (i / (ys - 1)) * 2 * hh + sy;
        pos.set([-hw + sx, y, z, hw + sx, y, z], o);
        o += 6;
      }
    }
    const g = new BufferGeometry();
    g.setAttribute('position', new BufferAttribute(pos, 3));
    return g;
  }

  private paint(): void {
    const { rows: h, columns: w, atlasColumns: cols, atlasWidth: aw, pixels } = this;
    const [er, eg, eb] = THEME.emptyCell;
    for (let c = 0; c < this.channels; c++) {
      const tx = (c % cols) * w;
      const ty = Math.floor(c / cols) * h;
      for (let y = 0; y < h; y++) {
        const start = (c * h + y) * w;
        const dst = ((ty + y) * aw + tx) * 4;
        colorize(this.values, this.colorScale, pixels, start, w, dst);
        if (start + w > this.hidden) {
          for (let x = Math.max(0, this.hidden - start); x < w; x++) {
            const o = dst + x * 4;
            pixels[o] = er;
            pixels[o + 1] = eg;
            pixels[o + 2] = eb;
          }
        }
      }
    }
    this.texture.needsUpdate = true;
  }

  private drawLegend(): void {
    const ctx = this.legendCtx;
    const s = this.colorScale;
    if (!ctx || (s.map === this.drawn.map && s.min === this.drawn.min && s.max === this.drawn.max))
      return;
    const [pw, ph] = THEME.legendPixels;
    drawLegend(ctx, this.caption, s, 0, 0, pw, ph);
    this.drawn.map = s.map;
    this.drawn.min = s.min;
    this.drawn.max = s.max;
    this.legendTexture!.needsUpdate = true;
  }
}

// A square outline a little wider than one texel: 8 triangles.
function ringGeometry(): BufferGeometry {
  const o = 0.62;
  const i = 0.44;
  const pos = new Float32Array([
    -o,
    o,
    0,
    o,
    o,
    0,
    o,
    -o,
    0,
    -o,
    -o,
    0,
    -i,
    i,
    0,
    i,
    i,
    0,
    i,
    -i,
    0,
    -i,
    -i,
    0,
  ]);
  const index = [0, 4, 1, 1, 4, 5, 1, 5, 2, 2, 5, 6, 2, 6, 3, 3, 6, 7, 3, 7, 0, 0, 7, 4];
  const g = new BufferGeometry();
  g.setAttribute('position', new BufferAttribute(pos, 3));
  g.setIndex(index);
  return g;
}
