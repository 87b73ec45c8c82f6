import { BlurPool } from './blur-pool.js';
import { ConvLayer3D } from './conv-layer-3d.js';
import { DigitLoss } from './digit-loss.js';
import { DigitPad } from './digit-pad.js';
import { DigitTrainer } from './digit-trainer.js';
import { FeatureMaps } from './feature-maps.js';
import { KernelLab } from './kernel-lab.js';
import { ModelCompare } from './model-compare.js';
import { Network3D } from './network-3d.js';
import { PhotoConv } from './photo-conv.js';
import { Pooling } from './pooling.js';
import { Scrolly } from './scrolly.js';
import { ShiftBlock } from './shift-block.js';
import { ShiftEdge } from './shift-edge.js';
import { ShiftMeasure } from './shift-measure.js';
import { ShiftNetwork } from './shift-network.js';
import { VisKernels } from './vis-kernels.js';
import { VisSaliency } from './vis-saliency.js';
import { VisShortcut } from './vis-shortcut.js';
import { VisTop } from './vis-top.js';

/** Every element with its tag; `spec` on each class describes its API. */
export const WIDGETS = {
  'rf-kernel-lab': KernelLab,
  'rf-pooling': Pooling,
  'rf-digit-pad': DigitPad,
  'rf-model-compare': ModelCompare,
  'rf-conv-layer-3d': ConvLayer3D,
  'rf-photo-conv': PhotoConv,
  'rf-feature-maps': FeatureMaps,
  'rf-scrolly': Scrolly,
  'rf-network-3d': Network3D,
  'rf-shift-measure': ShiftMeasure,
  'rf-shift-block': ShiftBlock,
  'rf-shift-edge': ShiftEdge,
  'rf-shift-network': ShiftNetwork,
  'rf-blur-pool': BlurPool,
  'rf-digit-trainer': DigitTrainer,
  'rf-digit-loss': DigitLoss,
  'rf-vis-kernels': VisKernels,
  'rf-vis-top': VisTop,
  'rf-vis-saliency': VisSaliency,
  'rf-vis-shortcut': VisShortcut,
} as const;

/** Registers the elements that are not registered yet (safe to call twice). */
export function defineWidgets(registry: CustomElementRegistry = customElements): void {
  for (const [tag, cls] of Object.entries(WIDGETS)) {
    if (!registry.get(tag)) registry.define(tag, cls);
  }
}
