import {
  ConvolutionScene,
  type CursorEvent,
  FeatureMapStack,
  NetworkView,
  SceneHost,
  UnitCursor,
} from '@receptive/render3d';
import {
  conv3x3,
  digit,
  lectureImage,
  lessonActivations,
  lessonWeights,
  trace,
} from './synthetic.ts';

const weights = lessonWeights();
let shown = 3;

// The whole network, with presets, picking and receptive-field beams.
let cursor: UnitCursor | undefined;
const network = new NetworkView(document.getElementById('network')!, {
  layers: lessonActivations(digit(shown), weights),
  backend: backendFromQuery(),
  // A canvas the host swaps in (WebGPU gave up, or no WebGL: the 2D fallback, swapped in while
  // the view is still being built, before the cursor exists) is picked on the same way.
  onCanvas: (canvas) => cursor?.connect(canvas),
});
for (const button of document.querySelectorAll<HTMLButtonElement>('[data-preset]')) {
  button.addEventListener('click', () => network.setPreset(button.dataset['preset']!));
}
document.getElementById('next-digit')!.addEventListener('click', () => {
  shown = (shown + 1) % 10;
  network.update(lessonActivations(digit(shown), weights));
});
// Picking by pointer and keys is an opt-in control: the cursor walks the view's units, says
// each one, and sends hover and pick events; the page outlines and traces them.
cursor = new UnitCursor(network, {
  roleDescription: 'network figure',
  announce: (unit, picked) => `${picked ? 'Picked ' : ''}${network.describeUnit(unit)}`,
}).connect(network.host.canvas);
cursor.addEventListener('hover', (e) => {
  const { unit, layerChanged } = (e as CursorEvent).detail;
  network.highlight(unit && network.stack(unit.layer) ? unit : null);
  if (unit && layerChanged) network.setPreset(unit.layer);
});
const picked = document.getElementById('picked')!;
cursor.addEventListener('pick', (e) => {
  const unit = network.unitDetail((e as CursorEvent).detail.unit);
  network.highlight(unit && network.stack(unit.layer) ? unit : null);
  if (!unit) {
    network.showReceptiveField(null);
    picked.textContent = 'Click a texel to read its value.';
    return;
  }
  picked.textContent = `${unit.layer}, channel ${unit.channel}, row ${unit.y}, column ${unit.x}: ${unit.value.toFixed(3)}`;
  // @receptive/core's exact trace of the same layers, pooling windows included.
  network.showReceptiveField(trace(unit.layer, unit.y, unit.x));
});

// One stack on its own host: conv1 before the ReLU, so it is signed.
const stackHost = new SceneHost(document.getElementById('stack')!, {
  label: 'conv1 before ReLU: eight 26 by 26 feature maps',
});
const stack = new FeatureMapStack({
  shape: [8, 26, 26],
  data: conv3x3(digit(shown), 1, 28, 28, weights.w1, 8, false),
  label: 'conv1 (pre-ReLU)',
});
stack.rotation.y = -0.6;
stackHost.scene.add(stack);
stackHost.camera.position.set(0, 0.2, 6.2);
stackHost.camera.lookAt(0, -0.35, 0);
stackHost.describe(
  'Eight feature maps of conv1 before its ReLU, negative values blue and positive red.',
);
stackHost.invalidate();

// The sliding kernel, scrubbed by a slider.
const lecture = lectureImage();
const conv = new ConvolutionScene(document.getElementById('conv')!, {
  input: { shape: [7, 7], data: lecture.input },
  kernel: { shape: [3, 3], data: lecture.kernel },
  output: { shape: [5, 5], data: lecture.output },
  progress: 0.3,
});
const slider = document.getElementById('progress') as HTMLInputElement;
slider.addEventListener('input', () => conv.setProgress(Number(slider.value)));
document.getElementById('play')!.addEventListener('click', () => conv.play(5000));

Object.assign(window, { rfExample: { network, cursor, stack, stackHost, conv } });

// `?backend=webgpu` or `?backend=auto` tries three's WebGPU renderer; WebGL2 otherwise.
function backendFromQuery(): 'webgl' | 'webgpu' | 'auto' {
  const b = new URLSearchParams(location.search).get('backend');
  return b === 'webgpu' || b === 'auto' ? b : 'webgl';
}
