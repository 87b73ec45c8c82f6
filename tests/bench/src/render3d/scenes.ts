/**
 * The two scenes the benchmark times, as functions run inside the page (playwright serialises
 * them): the library's NetworkView, and the same lesson CNN built naively as one mesh per cell.
 * Both update every activation and render once per frame, in a requestAnimationFrame loop.
 * Used by src/suites/render3d.ts.
 */
import type * as R3D from '@receptive/render3d';
import type * as Three from 'three';

export interface FrameResult {
  /** Main-thread milliseconds per frame spent updating and rendering, one entry per frame. */
  ms: number[];
  /** Milliseconds between consecutive animation frames (includes waiting on the GPU process). */
  intervals: number[];
  drawCalls: number;
  objects: number;
}

interface PageGlobals {
  render3d: typeof R3D;
  THREE: typeof Three;
  synthetic: {
    digit(d: number): Float32Array;
    lessonActivations(x: Float32Array): R3D.LayerActivation[];
  };
}

/** Runs in the page: times `frames` update+render frames of `build` after `warmup` frames. */
export async function timeScene(args: {
  scene: 'ours' | 'naive';
  frames: number;
  warmup: number;
}): Promise<FrameResult> {
  const w = window as unknown as PageGlobals;
  const { render3d, THREE, synthetic } = w;
  document.body.innerHTML =
    '<div id="stage" style="position:fixed;left:0;top:0;width:1280px;height:720px"></div>';
  const stage = document.getElementById('stage')!;
  const sets = Array.from({ length: 8 }, (_, d) => synthetic.lessonActivations(synthetic.digit(d)));
  let frame: (i: number) => void;
  let stats: () => { drawCalls: number; objects: number };
  let dispose: () => void;

  if (args.scene === 'ours') {
    const view = new render3d.NetworkView(stage, {
      layers: sets[0]!,
      maxPixelRatio: 1,
      controls: false,
    });
    frame = (i) => {
      view.update(sets[i % sets.length]!);
      view.host.renderNow();
    };
    stats = () => {
      let objects = 0;
      view.host.scene.traverse(() => objects++);
      return { drawCalls: view.host.stats().drawCalls, objects };
    };
    dispose = () => view.dispose();
  } else {
    // One mesh and one material per activation, coloured on the CPU: the obvious build.
    const renderer = new THREE.WebGLRenderer({ antialias: true });
    renderer.setPixelRatio(1);
    renderer.setSize(1280, 720);
    stage.append(renderer.domElement);
    const scene = new THREE.Scene();
    scene.background = new THREE.Color(render3d.THEME.background);
    const camera = new THREE.PerspectiveCamera(35, 1280 / 720, 0.05, 200);
    const cell = new THREE.PlaneGeometry(1, 1);
    const layers: {
      meshes: Three.Mesh<Three.PlaneGeometry, Three.MeshBasicMaterial>[];
      scale: R3D.ColorScale;
    }[] = [];
    let x = 0;
    for (const l of sets[0]!) {
      const [c, h, wd] = l.shape.length === 3 ? l.shape : [1, l.data.length, 1];
      const t = l.shape.length === 3 ? render3d.THEME.texel : render3d.THEME.vectorTexel;
      const meshes = [];
      for (let ci = 0; ci < c!; ci++) {
        for (let yy = 0; yy < h!; yy++) {
          for (let xx = 0; xx < wd!; xx++) {
            const m = new THREE.Mesh(cell, new THREE.MeshBasicMaterial());
            m.scale.set(t, t, 1);
            m.position.set(
              x + (xx + 0.5) * t,
              (h! / 2 - yy - 0.5) * t,
              -ci * render3d.THEME.channelGap,
            );
            scene.add(m);
            meshes.push(m);
          }
        }
      }
      layers.push({ meshes, scale: { map: 'ink', min: 0, max: 1 } });
      x += wd! * t + render3d.THEME.layerGap;
    }
    camera.position.set(x / 2 - 4, 4, 24);
    camera.lookAt(x / 2, 0, -1);
    frame = (i) => {
      const set = sets[i % sets.length]!;
      for (let li = 0; li < layers.length; li++) {
        const { meshes, scale } = layers[li]!;
        const data = set[li]!.data;
        render3d.resolveScale(data, 'auto', undefined, scale);
        const lut = render3d.COLOR_TABLES[scale.map];
        const k = 255 / (scale.max - scale.min);
        for (let j = 0; j < meshes.length; j++) {
          const q = Math.max(0, Math.min(255, Math.round((data[j]! - scale.min) * k))) * 3;
          meshes[j]!.material.color.setRGB(
            lut[q]! / 255,
            lut[q + 1]! / 255,
            lut[q + 2]! / 255,
            THREE.SRGBColorSpace,
          );
        }
      }
      renderer.render(scene, camera);
    };
    stats = () => ({ drawCalls: renderer.info.render.calls, objects: scene.children.length + 1 });
    dispose = () => {
      for (const { meshes } of layers) for (const m of meshes) m.material.dispose();
      cell.dispose();
      renderer.dispose();
      renderer.domElement.remove();
    };
  }

  const ms: number[] = [];
  const intervals: number[] = [];
  await new Promise<void>((resolve) => {
    let i = 0;
    let last = 0;
    const tick = (now: number) => {
      const t0 = performance.now();
      frame(i);
      const t1 = performance.now();
      if (i >= args.warmup) {
        ms.push(t1 - t0);
        if (last) intervals.push(now - last);
      }
      last = now;
      i++;
      if (i < args.warmup + args.frames) requestAnimationFrame(tick);
      else resolve();
    };
    requestAnimationFrame(tick);
  });
  const s = stats();
  dispose();
  return { ms, intervals, drawCalls: s.drawCalls, objects: s.objects };
}
