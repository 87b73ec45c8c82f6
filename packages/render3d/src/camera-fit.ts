import { Box3, type InstancedMesh, type Mesh, type Object3D, Vector3 } from 'three';

// This module imports only three: the unit tests load it in Node as it is.

/** The part of a perspective camera a fit reads: vertical field of view (degrees) and aspect. */
export interface FitLens {
  fov: number;
  aspect: number;
}

/** A camera pose: where the camera stands and the point it looks at (the orbit centre). */
export interface CameraFit {
  position: Vector3;
  target: Vector3;
}

const WORLD_UP = new Vector3(0, 1, 0);
const _back = new Vector3();
const _right = new Vector3();
const _up = new Vector3();
const _centre = new Vector3();
const _bounds = new Box3();

/**
 * The corners of the bounds of every visible mesh under `object` (itself included), in world
 * coordinates, appended to `out`: the drawn blocks, as tight as their geometry's own boxes
 * (a flat label gives its four corners, a stack of planes the eight of its block), not the
 * looser box around the whole scene.
 */
export function boundsPoints(object: Object3D, out: Vector3[] = []): Vector3[] {
  object.updateWorldMatrix(true, true);
  object.traverseVisible((o) => {
    if (!(o as Mesh).isMesh) return;
    let box: Box3 | null;
    if ((o as InstancedMesh).isInstancedMesh) {
      const mesh = o as InstancedMesh;
      if (!mesh.boundingBox) mesh.computeBoundingBox();
      box = mesh.boundingBox;
    } else {
      const geometry = (o as Mesh).geometry;
      if (!geometry.boundingBox) geometry.computeBoundingBox();
      box = geometry.boundingBox;
    }
    if (!box || box.isEmpty()) return;
    for (let i = 0; i < 8; i++) {
      out.push(
        new Vector3(
          i & 1 ? box.max.x : box.min.x,
          i & 2 ? box.max.y : box.min.y,
          i & 4 ? box.max.z : box.min.z,
        ).applyMatrix4(o.matrixWorld),
      );
    }
  });
  return out;
}

// The camera's right and up vectors for a view from `direction` (target to camera), as
// Object3D.lookAt builds them with the world's +y up.
function basis(direction: Vector3): void {
  _back.copy(direction).normalize();
  _right.crossVectors(WORLD_UP, _back);
  // Straight down or up: any right vector will do.
  if (_right.lengthSq() < 1e-12) _right.set(1, 0, 0);
  _right.normalize();
  _up.crossVectors(_back, _right);
}

/**
 * The pose of a camera seen from `direction` (from the subject towards the camera) that frames
 * `points` as tightly as a perspective view can: every point inside the view, the projection
 * filling `fill` of the canvas in its limiting dimension (width or height, whichever the
 * subject meets first at this aspect) and centred in both.
 *
 * Exact, not iterated: a point at lateral offset u and depth w along the view is inside the
 * frustum's left and right sides (at fill) when |u - cu| <= t (w - cw), with t = fill times the
 * tangent of the half field of view (times the aspect, across). The tightest camera makes one
 * point touch each side: cu - t cw = max(u - t w) and cu + t cw = min(u + t w), which gives the
 * camera's depth for each axis. It stands at the smaller depth (further back) of the two, then
 * moves across and up or down until the projection is centred on the canvas. The target is on
 * the line of sight, in the middle of its stretch through the points' bounds, so orbiting turns
 * the subject about a point within it.
 *
 * @param points The points to frame (see {@link boundsPoints}); at least one.
 * @param direction Any non-zero vector from the subject towards the camera.
 * @param lens The camera's vertical field of view in degrees and its aspect (width / height).
 * @param fill Share of the limiting dimension the projection spans, 0 < fill <= 1.
 */
export function fitCamera(
  points: readonly Vector3[],
  direction: Vector3,
  lens: FitLens,
  fill = 0.9,
): CameraFit {
  if (points.length === 0) throw new RangeError('fitCamera: received no points, expected some');
  if (!(fill > 0 && fill <= 1)) {
    throw new RangeError(`fitCamera: received fill ${fill}, expected 0 < fill <= 1`);
  }
  basis(direction);
  const tv = fill * Math.tan((lens.fov * Math.PI) / 360);
  const th = tv * (lens.aspect > 0 && Number.isFinite(lens.aspect) ? lens.aspect : 1);
  const n = points.length;
  const us = new Float64Array(n);
  const vs = new Float64Array(n);
  const ws = new Float64Array(n);
  let leftH = Number.NEGATIVE_INFINITY;
  let rightH = Number.POSITIVE_INFINITY;
  let lowV = Number.NEGATIVE_INFINITY;
  let highV = Number.POSITIVE_INFINITY;
  let near = Number.POSITIVE_INFINITY;
  _bounds.makeEmpty();
  for (let i = 0; i < n; i++) {
    const p = points[i]!;
    const u = p.dot(_right);
    const v = p.dot(_up);
    // Depth grows away from the camera: along -back.
    const w = -p.dot(_back);
    us[i] = u;
    vs[i] = v;
    ws[i] = w;
    leftH = Math.max(leftH, u - th * w);
    rightH = Math.min(rightH, u + th * w);
    lowV = Math.max(lowV, v - tv * w);
    highV = Math.min(highV, v + tv * w);
    near = Math.min(near, w);
    _bounds.expandByPoint(p);
  }
  // Never nearer than 0.1 world units to the nearest point (the cameras' near plane is at 0.05):
  // a single point, which any distance frames, still gets a camera in front of it.
  const cw = Math.min((rightH - leftH) / (2 * th), (highV - lowV) / (2 * tv), near - 0.1);
  const cu = centre(us, ws, cw);
  const cv = centre(vs, ws, cw);
  const position = new Vector3()
    .addScaledVector(_right, cu)
    .addScaledVector(_up, cv)
    .addScaledVector(_back, -cw);
  return { position, target: orbitTarget(position) };
}

// The middle of the stretch of the line of sight (from `position` along -_back) that lies within
// _bounds: where a flat subject crosses it, the middle of a deep one. Should the line miss the
// bounds, the point of it nearest their centre.
function orbitTarget(position: Vector3): Vector3 {
  let enter = 0;
  let exit = Number.POSITIVE_INFINITY;
  for (const axis of ['x', 'y', 'z'] as const) {
    const d = -_back[axis];
    const o = position[axis];
    const lo = _bounds.min[axis];
    const hi = _bounds.max[axis];
    if (Math.abs(d) < 1e-12) {
      if (o < lo || o > hi) exit = Number.NEGATIVE_INFINITY;
      continue;
    }
    const t1 = (lo - o) / d;
    const t2 = (hi - o) / d;
    enter = Math.max(enter, Math.min(t1, t2));
    exit = Math.min(exit, Math.max(t1, t2));
  }
  const t =
    enter <= exit
      ? (enter + exit) / 2
      : Math.max(0, -_bounds.getCenter(_centre).sub(position).dot(_back));
  return position.clone().addScaledVector(_back, -t);
}

// The lateral position c of a camera at depth cw that centres the points' projection on one
// axis: the largest (u - c) / (w - cw) equals minus the smallest. Their sum falls as c grows,
// from >= 0 at the smallest u to <= 0 at the largest, so bisection finds it. On the limiting
// axis this is the one position that fits; on the other it splits the slack evenly on the
// canvas, which the midpoint in the world does not when the top and bottom points lie at
// different depths.
function centre(us: Float64Array, ws: Float64Array, cw: number): number {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const u of us) {
    lo = Math.min(lo, u);
    hi = Math.max(hi, u);
  }
  for (let round = 0; round < 60 && hi - lo > 1e-9; round++) {
    const c = (lo + hi) / 2;
    let top = Number.NEGATIVE_INFINITY;
    let bottom = Number.POSITIVE_INFINITY;
    for (let i = 0; i < us.length; i++) {
      const y = (us[i]! - c) / (ws[i]! - cw);
      top = Math.max(top, y);
      bottom = Math.min(bottom, y);
    }
    if (top + bottom > 0) lo = c;
    else hi = c;
  }
  return (lo + hi) / 2;
}
