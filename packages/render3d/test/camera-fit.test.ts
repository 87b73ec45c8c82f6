import assert from 'node:assert/strict';
import {
  Box3,
  BoxGeometry,
  Group,
  Mesh,
  type Object3D,
  PerspectiveCamera,
  PlaneGeometry,
  Vector3,
} from 'three';
import { describe, it } from 'vitest';
import { boundsPoints, fitCamera } from '../src/camera-fit.ts';
import { THEME } from '../src/theme.ts';

// The camera fit of NetworkView's presets, in Node (no WebGL): networks laid out as the view lays
// them out (blocks of channel planes with their legends under them, a dense column, the softmax
// bars and their text, left to right with THEME.layerGap between), framed from the view's
// directions for canvases of the figure's sizes, then projected through a three.js camera at the
// fitted pose to see where every corner lands on the canvas.

type Layer =
  | { kind: 'map'; shape: [number, number, number] }
  | { kind: 'dense' | 'softmax'; n: number };

const LEGEND_ASPECT = THEME.legendPixels[1] / THEME.legendPixels[0];

/** A stack of planes (front at z = 0) with its legend plane under it, as FeatureMapStack draws. */
function stack(c: number, h: number, w: number, texel: number): Group {
  const g = new Group();
  const pw = w * texel;
  const ph = h * texel;
  const depth = (c - 1) * THEME.channelGap;
  const planes = new BoxGeometry(pw, ph, depth);
  planes.translate(0, 0, -depth / 2);
  g.add(new Mesh(planes));
  const lw = Math.max(THEME.legendMinWidth, pw);
  const legend = new Mesh(new PlaneGeometry(lw, lw * LEGEND_ASPECT));
  legend.position.y = -ph / 2 - THEME.legendGap - (lw * LEGEND_ASPECT) / 2;
  g.add(legend);
  // A hidden highlight ring far off: what is not drawn is not framed.
  const ring = new Mesh(new PlaneGeometry(1, 1));
  ring.position.set(0, 40, 0);
  ring.visible = false;
  g.add(ring);
  return g;
}

/** The network row, centred on the origin: the layout of NetworkView.build. */
function network(layers: readonly Layer[]): Object3D {
  const root = new Group();
  let x = 0;
  for (const layer of layers) {
    let part: Object3D;
    let left: number;
    let width: number;
    if (layer.kind === 'softmax') {
      // Labels (0.5) left of the bars' start, bars (barLength), values (0.75); a caption row.
      part = new Group();
      const row = THEME.vectorTexel;
      const w = 0.5 + THEME.barLength + 0.75;
      const text = new Mesh(new PlaneGeometry(w, row * (layer.n + 1)));
      text.position.set(w / 2 - 0.5, row / 2, 0.002);
      part.add(text);
      left = -0.5;
      width = w;
    } else {
      const [c, h, w] = layer.kind === 'map' ? layer.shape : [1, layer.n, 1];
      const texel = layer.kind === 'dense' ? THEME.vectorTexel : THEME.texel;
      part = stack(c, h, w, texel);
      width = Math.max(w * texel, THEME.legendMinWidth);
      left = -width / 2;
    }
    part.position.x = x - left;
    root.add(part);
    x += width + THEME.layerGap;
  }
  root.position.x = -(x - THEME.layerGap) / 2;
  return root;
}

const NETWORKS: Record<string, Layer[]> = {
  // The lesson's CNN, as <rf-network-3d> draws it: every activation the comparison returns.
  'lesson CNN': [
    { kind: 'map', shape: [1, 28, 28] },
    { kind: 'map', shape: [8, 26, 26] },
    { kind: 'map', shape: [8, 26, 26] },
    { kind: 'map', shape: [8, 13, 13] },
    { kind: 'map', shape: [16, 11, 11] },
    { kind: 'map', shape: [16, 11, 11] },
    { kind: 'map', shape: [16, 5, 5] },
    { kind: 'dense', n: 10 },
    { kind: 'softmax', n: 10 },
  ],
  MLP: [
    { kind: 'map', shape: [1, 28, 28] },
    { kind: 'dense', n: 32 },
    { kind: 'dense', n: 16 },
    { kind: 'softmax', n: 10 },
  ],
  'one layer': [{ kind: 'map', shape: [1, 28, 28] }],
  'one deep block': [{ kind: 'map', shape: [64, 5, 5] }],
};

// Canvases of the figure: the lesson's stage on a desktop (1280x800 window) and on a phone
// (390x844 window), a 16:9 and a portrait one.
const CANVASES: Record<string, [number, number]> = {
  'desktop stage 1150x366': [1150, 366],
  'phone stage 356x258': [356, 258],
  '16:9 1280x720': [1280, 720],
  'portrait 390x844': [390, 844],
};

// NetworkView's directions: overview, front, one layer.
const DIRECTIONS: Record<string, Vector3> = {
  overview: new Vector3(-0.35, 0.3, 1),
  front: new Vector3(0, 0, 1),
  layer: new Vector3(-0.6, 0.3, 1),
};

/** Where the points land on the canvas, in normalized device coordinates (-1..1). */
function projected(points: readonly Vector3[], camera: PerspectiveCamera) {
  const e = { minX: Infinity, maxX: -Infinity, minY: Infinity, maxY: -Infinity, behind: 0 };
  const v = new Vector3();
  for (const p of points) {
    v.copy(p).project(camera);
    if (v.z < -1 || v.z > 1) e.behind++;
    e.minX = Math.min(e.minX, v.x);
    e.maxX = Math.max(e.maxX, v.x);
    e.minY = Math.min(e.minY, v.y);
    e.maxY = Math.max(e.maxY, v.y);
  }
  return e;
}

/** A camera of the view's lens at `w` x `h`, posed at the fit of `points` from `dir`. */
function framed(points: readonly Vector3[], dir: Vector3, w: number, h: number, fill: number) {
  const camera = new PerspectiveCamera(THEME.fov, w / h, 0.05, 200);
  const fit = fitCamera(points, dir, camera, fill);
  camera.position.copy(fit.position);
  camera.lookAt(fit.target);
  camera.updateMatrixWorld();
  return { camera, fit, extent: projected(points, camera) };
}

describe('fitCamera', () => {
  for (const [net, layers] of Object.entries(NETWORKS)) {
    const points = boundsPoints(network(layers));
    const box = new Box3().setFromPoints(points);
    for (const [canvas, [w, h]] of Object.entries(CANVASES)) {
      for (const [view, dir] of Object.entries(DIRECTIONS)) {
        it(`frames the ${net} from the ${view} direction on a ${canvas} canvas`, () => {
          const { camera, fit, extent: e } = framed(points, dir, w, h, 0.9);
          const spanX = (e.maxX - e.minX) / 2;
          const spanY = (e.maxY - e.minY) / 2;
          const at = `x ${e.minX.toFixed(3)}..${e.maxX.toFixed(3)}, y ${e.minY.toFixed(3)}..${e.maxY.toFixed(3)}`;
          assert.equal(e.behind, 0, 'every corner is between the near and far planes');
          // Inside the canvas with the 5% margin, every corner of every drawn block.
          for (const v of [e.minX, e.maxX, e.minY, e.maxY]) {
            assert.ok(Math.abs(v) <= 0.9 + 1e-6, `a corner outside the margin: ${at}`);
          }
          // Filling 90% of the limiting dimension (the old framing left up to a quarter empty).
          assert.ok(Math.max(spanX, spanY) >= 0.9 - 1e-6, `fills only ${at}`);
          // Centred in both dimensions.
          assert.ok(Math.abs(e.maxX + e.minX) < 1e-4, `off centre across: ${at}`);
          assert.ok(Math.abs(e.maxY + e.minY) < 1e-4, `off centre up and down: ${at}`);
          // Orbiting turns the network about a point within it.
          const around = box.clone().expandByScalar(1e-6);
          assert.ok(around.containsPoint(fit.target), `target ${fit.target.toArray()} outside`);
          assert.ok(camera.position.distanceTo(fit.target) > 0.1);
        });
      }
    }
  }

  it('keeps the lesson CNN filling the canvas across a resize (wide to tall and back)', () => {
    const points = boundsPoints(network(NETWORKS['lesson CNN']!));
    for (const [w, h] of [
      [1150, 366],
      [356, 258],
      [260, 600],
      [1150, 366],
    ] as const) {
      const { extent: e } = framed(points, DIRECTIONS['overview']!, w, h, 0.9);
      const fill = Math.max(e.maxX - e.minX, e.maxY - e.minY) / 2;
      assert.ok(Math.abs(fill - 0.9) < 1e-6, `${w}x${h}: fills ${fill}`);
    }
  });

  it('fills what it is asked to: a layer preset at 80%', () => {
    const points = boundsPoints(network([{ kind: 'map', shape: [8, 13, 13] }]));
    const { extent: e } = framed(points, DIRECTIONS['layer']!, 640, 320, 0.8);
    const fill = Math.max(e.maxX - e.minX, e.maxY - e.minY) / 2;
    assert.ok(Math.abs(fill - 0.8) < 1e-6, `fills ${fill}`);
  });

  it('puts a camera in front of a single point, and refuses nothing or a wrong fill', () => {
    const lens = { fov: THEME.fov, aspect: 2 };
    const one = [new Vector3(1, 2, 3)];
    const fit = fitCamera(one, new Vector3(0, 0, 1), lens);
    assert.ok(fit.position.z > 3 && fit.position.distanceTo(fit.target) > 0.05);
    assert.throws(() => fitCamera([], new Vector3(0, 0, 1), lens), /no points/);
    assert.throws(() => fitCamera(one, new Vector3(0, 0, 1), lens, 0), /fill 0/);
    assert.throws(() => fitCamera(one, new Vector3(0, 0, 1), lens, 1.5), /fill 1.5/);
  });
});

describe('boundsPoints', () => {
  it('gives the corners of the visible meshes in world coordinates, skipping hidden ones', () => {
    const root = new Group();
    root.position.set(10, 0, 0);
    const plane = new Mesh(new PlaneGeometry(2, 1));
    plane.position.set(0, 3, 0);
    const hidden = new Mesh(new PlaneGeometry(100, 100));
    hidden.visible = false;
    root.add(plane, hidden);
    const box = new Box3().setFromPoints(boundsPoints(root));
    assert.deepEqual(box.min.toArray(), [9, 2.5, 0]);
    assert.deepEqual(box.max.toArray(), [11, 3.5, 0]);
  });
});
