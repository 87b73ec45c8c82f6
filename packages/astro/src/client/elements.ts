/**
 * Every figure element the components render, and the code that defines it, loaded only when
 * an instance comes near the viewport (./lazy.ts). `wakeFigures` runs once per page, from the
 * script of WakeFigures.astro (which Figure.astro and the wrappers that are not figures render;
 * Astro bundles it once per page): tags the page does not use
 * cost one `querySelectorAll` and download nothing, since each loader is a separate chunk.
 */
import { followStepAttributes } from '@receptive/widgets/scrolly';
import { wakeWhenNear } from './lazy.ts';

type Loader = () => Promise<CustomElementConstructor>;

/** Tag, loader, and whether its instances can follow the steps of a `<Scrolly>`. */
const ELEMENTS: Record<string, [Loader, boolean]> = {
  'rf-blur-pool': [() => import('@receptive/widgets/blur-pool').then((m) => m.BlurPool), true],
  'rf-conv-layer-3d': [
    () => import('@receptive/widgets/conv-layer-3d').then((m) => m.ConvLayer3D),
    true,
  ],
  'rf-digit-loss': [() => import('@receptive/widgets/digit-loss').then((m) => m.DigitLoss), false],
  'rf-digit-pad': [() => import('@receptive/widgets/digit-pad').then((m) => m.DigitPad), false],
  'rf-digit-trainer': [
    () => import('@receptive/widgets/digit-trainer').then((m) => m.DigitTrainer),
    false,
  ],
  'rf-feature-maps': [
    () => import('@receptive/widgets/feature-maps').then((m) => m.FeatureMaps),
    false,
  ],
  'rf-kernel-lab': [() => import('@receptive/widgets/kernel-lab').then((m) => m.KernelLab), true],
  'rf-model-compare': [
    () => import('@receptive/widgets/model-compare').then((m) => m.ModelCompare),
    false,
  ],
  'rf-network-3d': [() => import('@receptive/widgets/network-3d').then((m) => m.Network3D), false],
  'rf-photo-conv': [() => import('@receptive/widgets/photo-conv').then((m) => m.PhotoConv), false],
  'rf-pooling': [() => import('@receptive/widgets/pooling').then((m) => m.Pooling), true],
  'rf-shift-block': [
    () => import('@receptive/widgets/shift-block').then((m) => m.ShiftBlock),
    true,
  ],
  'rf-shift-edge': [() => import('@receptive/widgets/shift-edge').then((m) => m.ShiftEdge), true],
  'rf-shift-measure': [
    () => import('@receptive/widgets/shift-measure').then((m) => m.ShiftMeasure),
    false,
  ],
  'rf-shift-network': [
    () => import('@receptive/widgets/shift-network').then((m) => m.ShiftNetwork),
    false,
  ],
  'rf-vis-kernels': [
    () => import('@receptive/widgets/vis-kernels').then((m) => m.VisKernels),
    true,
  ],
  'rf-vis-saliency': [
    () => import('@receptive/widgets/vis-saliency').then((m) => m.VisSaliency),
    false,
  ],
  'rf-vis-shortcut': [
    () => import('@receptive/widgets/vis-shortcut').then((m) => m.VisShortcut),
    true,
  ],
  'rf-vis-top': [() => import('@receptive/widgets/vis-top').then((m) => m.VisTop), false],
};

let woken = false;

/**
 * Wires each figure element on the page to its `<Scrolly>` steps (where it can follow them) and
 * defines it once it comes near the viewport. Safe to call more than once.
 */
export function wakeFigures(): void {
  if (woken) return;
  woken = true;
  for (const [tag, [load, steps]] of Object.entries(ELEMENTS)) {
    if (!document.querySelector(tag)) continue;
    if (steps) followStepAttributes(tag);
    wakeWhenNear(tag, load);
  }
}
