/**
 * Every figure element the components render, and the code that defines it, loaded only when
 * an instance comes near the viewport (./lazy.ts). `wakeFigures` runs once per page, from the
 * script of WakeFigures.astro (which Figure.astro and the wrappers that are not figures render;
 * Astro bundles it once per page): tags the page does not use
 * cost one `querySelectorAll` and download nothing, since each loader is a separate chunk.
 */
import { importChunk } from '@receptive/widgets/import-chunk';
import { followStepAttributes } from '@receptive/widgets/scrolly';
import { wakeWhenNear } from './lazy.ts';

type Loader = () => Promise<Record<string, unknown>>;

/** Tag: the module's import, the class it exports, and whether it can follow `<Scrolly>` steps. */
const ELEMENTS: Record<string, [Loader, string, boolean]> = {
  'rf-blur-pool': [() => import('@receptive/widgets/blur-pool'), 'BlurPool', true],
  'rf-conv-layer-3d': [() => import('@receptive/widgets/conv-layer-3d'), 'ConvLayer3D', true],
  'rf-digit-loss': [() => import('@receptive/widgets/digit-loss'), 'DigitLoss', false],
  'rf-digit-pad': [() => import('@receptive/widgets/digit-pad'), 'DigitPad', false],
  'rf-digit-trainer': [() => import('@receptive/widgets/digit-trainer'), 'DigitTrainer', false],
  'rf-feature-maps': [() => import('@receptive/widgets/feature-maps'), 'FeatureMaps', false],
  'rf-kernel-lab': [() => import('@receptive/widgets/kernel-lab'), 'KernelLab', true],
  'rf-model-compare': [() => import('@receptive/widgets/model-compare'), 'ModelCompare', false],
  'rf-network-3d': [() => import('@receptive/widgets/network-3d'), 'Network3D', false],
  'rf-photo-conv': [() => import('@receptive/widgets/photo-conv'), 'PhotoConv', false],
  'rf-pooling': [() => import('@receptive/widgets/pooling'), 'Pooling', true],
  'rf-shift-block': [() => import('@receptive/widgets/shift-block'), 'ShiftBlock', true],
  'rf-shift-edge': [() => import('@receptive/widgets/shift-edge'), 'ShiftEdge', true],
  'rf-shift-measure': [() => import('@receptive/widgets/shift-measure'), 'ShiftMeasure', false],
  'rf-shift-network': [() => import('@receptive/widgets/shift-network'), 'ShiftNetwork', false],
  'rf-vis-kernels': [() => import('@receptive/widgets/vis-kernels'), 'VisKernels', true],
  'rf-vis-saliency': [() => import('@receptive/widgets/vis-saliency'), 'VisSaliency', false],
  'rf-vis-shortcut': [() => import('@receptive/widgets/vis-shortcut'), 'VisShortcut', true],
  'rf-vis-top': [() => import('@receptive/widgets/vis-top'), 'VisTop', false],
};

let woken = false;

/**
 * Wires each figure element on the page to its `<Scrolly>` steps (where it can follow them) and
 * defines it once it comes near the viewport. Safe to call more than once.
 */
export function wakeFigures(): void {
  if (woken) return;
  woken = true;
  for (const [tag, [load, name, steps]] of Object.entries(ELEMENTS)) {
    if (!document.querySelector(tag)) continue;
    if (steps) followStepAttributes(tag);
    // importChunk: after a failed download, the next try fetches the module afresh.
    wakeWhenNear(tag, () =>
      importChunk(tag, load).then((m) => m[name] as CustomElementConstructor),
    );
  }
}
