import {
  BoxGeometry,
  BufferAttribute,
  BufferGeometry,
  Group,
  InstancedMesh,
  LineBasicMaterial,
  LineSegments,
  Matrix4,
  MeshBasicMaterial,
  Vector3,
} from 'three';
import type { FeatureMapStack } from './feature-map-stack.js';
import { THEME } from './theme.js';
import type { TracedRegion } from './types.js';

/** How to build a {@link ReceptiveFieldBeam}. */
export interface ReceptiveFieldBeamOptions {
  /** Most regions one trace may hold (default 12); the buffers are sized for it once. */
  capacity?: number;
  /** Colour of the boxes and lines (default `THEME.beam`). */
  color?: number;
}

// Per region: 12 box edges and 4 lines to the next region, 2 vertices each.
const SEGMENTS = 16;
const _a = new Vector3();
const _b = new Vector3();
const _corners = [new Vector3(), new Vector3(), new Vector3(), new Vector3()];
const _back = [new Vector3(), new Vector3(), new Vector3(), new Vector3()];
const _prev = [new Vector3(), new Vector3(), new Vector3(), new Vector3()];
const _m = new Matrix4();

/**
 * What one unit sees, drawn across the network: in every earlier layer of a trace a translucent
 * box over the texels of its region (through all channels) with its edges outlined, and
 * frustum lines joining each region to the next one back. Two draw calls for any trace.
 *
 * The regions come from a receptive-field trace, unit first and input last, e.g.
 * `@receptive/core`'s `receptiveField(model, layer, unit).path`.
 *
 * @example
 * const beam = new ReceptiveFieldBeam();
 * scene.add(beam);
 * beam.update(
 *   [{ layer: 'pool1', y0: 5, y1: 5, x0: 5, x1: 5 }, { layer: 'conv1', y0: 10, y1: 11, x0: 10, x1: 11 }],
 *   (name) => stacks.get(name),
 * );
 */
export class ReceptiveFieldBeam extends Group {
  readonly capacity: number;
  /** The regions drawn now (layers the lookup did not know are left out). */
  readonly regions: TracedRegion[] = [];
  private readonly boxes: InstancedMesh<BoxGeometry, MeshBasicMaterial>;
  private readonly lines: LineSegments<BufferGeometry, LineBasicMaterial>;
  private readonly positions: Float32Array;

  constructor(options: ReceptiveFieldBeamOptions = {}) {
    super();
    this.name = 'receptive-field-beam';
    this.capacity = options.capacity ?? 12;
    const color = options.color ?? THEME.beam;
    this.boxes = new InstancedMesh(
      new BoxGeometry(1, 1, 1),
      new MeshBasicMaterial({
        color,
        transparent: true,
        opacity: THEME.beamOpacity,
        depthWrite: false,
      }),
      this.capacity,
    );
    this.boxes.count = 0;
    this.boxes.renderOrder = 3;
    // The boxes move with every trace; skip culling rather than recompute bounds each time.
    this.boxes.frustumCulled = false;
    this.positions = new Float32Array(this.capacity * SEGMENTS * 2 * 3);
    const g = new BufferGeometry();
    g.setAttribute('position', new BufferAttribute(this.positions, 3));
    g.setDrawRange(0, 0);
    this.lines = new LineSegments(g, new LineBasicMaterial({ color }));
    this.lines.frustumCulled = false;
    this.lines.renderOrder = 3;
    this.add(this.boxes, this.lines);
    this.visible = false;
  }

  /**
   * Draws a trace (unit first, input last), or hides the beam for `null` or an empty trace.
   * `stacks` maps a layer name to the stack drawing it; regions of other layers are skipped.
   * Throws when the trace has more regions than the capacity. Allocates no GPU resources.
   */
  update(
    regions: readonly TracedRegion[] | null,
    stacks: (layer: string) => FeatureMapStack | undefined,
  ): this {
    this.regions.length = 0;
    if (!regions || regions.length === 0) {
      this.visible = false;
      return this;
    }
    if (regions.length > this.capacity) {
      throw new RangeError(
        `ReceptiveFieldBeam: received ${regions.length} regions, expected at most ${this.capacity} (raise the capacity option)`,
      );
    }
    let n = 0;
    let v = 0;
    let hasPrev = false;
    for (const r of regions) {
      const stack = stacks(r.layer);
      if (!stack) continue;
      if (
        r.y0 < 0 ||
        r.x0 < 0 ||
        r.y1 >= stack.rows ||
        r.x1 >= stack.columns ||
        r.y0 > r.y1 ||
        r.x0 > r.x1
      ) {
        throw new RangeError(
          `ReceptiveFieldBeam: received region rows ${r.y0}..${r.y1}, columns ${r.x0}..${r.x1} for "${r.layer}", expected rows 0..${stack.rows - 1} and columns 0..${stack.columns - 1}`,
        );
      }
      stack.updateWorldMatrix(true, false);
      this.regions.push(r);
      // A box through every channel of a stack; on a fanned-out one (channels side by side, not
      // one behind the other) a box on the first channel, the window being the same on each.
      const fanned = stack.wrap > 0 || stack.shear[0] !== 0 || stack.shear[1] !== 0;
      const front = Math.min(stack.channels - 1, Math.max(0, r.channel ?? 0));
      const back = r.channel !== undefined || fanned ? front : stack.channels - 1;
      for (let k = 0; k < 4; k++) {
        stack.regionCorner(r.y0, r.y1, r.x0, r.x1, front, k, _corners[k]!);
        stack.regionCorner(r.y0, r.y1, r.x0, r.x1, back, k, _back[k]!);
      }
      // Front and back faces a hair outside the planes, so the box does not z-fight them.
      const pad = Math.min(0.02, Math.max(stack.gap * 0.2, 0.005));
      for (let k = 0; k < 4; k++) {
        _corners[k]!.z += pad;
        _back[k]!.z -= pad;
      }
      _a.copy(_corners[0]!).add(_back[2]!).multiplyScalar(0.5);
      _b.copy(_corners[0]!).sub(_back[2]!);
      _m.makeScale(Math.abs(_b.x), Math.abs(_b.y), Math.abs(_b.z)).setPosition(_a);
      this.boxes.setMatrixAt(n++, _m);
      for (let k = 0; k < 4; k++) {
        v = this.segment(v, _corners[k]!, _corners[(k + 1) % 4]!);
        v = this.segment(v, _back[k]!, _back[(k + 1) % 4]!);
        v = this.segment(v, _corners[k]!, _back[k]!);
        if (hasPrev) v = this.segment(v, _prev[k]!, _corners[k]!);
      }
      for (let k = 0; k < 4; k++) _prev[k]!.copy(_corners[k]!);
      hasPrev = true;
    }
    this.boxes.count = n;
    this.boxes.instanceMatrix.needsUpdate = true;
    this.lines.geometry.setDrawRange(0, v);
    this.lines.geometry.attributes['position']!.needsUpdate = true;
    this.visible = n > 0;
    return this;
  }

  /** Frees the geometries and materials, and leaves the parent. */
  override dispose(): void {
    this.removeFromParent();
    super.dispose();
    this.boxes.geometry.dispose();
    this.boxes.material.dispose();
    this.boxes.dispose();
    this.lines.geometry.dispose();
    this.lines.material.dispose();
  }

  private segment(v: number, a: Vector3, b: Vector3): number {
    const p = this.positions;
    const o = v * 3;
    p[o] = a.x;
    p[o + 1] = a.y;
    p[o + 2] = a.z;
    p[o + 3] = b.x;
    p[o + 4] = b.y;
    p[o + 5] = b.z;
    return v + 2;
  }
}
